"""One continuous score: the cues of adjacent scenes, mixed as the composer mixes them (the next
cue starts one crossfade before the last one ends, a linear fade on each side), join without
a silent gap or a click; and no cue loops audio within its scene."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest

from services.audio import measure, pcm
from services.audio.backends.base import MusicEngine
from services.audio.backends.fluidsynth import FluidsynthMusic
from services.audio.backends.numpy_synth import NumpyMusic
from services.audio.models import MusicInput
from storyreel.domain import Mood

SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
LEVEL_DBFS = -20.0
COMPOSER_CROSSFADE_S = 1.0
GAP_DBFS = -35.0
"""Quieter than this for 50 ms, 15 dB under the cues' level, a listener hears the music stop."""
LOOP_SIMILARITY = 0.95
needs_fluidsynth = pytest.mark.skipif(
    shutil.which("fluidsynth") is None or not SOUNDFONT.is_file(), reason="fluidsynth or its soundfont is absent"
)
SCENE_MOODS = [Mood.CALM, Mood.TENSE, Mood.EPIC, Mood.SAD, Mood.ROMANTIC, Mood.PLAYFUL, Mood.MYSTERIOUS, Mood.HAPPY]
"""A film's scenes: every mood once, so every mood both ends a scene and starts one."""


def _engines() -> list[object]:
    return [
        pytest.param(NumpyMusic(LEVEL_DBFS), id="numpy"),
        pytest.param(FluidsynthMusic("fluidsynth", SOUNDFONT, LEVEL_DBFS, 60), id="fluidsynth", marks=needs_fluidsynth),
    ]


def _cue(engine: MusicEngine, folder: Path, mood: Mood, duration_s: float, seed: int) -> pcm.Samples:
    path = folder / f"{mood}-{seed}-{duration_s}.wav"
    engine.compose(MusicInput(mood=mood, duration_s=duration_s, seed=seed, output_key="m.wav"), path)
    return pcm.read_wav(path)[0]


def mix_as_the_composer(ending: pcm.Samples, starting: pcm.Samples, rate: int) -> pcm.Samples:
    """The end of one scene's cue and the start of the next: overlapped by the crossfade, the
    first faded out and the second faded in, linearly (ffmpeg's afade and acrossfade default)."""
    overlap = round(COMPOSER_CROSSFADE_S * rate)
    ramp = np.linspace(0.0, 1.0, overlap, dtype=np.float32)[:, None]
    joined = ending[-overlap:] * (1 - ramp) + starting[:overlap] * ramp
    return np.concatenate([ending[:-overlap], joined, starting[overlap:]])


@pytest.mark.parametrize("engine", _engines())
def test_every_scene_join_of_a_film_has_no_silent_gap_and_no_click(engine: MusicEngine, tmp_path: Path) -> None:
    rate = 44100
    cues = [_cue(engine, tmp_path, mood, 5.0, seed) for seed, mood in enumerate(SCENE_MOODS)]
    for (before, ending), (after, starting) in itertools.pairwise(zip(SCENE_MOODS, cues, strict=True)):
        mixed = mix_as_the_composer(ending, starting, rate)
        join = len(ending) - round(COMPOSER_CROSSFADE_S * rate)
        around = mixed[join - 2 * rate : join + 3 * rate]  # two seconds either side of the crossfade
        assert measure.block_dbfs(around, rate).min() > GAP_DBFS, f"{before} -> {after}"
        edge = max(measure.sharpest_edge(ending), measure.sharpest_edge(starting))
        assert measure.sharpest_edge(around) <= 1.05 * edge, f"{before} -> {after} clicks"


def test_the_gap_measure_hears_butted_cues_that_fade_to_silence(tmp_path: Path) -> None:
    """The check above can fail: two cues merely butted together, each with its own fade,
    go silent at the join."""
    rate = 44100
    ending, starting = (_cue(NumpyMusic(LEVEL_DBFS), tmp_path, mood, 5.0, 1) for mood in (Mood.SAD, Mood.HAPPY))
    butted = np.concatenate([ending, starting])
    assert measure.block_dbfs(butted[len(ending) - rate : len(ending) + rate], rate).min() < GAP_DBFS


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize("mood", list(Mood))
def test_a_cue_develops_and_never_loops_within_its_scene(engine: MusicEngine, mood: Mood, tmp_path: Path) -> None:
    samples = _cue(engine, tmp_path, mood, 30.0, 7)
    assert measure.loop_similarity(samples, 44100) < LOOP_SIMILARITY


def test_the_loop_measure_hears_a_looped_phrase(tmp_path: Path) -> None:
    samples = _cue(NumpyMusic(LEVEL_DBFS), tmp_path, Mood.PLAYFUL, 10.0, 7)
    looped = np.concatenate([samples[44100 : 5 * 44100]] * 6)
    assert measure.loop_similarity(looped, 44100) > 0.99
