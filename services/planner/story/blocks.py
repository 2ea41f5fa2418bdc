"""A story read as a run of blocks: headings, scene breaks and paragraphs (narration, or a
screenplay's dialogue with the name of who speaks it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storyreel.domain import TimeOfDay


class BlockKind(StrEnum):
    HEADING = "heading"
    BREAK = "break"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Slug:
    """What a screenplay's slugline says: 'INT. KITCHEN - NIGHT' -> kitchen, interior; night."""

    setting: str
    time_of_day: TimeOfDay | None
    """None for CONTINUOUS, LATER, or no time given: the scene keeps the time before it."""


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    cue: str = ""
    """A screenplay's dialogue paragraph: the speaker's name from the cue line ('Meera')."""
    slug: Slug | None = None
    """A screenplay's scene heading: its setting and time."""


@dataclass(frozen=True)
class Document:
    title: str
    blocks: list[Block]

    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind is BlockKind.PARAGRAPH]
