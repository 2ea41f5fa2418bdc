"""The scene splitter agent: where scenes start, and how each looks, for a story of any length.

The story's sentences are numbered (headings shown between them) and sent in chunks that fit
the model's context, with the running character bible. Chunks overlap: the last scene of a chunk
may go on past its end, so the next chunk starts again at that scene's first sentence and the
model decides afresh where it ends. A chunk the model keeps failing on is split by the rules.
Chapter headings and separators always start a scene, whatever the model says.

The character bible: the rules find the characters; the first description the model gives a
character replaces the rules' guess, and from then on it is shown to the model and never changes,
so every prompt in the film describes that character in the same words.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field, replace

from services.planner.backends.llm.agent import REPROMPT_TOKENS, Agent, AgentFailed
from services.planner.backends.llm.answers import SceneChoice, ScenesAnswer, bound, english, schema_of
from services.planner.backends.llm.chunks import chunk, estimate_tokens, numbered
from services.planner.backends.llm.client import Tally
from services.planner.story.blocks import BlockKind
from services.planner.story.model import Paragraph, Sentence
from services.planner.story.outlines import SceneHead, rules_heads
from services.planner.story.reading import Reading
from services.planner.story.scenes import SceneDraft, SceneLook, group_scenes

log = logging.getLogger(__name__)

PLACEHOLDERS = {"title", "language", "characters", "sentences", "first", "last"}
_BIBLE_SHOWN = 12
_DESCRIPTION_CHARS = 120
"""The longest description in the bible (CharacterNote's limit; the rules' are shorter)."""
_SCHEMA = schema_of(ScenesAnswer)
SEPARATOR = "* * *"


@dataclass(frozen=True)
class _Unit:
    paragraph: int
    sentence: Sentence
    heading: str
    """A heading or separator just before this sentence ('' when none): a scene must start here."""


@dataclass
class Split:
    """The scenes found: drafts with their heads, the bible, and whether the rules had to step in."""

    drafts: list[SceneDraft]
    heads: list[SceneHead]
    descriptions: dict[str, str]
    fell_back: bool = False


@dataclass
class _Progress:
    starts: dict[int, SceneHead] = field(default_factory=dict)
    """Sentence index -> the head of the scene that starts there."""
    descriptions: dict[str, str] = field(default_factory=dict)
    described: set[str] = field(default_factory=set)
    fell_back: bool = False


class SceneSplitter:
    def __init__(self, agent: Agent[ScenesAnswer], context_tokens: int, answer_tokens: int) -> None:
        self.agent = agent
        self.context_tokens = context_tokens
        self.answer_tokens = answer_tokens

    def split(self, reading: Reading, tally: Tally) -> Split:
        units = _units(reading)
        rules = _rules_starts(reading, units)
        progress = _Progress(descriptions={c.id: c.description for c in reading.characters})
        costs = [estimate_tokens(_line(unit, index)) for index, unit in enumerate(units)]
        budget = self._budget(reading)
        start = 0
        while start < len(units):
            end = chunk(costs, budget, start)
            start = self._chunk(reading, units, start, end, rules, progress, tally)
        progress.starts.setdefault(0, rules.get(0) or next(iter(rules.values())))
        _start_at_headings(units, rules, progress)
        return _drafts(units, progress)

    def _chunk(
        self,
        reading: Reading,
        units: list[_Unit],
        start: int,
        end: int,
        rules: dict[int, SceneHead],
        progress: _Progress,
        tally: Tally,
    ) -> int:
        """Ask about sentences start..end; the index where the next chunk starts."""
        undescribed = [cid for cid in _shown(reading, units, start, end) if cid not in progress.described]
        try:
            answer = self.agent.ask(
                _values(reading, units, start, end, progress),
                _bounded_schema(start, end, undescribed),
                lambda answer: _check(answer, start, end, progress),
                self.answer_tokens,
                tally,
            )
        except AgentFailed as failure:
            _fall_back(start, end, rules, progress, tally, str(failure))
            return end
        choices = answer.scenes
        _describe(answer, progress)
        if end < len(units) and len(choices) > 1:
            end = choices[-1].first - 1  # the last scene may go on past the chunk: read it again next
            choices = choices[:-1]
        for choice in choices:
            progress.starts[choice.first - 1] = _head(choice)
        return end

    def _budget(self, reading: Reading) -> int:
        """Tokens left for the numbered sentences once the instructions, the fullest bible, the
        answer and a re-prompt fit."""
        longest = sorted(reading.characters, key=lambda c: -len(c.id) - len(c.name))[:_BIBLE_SHOWN]
        bible = "\n".join(f"{c.id}: {c.name} - {'x' * _DESCRIPTION_CHARS} (describe)" for c in longest)
        values = {"title": reading.title, "language": reading.language.value, "characters": bible}
        values |= {"sentences": "", "first": "1", "last": "1"}
        overhead = sum(estimate_tokens(message["content"]) for message in self.agent.template.messages(values))
        return max(64, self.context_tokens - self.answer_tokens - REPROMPT_TOKENS - overhead)


# --------------------------------------------------------------------------- the story as units


def _units(reading: Reading) -> list[_Unit]:
    """Every sentence in order, with the heading (or separator) right before it, if any."""
    units: list[_Unit] = []
    heading = ""
    paragraphs = iter(enumerate(reading.paragraphs))
    for block in reading.document.blocks:
        if block.kind is BlockKind.HEADING:
            heading = block.text
        elif block.kind is BlockKind.BREAK:
            heading = heading or SEPARATOR
        else:
            index, paragraph = next(paragraphs)
            for sentence in paragraph.sentences:
                units.append(_Unit(index, sentence, heading))
                heading = ""
    return units


def _line(unit: _Unit, index: int) -> str:
    speakers = [p.speaker_id for p in unit.sentence.pieces if p.dialogue and p.speaker_id]
    line = numbered(index + 1, unit.sentence.text, speakers[0] if speakers else "")
    return f"## {unit.heading}\n{line}" if unit.heading else line


def _rules_starts(reading: Reading, units: list[_Unit]) -> dict[int, SceneHead]:
    """Where the rules would start scenes, with their heads (the fallback, and the headings)."""
    drafts = group_scenes(reading.document.blocks, reading.paragraphs)
    index_of = {id(unit.sentence): index for index, unit in enumerate(units)}
    heads = rules_heads(drafts, reading.hindi)
    return {
        index_of[id(draft.paragraphs[0].sentences[0])]: head
        for draft, head in zip(drafts, heads, strict=True)
        if draft.paragraphs and draft.paragraphs[0].sentences
    }


# --------------------------------------------------------------------------- asking


def _shown(reading: Reading, units: list[_Unit], start: int, end: int) -> list[str]:
    """The characters a chunk names or hears from (the bible shown with it)."""
    text = " ".join(unit.sentence.text for unit in units[start:end])
    return list(dict.fromkeys([*reading.cast.ids_in(text), *_speakers(units[start:end])]))[:_BIBLE_SHOWN]


def _values(reading: Reading, units: list[_Unit], start: int, end: int, progress: _Progress) -> dict[str, str]:
    ids = _shown(reading, units, start, end)
    names = {c.id: c.name for c in reading.characters}
    bible = [
        f"{cid}: {names[cid]} - {progress.descriptions[cid]}{'' if cid in progress.described else ' (describe)'}"
        for cid in ids
    ]
    return {
        "title": reading.title,
        "language": reading.language.value,
        "characters": "\n".join(bible) or "(none named here)",
        "sentences": "\n".join(_line(units[i], i) for i in range(start, end)),
        "first": str(start + 1),
        "last": str(end),
    }


def _speakers(units: list[_Unit]) -> list[str]:
    return [p.speaker_id for u in units for p in u.sentence.pieces if p.dialogue and p.speaker_id]


def _bounded_schema(start: int, end: int, undescribed: list[str]) -> dict[str, object]:
    """Scenes open within the chunk (one per sentence at most); only undescribed characters get a description."""
    schema = bound(_SCHEMA, ["properties", "scenes", "items", "properties", "first"], minimum=start + 1, maximum=end)
    schema = bound(schema, ["properties", "scenes"], maxItems=end - start)
    schema = bound(schema, ["properties", "characters"], maxItems=len(undescribed))
    path = ["properties", "characters", "items", "properties", "id"]
    return bound(schema, path, enum=undescribed) if undescribed else schema


def _check(answer: ScenesAnswer, start: int, end: int, progress: _Progress) -> None:
    """Scenes open at increasing sentence numbers from the chunk's first; settings in English."""
    firsts = [scene.first for scene in answer.scenes]
    if firsts[0] != start + 1:
        raise ValueError(f"the first scene must open at sentence {start + 1}, not {firsts[0]}")
    for before, after in itertools.pairwise(firsts):
        if after <= before:
            raise ValueError(f"each scene must open after the one before: sentence {after} comes after {before}")
    if firsts[-1] > end:
        raise ValueError(f"sentence {firsts[-1]} is past the last sentence given, {end}")
    for scene in answer.scenes:
        english(scene.setting, "the setting")
    for note in answer.characters:
        if note.id not in progress.descriptions:
            raise ValueError(f"{note.id!r} is not a character id from the list")
        english(note.description, f"the description of {note.id}")


