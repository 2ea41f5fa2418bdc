"""The rules planner: the embedded default, plain Python, no model, a few seconds for a novel.

It reads top to bottom: text -> paragraphs, sentences and quotes -> characters and who speaks ->
voices (rules/reading.py) -> scenes -> (condense) -> scene outlines -> shots with framing,
prompts and seeds. The steps live in services/planner/rules/, one small module each.
"""

from __future__ import annotations

import logging

from services.planner.plan import (
    Condensing,
    Plan,
    PlanReport,
    SceneOutline,
    ScenesPlan,
    ShotsPlan,
    assemble,
    seed_key_of,
)
from services.planner.rules.characters import Cast
from services.planner.rules.condense import Condensed, condense
from services.planner.rules.outlines import MAX_SHOTS_PER_SCENE, outlines_of, rules_heads
from services.planner.rules.reading import read_story
from services.planner.rules.scenes import SceneDraft, group_scenes
from services.planner.rules.shotlist import rules_scene
from services.planner.rules.shots import pack_shots
from storyreel.domain import Character, Language
from storyreel.logs import log_context

log = logging.getLogger(__name__)

__all__ = ["MAX_SHOTS_PER_SCENE", "RulesPlanner", "condensing_of", "fit"]

_FIT_ATTEMPTS = 3
REPORT = PlanReport(backend="rules")


class RulesPlanner:
    def __init__(self, words_per_second: float = 2.5) -> None:
        self.words_per_second = words_per_second

    def plan(self, story: str, title: str, language: Language | None, max_minutes: float) -> Plan:
        scenes = self.plan_scenes(story, title, language, max_minutes)
        characters = scenes.storyboard.characters
        return assemble(scenes, [self.plan_shots(outline, characters, scenes.seed_key) for outline in scenes.outlines])

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
            report=REPORT,
            seed_key=seed_key_of(story),
        )

    def plan_shots(self, outline: SceneOutline, characters: list[Character], seed_key: str) -> ShotsPlan:
        with log_context(scene_id=outline.scene.id):
            scene = rules_scene(outline, characters, seed_key, self.words_per_second)
        return ShotsPlan(scene=scene, report=REPORT)


def fit(drafts: list[SceneDraft], budget_s: float, words_per_second: float, cast: Cast) -> Condensed:
    """Condense until the shots fit budget_s (0: no bound). Short shots are padded to 3 s, so aim
    lower and retry."""
    sentences = sum(len(p.sentences) for d in drafts for p in d.paragraphs)
    seconds = sum(p.words for d in drafts for p in d.paragraphs) / words_per_second
    result = Condensed(sentences, sentences, seconds, seconds)
    if budget_s <= 0:
        return result
    target = budget_s
    for _ in range(_FIT_ATTEMPTS):
        result = condense(drafts, target, words_per_second, lambda text: len(cast.mentions(text)))
        film_s = sum(shot.seconds for d in drafts for shot in pack_shots(d.paragraphs, words_per_second))
        if film_s <= budget_s or result.sentences_after == result.sentences_before:
            break
        target -= film_s - budget_s
    _log_condensed(budget_s, sentences, result, film_s)
    return Condensed(sentences, result.sentences_after, seconds, result.seconds_after)


def condensing_of(condensed: Condensed) -> Condensing:
    before = condensed.sentences_before
    return Condensing(
        sentences_before=before,
        sentences_kept=condensed.sentences_after,
        seconds_before=round(condensed.seconds_before, 1),
        seconds_kept=round(condensed.seconds_after, 1),
        fraction_cut=round(1 - condensed.sentences_after / before, 4) if before else 0.0,
    )


def _log_condensed(budget_s: float, sentences: int, result: Condensed, film_s: float) -> None:
    log.log(
        logging.INFO if film_s <= budget_s else logging.WARNING,
        "condensed to fit %.0f s: kept %d of %d sentences, cut %.0f%%; the film is %.0f s",
        budget_s,
        result.sentences_after,
        sentences,
        100 * (1 - result.sentences_after / max(1, sentences)),
        film_s,
        extra={"film_s": round(film_s, 1), "cut_sentences": sentences - result.sentences_after},
    )
