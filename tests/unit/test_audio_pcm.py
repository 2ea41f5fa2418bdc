"""The numpy helpers every audio path shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.audio import pcm

RATE = 22050


def _tone(seconds: float, amplitude: float) -> pcm.Samples:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _dbfs(value: float) -> float:
    return float(20 * np.log10(value))


def test_normalise_reaches_the_target_level_of_the_sound_not_of_the_pauses() -> None:
    sound = np.concatenate([_tone(1.0, 0.05), pcm.silence(RATE * 3)])
    pcm.normalise(sound, RATE, -20.0)
    assert abs(_dbfs(pcm.active_rms(sound, RATE)) - -20.0) < 0.2


def test_normalise_never_pushes_a_peak_past_the_ceiling() -> None:
    spiky = _tone(1.0, 0.01)
    spiky[100] = 0.9
    pcm.normalise(spiky, RATE, -12.0)
    assert _dbfs(pcm.peak(spiky)) == pytest.approx(pcm.PEAK_CEILING_DBFS, abs=1e-3)


def test_normalise_leaves_silence_alone() -> None:
    quiet = pcm.silence(RATE)
    pcm.normalise(quiet, RATE, -20.0)
    assert not quiet.any()


def test_trim_silence_cuts_both_ends_but_keeps_a_margin() -> None:
    padded = np.concatenate([pcm.silence(RATE), _tone(0.5, 0.5), pcm.silence(RATE)])
    trimmed = pcm.trim_silence(padded, RATE)
    assert abs(len(trimmed) - round(0.52 * RATE)) <= 2
    assert pcm.trim_silence(pcm.silence(RATE), RATE).size == 0


def test_fade_starts_and_ends_at_zero_in_every_channel() -> None:
    stereo = np.ones((1000, 2), dtype=np.float32)
    pcm.fade(stereo, 100, 200)
    assert stereo[0].tolist() == [0.0, 0.0]
    assert stereo[-1].tolist() == [0.0, 0.0]
    assert stereo[500].tolist() == [1.0, 1.0]
    assert 0.0 < stereo[-100, 0] < 1.0


def test_fit_length_cuts_or_pads_to_the_exact_frame() -> None:
    stereo = np.ones((1000, 2), dtype=np.float32)
    assert pcm.fit_length(stereo, 700).shape == (700, 2)
    padded = pcm.fit_length(stereo, 1500)
    assert padded.shape == (1500, 2)
    assert not padded[1000:].any()


def test_a_wav_round_trips_in_chunks(tmp_path: Path) -> None:
    stereo = np.stack([_tone(15.0, 0.5), _tone(15.0, -0.25)], axis=1)
    pcm.write_wav(tmp_path / "x.wav", stereo, RATE)
    read, rate = pcm.read_wav(tmp_path / "x.wav")
    assert rate == RATE
    assert np.abs(read - stereo).max() < 1e-4
    assert pcm.wav_duration_s(tmp_path / "x.wav") == len(stereo) / RATE
