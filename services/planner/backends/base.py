"""What every planner backend offers: a story read into scenes, a scene cut into shots, and both."""

from __future__ import annotations

from typing import Protocol

from services.planner.plan import Plan, SceneOutline, ScenesPlan, ShotsPlan
from storyreel.domain import Character, Language
from storyreel.profiles import Aspect


class Planner(Protocol):
    def plan(
        self, story: str, title: str, language: Language | None, max_minutes: float, aspect: Aspect = Aspect.WIDE
    ) -> Plan:
        """Plan a story (already checked for size) into a storyboard: plan_scenes, then plan_shots
        for every scene.

        title: empty lets the planner take it from the story. language: None detects it.
        max_minutes: 0 means no bound; otherwise the planner condenses to fit, by whole sentences.
        aspect: the frame's shape; shot types and camera moves suit it (16:9 plans as it always did).
        Raises InvalidInput when the story holds nothing to narrate.
        """
        ...

    def plan_scenes(self, story: str, title: str, language: Language | None, max_minutes: float) -> ScenesPlan:
        """Characters and scene outlines (the arguments as for plan)."""
        ...

    def plan_shots(
        self, outline: SceneOutline, characters: list[Character], seed_key: str, aspect: Aspect = Aspect.WIDE
    ) -> ShotsPlan:
        """One scene outline cut into shots, framed for aspect: every outline line in exactly one shot, in order."""
        ...
