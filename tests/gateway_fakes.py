"""Fast stand-ins for the four services, for the gateway's tests: real gRPC servers (the same
server kit, on a free loopback port) whose work is instant, counted and controllable.

Each fake writes real files under the artifact root, whose bytes depend on the request, so a
test can tell which outputs changed. The visual fake can be held (to cancel a job mid-render)
and told to fail a shot. Its RenderReference is as strict as the real one: a real PNG of the
requested (or the backend's default) size, a user's picture checked and converted by the visual
service's own checks, INVALID_ARGUMENT naming the problem; and RenderShot refuses a reference
picture it cannot read, as the real service does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import uvicorn
from fastapi.testclient import TestClient
from PIL import Image

from cli.stack import free_port
from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.audio.backends.espeak import EspeakSpeech
from services.audio.models import CastInput
from services.composer.backends.ffmpeg import FfmpegComposer
from services.composer.servicer import finish_from_proto
from services.composer.settings import ComposerSettings
from services.planner.backends import make_backend as make_planner
from services.planner.servicer import PlannerServicer
from services.planner.settings import PlannerSettings
from services.visual.backends.base import PORTRAIT_SIZE, SETTING_SIZE
from services.visual.references import checked_picture, save_as_png
from services.visual.servicer import BACKENDS as VISUAL_BACKENDS
from services.visual.servicer import describe_words
from storyreel.artifacts import ArtifactStore
from storyreel.audio.v1 import audio_service_pb2 as audio_pb
from storyreel.audio.v1 import audio_service_pb2_grpc as audio_grpc
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.composer.v1 import composer_service_pb2_grpc as composer_grpc
from storyreel.convert import from_proto, to_proto
from storyreel.errors import InvalidInput, MissingArtifact
from storyreel.grpckit import RunningServer, ServiceSpec, start_server
from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from storyreel.planner.v1 import planner_service_pb2_grpc as planner_grpc
from storyreel.storyboard.v1 import finish_pb2
from storyreel.storyboard.v1 import storyboard_pb2 as sb
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from storyreel.visual.v1 import visual_service_pb2_grpc as visual_grpc

STORY = (
    "Meera lived by the river. She lit the lantern every night. "
    "The boats came home. A storm rose over the water. Meera held the lantern high."
)
SECONDS_PER_CHARACTER = 0.05
ESPEAK = EspeakSpeech("espeak-ng", 0.3, -20.0, timeout_s=30)
"""The real espeak-ng casting, shared by the fakes' CheckVoices."""


def _digest(message: Any) -> str:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


def plan(story: str, per_scene: int = 2) -> sb.Storyboard:
    """One shot per sentence, `per_scene` shots a scene; Meera is in the sentences that name her."""
    sentences = [s.strip() + "." for s in re.split(r"\.\s*", story) if s.strip()]
    meera = sb.Character(id="meera", name="Meera", description="an old woman in a blue shawl")
    scenes = []
    for start in range(0, len(sentences), per_scene):
        number = start // per_scene + 1
        shots = [
            sb.Shot(
                id=f"s{number:02d}_{index + 1:02d}", lines=[sb.Line(text=sentence)],
                visual_prompt=sentence.lower(), seed=start + index,
                character_ids=["meera"] if "Meera" in sentence else [],
            )
            for index, sentence in enumerate(sentences[start:start + per_scene])
        ]
        scenes.append(sb.Scene(id=f"s{number:02d}", title=f"Scene {number}", shots=shots))
    return sb.Storyboard(title="The lantern", characters=[meera], scenes=scenes)


def fitted(story: str, max_minutes: float) -> str:
    """The story's first sentences whose film, as the fake's Plan estimates it (one shot a
    sentence: its speech plus 0.6 s air, at least 3 s), fits max_minutes (0: all of it); at
    least one sentence, as the real planner keeps at least one passage."""
    kept: list[str] = []
    for sentence in _sentences(story):
        if max_minutes and kept and estimate_s(" ".join([*kept, sentence])) > max_minutes * 60:
            break
        kept.append(sentence)
    return " ".join(kept)


def estimate_s(story: str) -> float:
    """The film the fake's Plan expects of a story (PlanResponse.condensing.expected_film_s)."""
    return sum(max(3.0, len(sentence) * SECONDS_PER_CHARACTER + 0.6) for sentence in _sentences(story))


