"""Every line the planner makes can be spoken and cued: a fragment with nothing to say (a lone
quote mark, a brace of JSON, an emoji, a word in a script no voice reads) joins its neighbour.

A line with nothing to say would be silent, and a silent line is a subtitle cue that ends where
it starts, which the composer rightly refuses. So fragments join the line before them (or,
first in their run, the line after), and the words of the story stay in the film's subtitles.
A shot whose lines are all fragments keeps no lines (a shot without words is silent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from services.planner.plan import OutlineLine, OutlineSentence, SceneOutline
from services.planner.story.language import count_words
from services.planner.story.model import Paragraph, Piece, Sentence
from storyreel.domain import Line, Scene
from storyreel.storytext import speakable

T = TypeVar("T")
_ATTACHING = tuple(",.;:!?)]}»”’'\"…।॥")
"""A fragment that starts with one of these follows the text before it without a space."""

__all__ = ["glue", "join_silent", "speakable_lines", "speakable_outline", "speakable_paragraph", "speakable_scene"]


def glue(before: str, after: str) -> str:
    """Two texts as one: "Stop" + "!" -> "Stop!", "{" + "title" -> "{ title"."""
    if not before:
        return after
    if not after:
        return before
    return before + after if after.startswith(_ATTACHING) else f"{before} {after}"


def join_silent(items: Sequence[T], text: Callable[[T], str], joined: Callable[[T, str], T]) -> list[T]:
    """The items whose text is speakable, each with the silent items around it glued on: to the
    item before it, or (at the start) to the first speakable item after. No speakable item: []."""
    kept: list[T] = []
    pending = ""
    for item in items:
        if not speakable(text(item)):
            if kept:
                kept[-1] = joined(kept[-1], glue(text(kept[-1]), text(item)))
            else:
                pending = glue(pending, text(item))
            continue
        kept.append(joined(item, glue(pending, text(item))) if pending else item)
        pending = ""
    return kept


def _line_text(line: Line) -> str:
    return line.text


def _with_text(line: Line, text: str) -> Line:
    return line.model_copy(update={"text": text})


def speakable_lines(lines: Sequence[Line]) -> list[Line]:
    return join_silent(lines, _line_text, _with_text)


def speakable_scene(scene: Scene) -> Scene:
    """The scene with every shot's lines speakable."""
    shots = [shot.model_copy(update={"lines": speakable_lines(shot.lines)}) for shot in scene.shots]
    return scene.model_copy(update={"shots": shots})


def speakable_outline(outline: SceneOutline) -> SceneOutline:
    """The outline with every line speakable; a sentence left without lines goes. An outline with
    nothing at all to say comes back as it is (the servicer refuses it)."""
    entries = [(index, item) for index, item in enumerate(item for s in outline.sentences for item in s.lines)]

    def joined(entry: tuple[int, OutlineLine], new_text: str) -> tuple[int, OutlineLine]:
        index, item = entry
        return index, item.model_copy(update={"line": _with_text(item.line, new_text)})

    survivors = dict(join_silent(entries, lambda entry: entry[1].line.text, joined))
    if not survivors:
        return outline
    sentences: list[OutlineSentence] = []
    index, starts_paragraph = 0, False
    for sentence in outline.sentences:
        lines = []
        for _ in sentence.lines:
            if index in survivors:
                lines.append(survivors[index])
            index += 1
        starts_paragraph = starts_paragraph or sentence.starts_paragraph
        if lines:
            sentences.append(sentence.model_copy(update={"lines": lines, "starts_paragraph": starts_paragraph}))
            starts_paragraph = False
    return outline.model_copy(update={"sentences": sentences})


def speakable_paragraph(paragraph: Paragraph) -> None:
    """The paragraph's pieces made speakable in place; a sentence left without pieces goes."""
    pieces = [(piece, index) for index, sentence in enumerate(paragraph.sentences) for piece in sentence.pieces]

    def joined(entry: tuple[Piece, int], new_text: str) -> tuple[Piece, int]:
        piece = entry[0]
        piece.text, piece.words = new_text, count_words(new_text)
        return entry

    kept = join_silent(pieces, lambda entry: entry[0].text, joined)
    sentences: list[Sentence] = [Sentence([]) for _ in paragraph.sentences]
    for piece, index in kept:
        sentences[index].pieces.append(piece)
    paragraph.sentences = [sentence for sentence in sentences if sentence.pieces]
