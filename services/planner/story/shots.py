"""Shots: a scene's pieces packed in order into shots of 3-12 s of expected speech.

A shot closes before it would pass 12 s, and prefers to close at a paragraph, or where another
voice starts, once it holds 3 s. A piece longer than 12 s is split at commas and clauses (at
words when a clause is still too long). Framing follows the shot's job: an establishing shot with
a slow pan opens a scene, a close-up pushes in on one speaker, a wide shot pulls out to close.

Framing follows the frame's shape too. 16:9 is as above. A tall 9:16 frame shows a wide landscape
as mostly sky and ground, so there the opening establishing shot tilts up instead of panning, the
other shots that would be wide are medium, and only close-ups pan (a pan across a narrow frame
shows little of the place; over a face it reads as a glance). A square 1:1 frame is in between:
the same shot types as 16:9, pans on establishing shots and close-ups only, tilts elsewhere.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from services.planner.story.language import count_words
from services.planner.story.model import Paragraph, Piece
from storyreel.domain import NARRATOR, CameraMove, ShotType
from storyreel.profiles import Aspect

MIN_SHOT_S = 3.0
MAX_SHOT_S = 12.0
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")

_ALTERNATE_CAMERA = {
    ShotType.ESTABLISHING: (CameraMove.PAN_RIGHT, CameraMove.PAN_LEFT),
    ShotType.WIDE: (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT, CameraMove.TILT_UP, CameraMove.PULL_OUT),
    ShotType.MEDIUM: (CameraMove.STATIC, CameraMove.PUSH_IN, CameraMove.PAN_RIGHT),
    ShotType.CLOSE_UP: (CameraMove.PUSH_IN, CameraMove.STATIC),
}
_PANS = (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT)
_PANNING = {
    Aspect.WIDE: frozenset(ShotType),
    Aspect.SQUARE: frozenset({ShotType.ESTABLISHING, ShotType.CLOSE_UP}),
    Aspect.TALL: frozenset({ShotType.CLOSE_UP}),
}
"""The shot types that may pan in each frame shape; the others tilt up instead."""


@dataclass
class _Unit:
    piece: Piece
    starts_paragraph: bool
    starts_sentence: bool
    sentence_words: int
    """Words of the whole sentence this unit starts (0 inside a sentence)."""


@dataclass
class ShotDraft:
    pieces: list[Piece]
    seconds: float
    shot_type: ShotType = ShotType.MEDIUM
    camera: CameraMove = CameraMove.STATIC

    def speakers(self) -> list[str]:
        return list(dict.fromkeys(p.speaker_id for p in self.pieces if p.dialogue and p.speaker_id != NARRATOR))

    @property
    def has_dialogue(self) -> bool:
        return any(piece.dialogue for piece in self.pieces)


def pack_shots(paragraphs: list[Paragraph], words_per_second: float) -> list[ShotDraft]:
    """Pieces in order, packed into shots; every piece lands in exactly one shot."""
    max_words = max(1, int(MAX_SHOT_S * words_per_second))
    shots: list[ShotDraft] = []
    current: list[_Unit] = []
    for unit in _units(paragraphs, max_words):
        if current and _closes_before(current, unit, words_per_second):
            shots.append(_draft(current, words_per_second))
            current = []
        current.append(unit)
    if current:
        shots.append(_draft(current, words_per_second))
    return _merge_short_tail(shots, words_per_second)


def frame(
    shots: list[ShotDraft], scene_number: int, characters: list[list[str]], aspect: Aspect = Aspect.WIDE
) -> None:
    """Choose shot type and camera for each shot of a scene, in place, to suit the frame's shape."""
    previous: tuple[ShotType, CameraMove] | None = None
    for index, shot in enumerate(shots):
        shot_type, camera = _shaped(*_framing(shot, index, len(shots), scene_number, characters[index]), aspect)
        if (shot_type, camera) == previous:
            options = list(dict.fromkeys(suited(shot_type, move, aspect) for move in _ALTERNATE_CAMERA[shot_type]))
            camera = options[(options.index(camera) + 1) % len(options)] if camera in options else options[0]
        shot.shot_type, shot.camera = shot_type, camera
        previous = (shot_type, camera)


def suited(shot_type: ShotType, camera: CameraMove, aspect: Aspect) -> CameraMove:
    """The camera move, or a tilt up where the frame's shape does not suit a pan on this shot type."""
    if camera in _PANS and shot_type not in _PANNING[aspect]:
        return CameraMove.TILT_UP
    return camera