def _sentences(story: str) -> list[str]:
    return [s.strip() + "." for s in re.split(r"\.\s*", story) if s.strip()]


class FakeServices:
    """All four services on one port, run on their own event loop in a thread."""

    def __init__(self, artifact_root: Path) -> None:
        self.files = ArtifactStore(artifact_root)
        self.calls: Counter[tuple[str, str]] = Counter()  # (method, shot/scene id) -> calls
        self.cancelled: list[str] = []  # shots whose RenderShot the caller cancelled
        self.requests: dict[str, visual_pb.RenderShotRequest] = {}  # the latest per shot
        self.plan_requests: list[planner_pb.PlanRequest] = []
        self.plan_shots_requests: list[planner_pb.PlanShotsRequest] = []
        self.shot_references: list[tuple[str, dict[str, str], str]] = []  # (shot, character refs, setting ref) per call
        self.reference_requests: list[visual_pb.RenderReferenceRequest] = []
        self.reference_max_mb = 20.0  # the real service's STORYREEL_VISUAL_REFERENCE_MAX_MB default
        self.compositions: list[composer_pb.ComposeRequest] = []
        self.preparations: list[composer_pb.PrepareRequest] = []
        self.finish_requests: list[composer_pb.FinishRequest] = []
        self.composer_is_old = False  # a composer built before Prepare: UNIMPLEMENTED
        self.parts: dict[str, set[tuple[str, ...]]] = {}  # parts_prefix -> the scene parts kept (their clip keys)
        self.fail_shots: dict[str, grpc.StatusCode] = {}
        self.fail_once: dict[str, grpc.StatusCode] = {}
        self.render_delay_s = 0.0
        # (method, shot or scene id) -> how many of its next streamed calls hang, sending nothing
        self.silent: Counter[tuple[str, str]] = Counter()
        self.silences = 0  # streamed calls that hung until the caller cancelled them
        self.heartbeats = 0  # heartbeats each streamed call sends before its result, heartbeat_s apart
        self.heartbeat_s = 0.0
        self.linger_after_result_s = 0.0
        self.cancelled_after_result: list[str] = []
        self.render_heartbeat_s = 1.0  # while a render itself waits: the real service's STORYREEL_VISUAL_HEARTBEAT_S
        self.planner_down = False  # PlanScenes answers UNAVAILABLE
        self.planner_refuses = False  # PlanScenes answers INVALID_ARGUMENT
        self.shots_per_scene = 2  # of the storyboard Plan answers
        # Plan fits max_minutes as the real planner does: whole sentences in order, while its
        # estimate (speech at SECONDS_PER_CHARACTER, air, the 3 s floor) fits; off, it keeps all.
        self.plan_fits = False
        self.plan_minutes: list[float] = []  # max_minutes of every Plan call, in order
        self.speech_slowness = 1.0  # the voices speak this many times slower than Plan estimates
        # The visual fake's configured backend and STORYREEL_VISUAL_CONTINUE_IN_SCENE, which its
        # DescribeBackend answers from as the real service does; an old fake lacks that RPC.
        self.visual_backend = visual_pb.VISUAL_BACKEND_ANIMATIC
        self.continue_in_scene = True
        self.visual_is_old = False
        self.describes: list[visual_pb.DescribeBackendRequest] = []
        self.render_log: list[tuple[str, str]] = []  # ("start" | "end", shot id) of every RenderShot, in order
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._hold: asyncio.Event | None = None
        self._hold_after = 0
        self._held_shots: dict[str, asyncio.Event] = {}
        self._server: RunningServer | None = None
        self.address = ""

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeServices:
        self._thread.start()
        self._server = self._run(start_server(self._specs(), "127.0.0.1:0"))
        self.address = f"127.0.0.1:{self._server.port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._run(self._server.stop(0))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()  # its self-pipe sockets, too

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    # ------------------------------------------------------------------ control

    def hold_renders(self, after: int = 0) -> None:
        """RenderShot calls after the first `after` wait until release_renders() (or until cancelled)."""
        async def make() -> None:
            self._hold = asyncio.Event()
        self._run(make())
        self._hold_after = self.count("RenderShot") + after

    def release_renders(self) -> None:
        hold = self._hold
        if hold is not None:
            self._loop.call_soon_threadsafe(hold.set)
        self.release_shots()

    def hold_shots(self, *shot_ids: str) -> None:
        """RenderShot of these shots waits until release_shots() (or until cancelled)."""
        async def make() -> None:
            self._held_shots.update((shot_id, asyncio.Event()) for shot_id in shot_ids)
        self._run(make())

    def release_shots(self) -> None:
        for held in list(self._held_shots.values()):
            self._loop.call_soon_threadsafe(held.set)

    async def heartbeat_then(self, method: str, item_id: str, message: Callable[[], Any]) -> AsyncIterator[Any]:
        """A streamed call's life before its result: hang silently if asked (until the caller gives
        up and cancels), else `heartbeats` heartbeats, each yielded for the caller to send."""
        if self.silent[method, item_id] > 0:
            self.silent[method, item_id] -= 1
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.silences += 1
                raise
        for _ in range(self.heartbeats):
            await asyncio.sleep(self.heartbeat_s)
            yield message()

    async def linger(self, shot_id: str) -> None:
        """After a stream's last message, stay open linger_after_result_s: a caller that cancels an
        answered call (instead of letting it end OK) shows up in cancelled_after_result."""
        try:
            await asyncio.sleep(self.linger_after_result_s)
        except asyncio.CancelledError:
            self.cancelled_after_result.append(shot_id)
            raise

    def count(self, method: str, item: str | None = None) -> int:
        return sum(n for (m, i), n in self.calls.items() if m == method and (item is None or i == item))

    # ------------------------------------------------------------------ the services

    def _specs(self) -> list[ServiceSpec]:
        def spec(module: Any, service: str, add: Callable[[Any, grpc.aio.Server], None], impl: Any) -> ServiceSpec:
            full_name = module.DESCRIPTOR.services_by_name[service].full_name
            return ServiceSpec(full_name, lambda server: add(impl, server))

        return [
            spec(planner_pb, "PlannerService", planner_grpc.add_PlannerServiceServicer_to_server, _Planner(self)),
            spec(audio_pb, "AudioService", audio_grpc.add_AudioServiceServicer_to_server, _Audio(self)),
            spec(visual_pb, "VisualService", visual_grpc.add_VisualServiceServicer_to_server, _Visual(self)),
            spec(composer_pb, "ComposerService", composer_grpc.add_ComposerServiceServicer_to_server,
                 _Composer(self)),
        ]

    async def render(self, request: visual_pb.RenderShotRequest, context: grpc.aio.ServicerContext) -> Any:
        shot_id = request.shot.id
        self.calls["RenderShot", shot_id] += 1
        self.requests[shot_id] = request
        self.render_log.append(("start", shot_id))
        self.shot_references.append((shot_id, dict(request.character_reference_keys), request.setting_reference_key))
        failure = self.fail_shots.get(shot_id) or self.fail_once.pop(shot_id, None)
        if failure is not None:
            await context.abort(failure, f"the fake cannot draw shot {shot_id}")
        shown = set(request.shot.character_ids)
        references = [(f"the reference picture of {cid}", key)
                      for cid, key in request.character_reference_keys.items() if cid in shown]
        if request.setting_reference_key:
            references.append(("the setting's reference picture", request.setting_reference_key))
        for what, key in references:  # as the real service: each checked before a backend reads it
            try:
                checked_picture(self.files.existing(key, what), f"{what} ({key})", self.reference_max_mb)
            except (InvalidInput, MissingArtifact, ValueError) as refused:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(refused))
        try:
            if self._hold is not None and self.count("RenderShot") > self._hold_after:
                await self._hold.wait()
            if shot_id in self._held_shots:
                await self._held_shots[shot_id].wait()
            await asyncio.sleep(self.render_delay_s)
        except asyncio.CancelledError:
            self.cancelled.append(shot_id)
            raise
        digest = _digest(request).encode()
        clip = self.files.write_bytes(request.output_key, b"clip " + digest)
        keyframe = self.files.write_bytes(request.keyframe_key, b"\x89PNG fake " + digest)
        self.render_log.append(("end", shot_id))
        finishes = (request.backend or self.visual_backend) == visual_pb.VISUAL_BACKEND_ANIMATIC
        return visual_pb.RenderShotResponse(clip=clip, keyframe=keyframe, duration_s=request.duration_s,
                                            frame_count=round(request.duration_s * request.fps),
                                            finish_tag=request.finish.tag if finishes and request.HasField("finish")
                                            else "")


    async def reference(
        self, request: visual_pb.RenderReferenceRequest, context: grpc.aio.ServicerContext
    ) -> visual_pb.RenderReferenceResponse:
        """A real PNG: the user's picture checked and converted (the visual service's own code),
        else one flat colour (from the request, so another take is another picture) at the
        requested size or the backend's default one."""
        kind = request.WhichOneof("subject")
        if kind is None or not request.output_key:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "a character or a setting, and output_key, please")
        subject = request.character.id if kind == "character" else request.setting.id
        self.calls["RenderReference", subject] += 1
        self.reference_requests.append(request)
        if request.upload_key:
            what = f"the picture given for {subject} ({request.upload_key})"
            try:
                source = self.files.existing(request.upload_key, "upload_key")
                checked_picture(source, what, self.reference_max_mb)
            except (InvalidInput, MissingArtifact, ValueError) as refused:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(refused))
            with self.files.writing(request.output_key) as path:
                width, height = save_as_png(source, path)
            return visual_pb.RenderReferenceResponse(picture=self.files.ref(request.output_key), width=width,
                                                     height=height, uploaded=True)
        width, height = request.width, request.height
        if not width and not height:
            width, height = PORTRAIT_SIZE if kind == "character" else SETTING_SIZE
        colour = tuple(hashlib.sha256(request.SerializeToString(deterministic=True)).digest()[:3])
        with self.files.writing(request.output_key) as path:
            Image.new("RGB", (width, height), colour).save(path, format="PNG")
        return visual_pb.RenderReferenceResponse(picture=self.files.ref(request.output_key), width=width,
                                                 height=height)


