"""The rules planner's working shapes: a story read into paragraphs, sentences and pieces.

A piece is what becomes one storyboard Line: a run of narration or of one quoted speech, never
longer than one sentence. A sentence groups the pieces that read as one sentence ("Stay," said
Arjun. -> a dialogue piece and a narration piece), so that condensing drops whole sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storyreel.domain import NARRATOR, Language

WORD = r"[\w\u0900-\u0963\u0966-\u097F]"
"""A word character in English or Hindi: Python's \\w alone splits Devanagari words at vowel signs."""
WORD_RE = re.compile(WORD + "+")


@dataclass
class Piece:
    text: str
    dialogue: bool
    language: Language
    words: int
    speaker_id: str = NARRATOR


@dataclass
class Sentence:
    pieces: list[Piece]

    @property
    def words(self) -> int:
        return sum(piece.words for piece in self.pieces)

    @property
    def text(self) -> str:
        return " ".join(piece.text for piece in self.pieces)


@dataclass
class Quote:
    """One quoted speech in a paragraph, with the narration that names its speaker, if any."""

    pieces: list[Piece]
    clause: str = ""
    continued: bool = False
    """It goes on from the open quote that ended the previous paragraph."""


@dataclass
class Paragraph:
    text: str
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    ends_open: bool = False
    """A quote is still open at the end (the next paragraph goes on speaking)."""
    cue: str = ""
    """A screenplay's dialogue: who speaks it, as the cue line names them."""

    @property
    def words(self) -> int:
        return sum(sentence.words for sentence in self.sentences)

    def pieces(self) -> list[Piece]:
        return [piece for sentence in self.sentences for piece in sentence.pieces]
