"""What every planner backend offers: a whole story in, a storyboard out."""

from __future__ import annotations

from typing import Protocol

from storyreel.domain import Language, Storyboard


class Planner(Protocol):
    def plan(self, story: str, title: str, language: Language | None, max_minutes: float) -> Storyboard:
        """Plan a story (already checked for size) into a storyboard.

        title: empty lets the planner take it from the story. language: None detects it.
        max_minutes: 0 means no bound; otherwise the planner condenses to fit.
        Raises InvalidInput when the story holds nothing to narrate.
        """
        ...
