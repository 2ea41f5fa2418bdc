"""The VisualService servicer: proto in, a backend renders in a worker thread, proto out."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import grpc

from services.visual.backends import RenderSpec, ShotRenderer
from services.visual.camera import default_move
from services.visual.settings import VisualSettings
from storyreel.artifacts import ArtifactStore
from storyreel.convert import from_proto
from storyreel.domain import Character, Scene, Shot
from storyreel.errors import InvalidInput
from storyreel.logs import log_context
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc


class VisualServicer(visual_service_pb2_grpc.VisualServiceServicer):  # type: ignore[misc]  # stubs untyped
    def __init__(self, settings: VisualSettings, renderer: ShotRenderer, store: ArtifactStore) -> None:
        self._renderer = renderer
        self._store = store
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def RenderShot(
        self, request: visual_service_pb2.RenderShotRequest, context: grpc.aio.ServicerContext
    ) -> visual_service_pb2.RenderShotResponse:
        shot = shot_from_proto(request.shot)
        scene = from_proto(request.scene, Scene)
        characters = [from_proto(character, Character) for character in request.characters]
        spec = self._spec(request)
        with log_context(scene_id=scene.id, shot_id=shot.id), contextlib.ExitStack() as outputs:
            writing = dataclasses.replace(
                spec,
                clip_path=outputs.enter_context(self._store.writing(request.output_key)),
                keyframe_path=outputs.enter_context(self._store.writing(request.keyframe_key)),
            )
            async with self._slots:
                result = await asyncio.to_thread(self._renderer.render, shot, scene, characters, writing)
        return visual_service_pb2.RenderShotResponse(
            clip=self._store.ref(request.output_key),
            keyframe=self._store.ref(request.keyframe_key),
            frame_count=result.frame_count,
            duration_s=result.duration_s,
        )

    def _spec(self, request: visual_service_pb2.RenderShotRequest) -> RenderSpec:
        """The checked request: sizes in range, both output keys given, distinct and inside the root."""
        for name in ("output_key", "keyframe_key"):
            if not getattr(request, name):
                raise InvalidInput(f"{name} is required")
        if request.output_key == request.keyframe_key:
            raise InvalidInput("output_key and keyframe_key must differ")
        return RenderSpec(
            width=request.width,
            height=request.height,
            fps=request.fps,
            duration_s=request.duration_s,
            clip_path=self._store.path(request.output_key),
            keyframe_path=self._store.path(request.keyframe_key),
        )


def shot_from_proto(message: storyboard_pb2.Shot) -> Shot:
    """The shot, with the camera move its type calls for when the storyboard left it unspecified."""
    shot = from_proto(message, Shot)
    if message.camera == storyboard_pb2.CAMERA_MOVE_UNSPECIFIED:
        shot = shot.model_copy(update={"camera": default_move(shot.shot_type, shot.seed)})
    return shot
