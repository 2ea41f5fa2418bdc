"""Music with MusicGen: the window-and-continue loop on a stand-in model made of sines (what the
loop must do, checked exactly), then transformers' MusicGen for real on a tiny random model
built here from a config (the `tts-gpu` extra; no download)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from services.audio import measure, pcm
from services.audio.backends.cue import SAMPLE_RATE
from services.audio.backends.musicgen import continue_in_windows, mood_prompt, to_cue_rate
from services.audio.models import MusicInput
from services.audio.settings import AudioSettings
from storyreel.domain import Mood

RATE = 32000


class SineModel:
    """Continues a sine from where its context stops, as a model continuing music would; records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []
        self.made = 0

    def __call__(self, context: pcm.Samples | None, seconds: float) -> pcm.Samples:
        self.calls.append((0 if context is None else len(context), seconds))
        start = self.made - (0 if context is None else len(context))
        frames = (0 if context is None else len(context)) + round(seconds * RATE)
        t = (start + np.arange(frames)) / RATE
        self.made = start + frames
        return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[:, None]


def test_windows_continue_from_the_last_context_until_the_cue_is_long_enough() -> None:
    model = SineModel()
    music = continue_in_windows(model, 70 * RATE, RATE, window_s=30.0, context_s=10.0)
    assert model.calls == [(0, 30.0), (10 * RATE, 20.0), (10 * RATE, 20.0)]
    assert len(music) >= 70 * RATE
    reference = SineModel()(None, len(music) / RATE)
    assert np.abs(music - reference).max() < 1e-3  # the joins continue the music seamlessly


def test_a_short_cue_asks_only_for_what_it_needs() -> None:
    model = SineModel()
    continue_in_windows(model, 38 * RATE, RATE, window_s=30.0, context_s=10.0)
    assert model.calls[0] == (0, 30.0)
    assert model.calls[1][1] == pytest.approx(8.05)  # the rest, and the join
    short = SineModel()
    continue_in_windows(short, 5 * RATE, RATE, window_s=30.0, context_s=10.0)
    assert short.calls == [(0, 5.0)]


def test_resampling_to_the_cue_rate_leaves_no_seam() -> None:
    music = SineModel()(None, 65.0)
    stereo = to_cue_rate(music, RATE)
    assert stereo.shape == (65 * SAMPLE_RATE, 2)
    middle = stereo[SAMPLE_RATE:-SAMPLE_RATE]
    assert measure.sharpest_edge(middle) < 1.2 * measure.sharpest_edge(middle[: 10 * SAMPLE_RATE])
    assert measure.block_dbfs(middle, SAMPLE_RATE).min() > -15.0


@pytest.mark.parametrize("mood", list(Mood))
def test_each_mood_asks_for_its_own_instrumental_music(mood: Mood) -> None:
    prompt = mood_prompt(mood)
    assert mood.value in prompt and "bpm" in prompt and "no vocals" in prompt


def test_the_context_must_leave_room_for_new_music_in_each_window() -> None:
    with pytest.raises(ValidationError, match="must be shorter than musicgen_window_s"):
        AudioSettings(musicgen_window_s=10.0, musicgen_context_s=10.0)


# --------------------------------------------------------------------------- the real model, tiny


@pytest.fixture(scope="module")
def tiny_musicgen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("transformers", reason="the `tts-gpu` extra is not installed")
    from services.audio import tiny

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield tiny.build_musicgen(tmp_path_factory.mktemp("tiny-musicgen"))


def _compose(model_dir: Path, output: Path, duration_s: float, seed: int = 3) -> float:
    from services.audio.backends.musicgen import MusicgenOptions, TransformersMusicgen

    engine = TransformersMusicgen(MusicgenOptions(str(model_dir), "cpu", window_s=2.0, context_s=1.0, level_dbfs=-20))
    return engine.compose(MusicInput(mood=Mood.EPIC, duration_s=duration_s, seed=seed, output_key="m.wav"), output)


def test_a_tiny_musicgen_writes_a_cue_of_the_exact_length_over_several_windows(
    tiny_musicgen: Path, tmp_path: Path
) -> None:
    written = _compose(tiny_musicgen, tmp_path / "m.wav", 4.3)
    samples, rate = pcm.read_wav(tmp_path / "m.wav")
    assert (rate, samples.shape) == (SAMPLE_RATE, (round(4.3 * SAMPLE_RATE), 2))
    assert written == pytest.approx(4.3, abs=1e-9)
    assert 20 * np.log10(pcm.active_rms(samples, rate)) == pytest.approx(-20.0, abs=1.5)
    assert 20 * np.log10(pcm.peak(samples)) <= pcm.PEAK_CEILING_DBFS + 0.01


def test_the_same_request_gives_the_same_music(tiny_musicgen: Path, tmp_path: Path) -> None:
    digests = [
        hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav")
        if _compose(tiny_musicgen, path, 1.5, seed=5 if path.stem != "c" else 6)
    ]
    assert digests[0] == digests[1] != digests[2]
