"""RenderShotStream, the per-request backend choice and cancellation, over real gRPC on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from services.visual.server import build_specs
from services.visual.settings import VisualSettings
from storyreel.domain import Scene, Shot, ShotType
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc
from tests.comfyui.fake_comfy import FakeComfy, Running, serve_in_thread
from tests.contract.test_visual_contract import render_request

DEADLINE_S = 60.0
SCENE = Scene(id="s03", setting="the sea shore")
SHOT = Shot(id="s03_01", shot_type=ShotType.WIDE, seed=3, visual_prompt="boats come home")
pb = visual_service_pb2


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[Running]:
    yield from serve_in_thread(FakeComfy(tmp_path / "fake-comfy"))


async def stub_for(
    grpc_channel: Any, artifact_root: Path, **settings: Any
) -> visual_service_pb2_grpc.VisualServiceStub:
    values = {"STORYREEL_ARTIFACT_ROOT": str(artifact_root), "comfyui_animate_workflow": "svd_xt_1_1_i2v.json"}
    channel = await grpc_channel(build_specs(VisualSettings.model_validate({**values, **settings})))
    return visual_service_pb2_grpc.VisualServiceStub(channel)


async def test_the_stream_sends_progress_then_the_result(grpc_channel: Any, artifact_root: Path) -> None:
    stub = await stub_for(grpc_channel, artifact_root)
    request = pb.RenderShotStreamRequest(render=render_request(SHOT, SCENE, 1.0, size=(320, 180)))
    replies = [reply async for reply in stub.RenderShotStream(request, timeout=DEADLINE_S)]

    progress = [reply.progress for reply in replies[:-1]]
    assert all(reply.WhichOneof("event") == "progress" for reply in replies[:-1])
    assert progress[0].stage == pb.RENDER_STAGE_QUEUED
    assert [update.fraction for update in progress] == sorted(update.fraction for update in progress)
    assert progress[-1].fraction == 1.0
    result = replies[-1].result
    assert result.frame_count == 24 and (artifact_root / result.clip.key).stat().st_size == result.clip.size_bytes


async def test_a_request_can_choose_comfyui_on_an_animatic_service(
    grpc_channel: Any, artifact_root: Path, fake: Running
) -> None:
    stub = await stub_for(grpc_channel, artifact_root, comfyui_url=fake.url)
    request = render_request(SHOT, SCENE, 1.0, size=(320, 180))
    request.backend = pb.VISUAL_BACKEND_COMFYUI
    reply = await stub.RenderShot(request, timeout=DEADLINE_S)
    assert reply.frame_count == 24 and len(fake.fake.seen.prompts) == 2  # keyframe + one SVD segment
    assert (artifact_root / reply.keyframe.key).read_bytes().startswith(b"\x89PNG")

    request.backend = pb.VISUAL_BACKEND_ANIMATIC
    request.output_key, request.keyframe_key = "clips/preview.mp4", "keyframes/preview.png"
    await stub.RenderShot(request, timeout=DEADLINE_S)
    assert len(fake.fake.seen.prompts) == 2  # the animatic did the preview


async def test_the_scenes_first_keyframe_starts_later_keyframes(
    grpc_channel: Any, artifact_root: Path, fake: Running
) -> None:
    stub = await stub_for(grpc_channel, artifact_root, backend="comfyui", comfyui_url=fake.url)
    first = render_request(SHOT, SCENE, 0.5, size=(320, 180), keyframe_key="keyframes/s03_01.png")
    await stub.RenderShot(first, timeout=DEADLINE_S)
    later = render_request(SHOT.model_copy(update={"id": "s03_02"}), SCENE, 0.5, size=(320, 180))
    later.scene_keyframe_key = "keyframes/s03_01.png"
    await stub.RenderShot(later, timeout=DEADLINE_S)
    keyframe_graphs = [
        p["prompt"] for p in fake.fake.seen.prompts if p["prompt"]["1"]["class_type"] == "CheckpointLoaderSimple"
    ]
    assert ["LoadImage" in {node["class_type"] for node in graph.values()} for graph in keyframe_graphs] == [
        False,
        True,
    ]


async def test_cancelling_the_call_interrupts_the_comfyui_prompt(
    grpc_channel: Any, artifact_root: Path, fake: Running
) -> None:
    fake.fake.behaviour = "hang"
    stub = await stub_for(grpc_channel, artifact_root, backend="comfyui", comfyui_url=fake.url)
    call = stub.RenderShotStream(
        pb.RenderShotStreamRequest(render=render_request(SHOT, SCENE, 1.0, size=(320, 180))), timeout=DEADLINE_S
    )
    async for reply in call:
        if reply.progress.stage == pb.RENDER_STAGE_KEYFRAME:
            break
    call.cancel()
    deadline = time.monotonic() + 10
    while not fake.fake.seen.interrupts and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert fake.fake.seen.interrupts == [{"prompt_id": fake.fake.seen.prompts[0]["prompt_id"]}]
    assert not any(artifact_root.rglob("*.mp4"))


async def test_a_comfyui_failure_reaches_the_caller_in_words(
    grpc_channel: Any, artifact_root: Path, fake: Running
) -> None:
    fake.fake.behaviour = "error"
    stub = await stub_for(grpc_channel, artifact_root, backend="comfyui", comfyui_url=fake.url)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.RenderShot(render_request(SHOT, SCENE, 1.0, size=(320, 180)), timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INTERNAL
    assert "put it in models/checkpoints" in (error.value.details() or "")
