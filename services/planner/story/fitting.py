"""Fitting a story into the film's length: max_minutes is an upper bound on the film, not on the
words. Both planner backends fit the same way (the LLM backend condenses with the same rules
before it asks the model for shots), so this lives in the shared story kit.

The film the gateway makes lasts, shot by shot, the measured speech plus air, at least 3 s,
rounded up to whole frames. Before speech exists the planner estimates each shot that way from
its words and the pauses between its lines (film_estimate_s), at a speaking rate no faster than
the voices measure (2.5 words/s; espeak-ng measured 3.0-4.0 in English, 2.5 in Hindi), so the
estimate is an upper bound for the default voices (tests/e2e/test_max_minutes.py measures it).

The fit keeps every scene when their openings and closings (or, failing that, their openings)
fit; otherwise as many scenes as leave room (their first and last passages alone take at most
half the budget, so kept scenes keep some of their middle), the most telling ones (dialogue,
named characters; the first and the last scene always), and drops the others whole. Then it
condenses the kept scenes (story/condense.py) to the longest speech whose shots fit.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

from services.planner.plan import Condensing
from services.planner.story.characters import Cast
from services.planner.story.condense import Condensed, condense, importance_of_scene
from services.planner.story.scenes import SceneDraft
from services.planner.story.shots import MIN_SHOT_S, pack_shots

log = logging.getLogger(__name__)

__all__ = ["condensing_of", "cut_note", "film_estimate_s", "fit"]

AIR_S = 0.6
"""Silence after each shot's speech: the gateway's default STORYREEL_GATEWAY_SPEECH_AIR_S."""
LINE_PAUSE_S = 0.3
"""Silence between two lines of a shot: the audio service's default STORYREEL_AUDIO_LINE_PAUSE_S."""
FRAME_S = 1 / 24
"""Rounding each shot up to a whole frame adds at most this (the gateway's default 24 fps)."""
ROOM_FOR_MIDDLES = 0.5
"""Share of the budget the kept scenes' first and last passages may take at most."""
_SEARCH_STEPS = 14


def film_estimate_s(drafts: list[SceneDraft], words_per_second: float) -> float:
    """The film the text makes, shot by shot as the gateway times it, from expected speech."""
    total = 0.0
    for draft in drafts:
        for shot in pack_shots(draft.paragraphs, words_per_second):
            words = sum(piece.words for piece in shot.pieces)
            speech_s = words / words_per_second + LINE_PAUSE_S * max(0, len(shot.pieces) - 1)
            total += max(MIN_SHOT_S, speech_s + AIR_S) + FRAME_S
    return total


def fit(drafts: list[SceneDraft], budget_s: float, words_per_second: float, cast: Cast) -> Condensed:
    """Condense (and drop scenes) in place until the film fits budget_s (0: no bound)."""
    sentences = sum(len(p.sentences) for d in drafts for p in d.paragraphs)
    seconds = sum(p.words for d in drafts for p in d.paragraphs) / words_per_second
    scenes = len(drafts)
    if budget_s <= 0:
        return Condensed(sentences, sentences, seconds, seconds, scenes, scenes)
    film_s = film_estimate_s(drafts, words_per_second)
    if film_s <= budget_s:
        return Condensed(sentences, sentences, seconds, seconds, scenes, scenes, (), round(film_s, 1))

    def count_names(text: str) -> int:
        return len(cast.mentions(text))

    order = _scene_order(drafts, count_names)

    def trial(keep: int, target_s: float, ends: int = 2) -> tuple[list[SceneDraft], Condensed, float]:
        kept = copy.deepcopy([drafts[index] for index in sorted(order[:keep])])
        result = condense(kept, target_s, words_per_second, count_names, ends)
        return kept, result, film_estimate_s(kept, words_per_second)

    def shortest(keep: int) -> float:
        return trial(keep, 0.0)[2]

    # Every scene when their openings and closings fit, else every scene when their openings do;
    # else the scenes whose openings and closings take at most half, leaving room for what
    # happens between.
    keep, ends = len(drafts), next((e for e in (2, 1) if trial(len(drafts), 0.0, e)[2] <= budget_s), 0)
    if ends == 0:
        keep, ends = _most_scenes(len(drafts), shortest, budget_s * ROOM_FOR_MIDDLES), 2
    if keep == 0:  # not even one scene's opening and closing: one scene, its opening or any one passage
        keep = 1
        ends = next((e for e in (2, 1) if trial(1, 0.0, e)[2] <= budget_s), 0)
    best = trial(keep, 0.0, ends)
    low, high = 0.0, budget_s
    for _ in range(_SEARCH_STEPS):  # the longest speech whose film still fits
        middle = (low + high) / 2
        attempt = trial(keep, middle, ends)
        if attempt[2] <= budget_s:
            best, low = attempt, middle
        else:
            high = middle
    kept, result, film_s = best
    dropped = tuple(_name(index, drafts[index]) for index in range(len(drafts)) if index not in order[:keep])
    drafts[:] = kept
    fitted = Condensed(sentences, result.sentences_after, seconds, result.seconds_after, scenes, len(kept),
                       dropped, round(film_s, 1))
    _log_condensed(budget_s, fitted)
    return fitted


