"""The VisualService servicer: proto in, a backend renders in a worker thread, proto out.

RenderShot answers once; RenderShotStream sends the render's progress as it comes and the result
last, and sends the last progress again whenever `heartbeat_s` pass without news (waiting for a
slot, or a long ComfyUI run), so a caller's idle timeout tells a silent service from a slow one.
Both stop the render when the call is cancelled: the worker thread is told (RenderControl) and
the slot is held until it has stopped, so a cancelled job never leaves a ComfyUI prompt or an
ffmpeg run behind that a new shot would compete with.

DescribeBackend says how a backend renders (whether it starts a shot from the previous shot's
clip, whether it finishes clips), so the gateway knows whether a scene's shots must go one after
another, and the composer whether the clips come finished (subtitles, fades, the film's encode).
A request's finish goes only to a backend that finishes clips; the reply's finish_tag says it was applied.

RenderReference makes the cast sheet: one reference picture per character (or setting), drawn by
the chosen backend in a render slot, or a user's picture checked and stored as PNG. RenderShot
checks every reference it is given (services/visual/references.py) before the backend reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import grpc

from services.visual.backends import RenderSpec, ShotRenderer, make_backend
from services.visual.backends.animatic import vocabulary
from services.visual.backends.base import PORTRAIT_SIZE, SETTING_SIZE, Finish, ReferenceSpec, Subject, x264_preset
from services.visual.camera import default_move
from services.visual.control import Progress, RenderControl, Stage
from services.visual.references import checked_picture, save_as_png
from services.visual.settings import VisualBackend, VisualSettings
from storyreel.aio import within
from storyreel.artifacts import ArtifactStore
from storyreel.convert import from_proto
from storyreel.domain import Character, Scene, Shot
from storyreel.errors import BackendError, InvalidInput
from storyreel.logs import log_context
from storyreel.storyboard.v1 import finish_pb2, storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc

STOP_GRACE_S = 30.0
"""How long a cancelled render's worker thread gets to stop before the slot is given up anyway."""
BACKENDS: dict[int, VisualBackend] = {
    int(visual_service_pb2.VISUAL_BACKEND_ANIMATIC): VisualBackend.ANIMATIC,
    int(visual_service_pb2.VISUAL_BACKEND_COMFYUI): VisualBackend.COMFYUI,
    int(visual_service_pb2.VISUAL_BACKEND_DIFFUSERS): VisualBackend.DIFFUSERS,
}
BACKEND_VALUES = {kind: value for value, kind in BACKENDS.items()}


def describe_words(kind: VisualBackend, prompt: str) -> visual_service_pb2.DescribeBackendResponse:
    """DescribeBackend's words: the animatic's vocabulary and its check of the prompt (the
    keyframe's own matching), or any_prompt for a backend that draws from whatever it is told."""
    if kind != VisualBackend.ANIMATIC:
        return visual_service_pb2.DescribeBackendResponse(any_prompt=True)
    found = vocabulary.check(prompt) if prompt else vocabulary.Check([], [])
    return visual_service_pb2.DescribeBackendResponse(
        vocabulary=[visual_service_pb2.VocabularyGroup(name=group.value, words=words)
                    for group, words in vocabulary.vocabulary().items()],
        drawn=[visual_service_pb2.DrawnWord(word=item.word, group=item.group.value, drawn_as=item.drawn_as)
               for item in found.drawn],
        not_drawn=found.not_drawn,
    )  # fmt: skip
"""The contract's value of each backend it names (the simulated one it does not: UNSPECIFIED)."""
ProgressSink = Callable[[Progress], None]
Made = TypeVar("Made")

log = logging.getLogger(__name__)