def _shaped(shot_type: ShotType, camera: CameraMove, aspect: Aspect) -> tuple[ShotType, CameraMove]:
    """A 16:9 framing made to suit the frame: in a tall one, wide shots (not the opening) are medium."""
    if aspect is Aspect.TALL and shot_type is ShotType.WIDE:
        shot_type = ShotType.MEDIUM
    return shot_type, suited(shot_type, camera, aspect)


def duration(words: int, words_per_second: float) -> float:
    """Expected speech length, clamped to what a shot may last."""
    return round(min(MAX_SHOT_S, max(MIN_SHOT_S, words / words_per_second)), 2)


# --------------------------------------------------------------------------- packing


def _units(paragraphs: list[Paragraph], max_words: int) -> list[_Unit]:
    units: list[_Unit] = []
    for paragraph in paragraphs:
        first_in_paragraph = True
        for sentence in paragraph.sentences:
            first_in_sentence = True
            for piece in sentence.pieces:
                for part in split_long(piece, max_words):
                    words = sentence.words if first_in_sentence else 0
                    units.append(_Unit(part, first_in_paragraph, first_in_sentence, words))
                    first_in_paragraph = first_in_sentence = False
    return units


def split_long(piece: Piece, max_words: int) -> list[Piece]:
    """A piece over max_words, split at clause ends, and at words where a clause is still too long."""
    if piece.words <= max_words:
        return [piece]
    chunks: list[str] = []
    for clause in _CLAUSE_END.split(piece.text):
        if chunks and count_words(chunks[-1]) + count_words(clause) <= max_words:
            chunks[-1] += " " + clause
        else:
            chunks.extend(_split_words(clause, max_words))
    return [Piece(c, piece.dialogue, piece.language, count_words(c), piece.speaker_id) for c in chunks if c.strip()]


def _split_words(text: str, max_words: int) -> list[str]:
    """Even parts of at most max_words words."""
    words = text.split()
    parts = max(1, math.ceil(len(words) / max_words))
    size = math.ceil(len(words) / parts)
    return [" ".join(words[start : start + size]) for start in range(0, len(words), size)]


def _closes_before(current: list[_Unit], unit: _Unit, words_per_second: float) -> bool:
    seconds = sum(u.piece.words for u in current) / words_per_second
    added = unit.piece.words / words_per_second
    if seconds + added > MAX_SHOT_S:
        return True
    if seconds < MIN_SHOT_S:
        return False
    voices = {u.piece.speaker_id for u in current if u.piece.dialogue}
    new_voice = unit.starts_sentence and unit.piece.dialogue and unit.piece.speaker_id not in voices
    sentence_overflows = unit.sentence_words / words_per_second + seconds > MAX_SHOT_S
    return unit.starts_paragraph or new_voice or sentence_overflows


def _draft(units: list[_Unit], words_per_second: float) -> ShotDraft:
    words = sum(unit.piece.words for unit in units)
    return ShotDraft([unit.piece for unit in units], duration(words, words_per_second))


def _merge_short_tail(shots: list[ShotDraft], words_per_second: float) -> list[ShotDraft]:
    """A last shot under 3 s of speech joins the one before when both fit in 12 s."""
    if len(shots) < 2:
        return shots
    last, before = shots[-1], shots[-2]
    words = sum(p.words for p in last.pieces) + sum(p.words for p in before.pieces)
    if sum(p.words for p in last.pieces) / words_per_second < MIN_SHOT_S and words / words_per_second <= MAX_SHOT_S:
        return [*shots[:-2], ShotDraft(before.pieces + last.pieces, duration(words, words_per_second))]
    return shots


# --------------------------------------------------------------------------- framing


def _framing(
    shot: ShotDraft, index: int, count: int, scene_number: int, characters: list[str]
) -> tuple[ShotType, CameraMove]:
    pan = CameraMove.PAN_RIGHT if scene_number % 2 else CameraMove.PAN_LEFT
    if index == 0:
        return ShotType.ESTABLISHING, pan
    speakers = shot.speakers()
    if len(speakers) == 1:
        return ShotType.CLOSE_UP, CameraMove.PUSH_IN
    if len(speakers) > 1 or shot.has_dialogue:
        return ShotType.MEDIUM, CameraMove.STATIC
    if index == count - 1 and count >= 3:
        return ShotType.WIDE, CameraMove.PULL_OUT
    if len(characters) == 1:
        return ShotType.MEDIUM, CameraMove.PUSH_IN
    if characters:
        return ShotType.MEDIUM, CameraMove.STATIC
    return ShotType.WIDE, CameraMove.PAN_LEFT if pan is CameraMove.PAN_RIGHT else CameraMove.PAN_RIGHT
