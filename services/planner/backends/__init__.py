"""Planner backends, chosen by PlannerSettings.backend."""

from __future__ import annotations

from services.planner.backends.base import Planner
from services.planner.settings import PlannerBackend, PlannerSettings


def make_backend(settings: PlannerSettings) -> Planner:
    """The backend the settings name: 'rules' (embedded) or 'llm' (an OpenAI-compatible server)."""
    if settings.backend is PlannerBackend.RULES:
        from services.planner.backends.rules import RulesPlanner

        return RulesPlanner(words_per_second=settings.words_per_second)
    if settings.backend is PlannerBackend.LLM:
        from services.planner.backends.llm import LlmPlanner

        return LlmPlanner(settings)
    raise ValueError(f"unknown planner backend {settings.backend!r}")


__all__ = ["Planner", "make_backend"]
