"""The rules planner: the embedded default, plain Python, no model, a few seconds for a novel.

It reads top to bottom: text -> paragraphs, sentences and quotes -> characters and who speaks ->
voices (story/reading.py) -> scenes -> (condense, story/fitting.py) -> scene outlines -> shots with
framing, prompts and seeds. The whole backend is this module; the steps live in the story kit,
services/planner/story/, one small module each, which the LLM backend reads the story with too.
"""

from __future__ import annotations

from services.planner.plan import (
    Plan,
    PlanReport,
    SceneOutline,
    ScenesPlan,
    ShotsPlan,
    assemble,
    seed_key_of,
)
from services.planner.story.fitting import condensing_of, cut_note, fit
from services.planner.story.outlines import MAX_SHOTS_PER_SCENE, outlines_of, rules_heads
from services.planner.story.reading import read_story
from services.planner.story.scenes import group_scenes
from services.planner.story.shotlist import rules_scene
from storyreel.domain import Character, Language
from storyreel.logs import log_context
from storyreel.profiles import Aspect

__all__ = ["MAX_SHOTS_PER_SCENE", "RulesPlanner"]

REPORT = PlanReport(backend="rules")


class RulesPlanner:
    def __init__(self, words_per_second: float = 2.5) -> None:
        self.words_per_second = words_per_second

    def plan(
        self, story: str, title: str, language: Language | None, max_minutes: float, aspect: Aspect = Aspect.WIDE
    ) -> Plan:
        scenes = self.plan_scenes(story, title, language, max_minutes)
        characters = scenes.storyboard.characters
        shots = [self.plan_shots(outline, characters, scenes.seed_key, aspect) for outline in scenes.outlines]
        return assemble(scenes, shots)

    def plan_scenes(self, story: str, title: str, language: Language | None, max_minutes: float) -> ScenesPlan:
        reading = read_story(story, title, language)
        drafts = group_scenes(reading.document.blocks, reading.paragraphs)
        condensed = fit(drafts, max_minutes * 60, self.words_per_second, reading.cast)

        def count_names(text: str) -> int:
            return len(reading.cast.mentions(text))

        return ScenesPlan(
            storyboard=reading.storyboard(),
            outlines=outlines_of(drafts, rules_heads(drafts, reading.hindi), self.words_per_second, count_names),
            condensing=condensing_of(condensed),
            report=REPORT.model_copy(update={"notes": cut_note(condensed, max_minutes * 60)}),
            seed_key=seed_key_of(story),
        )

    def plan_shots(
        self, outline: SceneOutline, characters: list[Character], seed_key: str, aspect: Aspect = Aspect.WIDE
    ) -> ShotsPlan:
        with log_context(scene_id=outline.scene.id):
            scene = rules_scene(outline, characters, seed_key, self.words_per_second, aspect)
        return ShotsPlan(scene=scene, report=REPORT)
