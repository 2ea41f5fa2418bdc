"""RenderShotStream keeps talking while a render waits for a slot or works in silence, over real gRPC.

The gateway ends a stream that stays silent for its idle timeout, so the service re-sends the
last progress every `heartbeat_s` while the backend says nothing new. The backend here is
silent until the test has seen the heartbeats it waits for: nothing depends on how fast they come.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from services.visual.backends import RenderResult, RenderSpec
from services.visual.backends.base import ReferenceSpec, Subject
from services.visual.backends.simulated import SimulatedRenderer
from services.visual.control import RenderControl, Stage
from services.visual.server import SERVICE_NAME
from services.visual.servicer import VisualServicer
from services.visual.settings import VisualSettings
from storyreel.artifacts import ArtifactStore
from storyreel.domain import Character, Scene, Shot, ShotType
from storyreel.grpckit import ServiceSpec
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc
from tests.contract.test_visual_contract import render_request

pb = visual_service_pb2
DEADLINE_S = 20.0
HEARTBEATS = 3
SCENE = Scene(id="s04", setting="the mill")
FIRST = Shot(id="s04_01", shot_type=ShotType.WIDE, seed=4, visual_prompt="the wheel turns")
SECOND = Shot(id="s04_02", shot_type=ShotType.CLOSE_UP, seed=5, visual_prompt="flour on a hand")


class SilentRenderer:
    """Says it is animating, then nothing until its shot's gate opens; then writes a flat clip."""

    continues_from_previous_clip = False
    finishes_clips = False

    def __init__(self, settings: VisualSettings) -> None:
        self.gates = {FIRST.id: threading.Event(), SECOND.id: threading.Event()}
        self.writer = SimulatedRenderer(settings)

    def render(
        self, shot: Shot, scene: Scene, characters: list[Character], spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:
        control = control or RenderControl()
        control.report(0.5, Stage.ANIMATING, "segment 1 of 1")
        while not self.gates[shot.id].is_set():
            control.sleep(0.01)  # RenderCancelled once the call is cancelled
        return self.writer.render(shot, scene, characters, spec)

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        self.writer.render_reference(subject, spec, control)


async def service(grpc_channel: Any, artifact_root: Path, **values: Any) -> tuple[Any, SilentRenderer]:
    settings = VisualSettings.model_validate(
        {"STORYREEL_ARTIFACT_ROOT": str(artifact_root), "simulated_render_s": 0, "heartbeat_s": 0.05, **values}
    )
    renderer = SilentRenderer(settings)
    servicer = VisualServicer(settings, renderer, ArtifactStore.from_settings(settings))
    spec = ServiceSpec(SERVICE_NAME, lambda server: visual_service_pb2_grpc.add_VisualServiceServicer_to_server(
        servicer, server))
    channel = await grpc_channel([spec])
    return visual_service_pb2_grpc.VisualServiceStub(channel), renderer


def stream(stub: Any, shot: Shot) -> AsyncIterator[pb.RenderShotStreamResponse]:
    request = pb.RenderShotStreamRequest(render=render_request(shot, SCENE, 0.5, size=(64, 36)))
    replies: AsyncIterator[pb.RenderShotStreamResponse] = stub.RenderShotStream(request, timeout=DEADLINE_S)
    return replies


async def until_repeated(replies: AsyncIterator[pb.RenderShotStreamResponse], stage: int) -> pb.RenderProgress:
    """Read until a progress of `stage` has come HEARTBEATS more times unchanged; that progress."""
    first: pb.RenderProgress | None = None
    repeats = 0
    async for reply in replies:
        assert reply.WhichOneof("event") == "progress"
        if first is not None:
            assert reply.progress == first  # nothing new from the backend: the last progress again
            repeats += 1
            if repeats == HEARTBEATS:
                return first
        elif reply.progress.stage == stage:
            first = reply.progress
    raise AssertionError("the stream ended before the heartbeats came")


async def result_of(replies: AsyncIterator[pb.RenderShotStreamResponse]) -> pb.RenderShotResponse:
    async for reply in replies:
        if reply.WhichOneof("event") == "result":
            return reply.result
    raise AssertionError("the stream ended without a result")


async def test_a_silent_render_sends_its_last_progress_again(grpc_channel: Any, artifact_root: Path) -> None:
    stub, renderer = await service(grpc_channel, artifact_root)
    replies = stream(stub, FIRST)
    working = await until_repeated(replies, pb.RENDER_STAGE_ANIMATING)
    assert (working.fraction, working.message) == (0.5, "segment 1 of 1")
    renderer.gates[FIRST.id].set()
    assert (await result_of(replies)).frame_count == 12


async def test_a_render_waiting_for_a_slot_says_so_again_and_again(grpc_channel: Any, artifact_root: Path) -> None:
    stub, renderer = await service(grpc_channel, artifact_root, concurrency=1)
    busy = stream(stub, FIRST)
    await until_repeated(busy, pb.RENDER_STAGE_ANIMATING)  # the first shot holds the only slot
    waiting = stream(stub, SECOND)
    queued = await until_repeated(waiting, pb.RENDER_STAGE_QUEUED)
    assert queued.message == "waiting for a free render slot"
    renderer.gates[FIRST.id].set()
    renderer.gates[SECOND.id].set()
    assert (await result_of(busy)).frame_count == (await result_of(waiting)).frame_count == 12
