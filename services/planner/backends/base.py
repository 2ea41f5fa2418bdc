"""What every planner backend offers: a story read into scenes, a scene cut into shots, and both."""

from __future__ import annotations

from typing import Protocol

from services.planner.plan import Plan, SceneOutline, ScenesPlan, ShotsPlan
from storyreel.domain import Character, Language


class Planner(Protocol):
    def plan(self, story: str, title: str, language: Language | None, max_minutes: float) -> Plan:
        """Plan a story (already checked for size) into a storyboard: plan_scenes, then plan_shots
        for every scene.

        title: empty lets the planner take it from the story. language: None detects it.
        max_minutes: 0 means no bound; otherwise the planner condenses to fit, by whole sentences.
        Raises InvalidInput when the story holds nothing to narrate.
        """
        ...

    def plan_scenes(self, story: str, title: str, language: Language | None, max_minutes: float) -> ScenesPlan:
        """Characters and scene outlines (the arguments as for plan)."""
        ...

    def plan_shots(self, outline: SceneOutline, characters: list[Character], seed_key: str) -> ShotsPlan:
        """One scene outline cut into shots: every outline line in exactly one shot, in order."""
        ...