class _Planner(planner_grpc.PlannerServiceServicer):  # type: ignore[misc]
    """Plan is the fake's (a known storyboard); re-planning one scene (PlanScenes, PlanShots) is
    the real rules planner's work."""

    def __init__(self, fakes: FakeServices) -> None:
        self.fakes = fakes
        settings = PlannerSettings()
        self.rules = PlannerServicer(make_planner(settings), settings)

    async def Plan(self, request: planner_pb.PlanRequest, context: Any) -> planner_pb.PlanResponse:
        self.fakes.calls["Plan", ""] += 1
        self.fakes.plan_requests.append(request)
        self.fakes.plan_minutes.append(request.max_minutes)
        story = fitted(request.story, request.max_minutes) if self.fakes.plan_fits else request.story
        reply = planner_pb.PlanResponse(storyboard=plan(story, self.fakes.shots_per_scene))
        if self.fakes.plan_fits and request.max_minutes:
            reply.condensing.expected_film_s = estimate_s(story)
        return reply

    async def PlanScenes(self, request: planner_pb.PlanScenesRequest, context: Any) -> planner_pb.PlanScenesResponse:
        self.fakes.calls["PlanScenes", ""] += 1
        if self.fakes.planner_down:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "the fake planner is down")
        if self.fakes.planner_refuses:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the fake planner finds no story in it")
        return await self.rules.PlanScenes(request, context)

    async def PlanShots(self, request: planner_pb.PlanShotsRequest, context: Any) -> planner_pb.PlanShotsResponse:
        self.fakes.calls["PlanShots", request.outline.scene.id] += 1
        self.fakes.plan_shots_requests.append(request)
        return await self.rules.PlanShots(request, context)


