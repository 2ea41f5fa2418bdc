"""A shorter film on request: drop whole sentences until the expected speech fits the time.

Each scene keeps its first and last sentence (so every scene still opens and closes); of the
rest, the least telling go first: plain narration before dialogue, sentences naming nobody before
sentences naming characters, and among equals the longest (it saves the most time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.planner.story.model import Sentence
from services.planner.story.scenes import SceneDraft


@dataclass(frozen=True)
class Condensed:
    sentences_before: int
    sentences_after: int
    seconds_before: float
    seconds_after: float


def condense(
    scenes: list[SceneDraft], budget_s: float, words_per_second: float, count_names: Callable[[str], int]
) -> Condensed:
    """Drop sentences in place until about budget_s of speech is left (or only the kept ones are)."""
    sentences = [(scene, p, s) for scene in scenes for p in scene.paragraphs for s in p.sentences]
    seconds = sum(s.words for _, _, s in sentences) / words_per_second
    before = Condensed(len(sentences), len(sentences), seconds, seconds)
    protected = _first_and_last(scenes)
    removable = [(p, s) for _, p, s in sentences if id(s) not in protected]
    removable.sort(key=lambda item: (_importance(item[1], count_names), -item[1].words))
    dropped: set[int] = set()
    for _paragraph, sentence in removable:
        if seconds <= budget_s:
            break
        dropped.add(id(sentence))
        seconds -= sentence.words / words_per_second
    for scene in scenes:
        for paragraph in scene.paragraphs:
            paragraph.sentences = [s for s in paragraph.sentences if id(s) not in dropped]
        scene.paragraphs = [p for p in scene.paragraphs if p.sentences]
    return Condensed(before.sentences_before, before.sentences_before - len(dropped), before.seconds_before, seconds)


def _first_and_last(scenes: list[SceneDraft]) -> set[int]:
    kept: set[int] = set()
    for scene in scenes:
        sentences: list[Sentence] = [s for p in scene.paragraphs for s in p.sentences]
        if sentences:
            kept.update((id(sentences[0]), id(sentences[-1])))
    return kept


def _importance(sentence: Sentence, count_names: Callable[[str], int]) -> int:
    dialogue = any(piece.dialogue for piece in sentence.pieces)
    return 2 * dialogue + min(count_names(sentence.text), 3)
