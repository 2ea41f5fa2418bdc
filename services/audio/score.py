"""A procedural score for a scene's mood: the notes, before any synthesiser plays them.

Each mood has a style (tempo, key, mode, chord progressions, General MIDI instruments,
loudness). The score is built bar by bar in sections of eight bars; every section draws its
own progression, texture and loudness, and the melody is a seeded random walk over the
scale, so a cue does not repeat itself. The same (mood, seed, duration) gives the same notes.
Both renderers (fluidsynth and numpy) play this one score.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

from storyreel.domain import Mood

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
DORIAN = (0, 2, 3, 5, 7, 9, 10)
PHRYGIAN = (0, 1, 3, 5, 7, 8, 10)
BEATS_PER_BAR = 4
SECTION_BARS = 8
INTRO_BARS = 1
"""Bars of harmony alone before the tune comes in."""


class Part(StrEnum):
    PAD = "pad"
    BASS = "bass"
    MELODY = "melody"
    ACCENT = "accent"


@dataclass(frozen=True)
class MoodStyle:
    tempo_bpm: float
    tonic: int
    """MIDI note of the key's tonic in the middle octave (60 is middle C)."""
    scale: tuple[int, ...]
    progressions: tuple[tuple[int, ...], ...]
    """Chord roots as scale degrees (0 = tonic); each section plays one of these."""
    programs: dict[Part, int]
    """General MIDI program (0-based) per part; a part not named here is silent."""
    velocity: int
    melody_density: float
    """Chance that a melody note starts on a given half beat."""
    arpeggio: bool
    """Pad as broken chords in eighth notes instead of held chords."""
    bass_beats: tuple[int, ...] = (0,)


STYLES: dict[Mood, MoodStyle] = {
    Mood.CALM: MoodStyle(
        72, 62, MAJOR, ((0, 4, 5, 3), (0, 3, 0, 4), (5, 3, 0, 4)),
        {Part.PAD: 89, Part.BASS: 42, Part.MELODY: 73}, 58, 0.28, False,
    ),
    Mood.HAPPY: MoodStyle(
        112, 67, MAJOR, ((0, 3, 4, 0), (0, 5, 3, 4), (3, 4, 0, 5)),
        {Part.PAD: 24, Part.BASS: 32, Part.MELODY: 0}, 82, 0.5, True, (0, 2),
    ),
    Mood.SAD: MoodStyle(
        64, 57, MINOR, ((0, 5, 2, 6), (0, 3, 4, 0), (5, 3, 0, 4)),
        {Part.PAD: 49, Part.BASS: 43, Part.MELODY: 42}, 56, 0.22, False,
    ),
    Mood.TENSE: MoodStyle(
        100, 64, PHRYGIAN, ((0, 1, 0, 6), (0, 5, 1, 0), (3, 1, 0, 0)),
        {Part.PAD: 92, Part.BASS: 43, Part.MELODY: 45, Part.ACCENT: 47}, 76, 0.45, True, (0, 1, 2, 3),
    ),
    Mood.MYSTERIOUS: MoodStyle(
        60, 61, DORIAN, ((0, 3, 0, 6), (0, 1, 3, 0), (5, 3, 6, 0)),
        {Part.PAD: 94, Part.BASS: 43, Part.MELODY: 8}, 56, 0.2, False,
    ),
    Mood.ROMANTIC: MoodStyle(
        76, 65, MAJOR, ((0, 5, 1, 4), (0, 2, 3, 4), (3, 4, 2, 5)),
        {Part.PAD: 48, Part.BASS: 42, Part.MELODY: 40}, 64, 0.32, False, (0, 2),
    ),
    Mood.EPIC: MoodStyle(
        88, 62, MINOR, ((0, 5, 2, 6), (0, 6, 5, 6), (5, 6, 0, 0)),
        {Part.PAD: 48, Part.BASS: 43, Part.MELODY: 60, Part.ACCENT: 47}, 92, 0.38, False, (0, 2),
    ),
    Mood.PLAYFUL: MoodStyle(
        126, 60, MAJOR, ((0, 3, 4, 0), (0, 1, 4, 0), (3, 0, 4, 0)),
        {Part.PAD: 45, Part.BASS: 32, Part.MELODY: 13}, 78, 0.55, True, (0, 2),
    ),
}


@dataclass(frozen=True)
class Note:
    start_s: float
    length_s: float
    pitch: int
    velocity: int
    part: Part


@dataclass(frozen=True)
class Score:
    style: MoodStyle
    notes: list[Note]

    @property
    def end_s(self) -> float:
        return max((note.start_s + note.length_s for note in self.notes), default=0.0)