class _Audio(audio_grpc.AudioServiceServicer):  # type: ignore[misc]
    def __init__(self, fakes: FakeServices) -> None:
        self.fakes = fakes

    async def Speak(self, request: audio_pb.SpeakRequest, context: Any) -> audio_pb.SpeakResponse:
        """Speech as long as its text (so editing a line changes the shot's length)."""
        self.fakes.calls["Speak", request.shot_id] += 1
        timings, start = [], 0.0
        for index, line in enumerate(request.lines):
            end = start + len(line.text) * SECONDS_PER_CHARACTER * self.fakes.speech_slowness
            timings.append(audio_pb.LineTiming(line_index=index, start_s=start, end_s=end))
            start = end
        audio = self.fakes.files.write_bytes(request.output_key, b"RIFF " + _digest(request).encode())
        return audio_pb.SpeakResponse(audio=audio, duration_s=start, timings=timings)

    async def CheckVoices(self, request: audio_pb.CheckVoicesRequest, context: Any) -> audio_pb.CheckVoicesResponse:
        """The real espeak-ng casting, so a voice id espeak-ng lacks is refused as the real service refuses it."""
        self.fakes.calls["CheckVoices", ""] += 1
        job = from_proto(request, CastInput)
        try:
            cast = await asyncio.to_thread(ESPEAK.cast_voices, job.characters, job.narrator_voice)
        except InvalidInput as refused:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(refused))
        return audio_pb.CheckVoicesResponse(
            voices=[audio_pb.CastVoice(speaker_id=speaker, voice=voice) for speaker, voice in cast.items()]
        )

    async def SpeakStream(
        self, request: audio_pb.SpeakStreamRequest, context: Any
    ) -> AsyncIterator[audio_pb.SpeakStreamResponse]:
        """Heartbeats (as the real service sends while it works), then Speak's result."""
        beats = self.fakes.heartbeat_then(
            "Speak", request.speak.shot_id, lambda: audio_pb.AudioProgress(message="speaking"))
        async for beat in beats:
            yield audio_pb.SpeakStreamResponse(progress=beat)
        yield audio_pb.SpeakStreamResponse(result=await self.Speak(request.speak, context))

    async def ComposeMusicStream(
        self, request: audio_pb.ComposeMusicStreamRequest, context: Any
    ) -> AsyncIterator[audio_pb.ComposeMusicStreamResponse]:
        beats = self.fakes.heartbeat_then(
            "ComposeMusic", request.compose.scene_id, lambda: audio_pb.AudioProgress(message="scoring"))
        async for beat in beats:
            yield audio_pb.ComposeMusicStreamResponse(progress=beat)
        yield audio_pb.ComposeMusicStreamResponse(result=await self.ComposeMusic(request.compose, context))

    async def ComposeMusic(
        self, request: audio_pb.ComposeMusicRequest, context: Any
    ) -> audio_pb.ComposeMusicResponse:
        self.fakes.calls["ComposeMusic", request.scene_id] += 1
        audio = self.fakes.files.write_bytes(request.output_key, b"RIFF " + _digest(request).encode())
        return audio_pb.ComposeMusicResponse(audio=audio, duration_s=request.duration_s)

    async def PrepareTrack(
        self, request: audio_pb.PrepareTrackRequest, context: Any
    ) -> audio_pb.PrepareTrackResponse:
        """The uploaded bytes, prefixed: enough to see which upload made the cue."""
        self.fakes.calls["PrepareTrack", ""] += 1
        upload = self.fakes.files.existing(request.input_key, "the uploaded track").read_bytes()
        audio = self.fakes.files.write_bytes(request.output_key, b"RIFF " + upload)
        return audio_pb.PrepareTrackResponse(audio=audio, duration_s=request.duration_s, plays=1)


