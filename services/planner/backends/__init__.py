"""Planner backends, chosen by PlannerSettings.backend."""

from __future__ import annotations

from services.planner.backends.base import Planner
from services.planner.settings import PlannerBackend, PlannerSettings


def make_backend(settings: PlannerSettings) -> Planner:
    """The backend the settings name (more arrive with later backends, e.g. an LLM planner)."""
    if settings.backend is PlannerBackend.RULES:
        from services.planner.backends.rules import RulesPlanner

        return RulesPlanner(words_per_second=settings.words_per_second)
    raise ValueError(f"unknown planner backend {settings.backend!r}")


__all__ = ["Planner", "make_backend"]
