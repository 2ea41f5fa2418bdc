"""Runs jobs: plan, speak every shot, time the shots from their speech, render visuals and
score music side by side, then compose.

Every step's result goes into the job store the moment it is done, keyed by a hash of the
request that made it; a rerun (after a crash, a restart or a retry) skips every step whose
result is stored with the same hash and whose file still exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from gateway import timeline
from gateway.clients import ServiceName, Services
from gateway.jobs import JobError, JobState, Step
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from storyreel.artifacts import ArtifactStore
from storyreel.audio.v1 import audio_service_pb2 as audio_pb
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.convert import from_proto, proto_enum_value, to_proto
from storyreel.domain import Storyboard
from storyreel.grpckit import context_metadata
from storyreel.logs import log_context
from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2 as visual_pb

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Message)

STORYBOARD = "storyboard"
COMPOSE = "compose"


def result_name(step: Step, item_id: str) -> str:
    return f"{step.value}/{item_id}"


def request_hash(message: Message) -> str:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()[:12]


def job_key(job_id: str, *parts: str) -> str:
    return "/".join(("jobs", job_id, *parts))


class StepFailed(Exception):
    def __init__(self, error: JobError) -> None:
        super().__init__(error.reason)
        self.error = error


class Orchestrator:
    def __init__(
        self, settings: GatewaySettings, store: JobStore, services: Services, artifacts: ArtifactStore
    ) -> None:
        self.settings = settings
        self.store = store
        self.services = services
        self.artifacts = artifacts
        # Bounds shared by all jobs: work in flight per service, not per job.
        self._limits = {
            ServiceName.AUDIO: asyncio.Semaphore(settings.speech_parallel),
            ServiceName.VISUAL: asyncio.Semaphore(settings.visual_parallel),
            ServiceName.COMPOSER: asyncio.Semaphore(1),
            ServiceName.PLANNER: asyncio.Semaphore(4),
        }
        self._music_limit = asyncio.Semaphore(settings.music_parallel)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    # ----------------------------------------------------------------- running jobs

    def start(self, job_id: str) -> None:
        """Run (or resume) a job in the background."""
        if job_id not in self._tasks or self._tasks[job_id].done():
            self._tasks[job_id] = asyncio.create_task(self.run(job_id), name=f"job-{job_id}")

    async def shutdown(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def run(self, job_id: str) -> None:
        with log_context(job_id=job_id):
            try:
                await self._run_steps(job_id)
            except StepFailed as failure:
                log.warning("job failed at %s: %s", failure.error.step, failure.error.reason)
                self.store.set_state(job_id, JobState.FAILED, failure.error)
            except asyncio.CancelledError:
                log.info("job interrupted; it resumes when the gateway starts again")
                raise
            except Exception as error:
                log.exception("job crashed")
                reason = f"internal error in the gateway: {type(error).__name__}: {error}"
                self.store.set_state(job_id, JobState.FAILED, JobError(step=Step.COMPOSING, reason=reason))

    async def _run_steps(self, job_id: str) -> None:
        self.store.set_state(job_id, JobState.PLANNING)
        storyboard = await self._plan(job_id)
        self.store.set_state(job_id, JobState.SPEAKING)
        speech = await self._speak_all(job_id, storyboard)
        timed = timeline.timed(
            storyboard, speech, self.settings.speech_air_s, self.settings.min_shot_s, self.settings.fps
        )
        self.artifacts.write_bytes(job_key(job_id, "storyboard.json"), timed.model_dump_json(indent=2).encode())
        self.store.set_state(job_id, JobState.RENDERING)
        clips, music = await asyncio.gather(self._render_all(job_id, timed), self._score_all(job_id, timed))
        self.store.set_state(job_id, JobState.COMPOSING)
        await self._compose(job_id, timed, speech, clips, music)
        self.store.set_state(job_id, JobState.DONE)
        log.info("job done", extra={"film_s": round(timed.total_duration_s(), 3)})

    # ----------------------------------------------------------------- one call, with its deadline

    async def _call(
        self,
        job_id: str,
        step: Step,
        service: ServiceName,
        method: Callable[..., Awaitable[R]],
        request: Message,
        timeout_s: float,
        shot_id: str | None = None,
    ) -> R:
        async with self._limits[service]:
            try:
                return await method(request, timeout=timeout_s, metadata=context_metadata())
            except grpc.aio.AioRpcError as error:
                reason = self.services.explain(service, error, timeout_s)
                raise StepFailed(JobError(step=step, reason=reason, service=service.value, shot_id=shot_id)) from error

    def _stored(self, job_id: str, name: str, digest: str) -> dict[str, Any] | None:
        """A stored result made from the same request, whose file is still there."""
        value = self.store.results(job_id).get(name)
        if value and value.get("hash") == digest and all(self.artifacts.exists(k) for k in value.get("keys", [])):
            return value
        return None

    # ----------------------------------------------------------------- steps

    async def _plan(self, job_id: str) -> Storyboard:
        stored = self.store.results(job_id).get(STORYBOARD)
        if stored:
            return Storyboard.model_validate(stored["storyboard"])
        job = self.store.get(job_id)
        assert job is not None
        request = planner_pb.PlanRequest(story=job.request.story, title=job.request.title,
                                         max_minutes=job.request.max_minutes)
        if job.request.language:
            request.language = proto_enum_value(job.request.language)  # type: ignore[assignment]
        reply = await self._call(job_id, Step.PLANNING, ServiceName.PLANNER, self.services.planner.Plan, request,
                                 self.settings.plan_timeout_s)
        storyboard = from_proto(reply.storyboard, Storyboard)
        if not storyboard.shots():
            raise StepFailed(JobError(step=Step.PLANNING, reason="the story has no sentences to narrate",
                                      service=ServiceName.PLANNER.value))
        self.store.put_result(job_id, STORYBOARD, {"storyboard": storyboard.model_dump(mode="json")})
        return storyboard

    async def _speak_all(self, job_id: str, storyboard: Storyboard) -> dict[str, timeline.SpeechResult]:
        characters = [to_proto(c, storyboard_pb2.Character) for c in storyboard.characters]
        narrator = to_proto(storyboard.narrator_voice, storyboard_pb2.Voice)

        async def speak(scene_id: str, shot_index: int) -> tuple[str, timeline.SpeechResult]:
            shot = next(s for s in storyboard.scenes if s.id == scene_id).shots[shot_index]
            with log_context(scene_id=scene_id, shot_id=shot.id):
                request = audio_pb.SpeakRequest(shot_id=shot.id, characters=characters, narrator_voice=narrator,
                                                lines=[to_proto(line, storyboard_pb2.Line) for line in shot.lines])
                name, digest = result_name(Step.SPEECH, shot.id), request_hash(request)
                stored = self._stored(job_id, name, digest)
                if stored is None:
                    request.output_key = job_key(job_id, "speech", f"{shot.id}-{digest}.wav")
                    reply = await self._call(job_id, Step.SPEECH, ServiceName.AUDIO, self.services.audio.Speak,
                                             request, self.settings.speak_timeout_s, shot.id)
                    result = timeline.SpeechResult(reply.audio.key, reply.duration_s,
                                                   [(t.start_s, t.end_s) for t in reply.timings])
                    stored = {"hash": digest, "keys": [result.key], **result.to_json()}
                    self.store.put_result(job_id, name, stored)
                return shot.id, timeline.SpeechResult.from_json(stored)

        pairs = await _all([speak(scene.id, i) for scene in storyboard.scenes for i in range(len(scene.shots))])
        return dict(pairs)

    async def _render_all(self, job_id: str, storyboard: Storyboard) -> dict[str, str]:
        async def render(scene_index: int, shot_index: int) -> tuple[str, str]:
            scene = storyboard.scenes[scene_index]
            shot = scene.shots[shot_index]
            with log_context(scene_id=scene.id, shot_id=shot.id):
                scene_only = scene.model_copy(update={"shots": []})
                request = visual_pb.RenderShotRequest(
                    shot=to_proto(shot, storyboard_pb2.Shot),
                    scene=to_proto(scene_only, storyboard_pb2.Scene),
                    characters=[to_proto(c, storyboard_pb2.Character)
                                for c in storyboard.characters if c.id in shot.character_ids],
                    width=self.settings.width, height=self.settings.height, fps=self.settings.fps,
                    duration_s=shot.duration_s,
                )
                name, digest = result_name(Step.VISUALS, shot.id), request_hash(request)
                stored = self._stored(job_id, name, digest)
                if stored is None:
                    request.output_key = job_key(job_id, "clips", f"{shot.id}-{digest}.mp4")
                    request.keyframe_key = job_key(job_id, "keyframes", f"{shot.id}-{digest}.png")
                    reply = await self._call(job_id, Step.VISUALS, ServiceName.VISUAL, self.services.visual.RenderShot,
                                             request, self.settings.render_timeout_s, shot.id)
                    stored = {"hash": digest, "keys": [reply.clip.key, reply.keyframe.key],
                              "clip": reply.clip.key, "keyframe": reply.keyframe.key}
                    self.store.put_result(job_id, name, stored)
                return shot.id, str(stored["clip"])

        pairs = await _all([render(si, i) for si, scene in enumerate(storyboard.scenes)
                            for i in range(len(scene.shots))])
        return dict(pairs)

    async def _score_all(self, job_id: str, storyboard: Storyboard) -> dict[str, str]:
        async def score(scene_index: int) -> tuple[str, str]:
            scene = storyboard.scenes[scene_index]
            with log_context(scene_id=scene.id):
                request = audio_pb.ComposeMusicRequest(
                    scene_id=scene.id, duration_s=sum(s.duration_s for s in scene.shots),
                    seed=scene.shots[0].seed if scene.shots else 0,
                    mood=proto_enum_value(scene.mood),  # type: ignore[arg-type]
                )
                name, digest = result_name(Step.MUSIC, scene.id), request_hash(request)
                stored = self._stored(job_id, name, digest)
                if stored is None:
                    request.output_key = job_key(job_id, "music", f"{scene.id}-{digest}.wav")
                    async with self._music_limit:
                        reply = await self._call(job_id, Step.MUSIC, ServiceName.AUDIO,
                                                 self.services.audio.ComposeMusic, request,
                                                 self.settings.music_timeout_s)
                    stored = {"hash": digest, "keys": [reply.audio.key], "audio": reply.audio.key}
                    self.store.put_result(job_id, name, stored)
                return scene.id, str(stored["audio"])

        pairs = await _all([score(i) for i in range(len(storyboard.scenes))])
        return dict(pairs)

    async def _compose(
        self,
        job_id: str,
        storyboard: Storyboard,
        speech: dict[str, timeline.SpeechResult],
        clips: dict[str, str],
        music: dict[str, str],
    ) -> None:
        request = composer_pb.ComposeRequest(
            title=storyboard.title,
            shots=timeline.timeline_shots(storyboard, speech, clips),
            music=timeline.music_cues(storyboard, music),
            profile=composer_pb.OutputProfile(width=self.settings.width, height=self.settings.height,
                                              fps=self.settings.fps),
        )
        digest = request_hash(request)
        if self._stored(job_id, COMPOSE, digest):
            return
        request.video_key = job_key(job_id, "film.mp4")
        request.srt_key = job_key(job_id, "film.srt")
        reply = await self._call(job_id, Step.COMPOSING, ServiceName.COMPOSER, self.services.composer.Compose,
                                 request, self.settings.compose_timeout_s)
        self.store.put_result(job_id, COMPOSE, {"hash": digest, "keys": [reply.video.key, reply.srt.key],
                                                "video": reply.video.key, "srt": reply.srt.key,
                                                "duration_s": reply.duration_s})


T = TypeVar("T")


async def _all(coroutines: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run side by side; on the first failure cancel the rest (their finished results are kept)."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    return [task.result() for task in tasks]