class VisualServicer(visual_service_pb2_grpc.VisualServiceServicer):  # type: ignore[misc]  # stubs untyped
    def __init__(self, settings: VisualSettings, renderer: ShotRenderer, store: ArtifactStore) -> None:
        self._settings = settings
        self._renderers: dict[VisualBackend, ShotRenderer] = {settings.backend: renderer}
        self._store = store
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def RenderShot(
        self, request: visual_service_pb2.RenderShotRequest, context: grpc.aio.ServicerContext
    ) -> visual_service_pb2.RenderShotResponse:
        return await self._render(request, lambda _: None)

    async def RenderShotStream(
        self, request: visual_service_pb2.RenderShotStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[visual_service_pb2.RenderShotStreamResponse]:
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[Progress | None] = asyncio.Queue()

        def post(progress: Progress) -> None:  # called from the render's worker thread
            loop.call_soon_threadsafe(updates.put_nowait, progress)

        task = asyncio.ensure_future(self._render(request.render, post))
        task.add_done_callback(lambda _: loop.call_soon_threadsafe(updates.put_nowait, None))
        last = Progress(0.0, Stage.QUEUED, "waiting for a free render slot")
        try:
            while (progress := await _next(updates, self._settings.heartbeat_s, last)) is not None:
                last = progress
                yield visual_service_pb2.RenderShotStreamResponse(progress=progress_message(progress))
            yield visual_service_pb2.RenderShotStreamResponse(result=task.result())
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait([task])

    async def RenderReference(
        self, request: visual_service_pb2.RenderReferenceRequest, context: grpc.aio.ServicerContext
    ) -> visual_service_pb2.RenderReferenceResponse:
        subject = reference_subject(request)
        if not request.output_key:
            raise InvalidInput("output_key is required")
        if request.upload_key:
            return await self._take_upload(request, subject)
        width, height = request.width, request.height
        if not width and not height:
            width, height = PORTRAIT_SIZE if isinstance(subject, Character) else SETTING_SIZE
        renderer = self._renderer(request.backend)
        control = RenderControl()
        scene_id = subject.id if isinstance(subject, Scene) else None
        with log_context(scene_id=scene_id), self._store.writing(request.output_key) as path:
            spec = ReferenceSpec(width, height, request.seed or stable_seed(subject), path)
            async with self._slots:
                started = time.perf_counter()
                await _in_worker(lambda: renderer.render_reference(subject, spec, control), control)
            made = checked_picture(path, f"the reference picture {type(renderer).__name__} made", 1e6)
            log.info("made a reference picture", extra={"render_ms": round((time.perf_counter() - started) * 1000)})
        return visual_service_pb2.RenderReferenceResponse(
            picture=self._store.ref(request.output_key), width=made[0], height=made[1]
        )

    async def DescribeBackend(
        self, request: visual_service_pb2.DescribeBackendRequest, context: grpc.aio.ServicerContext
    ) -> visual_service_pb2.DescribeBackendResponse:
        """How the backend the request names renders: it continues from the previous clip only
        when it can (the backend says) and continue_in_scene is on (else _previous_clip drops it),
        and finishes clips when the backend says it does."""
        kind = BACKENDS.get(int(request.backend), self._settings.backend)
        renderer = self._renderer(request.backend)
        reply = visual_service_pb2.DescribeBackendResponse(
            backend=visual_service_pb2.VisualBackend.Name(BACKEND_VALUES.get(kind, 0)),
            continues_from_previous_clip=self._settings.continue_in_scene and renderer.continues_from_previous_clip,
            finishes_clips=renderer.finishes_clips,
        )
        reply.MergeFrom(describe_words(kind, request.prompt))
        return reply

    async def _take_upload(
        self, request: visual_service_pb2.RenderReferenceRequest, subject: Subject
    ) -> visual_service_pb2.RenderReferenceResponse:
        """A user's picture as the subject's reference: checked, then stored as an RGB PNG."""
        source = self._store.existing(request.upload_key, "upload_key")
        what = f"the picture given for {subject_name(subject)} ({request.upload_key})"
        await asyncio.to_thread(checked_picture, source, what, self._settings.reference_max_mb)
        with self._store.writing(request.output_key) as path:
            width, height = await asyncio.to_thread(save_as_png, source, path)
        return visual_service_pb2.RenderReferenceResponse(
            picture=self._store.ref(request.output_key), width=width, height=height, uploaded=True
        )

    async def _render(
        self, request: visual_service_pb2.RenderShotRequest, on_progress: ProgressSink
    ) -> visual_service_pb2.RenderShotResponse:
        shot = shot_from_proto(request.shot)
        scene = from_proto(request.scene, Scene)
        characters = [from_proto(character, Character) for character in request.characters]
        spec = await asyncio.to_thread(self._spec, request, shot)
        renderer = self._renderer(request.backend)
        control = RenderControl(on_progress)
        with log_context(scene_id=scene.id, shot_id=shot.id), contextlib.ExitStack() as outputs:
            writing = dataclasses.replace(
                spec,
                clip_path=outputs.enter_context(self._store.writing(request.output_key)),
                keyframe_path=outputs.enter_context(self._store.writing(request.keyframe_key)),
                # A backend that does not finish clips never sees the finish, so its reply's tag stays empty.
                finish=spec.finish if renderer.finishes_clips else None,
            )
            control.report(0.0, Stage.QUEUED, "waiting for a free render slot")
            queued = time.perf_counter()
            async with self._slots:
                started = time.perf_counter()
                result = await _in_worker(lambda: renderer.render(shot, scene, characters, writing, control), control)
            # The render alone, apart from the wait for a slot: what load tests count as busy time.
            log.info("rendered the shot", extra={"render_ms": round((time.perf_counter() - started) * 1000),
                                                 "queued_ms": round((started - queued) * 1000)})
        return visual_service_pb2.RenderShotResponse(
            clip=self._store.ref(request.output_key),
            keyframe=self._store.ref(request.keyframe_key),
            frame_count=result.frame_count,
            duration_s=result.duration_s,
            finish_tag=result.finish_tag,
        )

    def _renderer(self, choice: int) -> ShotRenderer:
        """The backend the request names (built on first use), or the configured one."""
        kind = BACKENDS.get(int(choice), self._settings.backend)
        if kind not in self._renderers:
            try:
                self._renderers[kind] = make_backend(self._settings, kind)
            except InvalidInput as error:  # a broken workflow file is the server's problem, not the caller's
                raise BackendError(f"the {kind.value} backend cannot start: {error}") from None
        return self._renderers[kind]

    def _spec(self, request: visual_service_pb2.RenderShotRequest, shot: Shot) -> RenderSpec:
        """The checked request: sizes in range, both output keys given, distinct and inside the root,
        every reference picture there and readable."""
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
            scene_keyframe_path=self._scene_keyframe(request),
            character_references=tuple(
                (cid, self._reference(request.character_reference_keys[cid], f"the reference picture of {cid}"))
                for cid in dict.fromkeys(shot.character_ids)
                if request.character_reference_keys.get(cid)
            ),
            previous_clip_path=self._previous_clip(request),
            finish=finish_from_proto(request.finish) if request.HasField("finish") else None,
            setting_reference=(
                self._reference(request.setting_reference_key, "the setting's reference picture")
                if request.setting_reference_key
                else None
            ),
        )

    def _previous_clip(self, request: visual_service_pb2.RenderShotRequest) -> Path | None:
        key = request.previous_clip_key
        if not self._settings.continue_in_scene or not key or key == request.output_key:
            return None
        return self._store.path(key) if self._store.exists(key) else None

    def _reference(self, key: str, what: str) -> Path:
        path = self._store.existing(key, what)
        checked_picture(path, f"{what} ({key})", self._settings.reference_max_mb)
        return path

    def _scene_keyframe(self, request: visual_service_pb2.RenderShotRequest) -> Path | None:
        key = request.scene_keyframe_key
        if not key or key == request.keyframe_key or not self._store.exists(key):
            return None
        return self._store.path(key)


