"""Both music renderers: exact length, stereo 44.1 kHz, levelled, faded, deterministic."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from services.audio import pcm
from services.audio.backends import make_music_engine
from services.audio.backends.base import MusicEngine
from services.audio.backends.cue import SAMPLE_RATE
from services.audio.backends.fluidsynth import FluidsynthMusic
from services.audio.backends.numpy_synth import NumpyMusic
from services.audio.models import MusicInput
from services.audio.settings import AudioSettings, MusicBackend
from storyreel.domain import Mood
from storyreel.errors import BackendError

SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
LEVEL_DBFS = -20.0
needs_fluidsynth = pytest.mark.skipif(
    shutil.which("fluidsynth") is None or not SOUNDFONT.is_file(), reason="fluidsynth or its soundfont is absent"
)


def _engines() -> list[object]:
    return [
        pytest.param(NumpyMusic(LEVEL_DBFS), id="numpy"),
        pytest.param(FluidsynthMusic("fluidsynth", SOUNDFONT, LEVEL_DBFS, 60), id="fluidsynth", marks=needs_fluidsynth),
    ]


def _render(engine: MusicEngine, tmp_path: Path, mood: Mood, duration_s: float, seed: int = 1, take: int = 0) -> Path:
    output = tmp_path / f"{mood}-{seed}-{duration_s}-{take}.wav"
    written = engine.compose(MusicInput(mood=mood, duration_s=duration_s, seed=seed, output_key="m.wav"), output)
    assert written == pcm.wav_duration_s(output)
    return output


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize("mood", list(Mood))
def test_a_cue_is_exactly_as_long_as_asked_and_audible(engine: MusicEngine, mood: Mood, tmp_path: Path) -> None:
    samples, rate = pcm.read_wav(_render(engine, tmp_path, mood, 6.37))
    assert rate == SAMPLE_RATE
    assert samples.shape == (round(6.37 * SAMPLE_RATE), 2)
    assert 20 * np.log10(pcm.active_rms(samples, rate)) == pytest.approx(LEVEL_DBFS, abs=1.5)
    assert 20 * np.log10(np.abs(samples).max()) <= pcm.PEAK_CEILING_DBFS + 0.01


@pytest.mark.parametrize("engine", _engines())
def test_a_cue_fades_in_and_out_without_a_click(engine: MusicEngine, tmp_path: Path) -> None:
    samples, _ = pcm.read_wav(_render(engine, tmp_path, Mood.EPIC, 8.0))
    assert np.abs(samples[:10]).max() < 1e-3
    assert np.abs(samples[-10:]).max() < 1e-3


@pytest.mark.parametrize("engine", _engines())
def test_the_same_request_gives_the_same_file(engine: MusicEngine, tmp_path: Path) -> None:
    first = _render(engine, tmp_path, Mood.PLAYFUL, 5.0, take=1)
    again = _render(engine, tmp_path, Mood.PLAYFUL, 5.0, take=2)
    other_seed = _render(engine, tmp_path, Mood.PLAYFUL, 5.0, seed=2)
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in (first, again, other_seed)]
    assert digests[0] == digests[1] != digests[2]


@pytest.mark.parametrize("engine", _engines())
def test_music_plays_throughout_a_long_cue(engine: MusicEngine, tmp_path: Path) -> None:
    samples, rate = pcm.read_wav(_render(engine, tmp_path, Mood.MYSTERIOUS, 40.0, seed=11))
    seconds = samples[: 40 * rate].reshape(40, rate, 2)
    loudness_dbfs = 20 * np.log10(np.sqrt(np.mean(seconds[1:-1] ** 2, axis=(1, 2))))
    assert loudness_dbfs.min() > -45.0


def test_auto_takes_numpy_when_the_soundfont_is_missing(tmp_path: Path) -> None:
    settings = AudioSettings(music_backend=MusicBackend.AUTO, soundfont=tmp_path / "none.sf2")
    assert isinstance(make_music_engine(settings), NumpyMusic)


@needs_fluidsynth
def test_auto_takes_fluidsynth_when_it_is_there() -> None:
    assert isinstance(make_music_engine(AudioSettings(music_backend=MusicBackend.AUTO)), FluidsynthMusic)


def test_fluidsynth_without_its_soundfont_says_which_file_is_missing(tmp_path: Path) -> None:
    engine = FluidsynthMusic("fluidsynth", tmp_path / "none.sf2", LEVEL_DBFS, 60)
    with pytest.raises(BackendError, match=r"none\.sf2 is missing"):
        _render(engine, tmp_path, Mood.CALM, 2.0)
