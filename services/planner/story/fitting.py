"""Fitting a story into the film's length: condense until the packed shots fit the budget.

Both planner backends fit the same way (the LLM backend condenses with the same rules before it
asks the model for shots), so this lives in the shared story kit, not in either backend.
"""

from __future__ import annotations

import logging

from services.planner.plan import Condensing
from services.planner.story.characters import Cast
from services.planner.story.condense import Condensed, condense
from services.planner.story.scenes import SceneDraft
from services.planner.story.shots import pack_shots

log = logging.getLogger(__name__)

__all__ = ["condensing_of", "fit"]

_FIT_ATTEMPTS = 3

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
