"""One run of one job: plan; speak every shot while the cast sheet is drawn (one reference
picture per character shown, and per recurring setting); time the shots from their speech; render
pictures (each from its characters' and setting's references) and score music side by side; then
compose.

Every step's result goes into the job store the moment it is done, with a hash of the request
that made it (gateway.messages); a run skips every step whose result is stored with the same
hash and whose files still exist. A run belongs to one revision of its job: once the job is
edited, re-rolled or cancelled, the run's writes are refused (Superseded) and it stops.

A scene to plan again from new text (POST .../scenes/{id}/replan stores the order) is the run's
first step after the storyboard: PlanScenes then PlanShots, through the same call path as every
other step (fair slot, deadline, retries, metrics, log context). The storyboard changes only once
both answered; a failure fails the job with the planner's reason and leaves it as it was.

Every call to a service goes through JobRun._call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from gateway import edits, messages, replan, timeline
from gateway.ahead import ComposeAhead
from gateway.clients import ServiceName, describe_visual_backend
from gateway.errors import CallWentSilent, StepFailed, Superseded
from gateway.jobs import EventKind, JobError, JobState, Step
from gateway.progress import Tally
from gateway.results import (
    COMPOSE,
    MUSIC_UPLOAD,
    PLAN_NOTES,
    REPLAN,
    STORYBOARD,
    TRACK,
    CapFit,
    CastChoice,
    CastPicture,
    Composed,
    MusicUpload,
    PlanNotes,
    Rendered,
    ReplanOrder,
    Scored,
    Spoken,
    StepResult,
    StoredStoryboard,
    cast_choice_name,
    job_key,
    load,
    result_name,
)
from gateway.runtime import Runtime
from gateway.sidetasks import stop_side_task
from gateway.store import JobRecord
from gateway.views import shot_links
from storyreel.aio import within
from storyreel.audio.v1 import audio_service_pb2 as audio_pb
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.convert import from_proto, proto_enum_value, to_proto
from storyreel.domain import Character, Scene, Shot, Storyboard
from storyreel.errors import InvalidInput
from storyreel.grpckit import context_metadata
from storyreel.logs import log_context
from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.storyboard.v1.finish_pb2 import ClipFinish
from storyreel.visual.v1 import visual_service_pb2 as visual_pb

__all__ = ["JobRun", "Rpc"]

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Message)
S = TypeVar("S", bound=StepResult)
T = TypeVar("T")
Rendering = tuple[str, str, str]
"""A rendered shot: (shot id, clip key, keyframe key)."""
U = TypeVar("U")

RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
CAP_MARGIN = 0.97
"""A re-plan to hold max_minutes aims this far under the cap (condensing lands near its budget, not on it)."""
SLOTS_OF = {Step.CAST: Step.VISUALS}
"""A step whose calls share another step's fair slots (the cast sheet is drawn by the visual service)."""


@dataclass(frozen=True)
class Rpc:
    service: ServiceName
    method: str
    step: Step
    timeout_s: float