class _Visual(visual_grpc.VisualServiceServicer):  # type: ignore[misc]
    def __init__(self, fakes: FakeServices) -> None:
        self.fakes = fakes

    async def RenderShot(
        self, request: visual_pb.RenderShotRequest, context: grpc.aio.ServicerContext
    ) -> visual_pb.RenderShotResponse:
        response: visual_pb.RenderShotResponse = await self.fakes.render(request, context)
        return response

    async def RenderReference(
        self, request: visual_pb.RenderReferenceRequest, context: grpc.aio.ServicerContext
    ) -> visual_pb.RenderReferenceResponse:
        response: visual_pb.RenderReferenceResponse = await self.fakes.reference(request, context)
        return response

    async def DescribeBackend(
        self, request: visual_pb.DescribeBackendRequest, context: grpc.aio.ServicerContext
    ) -> visual_pb.DescribeBackendResponse:
        """As the real service: ComfyUI and diffusers (at its default, a picture-to-video model)
        start a shot from the previous clip when continue_in_scene is on, the animatic never; the
        animatic's words and the check of the prompt, from the real service's describe_words. An
        old fake answers as a service built before the RPC: UNIMPLEMENTED."""
        if self.fakes.visual_is_old:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
        self.fakes.describes.append(request)
        backend = request.backend or self.fakes.visual_backend
        animates = backend in (visual_pb.VISUAL_BACKEND_COMFYUI, visual_pb.VISUAL_BACKEND_DIFFUSERS)
        reply = visual_pb.DescribeBackendResponse(
            backend=backend, continues_from_previous_clip=animates and self.fakes.continue_in_scene,
            finishes_clips=backend == visual_pb.VISUAL_BACKEND_ANIMATIC,  # it encodes its own clips
        )
        # The words as the real service gives them: its own function over the animatic's vocabulary.
        reply.MergeFrom(describe_words(VISUAL_BACKENDS[backend], request.prompt))
        return reply

    async def RenderShotStream(
        self, request: visual_pb.RenderShotStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[visual_pb.RenderShotStreamResponse]:
        """Heartbeats if asked, progress at a quarter and at three quarters, then the result; while
        the render itself waits (held, slow), the last progress again every render_heartbeat_s, as
        the real service does (STORYREEL_VISUAL_HEARTBEAT_S)."""
        def progress(fraction: float) -> visual_pb.RenderProgress:
            return visual_pb.RenderProgress(fraction=fraction, stage=visual_pb.RENDER_STAGE_ANIMATING)

        async for beat in self.fakes.heartbeat_then("RenderShot", request.render.shot.id, lambda: progress(0.1)):
            yield visual_pb.RenderShotStreamResponse(progress=beat)
        for fraction in (0.25, 0.75):
            yield visual_pb.RenderShotStreamResponse(progress=progress(fraction))
        render = asyncio.ensure_future(self.fakes.render(request.render, context))
        try:
            while not (await asyncio.wait([render], timeout=self.fakes.render_heartbeat_s))[0]:
                yield visual_pb.RenderShotStreamResponse(progress=progress(0.75))
            yield visual_pb.RenderShotStreamResponse(result=render.result())
            await self.fakes.linger(request.render.shot.id)
        finally:
            if not render.done():  # the caller went away: the render learns of it, as a real one would
                render.cancel()
                await asyncio.wait([render])


class _Composer(composer_grpc.ComposerServiceServicer):  # type: ignore[misc]
    def __init__(self, fakes: FakeServices) -> None:
        self.fakes = fakes

    async def Prepare(self, request: composer_pb.PrepareRequest, context: Any) -> composer_pb.PrepareResponse:
        """As the real composer: refuses a film without shots or parts_prefix; one part per scene
        (the real one splits a scene longer than its segment_max_s, 120 s), ready once all its clips
        exist, made once per take of its clips; the sound once sound_complete."""
        if self.fakes.composer_is_old:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
        film = request.film
        if not film.shots:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "film.shots: at least one shot")
        if not film.parts_prefix:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "film.parts_prefix is empty")
        self.fakes.preparations.append(request)  # not in `calls`: tests count there what is made again
        kept = self.fakes.parts.setdefault(film.parts_prefix, set())
        scenes: dict[str, list[str]] = {}
        for shot in film.shots:
            scenes.setdefault(shot.scene_id, []).append(shot.clip_key)
        ready = [tuple(clips) for clips in scenes.values()
                 if all(clip and self.fakes.files.exists(clip) for clip in clips)]
        made = [part for part in ready if part not in kept]
        kept.update(made)
        return composer_pb.PrepareResponse(segments=len(scenes), segments_ready=len(ready), segments_made=len(made),
                                           sound_ready=request.sound_complete)

    async def Finish(self, request: composer_pb.FinishRequest, context: Any) -> composer_pb.FinishResponse:
        """The real composer's own answer (it reads no file). A question, not work: kept apart from
        `calls`, as Prepare and DescribeBackend are. An old fake answers as a composer built before it."""
        if self.fakes.composer_is_old:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
        self.fakes.finish_requests.append(request)
        return composer_pb.FinishResponse(shots=[
            composer_pb.ShotFinish(shot_id=shot_id, finish=to_proto(finish, finish_pb2.ClipFinish))
            for shot_id, finish in self._real_composer().finish(finish_from_proto(request))
        ])

    def _real_composer(self) -> FfmpegComposer:
        return FfmpegComposer(ComposerSettings(artifact_root=self.fakes.files.root), self.fakes.files)

    async def Compose(self, request: composer_pb.ComposeRequest, context: Any) -> composer_pb.ComposeResponse:
        missing = [shot.shot_id for shot in request.shots if not shot.clip_key]
        if missing:  # as the real composer's validation
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"shot {missing[0]} has no clip_key")
        # as the real one: a clip finished for other settings is refused (it would be joined as it is)
        wanted = {shot_id: finish.tag for shot_id, finish in
                  self._real_composer().finish(finish_from_proto(composer_pb.FinishRequest(film=request)))}
        wrong = [shot.shot_id for shot in request.shots if shot.finish_tag and shot.finish_tag != wanted[shot.shot_id]]
        if wrong:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"the clip of shot {wrong[0]} was finished for"
                                " other settings")
        self.fakes.calls["Compose", ""] += 1
        self.fakes.compositions.append(request)
        duration = sum(shot.duration_s for shot in request.shots)
        cues, start = [], 0.0
        for shot in request.shots:
            cues += [(start + cue.start_s, start + cue.end_s, cue.text) for cue in shot.cues]
            start += shot.duration_s
        srt = "\n".join(f"{n}\n{_srt_time(a)} --> {_srt_time(b)}\n{text}\n" for n, (a, b, text) in enumerate(cues, 1))
        film = b"\x00\x00\x00\x18ftypisom" + _digest(request).encode() + bytes(range(256)) * 16
        video = self.fakes.files.write_bytes(request.video_key, film)
        subtitles = self.fakes.files.write_bytes(request.srt_key, srt.encode())
        # As the real composer at its default settings: burned unless the request names a mode.
        mode = request.subtitles.mode or composer_pb.SUBTITLE_MODE_BURNED
        reply = composer_pb.ComposeResponse(video=video, srt=subtitles, duration_s=duration, subtitles=mode)
        if request.vtt_key:  # as the real composer: WebVTT too when asked for
            vtt = "WEBVTT\n\n" + "\n".join(f"{n}\n{_srt_time(a, '.')} --> {_srt_time(b, '.')}\n{text}\n"
                                            for n, (a, b, text) in enumerate(cues, 1))
            reply.vtt.CopyFrom(self.fakes.files.write_bytes(request.vtt_key, vtt.encode()))
        return reply