def _describe(answer: ScenesAnswer, progress: _Progress) -> None:
    """The first description the model gives a character is its description for good."""
    for note in answer.characters:
        if note.id not in progress.described:
            progress.descriptions[note.id] = " ".join(note.description.split()).rstrip(".")
            progress.described.add(note.id)


def _head(choice: SceneChoice) -> SceneHead:
    look = SceneLook(" ".join(choice.setting.split()), choice.time_of_day, choice.weather, choice.mood)
    return SceneHead(" ".join(choice.title.split()), look, " ".join(choice.summary.split()))


def _fall_back(start: int, end: int, rules: dict[int, SceneHead], progress: _Progress, tally: Tally, why: str) -> None:
    note = f"sentences {start + 1}-{end}: the scene splitter failed ({why}); the rules split them into scenes"
    log.warning(note)
    tally.note(note)
    progress.fell_back = True
    for index in range(start, end):
        if index in rules:
            progress.starts[index] = rules[index]


def _start_at_headings(units: list[_Unit], rules: dict[int, SceneHead], progress: _Progress) -> None:
    """Chapter headings and separators always start a scene; a heading is its title."""
    for index, unit in enumerate(units):
        if not unit.heading:
            continue
        title = "" if unit.heading == SEPARATOR else unit.heading
        head = progress.starts.get(index)
        if head is None:
            progress.starts[index] = _inherit(progress.starts, index, title or _title(rules.get(index)))
        elif title:
            progress.starts[index] = replace(head, title=title)