class JobRun:
    def __init__(self, runtime: Runtime, record: JobRecord) -> None:
        self.rt = runtime
        self.settings = runtime.settings
        self.job_id = record.id
        self.revision = record.revision
        self.request = record.request
        self.options = record.request.options()
        self.film = messages.FilmProfile.for_job(
            self.options, self.settings.width, self.settings.height, self.settings.fps
        )
        self.state = record.state
        self.tally = Tally(self.options.visual_backend)
        self._pictures_done = self._music_done = False
        self._cast: asyncio.Future[messages.CastSheet] | None = None
        # what composing ahead sees: the timed film, its speech, the clips and music done so far
        self._timed: tuple[Storyboard, dict[str, timeline.SpeechResult]] | None = None
        self._clips: dict[str, str] = {}
        self._finish_tags: dict[str, str] = {}
        self._music_cues: list[composer_pb.MusicCue] | None = None
        self._ahead = ComposeAhead(self._prepare) if self.settings.compose_ahead else None

    async def execute(self) -> None:
        upload = load(MusicUpload, self.rt.store.result(self.job_id, MUSIC_UPLOAD))
        self.enter(JobState.PLANNING)
        storyboard = await self._replan_all(await self._plan())
        self.tally.expect(storyboard, own_track=upload is not None, frame=(self.film.width, self.film.height))
        self.tally.finish(STORYBOARD, None)
        self.enter(JobState.SPEAKING)
        self._cast = asyncio.ensure_future(self._cast_all(storyboard))  # beside speech and music; pictures wait
        try:
            try:
                storyboard, speech, timed = await self._speak_within_cap(storyboard, upload is not None)
                self.tally.film_s = timed.total_duration_s()
                self._timed = (timed, speech)
                self.enter(JobState.RENDERING)
                clips, music = await _both(self._render_all(timed, self._cast), self._music(timed, upload))
            finally:
                await _settled(self._cast)
            self.enter(JobState.COMPOSING)
            if self._ahead is not None:
                await self._ahead.settle()  # its parts are the Compose's to reuse
            await self._compose(timed, speech, clips, music)
        finally:
            if self._ahead is not None:
                await self._ahead.close()
        self.enter(JobState.DONE)
        log.info("job done", extra={"film_s": round(timed.total_duration_s(), 3)})

    def enter(self, state: JobState, error: JobError | None = None) -> None:
        if not self.rt.store.set_state(self.job_id, state, error, revision=self.revision):
            raise Superseded(self.job_id)
        self.state = state
        self._publish(EventKind.STATE, {"error": error.model_dump(mode="json") if error else None})

    def _publish(self, kind: EventKind, payload: dict[str, Any]) -> None:
        progress, eta = self.tally.summary(self.state, self.rt.pace())
        self.rt.publish(self.job_id, kind, payload, (self.state, progress, eta))

    # ----------------------------------------------------------------- one call: fair slot, deadline, retries

    async def _call(
        self, rpc: Rpc, invoke: Callable[[], Awaitable[R]], item_id: str = "", shot_id: str | None = None,
        refused: bool = False,
    ) -> tuple[R, float]:
        """Make a call (invoke) in a fair slot, retrying UNAVAILABLE and DEADLINE_EXCEEDED with
        backoff; the reply and the seconds it took, or StepFailed in words a user can act on.
        With `refused`, a service's INVALID_ARGUMENT is InvalidInput: the input can never be done."""
        for attempt in range(self.settings.rpc_retries + 1):
            async with self.rt.limits[SLOTS_OF.get(rpc.step, rpc.step)].slot(self.job_id):
                with self._in_flight(rpc.step, item_id):
                    started = time.perf_counter()
                    try:
                        reply = await invoke()
                        return reply, self._observe(rpc, grpc.StatusCode.OK, started)
                    except (grpc.aio.AioRpcError, CallWentSilent) as error:
                        code = _status(error)
                        self._observe(rpc, code, started)
                        if refused and code == grpc.StatusCode.INVALID_ARGUMENT:
                            assert isinstance(error, grpc.aio.AioRpcError)
                            raise InvalidInput(error.details() or f"the {rpc.service} service refused it") from None
                        if code not in RETRYABLE or attempt == self.settings.rpc_retries:
                            raise self._failure(rpc, error, shot_id) from error
            # the slot is given back while we wait, so other jobs' calls go on
            self.rt.metrics.rpc_retries.labels(rpc.service.value, rpc.method, code.name).inc()
            log.warning("%s.%s failed (%s); trying again", rpc.service, rpc.method, code.name)
            await asyncio.sleep(self.settings.rpc_retry_backoff_s * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _unary(self, rpc: Rpc, method: Callable[..., Awaitable[R]], request: Message) -> Callable[[], Awaitable[R]]:
        return lambda: method(request, timeout=rpc.timeout_s, metadata=context_metadata())

    def _observe(self, rpc: Rpc, code: grpc.StatusCode, started: float) -> float:
        seconds = time.perf_counter() - started
        self.rt.metrics.rpc_seconds.labels(rpc.service.value, rpc.method, code.name).observe(seconds)
        return seconds

    async def _streamed(self, rpc: Rpc, call: Any, item_id: str, on_progress: Callable[[Any], None]) -> Any:
        """Read a streamed call (progress or heartbeats, then `result`) to its end and return the
        result. Every message proves the service alive; one silent for idle_timeout_s is
        cancelled (CallWentSilent), so slow work never times out and a hung service is noticed in
        a minute, not hours. An answered call is read to its end, so it ends OK on the service
        (not CANCELLED, as a call dropped after its result would)."""
        replies, result = aiter(call), None
        try:
            while True:
                try:
                    message = await within(anext(replies), self.settings.idle_timeout_s)
                except StopAsyncIteration:
                    if result is not None:
                        return result
                    raise StepFailed(JobError(
                        step=rpc.step, service=rpc.service.value, shot_id=item_id or None,
                        reason=f"the {rpc.service} service ended {rpc.method} without a result; try again",
                    )) from None
                except TimeoutError:
                    if result is not None:
                        return result  # answered, then silent: the call is cancelled below
                    raise CallWentSilent(self.settings.idle_timeout_s) from None
                if message.HasField("result"):
                    result = message.result
                elif result is None:
                    on_progress(message.progress)
        finally:
            if not call.done():  # given up (or answered, then hung): the service stops the work
                call.cancel()

    def _failure(self, rpc: Rpc, error: grpc.aio.AioRpcError | CallWentSilent, shot_id: str | None) -> StepFailed:
        if isinstance(error, CallWentSilent):
            address = self.rt.services.addresses[rpc.service]
            reason = (f"the {rpc.service} service at {address} {error} while it worked on {rpc.method} (no progress, "
                      f"no heartbeat): it has hung or stopped. The job keeps what it finished: once the service "
                      f"is back, POST /v1/jobs/{self.job_id}/render resumes it")
        else:
            reason = self.rt.services.explain(rpc.service, error, rpc.timeout_s, self.job_id)
        return StepFailed(JobError(step=rpc.step, reason=reason, service=rpc.service.value, shot_id=shot_id))

    @contextlib.contextmanager
    def _in_flight(self, step: Step, item_id: str) -> Iterator[None]:
        active = self.rt.active[self.job_id]
        active[step, item_id] = 0.0
        if step == Step.VISUALS:
            self._publish(EventKind.SHOT, {"shot_id": item_id, "step": step.value, "done": False})
        try:
            yield
        finally:
            active.pop((step, item_id), None)

    def _rendered_so_far(self, shot_id: str, fraction: float) -> None:
        """A render's progress: shown on the shot; an event at every quarter."""
        active = self.rt.active[self.job_id]
        before = active.get((Step.VISUALS, shot_id), 0.0)
        active[Step.VISUALS, shot_id] = max(before, min(fraction, 1.0))
        if int(fraction * 4) > int(before * 4) and fraction < 1.0:
            self._publish(EventKind.SHOT, {"shot_id": shot_id, "step": Step.VISUALS.value, "done": False,
                                           "fraction": round(fraction, 3)})

    # ----------------------------------------------------------------- stored results

    def _stored(self, model: type[S], name: str, digest: str) -> S | None:
        """A stored result made from the same request, whose files are still there."""
        value = load(model, self.rt.store.result(self.job_id, name))
        if value and value.hash == digest and all(self.rt.artifacts.exists(k) for k in value.keys):
            self.tally.finish(name, value.seconds)
            return value
        return None

    def _save(self, step: Step, name: str, value: S, seconds: float, per: float = 1.0) -> S:
        """Store a finished item (refused once the job moved on), measure it, drop the files it
        replaces; the item as stored."""
        value = value.model_copy(update={"seconds": seconds})
        previous = load(StepResult, self.rt.store.put_result(self.job_id, name, value, self.revision))
        self.tally.finish(name, seconds)
        self.rt.store.record_rate(step.value, seconds / per)
        self.rt.metrics.step_seconds.labels(step.value).observe(seconds)
        for key in set(previous.keys if previous else []) - set(value.keys):
            with contextlib.suppress(OSError, ValueError):
                self.rt.artifacts.path(key).unlink(missing_ok=True)
        return value

    # ----------------------------------------------------------------- steps

    async def _plan(self) -> Storyboard:
        stored = load(StoredStoryboard, self.rt.store.result(self.job_id, STORYBOARD))
        if stored:
            return stored.storyboard
        storyboard, notes, expected_s = await self._ask_plan(self.options.max_minutes)
        planned = StoredStoryboard(storyboard=storyboard, planned=True, expected_film_s=expected_s)
        if not self.rt.store.add_result(self.job_id, STORYBOARD, planned):
            return await self._plan()  # an edit was stored meanwhile: it wins
        self.rt.store.put_result(self.job_id, PLAN_NOTES, PlanNotes(notes=notes))
        self._publish(EventKind.STORYBOARD, {"shots": len(storyboard.shots())})
        return storyboard

    async def _ask_plan(self, max_minutes: float) -> tuple[Storyboard, list[str], float]:
        """Plan the job's story within max_minutes (the job's, or a tighter one to hold it): the
        storyboard with the job's voices, the planner's notes and the film it expects (0: none said)."""
        request = planner_pb.PlanRequest(story=self.request.story, title=self.options.title, max_minutes=max_minutes,
                                         aspect=proto_enum_value(self.options.aspect, planner_pb.Aspect))
        if self.options.language:
            request.language = proto_enum_value(self.options.language, storyboard_pb2.Language)
        rpc = Rpc(ServiceName.PLANNER, "Plan", Step.PLANNING, self.settings.plan_timeout_s)
        reply, seconds = await self._call(rpc, self._unary(rpc, self.rt.services.planner.Plan, request))
        storyboard = edits.apply_voices(from_proto(reply.storyboard, Storyboard), self.options.voices)
        for key in edits.unmatched_voices(storyboard, self.options.voices):
            log.warning("voice %r names no character of this story; it is not used", key)
        if not storyboard.shots():
            raise StepFailed(JobError(step=Step.PLANNING, reason="the story has no sentences to narrate",
                                      service=ServiceName.PLANNER.value))
        self.rt.store.record_rate(Step.PLANNING.value, seconds)
        return storyboard, list(reply.report.notes), reply.condensing.expected_film_s

    async def _speak_within_cap(
        self, storyboard: Storyboard, own_track: bool
    ) -> tuple[Storyboard, dict[str, timeline.SpeechResult], Storyboard]:
        """Speak every shot and time the film; while the timed film runs over max_minutes (its
        voices speak more slowly than the planner estimates), plan again tighter and speak again.
        (storyboard, speech, timed storyboard) as the pictures will follow them.

        Why a tighter max_minutes and not a speech-rate hint to the planner: the planner's
        estimate is not only words per second but air, pauses between lines, the 3 s floor and
        frame rounding, and both backends (rules and LLM) condense by it; a rate hint would
        correct only the words, and would need every backend to take it. The planner says the
        film it expected (Condensing.expected_film_s); the next budget is that expectation scaled
        by cap/measured (how much slower these voices are than its estimate), so the planner's
        estimate of the new plan times the measured slowness lands at the cap, whatever the
        voices do. The margin (CAP_MARGIN) aims a little under, since condensing is in whole
        passages and lands near, not at, its budget. A planner that says no expectation (0) is
        scaled from the budget it was given.

        Shots whose speech request hashes the same as before are not spoken again; a restarted
        run counts the re-plans already made (StoredStoryboard.fits), so it neither loops nor
        re-plans past STORYREEL_GATEWAY_CAP_REPLANS; nothing is drawn from a storyboard that is
        re-planned (the cast sheet is of the same story, and is kept)."""
        while True:
            speech = await self._speak_all(storyboard)
            timed = timeline.timed(
                storyboard, speech, self.settings.speech_air_s, self.settings.min_shot_s, self.settings.fps
            )
            refitted = await self._refit(timed.total_duration_s())
            if refitted is None:
                return storyboard, speech, timed
            storyboard = refitted
            self.tally.expect(storyboard, own_track=own_track, frame=(self.film.width, self.film.height))
            speech_prefix = result_name(Step.SPEECH, "")
            self.tally.finished = {name: s for name, s in self.tally.finished.items()
                                   if not name.startswith(speech_prefix)}  # counted again as each is reused
            previous = self._cast
            assert previous is not None, "execute starts the cast sheet before speech"
            self._cast = asyncio.ensure_future(self._recast(previous, storyboard))

    async def _refit(self, measured_s: float) -> Storyboard | None:
        """The storyboard planned again to hold max_minutes, stored with its notes; None when the
        film fits (within STORYREEL_GATEWAY_CAP_TOLERANCE_S), when the storyboard is the user's (an edit, a scene
        planned again) or when the re-plans are spent (a plan note then says the film is over)."""
        cap_s = self.options.max_minutes * 60
        if cap_s <= 0 or measured_s <= cap_s + self.settings.cap_tolerance_s:
            return None
        stored = load(StoredStoryboard, self.rt.store.result(self.job_id, STORYBOARD))
        if stored is None or not stored.planned:
            return None
        if len(stored.fits) >= self.settings.cap_replans:
            self._note_still_over(stored, measured_s, cap_s)
            return None
        asked = stored.fits[-1].max_minutes if stored.fits else self.options.max_minutes
        expected_s = stored.expected_film_s or asked * 60
        # to the thousandth of a minute, rounded down (and never 0, which would mean no bound)
        minutes = max(math.floor(expected_s * cap_s / measured_s * CAP_MARGIN / 60 * 1000) / 1000, 0.001)
        log.info("the film is %.1f s, over max_minutes %g (the planner expected %.1f s): planning again within "
                 "%g min", measured_s, self.options.max_minutes, expected_s, minutes)
        storyboard, notes, expected_next_s = await self._ask_plan(minutes)
        fits = [*stored.fits, CapFit(measured_s=round(measured_s, 2), max_minutes=minutes)]
        first = fits[0].measured_s
        again = f" ({len(fits)} re-plans)" if len(fits) > 1 else ""
        told = (f"re-planned to fit {self.options.max_minutes:g} min ({cap_s:g} s){again}: the film measured "
                f"{_length(first)} with this job's voices at the first plan")
        self.rt.store.put_result(self.job_id, PLAN_NOTES, PlanNotes(notes=[told, *notes]), self.revision)
        replanned = StoredStoryboard(storyboard=storyboard, planned=True, fits=fits, expected_film_s=expected_next_s)
        self.rt.store.put_result(self.job_id, STORYBOARD, replanned, self.revision)
        self._publish(EventKind.STORYBOARD, {"shots": len(storyboard.shots())})
        return storyboard

    def _note_still_over(self, stored: StoredStoryboard, measured_s: float, cap_s: float) -> None:
        """A plan note (once) that the film stays over max_minutes after the re-plans allowed."""
        notes = load(PlanNotes, self.rt.store.result(self.job_id, PLAN_NOTES))
        told = (f"the film is {measured_s:.1f} s, over max_minutes {self.options.max_minutes:g} ({cap_s:g} s), "
                f"after {len(stored.fits)} re-plan{'s' if len(stored.fits) != 1 else ''}: its voices speak more "
                f"slowly than the planner can fit (STORYREEL_GATEWAY_CAP_REPLANS)")
        kept = notes.notes if notes else []
        if told not in kept:
            self.rt.store.put_result(self.job_id, PLAN_NOTES, PlanNotes(notes=[*kept, told]), self.revision)

    async def _recast(self, previous: asyncio.Future[messages.CastSheet], storyboard: Storyboard) -> messages.CastSheet:
        """The cast sheet of a re-planned storyboard: the sheet under way is let finish (its
        pictures are of the same story's characters and places, so most are reused by hash),
        then what the new storyboard shows."""
        with contextlib.suppress(Exception):
            await previous
        return await self._cast_all(storyboard)

    async def _replan_all(self, storyboard: Storyboard) -> Storyboard:
        """The storyboard with every scene waiting to be planned again (replan/<scene>) planned."""
        for name in self.rt.store.result_names(self.job_id, REPLAN):
            order = load(ReplanOrder, self.rt.store.result(self.job_id, name))
            if order is None:
                continue  # dropped meanwhile
            with log_context(scene_id=order.scene_id):
                storyboard = await self._replan(storyboard, name, order)
        return storyboard

    async def _replan(self, storyboard: Storyboard, name: str, order: ReplanOrder) -> Storyboard:
        """One scene planned again from new text: PlanScenes reads the text, its speakers are
        matched to the story's cast, PlanShots cuts it into this scene's shots. Stored (and the
        order dropped) only once both answered; StepFailed leaves the storyboard as it was (and
        drops an order the planner refused: it can never be done)."""
        try:
            replanned = await self._replan_scene(storyboard, order)
        except StepFailed as failure:
            error = failure.error
            reason = f"scene {order.scene_id} was not planned again, the storyboard is as it was: {error.reason}"
            raise StepFailed(error.model_copy(update={"reason": reason})) from failure
        except InvalidInput as refused:
            self.rt.store.drop_result(self.job_id, name, revision=self.revision)
            raise StepFailed(JobError(
                step=Step.PLANNING, service=ServiceName.PLANNER.value,
                reason=f"scene {order.scene_id} was not planned again, the storyboard is as it was: {refused}",
            )) from None
        self.rt.store.put_result(self.job_id, STORYBOARD, StoredStoryboard(storyboard=replanned), self.revision,
                                 drop=[name])
        self._publish(EventKind.STORYBOARD, {"shots": len(replanned.shots())})
        return replanned

    async def _replan_scene(self, storyboard: Storyboard, order: ReplanOrder) -> Storyboard:
        index = next((i for i, scene in enumerate(storyboard.scenes) if scene.id == order.scene_id), None)
        if index is None:
            raise InvalidInput(f"the storyboard has no scene {order.scene_id!r} any more")
        language = proto_enum_value(storyboard.language, storyboard_pb2.Language)
        read_rpc = Rpc(ServiceName.PLANNER, "PlanScenes", Step.PLANNING, self.settings.plan_timeout_s)
        read_request = planner_pb.PlanScenesRequest(story=order.text, language=language)
        read, _ = await self._call(read_rpc, self._unary(read_rpc, self.rt.services.planner.PlanScenes, read_request),
                                   order.scene_id, refused=True)
        if not read.outlines or not any(outline.sentences for outline in read.outlines):
            raise InvalidInput("the new text has no sentences to narrate")
        found = [from_proto(character, Character) for character in read.storyboard.characters]
        cast, ids = replan.match_cast(storyboard.characters, found)
        shots_rpc = Rpc(ServiceName.PLANNER, "PlanShots", Step.PLANNING, self.settings.plan_timeout_s)
        shots_request = planner_pb.PlanShotsRequest(
            outline=replan.one_outline(read.outlines, storyboard.scenes[index], ids),
            characters=[to_proto(character, storyboard_pb2.Character) for character in cast],
            language=language,
            seed_key=read.seed_key,
            aspect=proto_enum_value(self.options.aspect, planner_pb.Aspect),  # the new shots suit the frame too
        )
        planned, _ = await self._call(
            shots_rpc, self._unary(shots_rpc, self.rt.services.planner.PlanShots, shots_request), order.scene_id,
            refused=True,
        )
        result = storyboard.model_copy(deep=True)
        result.scenes[index] = from_proto(planned.scene, Scene)
        result.characters = cast
        edits.check_storyboard(result)  # InvalidInput: what the planner made cannot be rendered
        return result

    async def _speak_all(self, storyboard: Storyboard) -> dict[str, timeline.SpeechResult]:
        rpc = Rpc(ServiceName.AUDIO, "SpeakStream", Step.SPEECH, self.settings.speak_timeout_s)

        async def speak(scene: Scene, shot: Shot) -> tuple[str, timeline.SpeechResult]:
            with log_context(scene_id=scene.id, shot_id=shot.id):
                request = messages.speech_request(storyboard, shot)
                name, digest = result_name(Step.SPEECH, shot.id), messages.request_hash(request)
                stored = self._stored(Spoken, name, digest)
                if stored is None:
                    request.output_key = job_key(self.job_id, "speech", f"{shot.id}-{digest}.wav")
                    reply, seconds = await self._call(rpc, lambda: self._speak_stream(rpc, request, shot.id),
                                                      shot.id, shot.id)
                    spoken = Spoken(hash=digest, keys=[reply.audio.key], key=reply.audio.key,
                                    duration_s=reply.duration_s, timings=[(t.start_s, t.end_s) for t in reply.timings])
                    stored = self._save(Step.SPEECH, name, spoken, seconds)
                    self._publish(EventKind.SHOT, {"shot_id": shot.id, "step": Step.SPEECH.value, "done": True})
                return shot.id, stored.timing()

        pairs = await _all([speak(scene, shot) for scene in storyboard.scenes for shot in scene.shots])
        return dict(pairs)

    async def _cast_all(self, storyboard: Storyboard) -> messages.CastSheet:
        """The cast sheet: a reference picture per character shown in a shot (the user's own, a
        take they re-rolled, or the backend's first) and per recurring setting; each made once and
        kept while its request hashes the same."""
        rpc = Rpc(ServiceName.VISUAL, "RenderReference", Step.CAST, self.settings.render_timeout_s)

        async def draw(item_id: str, request: visual_pb.RenderReferenceRequest) -> tuple[str, str]:
            name, digest = result_name(Step.CAST, item_id), messages.request_hash(request)
            stored = self._stored(CastPicture, name, digest)
            if stored is None:
                request.output_key = job_key(self.job_id, "cast", f"{item_id}-{digest}.png")
                reply, seconds = await self._call(
                    rpc, self._unary(rpc, self.rt.services.visual.RenderReference, request), item_id)
                made = CastPicture(hash=digest, keys=[reply.picture.key], picture=reply.picture.key,
                                   width=reply.width, height=reply.height, uploaded=reply.uploaded)
                stored = self._save(Step.CAST, name, made, seconds)
                self._publish(EventKind.CAST, {"item_id": item_id, "done": True})
            return item_id, stored.picture

        async def character(member: Character) -> tuple[str, str]:
            choice = load(CastChoice, self.rt.store.result(self.job_id, cast_choice_name(member.id)))
            request = messages.reference_request(member, self.options, choice.take if choice else 0,
                                                 choice.upload_key if choice else "")
            return await draw(member.id, request)

        settings = messages.recurring_settings(storyboard)
        drawn = dict(await _all([character(member) for member in messages.cast_members(storyboard)]
                                + [draw(item, messages.reference_request(setting, self.options))
                                   for item, (setting, _) in settings.items()]))
        places = {scene_id: drawn[item] for item, (_, scene_ids) in settings.items() for scene_id in scene_ids}
        return messages.CastSheet(
            characters={member.id: drawn[member.id] for member in messages.cast_members(storyboard)}, settings=places)

    async def _render_all(self, storyboard: Storyboard, casting: Awaitable[messages.CastSheet]) -> dict[str, str]:
        """Every shot's clip, once the cast sheet is made; scenes side by side. Each scene's first
        shot goes first: its keyframe is offered to the scene's other shots (backends that start
        from a picture keep the scene's look). When the backend continues from the previous clip
        (DescribeBackend, asked once per run), a scene's shots go one after another, each given the
        clip before it, so the action runs on across the cut; else the rest go side by side."""
        cast = await casting
        backend = await self._describe_backend()
        continues = backend.continues_from_previous_clip
        finishing = backend.finishes_clips and self.settings.finish_clips and not self._has_plain_clips(storyboard)
        finishes = await self._finishes(storyboard) if finishing else {}

        async def scene_clips(scene: Scene) -> list[tuple[str, str]]:
            def render(shot: Shot, scene_keyframe: str = "", previous: str = "") -> Coroutine[Any, Any, Rendering]:
                return self._render(storyboard, scene, shot, scene_keyframe, cast, previous, finishes.get(shot.id))

            first = await render(scene.shots[0])
            if not continues:
                made = [first, *await _all([render(shot, first[2]) for shot in scene.shots[1:]])]
            else:
                made = [first]
                for shot in scene.shots[1:]:
                    made.append(await render(shot, first[2], made[-1][1]))
            self._clips.update((shot_id, clip) for shot_id, clip, _ in made)
            if self._ahead is not None:
                self._ahead.poke()  # the scene's part of the film can be encoded now
            return [done[:2] for done in made]

        scenes = await _all([scene_clips(scene) for scene in storyboard.scenes if scene.shots])
        self._pictures_done = True
        if not self._music_done:
            self.enter(JobState.SCORING)
        return dict(pair for pairs in scenes for pair in pairs)

    async def _describe_backend(self) -> visual_pb.DescribeBackendResponse:
        """How the job's visual backend renders: whether it starts a shot from the previous shot's
        clip, and whether it finishes clips (both false from a service older than DescribeBackend).
        Asked in the cast sheet's slots, as the visual service's work before the shots."""
        rpc = Rpc(ServiceName.VISUAL, "DescribeBackend", Step.CAST, self.settings.idle_timeout_s)
        request = visual_pb.DescribeBackendRequest()
        request.backend = messages.visual_backend(self.options.visual_backend)  # type: ignore[assignment]
        reply, _ = await self._call(rpc, lambda: describe_visual_backend(
            self.rt.services.visual, request, rpc.timeout_s, context_metadata()))
        log.info("the visual backend %s from the previous clip",
                 "continues" if reply.continues_from_previous_clip else "does not continue")
        return reply

    def _has_plain_clips(self, storyboard: Storyboard) -> bool:
        """Whether this job already holds a plain clip (made before finishing existed, or with it
        off): then it stays plain, so an upgraded service keeps the job's clips instead of drawing
        every one again. A film's clips are all finished or all plain (the composer refuses a mix):
        the finish is in each shot's hash, so a stored clip of the other kind is made again."""
        stored = self.rt.store.results(self.job_id)
        names = [result_name(Step.VISUALS, shot.id) for shot in storyboard.shots()]
        rendered = [load(Rendered, stored[name]) for name in names if name in stored]
        return any(clip is not None and clip.finish_tag is None for clip in rendered)

    async def _finishes(self, storyboard: Storyboard) -> dict[str, ClipFinish]:
        """How the composer wants each shot's clip finished (by shot id), for a visual backend that
        finishes clips. A composer that cannot say (older than Finish, failing, or silent for
        finish_timeout_s) leaves the clips plain: the film is then encoded by the composer as
        before, so the job goes on."""
        assert self._timed is not None, "pictures start after speech"
        _, speech = self._timed
        request = composer_pb.FinishRequest(film=self._film_request(storyboard, speech, {}, []))
        rpc = Rpc(ServiceName.COMPOSER, "Finish", Step.CAST, self.settings.finish_timeout_s)
        started = time.perf_counter()
        try:  # once, no slot and no retries: a question that costs milliseconds, not work to wait for
            reply = await self._unary(rpc, self.rt.services.composer.Finish, request)()
        except grpc.aio.AioRpcError as error:
            self._observe(rpc, error.code(), started)
            log.warning("the composer did not say how to finish the clips (%s: %s); they stay plain",
                        error.code().name, error.details())
            return {}
        self._observe(rpc, grpc.StatusCode.OK, started)
        return {shot.shot_id: shot.finish for shot in reply.shots}

    async def _render(
        self, storyboard: Storyboard, scene: Scene, shot: Shot, scene_keyframe: str, cast: messages.CastSheet,
        previous_clip: str = "", finish: ClipFinish | None = None,
    ) -> tuple[str, str, str]:
        """(shot id, clip key, keyframe key), rendered or as stored. The scene's keyframe is a hint,
        not an input: it stays out of the hash, so re-rolling a scene's first shot redoes only that
        shot. The previous clip, when given, is an input (the shot starts from its last frame): it
        is in the hash, so a new take of a shot redoes the scene's later shots too. So is the finish:
        a finished clip shows its subtitles, so a new narration is a new clip."""
        rpc = Rpc(ServiceName.VISUAL, "RenderShotStream", Step.VISUALS, self.settings.render_timeout_s)
        with log_context(scene_id=scene.id, shot_id=shot.id):
            request = messages.render_request(storyboard, scene, shot, self.options, self.film, cast, previous_clip)
            if finish is not None:
                request.finish.CopyFrom(finish)
            name, digest = result_name(Step.VISUALS, shot.id), messages.request_hash(request)
            stored = self._stored(Rendered, name, digest)
            if stored is None:
                request.output_key = job_key(self.job_id, "clips", f"{shot.id}-{digest}.mp4")
                request.keyframe_key = job_key(self.job_id, "keyframes", f"{shot.id}-{digest}.png")
                request.scene_keyframe_key = scene_keyframe
                reply, seconds = await self._call(rpc, lambda: self._render_stream(rpc, request), shot.id, shot.id)
                rendered = Rendered(hash=digest, keys=[reply.clip.key, reply.keyframe.key],
                                    clip=reply.clip.key, keyframe=reply.keyframe.key,
                                    finish_tag=reply.finish_tag or None)
                stored = self._save(Step.VISUALS, name, rendered, seconds)
                self._publish(EventKind.SHOT, {"shot_id": shot.id, "step": Step.VISUALS.value, "done": True,
                                               "keyframe": shot_links(self.job_id, shot.id, digest)["keyframe"]})
            self._finish_tags[shot.id] = stored.finish_tag or ""
            return shot.id, stored.clip, stored.keyframe

    async def _render_stream(self, rpc: Rpc, request: visual_pb.RenderShotRequest) -> visual_pb.RenderShotResponse:
        """RenderShotStream: progress as it comes (shown on the shot), then the result."""
        call = self.rt.services.visual.RenderShotStream(
            visual_pb.RenderShotStreamRequest(render=request), timeout=rpc.timeout_s, metadata=context_metadata()
        )
        shot_id = request.shot.id
        result: visual_pb.RenderShotResponse = await self._streamed(
            rpc, call, shot_id, lambda progress: self._rendered_so_far(shot_id, progress.fraction)
        )
        return result

    async def _speak_stream(self, rpc: Rpc, request: audio_pb.SpeakRequest, shot_id: str) -> audio_pb.SpeakResponse:
        """SpeakStream: heartbeats while it works (a first call may load a model), then the result."""
        call = self.rt.services.audio.SpeakStream(
            audio_pb.SpeakStreamRequest(speak=request), timeout=rpc.timeout_s, metadata=context_metadata()
        )
        result: audio_pb.SpeakResponse = await self._streamed(rpc, call, shot_id, _ignore)
        return result

    async def _music_stream(
        self, rpc: Rpc, request: audio_pb.ComposeMusicRequest, scene_id: str
    ) -> audio_pb.ComposeMusicResponse:
        """ComposeMusicStream: heartbeats while it works, then the result."""
        call = self.rt.services.audio.ComposeMusicStream(
            audio_pb.ComposeMusicStreamRequest(compose=request), timeout=rpc.timeout_s, metadata=context_metadata()
        )
        result: audio_pb.ComposeMusicResponse = await self._streamed(rpc, call, "", _ignore)
        return result

    async def _music(self, storyboard: Storyboard, upload: MusicUpload | None) -> list[composer_pb.MusicCue]:
        if upload is not None:
            cues = [await self._track(storyboard, upload.key)]
        else:
            crossfade_s = self.settings.music_crossfade_s
            cues = timeline.music_cues(storyboard, await self._score_all(storyboard), crossfade_s)
        self._music_done = True
        self._music_cues = cues
        if self._ahead is not None:
            self._ahead.poke()  # the sound is complete: it can be mixed now
        return cues

    async def _score_all(self, storyboard: Storyboard) -> dict[str, str]:
        rpc = Rpc(ServiceName.AUDIO, "ComposeMusicStream", Step.MUSIC, self.settings.music_timeout_s)
        tails = timeline.music_tails(storyboard, self.settings.music_crossfade_s)

        async def score(scene: Scene) -> tuple[str, str]:
            with log_context(scene_id=scene.id):
                request = messages.music_request(self.job_id, scene, tails[scene.id])
                name, digest = result_name(Step.MUSIC, scene.id), messages.request_hash(request)
                stored = self._stored(Scored, name, digest)
                if stored is None:
                    request.output_key = job_key(self.job_id, "music", f"{scene.id}-{digest}.wav")
                    reply, seconds = await self._call(rpc, lambda: self._music_stream(rpc, request, scene.id),
                                                      scene.id)
                    scored = Scored(hash=digest, keys=[reply.audio.key], audio=reply.audio.key)
                    stored = self._save(Step.MUSIC, name, scored, seconds)
                    self._publish(EventKind.MUSIC, {"scene_id": scene.id, "done": True})
                return scene.id, stored.audio

        pairs = await _all([score(scene) for scene in storyboard.scenes])
        return dict(pairs)

    async def _track(self, storyboard: Storyboard, upload_key: str) -> composer_pb.MusicCue:
        """The user's own track, looped or trimmed to the film by the audio service."""
        rpc = Rpc(ServiceName.AUDIO, "PrepareTrack", Step.MUSIC, self.settings.music_timeout_s)
        film_s = storyboard.total_duration_s()
        request = messages.track_request(upload_key, film_s)
        name, digest = result_name(Step.MUSIC, TRACK), messages.request_hash(request)
        stored = self._stored(Scored, name, digest)
        if stored is None:
            request.output_key = job_key(self.job_id, "music", f"track-{digest}.wav")
            prepare = self._unary(rpc, self.rt.services.audio.PrepareTrack, request)
            reply, seconds = await self._call(rpc, prepare, TRACK)
            scored = Scored(hash=digest, keys=[reply.audio.key], audio=reply.audio.key)
            stored = self._save(Step.MUSIC, name, scored, seconds)
            self._publish(EventKind.MUSIC, {"scene_id": "", "done": True})
        return composer_pb.MusicCue(audio_key=stored.audio, start_s=0.0, duration_s=film_s)

    def _film_request(
        self,
        storyboard: Storyboard,
        speech: dict[str, timeline.SpeechResult],
        clips: dict[str, str],
        music: list[composer_pb.MusicCue],
    ) -> composer_pb.ComposeRequest:
        """The film as the composer reads it (outputs not set); a shot not in `clips` has no clip yet."""
        request = composer_pb.ComposeRequest(
            title=storyboard.title,
            shots=timeline.timeline_shots(storyboard, speech, clips, self._finish_tags),
            music=music,
            parts_prefix=job_key(self.job_id, "parts"),
        )
        self.film.set_on(request)
        messages.set_subtitles(request, self.options.subtitles)
        return request

    async def _prepare(self) -> None:
        """Have the composer encode the parts of the film that are ready (ComposeAhead calls it)."""
        assert self._timed is not None, "pictures start after speech"
        storyboard, speech = self._timed
        music = self._music_cues
        film = self._film_request(storyboard, speech, dict(self._clips), music or [])
        request = composer_pb.PrepareRequest(film=film, sound_complete=music is not None)
        rpc = Rpc(ServiceName.COMPOSER, "Prepare", Step.COMPOSING, self.settings.compose_timeout_s)
        reply, seconds = await self._call(rpc, self._unary(rpc, self.rt.services.composer.Prepare, request), "parts")
        log.info("composed ahead", extra={"segments": reply.segments, "segments_ready": reply.segments_ready,
                                          "segments_made": reply.segments_made, "sound_ready": reply.sound_ready,
                                          "wall_s": round(seconds, 2)})

    async def _compose(
        self,
        storyboard: Storyboard,
        speech: dict[str, timeline.SpeechResult],
        clips: dict[str, str],
        music: list[composer_pb.MusicCue],
    ) -> None:
        request = self._film_request(storyboard, speech, clips, music)
        digest = messages.request_hash(request)
        if self._stored(Composed, COMPOSE, digest):
            return
        messages.set_film_outputs(request, job_key(self.job_id, f"film-{digest}"))
        rpc = Rpc(ServiceName.COMPOSER, "Compose", Step.COMPOSING, self.settings.compose_timeout_s)
        reply, seconds = await self._call(rpc, self._unary(rpc, self.rt.services.composer.Compose, request), "film")
        film = Composed(hash=digest, keys=[key for key in (reply.video.key, reply.srt.key, reply.vtt.key) if key],
                        video=reply.video.key, srt=reply.srt.key, vtt=reply.vtt.key, duration_s=reply.duration_s,
                        subtitles=messages.film_subtitles(reply))
        self._save(Step.COMPOSING, COMPOSE, film, seconds, per=max(reply.duration_s, 1.0))
        self._publish(EventKind.FILM, {"duration_s": reply.duration_s})


def _length(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _status(error: grpc.aio.AioRpcError | CallWentSilent) -> grpc.StatusCode:
    return grpc.StatusCode.DEADLINE_EXCEEDED if isinstance(error, CallWentSilent) else error.code()


def _ignore(_: object) -> None:
    """Heartbeats carry nothing to show: their arrival is what counts."""


async def _all(coroutines: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run side by side; on the first failure cancel the rest (their finished results are kept)."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    return [task.result() for task in tasks]


async def _settled(task: asyncio.Future[Any]) -> None:
    """A side task the run no longer waits for: cancelled if still going; its failure, if any,
    has reached the run where it was awaited (or no longer matters once the run has failed). A
    cancel of the run itself during the wait still stops the run."""
    await stop_side_task(task)


async def _both(first: Coroutine[Any, Any, T], second: Coroutine[Any, Any, U]) -> tuple[T, U]:
    """Two steps side by side; the first failure cancels the other."""
    try:
        async with asyncio.TaskGroup() as group:
            one, two = group.create_task(first), group.create_task(second)
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    return one.result(), two.result()
