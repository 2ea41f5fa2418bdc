"""PlannerService over gRPC: check the request, run the backend off the event loop, answer."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

import grpc

from services.planner.backends import Planner
from services.planner.plan import Plan, PlanReport, SceneOutline, seed_key_of
from services.planner.settings import PlannerSettings
from services.planner.speakable import speakable_outline
from storyreel.convert import from_proto, to_proto
from storyreel.domain import NARRATOR, Character, Language, check_story
from storyreel.errors import InvalidInput
from storyreel.planner.v1 import planner_service_pb2 as pb
from storyreel.planner.v1 import planner_service_pb2_grpc
from storyreel.profiles import Aspect
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.storytext import speakable

log = logging.getLogger(__name__)
T = TypeVar("T")


def check_max_minutes(max_minutes: float) -> None:
    if not math.isfinite(max_minutes) or max_minutes < 0:
        raise InvalidInput(f"max_minutes must be 0 (no bound) or a positive number, not {max_minutes}")


def language_hint(value: int) -> Language | None:
    """The request's language enum as a domain Language; UNSPECIFIED means 'detect it'."""
    name = storyboard_pb2.Language.Name(value).removeprefix("LANGUAGE_")
    return None if name == "UNSPECIFIED" else Language[name]


def aspect_of(value: int) -> Aspect:
    """The request's frame shape; UNSPECIFIED (an older gateway) is 16:9."""
    name = pb.Aspect.Name(value).removeprefix("ASPECT_")
    return Aspect.WIDE if name == "UNSPECIFIED" else Aspect[name]


def check_outline(outline: SceneOutline, characters: list[Character]) -> None:
    """A scene to cut speaks only with the characters it is given."""
    known = {character.id for character in characters}
    if len(known) != len(characters):
        raise InvalidInput("two characters share an id: character ids must be unique")
    speakers = {item.line.speaker_id for sentence in outline.sentences for item in sentence.lines}
    unknown = sorted(speakers - known - {NARRATOR})
    if unknown:
        raise InvalidInput(f"the outline's lines are spoken by unknown characters {unknown}: add them to characters")


class PlannerServicer(planner_service_pb2_grpc.PlannerServiceServicer):  # type: ignore[misc]
    def __init__(self, backend: Planner, settings: PlannerSettings) -> None:
        self._backend = backend
        self._settings = settings
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def Plan(self, request: pb.PlanRequest, context: grpc.aio.ServicerContext) -> pb.PlanResponse:
        language = self._check_story(request.story, request.max_minutes, request.language)
        started = time.perf_counter()
        aspect = aspect_of(request.aspect)
        plan = await self._run(self._backend.plan, request.story, request.title, language, request.max_minutes, aspect)
        _log_plan(plan, time.perf_counter() - started)
        return to_proto(plan, pb.PlanResponse)

    async def PlanScenes(
        self, request: pb.PlanScenesRequest, context: grpc.aio.ServicerContext
    ) -> pb.PlanScenesResponse:
        language = self._check_story(request.story, request.max_minutes, request.language)
        scenes = await self._run(self._backend.plan_scenes, request.story, request.title, language, request.max_minutes)
        log.info("read %r into %d scenes", scenes.storyboard.title, len(scenes.outlines))
        return to_proto(scenes, pb.PlanScenesResponse)

    async def PlanShots(self, request: pb.PlanShotsRequest, context: grpc.aio.ServicerContext) -> pb.PlanShotsResponse:
        if not request.HasField("outline") or not request.outline.sentences:
            raise InvalidInput("the outline has no sentences: give the scene's sentences to cut into shots")
        if not request.outline.scene.id.strip():
            raise InvalidInput("the outline's scene has no id: give the scene id the shots are numbered after")
        outline = speakable_outline(from_proto(request.outline, SceneOutline))
        if not any(speakable(item.line.text) for sentence in outline.sentences for item in sentence.lines):
            raise InvalidInput("the outline's lines have no words a voice can read: give the scene some text")
        characters = [from_proto(character, Character) for character in request.characters]
        check_outline(outline, characters)
        seed_key = request.seed_key or seed_key_of(" ".join(sentence.text for sentence in outline.sentences))
        shots = await self._run(self._backend.plan_shots, outline, characters, seed_key, aspect_of(request.aspect))
        log.info("cut scene %s into %d shots", shots.scene.id, len(shots.scene.shots))
        return to_proto(shots, pb.PlanShotsResponse)

    def _check_story(self, story: str, max_minutes: float, language: int) -> Language | None:
        check_story(story, self._settings.max_story_bytes)
        check_max_minutes(max_minutes)
        return language_hint(language)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        """The backend's blocking work on a thread, at most `concurrency` at once."""
        async with self._slots:
            return await asyncio.to_thread(work, *args)


def _log_plan(plan: Plan, seconds: float) -> None:
    storyboard, report = plan.storyboard, plan.report
    log.info(
        "planned %r: %d scenes, %d shots, %.0f s of film%s",
        storyboard.title,
        len(storyboard.scenes),
        len(storyboard.shots()),
        storyboard.total_duration_s(),
        _fallback_words(report),
        extra={
            "plan_ms": round(seconds * 1000),
            "characters": len(storyboard.characters),
            "backend": report.backend,
            "llm_requests": report.requests,
            "llm_retries": report.retries,
            "fallback_scenes": len(report.fallback_scene_ids),
            "cut_fraction": plan.condensing.fraction_cut,
        },
    )


def _fallback_words(report: PlanReport) -> str:
    if not report.fallback_scene_ids and not report.scenes_fell_back:
        return ""
    return f"; the rules planned {len(report.fallback_scene_ids)} scene(s) the model could not" + (
        " and split the scenes" if report.scenes_fell_back else ""
    )