def _pitch(style: MoodStyle, degree: int, octave: int = 0) -> int:
    """The MIDI note of a scale degree (any integer; 7 is the tonic an octave up)."""
    steps = len(style.scale)
    return style.tonic + 12 * (octave + degree // steps) + style.scale[degree % steps]


def _chord(style: MoodStyle, root: int) -> list[int]:
    """Triad on a scale degree, voiced around the middle octave."""
    return [_pitch(style, root + third, -1 if root >= 4 else 0) for third in (0, 2, 4)]


@dataclass
class _Section:
    progression: tuple[int, ...]
    loudness: float
    melody: bool
    arpeggio_up: bool


def _section(style: MoodStyle, rng: random.Random, index: int) -> _Section:
    return _Section(
        progression=rng.choice(style.progressions),
        loudness=rng.uniform(0.8, 1.05),
        melody=index == 0 or rng.random() < 0.8,  # now and then a section of harmony alone, for breath
        arpeggio_up=rng.random() < 0.5,
    )


def _velocity(style: MoodStyle, section: _Section, rng: random.Random, scale: float = 1.0) -> int:
    return max(1, min(127, round(style.velocity * section.loudness * scale + rng.uniform(-6, 6))))


def _pad(style: MoodStyle, section: _Section, chord: list[int], bar_start: float, rng: random.Random) -> list[Note]:
    bar_s = BEATS_PER_BAR * 60.0 / style.tempo_bpm
    if not style.arpeggio:
        # Held a little past the bar line so consecutive chords overlap (legato, no gap).
        return [Note(bar_start, bar_s * 1.05, pitch, _velocity(style, section, rng, 0.8), Part.PAD) for pitch in chord]
    order = [*chord, chord[0] + 12] if section.arpeggio_up else [chord[0] + 12, *reversed(chord)]
    eighth = bar_s / 8
    pitches = [order[step % len(order)] for step in range(8)]
    return [
        Note(bar_start + step * eighth, eighth * 1.5, pitch, _velocity(style, section, rng, 0.75), Part.PAD)
        for step, pitch in enumerate(pitches)
    ]


def _bass(style: MoodStyle, section: _Section, root: int, bar_start: float, rng: random.Random) -> list[Note]:
    beat_s = 60.0 / style.tempo_bpm
    gaps = [*style.bass_beats[1:], BEATS_PER_BAR]
    pitch = _pitch(style, root, -2)
    return [
        Note(bar_start + beat * beat_s, (end - beat) * beat_s * 0.95, pitch, _velocity(style, section, rng), Part.BASS)
        for beat, end in zip(style.bass_beats, gaps, strict=True)
    ]


class _Melody:
    """A random walk over the scale that leans towards the chord's tones on strong beats."""

    def __init__(self, style: MoodStyle, rng: random.Random) -> None:
        self.style = style
        self.rng = rng
        self.degree = 7 + rng.choice((0, 2, 4))

    def bar(self, section: _Section, root: int, bar_start: float) -> list[Note]:
        half_beat = 30.0 / self.style.tempo_bpm
        notes: list[Note] = []
        step = 0
        while step < 2 * BEATS_PER_BAR:
            if self.rng.random() >= self.style.melody_density:
                step += 1
                continue
            length = min(self.rng.choice((1, 2, 2, 3, 4)), 2 * BEATS_PER_BAR - step)
            self._move(root, strong=step % 4 == 0)
            pitch, velocity = _pitch(self.style, self.degree), _velocity(self.style, section, self.rng, 0.95)
            notes.append(Note(bar_start + step * half_beat, length * half_beat, pitch, velocity, Part.MELODY))
            step += length
        return notes

    def _move(self, root: int, strong: bool) -> None:
        if strong:
            chord_tones = [root + third + 7 * octave for third in (0, 2, 4) for octave in (0, 1, 2)]
            self.degree = min(chord_tones, key=lambda tone: (abs(tone - self.degree), tone))
        else:
            self.degree += self.rng.choice((-2, -1, -1, 1, 1, 2))
        self.degree = max(4, min(13, self.degree))  # keep the tune in a singable range


def _accent(style: MoodStyle, section: _Section, root: int, bar_start: float, rng: random.Random) -> list[Note]:
    """Timpani on about half the downbeats, where the style has them."""
    if Part.ACCENT not in style.programs or rng.random() < 0.5:
        return []
    velocity = _velocity(style, section, rng, 0.9)
    return [Note(bar_start, 60.0 / style.tempo_bpm, _pitch(style, root, -2), velocity, Part.ACCENT)]


def compose(mood: Mood, seed: int, duration_s: float) -> Score:
    """Notes for at least duration_s seconds of music (the renderer trims to the exact length)."""
    style = STYLES[mood]
    rng = random.Random(f"{mood.value}:{seed}")
    bar_s = BEATS_PER_BAR * 60.0 / style.tempo_bpm
    melody = _Melody(style, rng)
    notes: list[Note] = []
    section = _section(style, rng, 0)
    for bar in range(math.ceil(duration_s / bar_s) + 1):
        if bar % SECTION_BARS == 0 and bar:
            section = _section(style, rng, bar // SECTION_BARS)
        root = section.progression[bar % len(section.progression)]
        start = bar * bar_s
        notes += _pad(style, section, _chord(style, root), start, rng)
        notes += _bass(style, section, root, start, rng)
        notes += _accent(style, section, root, start, rng)
        if section.melody and bar >= INTRO_BARS:
            notes += melody.bar(section, root, start)
    return Score(style, notes)
