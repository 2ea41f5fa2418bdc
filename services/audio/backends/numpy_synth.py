"""Music with numpy alone, for machines without fluidsynth or a soundfont: the same score
(services.audio.score) played by four small wavetable instruments, then levelled and cut to
the exact length (backends.cue). Work is per note, never per sample."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.audio import pcm, score
from services.audio.backends import cue
from services.audio.models import MusicInput

TABLE_SIZE = 4096
ROOM_TAPS = ((0.083, 0.22), (0.131, 0.15))
"""(delay s, gain) echoes, different per ear: a little room, so the tone is not bone-dry."""


@dataclass(frozen=True)
class Timbre:
    harmonics: tuple[float, ...]
    """Amplitude of partials 1, 2, 3...: the tone colour."""
    attack_s: float
    decay_s: float
    """Time constant of the decay after the attack; inf holds the note."""
    release_s: float
    gain: float
    pan: float
    """-1 left, 0 centre, 1 right."""
    detune: float = 0.0
    """A second voice this fraction sharp, for a chorus-like width."""

    def table(self) -> pcm.Samples:
        """One cycle of the waveform."""
        cycle = np.arange(TABLE_SIZE) / TABLE_SIZE
        wave = sum(amp * np.sin(2 * np.pi * (k + 1) * cycle) for k, amp in enumerate(self.harmonics))
        return (np.asarray(wave) / sum(self.harmonics)).astype(np.float32)


TIMBRES = {
    score.Part.PAD: Timbre((1.0, 0.45, 0.25, 0.12, 0.06), 0.35, math.inf, 0.6, 0.22, 0.0, detune=0.004),
    score.Part.BASS: Timbre((1.0, 0.5, 0.15), 0.01, 1.5, 0.08, 0.45, -0.1),
    score.Part.MELODY: Timbre((1.0, 0.35, 0.2, 0.08, 0.04), 0.03, 1.2, 0.15, 0.38, 0.25),
    score.Part.ACCENT: Timbre((1.0, 0.3, 0.1), 0.005, 0.35, 0.1, 0.55, -0.2),
}


def _frequency(pitch: int) -> float:
    return float(440.0 * 2.0 ** ((pitch - 69) / 12))


def _envelope(timbre: Timbre, length_s: float, frames: int) -> pcm.Samples:
    t = np.arange(frames, dtype=np.float32) / cue.SAMPLE_RATE
    shape = np.minimum(t / timbre.attack_s, 1.0)
    if math.isfinite(timbre.decay_s):
        shape *= np.exp(-t / timbre.decay_s)
    shape *= np.clip(1.0 - (t - length_s) / timbre.release_s, 0.0, 1.0)
    return shape.astype(np.float32)


def _oscillator(table: pcm.Samples, frequency: float, frames: int) -> pcm.Samples:
    step = frequency * TABLE_SIZE / cue.SAMPLE_RATE
    index = (np.arange(frames, dtype=np.float64) * step).astype(np.int64) % TABLE_SIZE
    return table[index]


def _play(note: score.Note, timbre: Timbre, table: pcm.Samples) -> pcm.Samples:
    frames = round((note.length_s + timbre.release_s) * cue.SAMPLE_RATE)
    tone = _oscillator(table, _frequency(note.pitch), frames)
    if timbre.detune:
        tone = 0.5 * (tone + _oscillator(table, _frequency(note.pitch) * (1 + timbre.detune), frames))
    loudness = (note.velocity / 127) ** 1.5 * timbre.gain
    return (tone * _envelope(timbre, note.length_s, frames) * np.float32(loudness)).astype(np.float32)


def _pan(timbre: Timbre) -> pcm.Samples:
    """Equal-power left and right gains."""
    angle = (timbre.pan + 1) * math.pi / 4
    return np.array([math.cos(angle), math.sin(angle)], dtype=np.float32)


def _add_room(stereo: pcm.Samples) -> None:
    for ear, (delay_s, gain) in enumerate(ROOM_TAPS):
        delay = round(delay_s * cue.SAMPLE_RATE)
        dry = stereo[:, ear].copy()
        stereo[delay:, ear] += np.float32(gain) * dry[:-delay]


def render(music: score.Score) -> pcm.Samples:
    """The score as stereo samples, long enough for every note's release."""
    frames = round((music.end_s + 1.0) * cue.SAMPLE_RATE)
    stereo = np.zeros((frames, 2), dtype=np.float32)
    tables = {part: timbre.table() for part, timbre in TIMBRES.items()}
    pans = {part: _pan(timbre) for part, timbre in TIMBRES.items()}
    for note in music.notes:
        sound = _play(note, TIMBRES[note.part], tables[note.part])
        start = round(note.start_s * cue.SAMPLE_RATE)
        stereo[start : start + len(sound)] += sound[: frames - start, None] * pans[note.part]
    _add_room(stereo)
    return stereo


class NumpyMusic:
    def __init__(self, level_dbfs: float) -> None:
        self.level_dbfs = level_dbfs

    def compose(self, request: MusicInput, output: Path) -> float:
        music = score.compose(request.mood, request.seed, request.duration_s)
        return cue.finish(render(music), request.duration_s, self.level_dbfs, output)
