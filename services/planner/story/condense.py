"""A shorter film on request: drop whole passages until the expected speech fits the time.

What is dropped is a *unit*, never part of one: a plain narration sentence, or an exchange of
dialogue — consecutive sentences with quoted speech, across paragraphs, together with the
narration sentence that introduces it (the sentence before it in its paragraph, or the last one
of the paragraph before when that names a character). So a line is never left without the
sentence that says who is there ("The boy found his coat." before "Is this yours?"), and a reply
never without its question.

Each scene keeps its first and last unit (so every scene still opens and closes); of the rest,
the least telling go first: plain narration before dialogue, units naming nobody before units
naming characters, and among equals the longest (it saves the most time). Whole scenes are
dropped by the fit (story/fitting.py) when even that is too long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.planner.story.model import Sentence
from services.planner.story.scenes import SceneDraft


@dataclass(frozen=True)
class Condensed:
    sentences_before: int
    sentences_after: int
    seconds_before: float
    seconds_after: float
    scenes_before: int = 0
    scenes_after: int = 0
    dropped_scenes: tuple[str, ...] = ()
    """The dropped scenes, each named by its title or its first words, in story order."""
    film_s: float = 0.0
    """The film the kept text is expected to make (shots at least 3 s, with air), 0: not fitted."""


@dataclass
class Unit:
    """Sentences that stay or go together, in story order."""

    sentences: list[Sentence] = field(default_factory=list)
    dialogue: bool = False

    @property
    def words(self) -> int:
        return sum(sentence.words for sentence in self.sentences)

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)


def is_dialogue(sentence: Sentence) -> bool:
    return any(piece.dialogue for piece in sentence.pieces)


def units_of(scene: SceneDraft, count_names: Callable[[str], int]) -> list[Unit]:
    """The scene's sentences grouped into units (see the module's docstring)."""
    units: list[Unit] = []
    for paragraph in scene.paragraphs:
        for index, sentence in enumerate(paragraph.sentences):
            last = units[-1] if units else None
            if not is_dialogue(sentence):
                units.append(Unit([sentence]))
            elif last is not None and last.dialogue:
                last.sentences.append(sentence)  # the exchange goes on
            elif last is not None and _introduces(last, index, count_names):
                last.sentences.append(sentence)  # the narration before it joins the exchange
                last.dialogue = True
            else:
                units.append(Unit([sentence], dialogue=True))
    return units


def _introduces(narration: Unit, index_in_paragraph: int, count_names: Callable[[str], int]) -> bool:
    """A narration unit right before dialogue introduces it: always within the paragraph; from the
    paragraph before only when it names someone."""
    return len(narration.sentences) == 1 and (index_in_paragraph > 0 or count_names(narration.text) > 0)


def condense(
    scenes: list[SceneDraft], budget_s: float, words_per_second: float, count_names: Callable[[str], int],
    keep_ends: int = 2,
) -> Condensed:
    """Drop units in place so that about budget_s of speech is left (or only the kept ones are):
    the kept ends first, then the most telling units that still fit, the shorter first among
    equals (a long one that does not fit leaves room for shorter ones after it).
    keep_ends: 2 keeps each scene's first and last unit, 1 its first, 0 only its most telling
    one — for a budget too small for a scene's opening and closing."""
    units = [(scene, unit) for scene in scenes for unit in units_of(scene, count_names)]
    sentence_count = sum(len(unit.sentences) for _, unit in units)
    before = sum(unit.words for _, unit in units) / words_per_second
    kept = _ends(units, keep_ends)
    candidates = [(scene, unit) for scene, unit in units if id(unit) not in kept]
    candidates.sort(key=lambda item: (-_importance(item[1], count_names), item[1].words))
    for scene in scenes:  # every scene keeps at least one unit: its most telling
        own = [unit for s, unit in candidates if s is scene]
        if own and not any(id(unit) in kept for s, unit in units if s is scene):
            kept.add(id(own[0]))
    seconds = sum(unit.words for _, unit in units if id(unit) in kept) / words_per_second
    for _, unit in candidates:
        unit_s = unit.words / words_per_second
        if id(unit) not in kept and seconds + unit_s <= budget_s:
            kept.add(id(unit))
            seconds += unit_s
    dropped = {id(sentence) for _, unit in units if id(unit) not in kept for sentence in unit.sentences}
    for scene in scenes:
        for paragraph in scene.paragraphs:
            paragraph.sentences = [s for s in paragraph.sentences if id(s) not in dropped]
        scene.paragraphs = [p for p in scene.paragraphs if p.sentences]
    return Condensed(sentence_count, sentence_count - len(dropped), before, seconds, len(scenes), len(scenes))


def _ends(units: list[tuple[SceneDraft, Unit]], keep_ends: int) -> set[int]:
    kept: set[int] = set()
    by_scene: dict[int, list[Unit]] = {}
    for scene, unit in units:
        by_scene.setdefault(id(scene), []).append(unit)
    for scene_units in by_scene.values():
        kept.update(id(unit) for unit in (scene_units[:1] + scene_units[-1:])[:keep_ends])
    return kept


def _importance(unit: Unit, count_names: Callable[[str], int]) -> int:
    return 2 * unit.dialogue + min(count_names(unit.text), 3)


def importance_of_scene(scene: SceneDraft, count_names: Callable[[str], int]) -> int:
    """How much a scene carries: its dialogue and the characters it names, unit by unit."""
    return sum(_importance(unit, count_names) for unit in units_of(scene, count_names))
