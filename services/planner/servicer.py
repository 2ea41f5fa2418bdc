"""PlannerService over gRPC: check the request, run the backend off the event loop, answer."""

from __future__ import annotations

import asyncio
import logging
import math
import time

import grpc

from services.planner.backends import Planner
from services.planner.settings import PlannerSettings
from storyreel.convert import to_proto
from storyreel.domain import Language, Storyboard, check_story
from storyreel.errors import InvalidInput
from storyreel.planner.v1 import planner_service_pb2, planner_service_pb2_grpc
from storyreel.storyboard.v1 import storyboard_pb2

log = logging.getLogger(__name__)


def check_max_minutes(max_minutes: float) -> None:
    if not math.isfinite(max_minutes) or max_minutes < 0:
        raise InvalidInput(f"max_minutes must be 0 (no bound) or a positive number, not {max_minutes}")


def language_hint(value: int) -> Language | None:
    """The request's language enum as a domain Language; UNSPECIFIED means 'detect it'."""
    name = storyboard_pb2.Language.Name(value).removeprefix("LANGUAGE_")
    return None if name == "UNSPECIFIED" else Language[name]


class PlannerServicer(planner_service_pb2_grpc.PlannerServiceServicer):  # type: ignore[misc]
    def __init__(self, backend: Planner, settings: PlannerSettings) -> None:
        self._backend = backend
        self._settings = settings
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def Plan(
        self, request: planner_service_pb2.PlanRequest, context: grpc.aio.ServicerContext
    ) -> planner_service_pb2.PlanResponse:
        check_story(request.story, self._settings.max_story_bytes)
        check_max_minutes(request.max_minutes)
        language = language_hint(request.language)
        async with self._slots:
            started = time.perf_counter()
            storyboard = await asyncio.to_thread(
                self._backend.plan, request.story, request.title, language, request.max_minutes
            )
        _log_plan(storyboard, time.perf_counter() - started)
        return planner_service_pb2.PlanResponse(storyboard=to_proto(storyboard, storyboard_pb2.Storyboard))


def _log_plan(storyboard: Storyboard, seconds: float) -> None:
    log.info(
        "planned %r: %d scenes, %d shots, %.0f s of film",
        storyboard.title,
        len(storyboard.scenes),
        len(storyboard.shots()),
        storyboard.total_duration_s(),
        extra={"plan_ms": round(seconds * 1000), "characters": len(storyboard.characters)},
    )