def _inherit(starts: dict[int, SceneHead], index: int, title: str) -> SceneHead:
    """The head of the scene that ran over index, retitled: a heading cut that scene in two."""
    head = starts[max(i for i in starts if i < index)] if index else starts[0]
    return SceneHead(title or head.title, head.look)


def _title(head: SceneHead | None) -> str:
    return head.title if head else ""


# --------------------------------------------------------------------------- drafts


def _drafts(units: list[_Unit], progress: _Progress) -> Split:
    starts = sorted(progress.starts)
    drafts, heads = [], []
    for first, after in itertools.pairwise([*starts, len(units)]):
        drafts.append(SceneDraft(title=progress.starts[first].title, paragraphs=_paragraphs(units[first:after])))
        heads.append(progress.starts[first])
    return Split(drafts, heads, progress.descriptions, progress.fell_back)


def _paragraphs(units: list[_Unit]) -> list[Paragraph]:
    """Consecutive sentences of one story paragraph stay one paragraph."""
    paragraphs: list[Paragraph] = []
    for _, group in itertools.groupby(units, key=lambda unit: unit.paragraph):
        sentences = [unit.sentence for unit in group]
        paragraphs.append(Paragraph(text=" ".join(s.text for s in sentences), sentences=sentences))
    return paragraphs