def _scene_order(drafts: list[SceneDraft], count_names: Callable[[str], int]) -> list[int]:
    """Scene indexes, the ones to keep first: the first and last scene, then by what they carry
    (earlier first among equals)."""
    weight = {index: importance_of_scene(draft, count_names) for index, draft in enumerate(drafts)}
    ends = [0] if len(drafts) == 1 else [0, len(drafts) - 1]
    middle = sorted(set(range(len(drafts))) - set(ends), key=lambda index: (-weight[index], index))
    return ends + middle


def _most_scenes(count: int, shortest_film_s: Callable[[int], float], budget_s: float) -> int:
    """The most scenes (0 to count) whose shortest film fits budget_s; the shortest film grows
    with every scene kept, so a binary search finds it."""
    low, high = 0, count
    while low < high:
        middle = (low + high + 1) // 2
        if shortest_film_s(middle) <= budget_s:
            low = middle
        else:
            high = middle - 1
    return low


def _name(index: int, draft: SceneDraft) -> str:
    if draft.title:
        return draft.title
    words = " ".join(s.text for p in draft.paragraphs for s in p.sentences).split()
    opening = " ".join(words[:6])
    return f"scene {index + 1} ({opening}{'…' if len(words) > 6 else ''})"


def condensing_of(condensed: Condensed) -> Condensing:
    before = condensed.sentences_before
    return Condensing(
        sentences_before=before,
        sentences_kept=condensed.sentences_after,
        seconds_before=round(condensed.seconds_before, 1),
        seconds_kept=round(condensed.seconds_after, 1),
        fraction_cut=round(1 - condensed.sentences_after / before, 4) if before else 0.0,
        expected_film_s=condensed.film_s,
    )


def cut_note(condensed: Condensed, budget_s: float) -> list[str]:
    """What the fit cut, in a sentence for the user (the plan report's notes); none when nothing."""
    if condensed.sentences_after == condensed.sentences_before:
        return []
    note = (f"to fit {budget_s / 60:g} min, kept {condensed.sentences_after:,} of {condensed.sentences_before:,} "
            f"sentences ({condensed.seconds_after:.0f} of {condensed.seconds_before:.0f} s of expected speech)")
    if condensed.dropped_scenes:
        shown = "; ".join(condensed.dropped_scenes[:5])
        more = f" and {len(condensed.dropped_scenes) - 5} more" if len(condensed.dropped_scenes) > 5 else ""
        note += (f" and {condensed.scenes_after} of {condensed.scenes_before} scenes, dropping {shown}{more}")
    return [f"{note}; expected film {condensed.film_s:.0f} s"]


def _log_condensed(budget_s: float, result: Condensed) -> None:
    log.log(
        logging.INFO if result.film_s <= budget_s else logging.WARNING,
        "condensed to fit %.0f s: kept %d of %d sentences and %d of %d scenes; the film is about %.0f s",
        budget_s, result.sentences_after, result.sentences_before, result.scenes_after, result.scenes_before,
        result.film_s,
        extra={"film_s": result.film_s, "cut_sentences": result.sentences_before - result.sentences_after,
               "cut_scenes": result.scenes_before - result.scenes_after},
    )
