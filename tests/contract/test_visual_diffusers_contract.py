"""The diffusers backend behind the visual service's contract, over real gRPC on loopback, with
tiny random SDXL and LTX-Video pipelines loaded from folders (no download): RenderShot returns a
clip of exactly the frames, size and rate asked for, a second shot reuses the loaded pipelines,
RenderShotStream reports every denoising step, and cancelling the call stops the render between
steps."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("diffusers", reason="the `visual-gpu` extra is not installed (scripts/install_visual_models.sh)")

from services.visual.backends.diffusers import DiffusersRenderer, tiny
from services.visual.server import SERVICE_NAME
from services.visual.servicer import VisualServicer
from services.visual.settings import VisualSettings
from storyreel.artifacts import ArtifactStore
from storyreel.domain import Scene, Shot, ShotType
from storyreel.grpckit import ServiceSpec
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc
from tests.contract.test_visual_contract import check_ref, probe_counting, render_request

DEADLINE_S = 120.0
SCENE = Scene(id="s04", setting="a lamp-lit courtyard")
SHOT = Shot(id="s04_01", shot_type=ShotType.MEDIUM, seed=4, visual_prompt="an old woman lights a lamp")
pb = visual_service_pb2


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    os.environ["HF_HUB_OFFLINE"] = "1"
    return tiny.write(tmp_path_factory.mktemp("tiny-diffusers"), ["sdxl", "ltx"])


def settings_for(artifact_root: Path, models: dict[str, Path], **extra: Any) -> VisualSettings:
    return VisualSettings.model_validate({
        "STORYREEL_ARTIFACT_ROOT": str(artifact_root), "backend": "diffusers",
        "diffusers_keyframe_model": str(models["sdxl"]), "diffusers_video_model": str(models["ltx"]),
        "diffusers_video_family": "ltx_i2v", "diffusers_keyframe_steps": 2, "diffusers_video_steps": 2,
        "diffusers_keyframe_pixels": 64 * 64, "diffusers_video_pixels": 32 * 32, "diffusers_max_frames": 9,
        "diffusers_rerolls": 0, **extra,
    })  # fmt: skip


async def serve(
    grpc_channel: Callable[[list[ServiceSpec]], Any], settings: VisualSettings
) -> tuple[visual_service_pb2_grpc.VisualServiceStub, DiffusersRenderer]:
    backend = DiffusersRenderer(settings)
    servicer = VisualServicer(settings, backend, ArtifactStore.from_settings(settings))
    spec = ServiceSpec(SERVICE_NAME, lambda server: visual_service_pb2_grpc.add_VisualServiceServicer_to_server(
        servicer, server))  # fmt: skip
    channel = await grpc_channel([spec])
    return visual_service_pb2_grpc.VisualServiceStub(channel), backend


async def test_render_shot_makes_the_exact_clip_and_reuses_the_pipelines(
    grpc_channel: Any, artifact_root: Path, models: dict[str, Path]
) -> None:
    stub, backend = await serve(grpc_channel, settings_for(artifact_root, models))
    for index in (1, 2):
        shot = SHOT.model_copy(update={"id": f"s04_0{index}"})
        reply = await stub.RenderShot(render_request(shot, SCENE, 1.0, size=(64, 36), fps=8), timeout=DEADLINE_S)
        stream = probe_counting(check_ref(reply.clip, artifact_root))["streams"][0]
        assert (int(stream["nb_read_frames"]), stream["width"], stream["height"]) == (8, 64, 36)
        assert stream["r_frame_rate"] == "8/1" and (reply.frame_count, reply.duration_s) == (8, 1.0)
        assert check_ref(reply.keyframe, artifact_root).read_bytes().startswith(b"\x89PNG")
    assert dict(backend.pipelines.loads) == {str(models["sdxl"]): 1, str(models["ltx"]): 1}


async def test_the_stream_reports_each_denoising_step_of_each_segment(
    grpc_channel: Any, artifact_root: Path, models: dict[str, Path]
) -> None:
    stub, _ = await serve(grpc_channel, settings_for(artifact_root, models))
    request = pb.RenderShotStreamRequest(render=render_request(SHOT, SCENE, 0.5, size=(64, 36), fps=8))
    replies = [reply async for reply in stub.RenderShotStream(request, timeout=DEADLINE_S)]
    progress = [reply.progress for reply in replies[:-1]]
    steps = [(update.stage, update.message) for update in progress if "denoising step" in update.message]
    # 0.5 s at LTX-Video's 24 fps in segments of at most 9 frames: 9 + 8 frames
    keyframe = [(pb.RENDER_STAGE_KEYFRAME, f"denoising step {step} of 2") for step in (1, 2)]
    animating = [(pb.RENDER_STAGE_ANIMATING, f"denoising step {step} of 2") for _ in range(2) for step in (1, 2)]
    assert steps == keyframe + animating
    assert [update.fraction for update in progress] == sorted(update.fraction for update in progress)
    assert replies[-1].result.frame_count == 4


async def test_a_cancelled_stream_stops_the_render_between_steps(
    grpc_channel: Any, artifact_root: Path, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(artifact_root, models, diffusers_mode="text_to_video", diffusers_video_family="ltx_t2v",
                            diffusers_video_steps=50, concurrency=1)  # fmt: skip
    stub, backend = await serve(grpc_channel, settings)
    pipe = backend.pipelines.get(str(models["ltx"]), "LTXPipeline")
    denoised: list[int] = []
    step = pipe.scheduler.step

    def counted(*args: Any, **kwargs: Any) -> Any:
        denoised.append(1)
        return step(*args, **kwargs)

    monkeypatch.setattr(pipe.scheduler, "step", counted)

    request = pb.RenderShotStreamRequest(render=render_request(SHOT, SCENE, 1.0, size=(64, 36), fps=8))
    call = stub.RenderShotStream(request, timeout=DEADLINE_S)
    async for reply in call:
        if "denoising step" in reply.progress.message:
            break
    call.cancel()
    assert call.cancelled()

    # The one render slot comes free only once the cancelled render has stopped: an animatic
    # shot after it proves the service goes on, and the step count that it stopped mid-segment.
    preview = render_request(SHOT, SCENE, 0.5, size=(64, 36), fps=8, output_key="clips/preview.mp4",
                             keyframe_key="keyframes/preview.png")  # fmt: skip
    preview.backend = pb.VISUAL_BACKEND_ANIMATIC
    assert (await stub.RenderShot(preview, timeout=DEADLINE_S)).frame_count == 4
    assert 1 <= len(denoised) <= 3 < 50
    assert not (artifact_root / "clips" / f"{SHOT.id}.mp4").exists()


async def test_an_animatic_service_renders_a_request_that_names_diffusers(
    grpc_channel: Any, artifact_root: Path, models: dict[str, Path]
) -> None:
    from services.visual.server import build_specs

    settings = settings_for(artifact_root, models, backend="animatic")
    stub = visual_service_pb2_grpc.VisualServiceStub(await grpc_channel(build_specs(settings)))
    request = render_request(SHOT, SCENE, 0.5, size=(64, 36), fps=8)
    request.backend = pb.VISUAL_BACKEND_DIFFUSERS
    reply = await stub.RenderShot(request, timeout=DEADLINE_S)
    assert reply.frame_count == 4