def _srt_time(seconds: float, mark: str = ",") -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{mark}{rest % 1000:03d}"


# ---------------------------------------------------------------------- a gateway in front of the fakes

FINISHED = ("done", "failed", "cancelled")


def gateway_settings(tmp_path: Path, fakes: FakeServices, **overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "artifact_root": tmp_path / "artifacts",
        "database_url": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "planner_address": fakes.address, "audio_address": fakes.address,
        "visual_address": fakes.address, "composer_address": fakes.address,
        "rpc_retry_backoff_s": 0.05, "events_poll_s": 0.2, "lease_s": 3.0,
        "width": 320, "height": 180,
    }
    return GatewaySettings(**(values | overrides))


@contextlib.contextmanager
def gateway(tmp_path: Path, fakes: FakeServices, **overrides: Any) -> Iterator[TestClient]:
    with TestClient(create_app(gateway_settings(tmp_path, fakes, **overrides))) as client:
        yield client


def wait(client: TestClient, job_id: str, until: Callable[[dict[str, Any]], bool], timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def finished(client: TestClient, job_id: str, timeout_s: float = 30) -> Any:
    return wait(client, job_id, lambda job: job["state"] in FINISHED, timeout_s)


def submit(client: TestClient, story: str = STORY, **options: Any) -> str:
    response = client.post("/v1/jobs", json={"story": story, **options})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


@contextlib.contextmanager
def live_gateway(tmp_path: Path, fakes: FakeServices, **overrides: Any) -> Iterator[str]:
    """A real HTTP server (uvicorn, in a thread) in front of the fakes; its base URL."""
    port = free_port()
    app = create_app(gateway_settings(tmp_path, fakes, **overrides))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the gateway did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