async def _next(updates: asyncio.Queue[Progress | None], heartbeat_s: float, last: Progress) -> Progress | None:
    """The render's next progress (None: it has ended), or `last` again once heartbeat_s pass without one."""
    try:
        return await within(updates.get(), heartbeat_s)
    except TimeoutError:
        return last


async def _in_worker(render: Callable[[], Made], control: RenderControl) -> Made:
    """Run the blocking render in a thread (with the log context); on cancel, stop it and wait for it."""
    work = asyncio.ensure_future(asyncio.to_thread(render))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        control.cancel()
        await asyncio.wait([work], timeout=STOP_GRACE_S)
        if work.done() and not work.cancelled():
            work.exception()  # retrieved: the render's RenderCancelled is expected, not news
        raise


def progress_message(progress: Progress) -> visual_service_pb2.RenderProgress:
    return visual_service_pb2.RenderProgress(
        fraction=progress.fraction,
        stage=visual_service_pb2.RenderStage.Value(f"RENDER_STAGE_{progress.stage.name}"),
        message=progress.message,
        attempt=progress.attempt,
    )


def reference_subject(request: visual_service_pb2.RenderReferenceRequest) -> Subject:
    kind = request.WhichOneof("subject")
    if kind == "character":
        return from_proto(request.character, Character)
    if kind == "setting":
        return from_proto(request.setting, Scene)
    raise InvalidInput("a RenderReferenceRequest needs a character or a setting")


def stable_seed(subject: Subject) -> int:
    """One seed per subject, the same in every process (Python's hash() is salted per process)."""
    return zlib.crc32(f"reference|{subject.id}".encode()) or 1


def subject_name(subject: Subject) -> str:
    if isinstance(subject, Character):
        return f"character {subject.id}"
    return f"the setting of scene {subject.id}"


def finish_from_proto(message: finish_pb2.ClipFinish) -> Finish:
    """The request's finish, checked as Finish and RenderSpec construct it (InvalidInput naming the field)."""
    return Finish(
        subtitles_ass=message.subtitles_ass,
        fade_in_s=message.fade_in_s,
        fade_out_s=message.fade_out_s,
        preset=x264_preset(message.x264_preset),
        crf=message.x264_crf,
        params=message.x264_params,
        tag=message.tag,
    )


def shot_from_proto(message: storyboard_pb2.Shot) -> Shot:
    """The shot, with the camera move its type calls for when the storyboard left it unspecified."""
    shot = from_proto(message, Shot)
    if message.camera == storyboard_pb2.CAMERA_MOVE_UNSPECIFIED:
        shot = shot.model_copy(update={"camera": default_move(shot.shot_type, shot.seed)})
    return shot
