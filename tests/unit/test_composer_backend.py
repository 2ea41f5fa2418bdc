"""The ffmpeg backend end to end on tiny inputs, and above all its failures: each names the scene
and shot (or music cue) at fault, and no partial output ever appears."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bench.composer_bench import make_clip
from services.composer.backends.ffmpeg import FfmpegComposer
from services.composer.models import ComposeRequest
from services.composer.settings import ComposerSettings
from storyreel.artifacts import ArtifactStore
from storyreel.errors import InvalidInput, MissingArtifact
from storyreel.media import probe
from tests.composer_media import PROFILE, small_request


@pytest.fixture
def composer(store: ArtifactStore) -> FfmpegComposer:
    return FfmpegComposer(ComposerSettings().model_copy(update={"artifact_root": store.root}), store)


@pytest.fixture
def request_(store: ArtifactStore) -> ComposeRequest:
    return small_request(store)


def nothing_delivered(store: ArtifactStore) -> bool:
    scratch = store.root / ".scratch" / "composer"
    leftovers = list(scratch.iterdir()) if scratch.exists() else []
    return not store.exists("out/film.mp4") and not store.exists("out/film.srt") and not leftovers


def test_composes_a_film_as_long_as_its_shots(composer: FfmpegComposer, request_: ComposeRequest) -> None:
    film = composer.compose(request_)
    assert film.duration_s == pytest.approx(6.0, abs=1 / 24)
    assert probe(composer.store.path(film.video_key))["format"]["duration"]
    assert composer.store.exists(film.srt_key)
    assert list((composer.store.root / ".scratch" / "composer").iterdir()) == []  # the work folder is gone


def test_a_missing_clip_is_named_by_shot_and_scene(
    composer: FfmpegComposer, request_: ComposeRequest, store: ArtifactStore
) -> None:
    store.path("in/clip1.mp4").unlink()
    with pytest.raises(MissingArtifact, match=r"clip of shot well_1 \(scene well\) 'in/clip1.mp4' is missing"):
        composer.compose(request_)
    assert nothing_delivered(store)


def test_a_corrupt_clip_is_named_by_shot_and_scene(
    composer: FfmpegComposer, request_: ComposeRequest, store: ArtifactStore
) -> None:
    store.path("in/clip2.mp4").write_bytes(b"\x00not an mp4 at all" * 100)
    with pytest.raises(InvalidInput, match=r"clip of shot lamp_2 \(scene lamp\) \(in/clip2.mp4\) is not a readable"):
        composer.compose(request_)
    assert nothing_delivered(store)


def test_a_clip_shorter_than_its_shot_is_named(
    composer: FfmpegComposer, request_: ComposeRequest, store: ArtifactStore
) -> None:
    make_clip(store.path("in/clip0.mp4"), 1.0, PROFILE.width, PROFILE.height, PROFILE.fps, moving=False)
    with pytest.raises(
        InvalidInput, match=r"clip of shot well_0 \(scene well\) .* lasts 1.000 s but the shot lasts 2.000 s"
    ):
        composer.compose(request_)
    assert nothing_delivered(store)


def test_corrupt_speech_is_named_by_shot_and_scene(
    composer: FfmpegComposer, request_: ComposeRequest, store: ArtifactStore
) -> None:
    store.path("in/speech1.wav").write_bytes(b"RIFF....WAVEjunk" * 50)
    with pytest.raises(InvalidInput, match=r"speech of shot well_1 \(scene well\) \(in/speech1.wav\)"):
        composer.compose(request_)
    assert nothing_delivered(store)


def test_corrupt_music_is_named_by_its_cue(
    composer: FfmpegComposer, request_: ComposeRequest, store: ArtifactStore
) -> None:
    store.path("in/music_lamp.wav").write_bytes(b"junk" * 1000)
    with pytest.raises(InvalidInput, match=r"music cue at 3.5 s \(in/music_lamp.wav\)"):
        composer.compose(request_)
    assert nothing_delivered(store)


def test_output_keys_outside_the_artifact_root_are_refused_before_any_work(
    composer: FfmpegComposer, request_: ComposeRequest, store: ArtifactStore
) -> None:
    with pytest.raises(InvalidInput, match="artifact key"):
        composer.compose(request_.model_copy(update={"video_key": "../escape.mp4"}))
    assert not (store.root.parent / "escape.mp4").exists()


def test_a_shot_without_speech_is_silent_but_still_composed(
    composer: FfmpegComposer, request_: ComposeRequest, tmp_path: Path
) -> None:
    quiet = request_.shots[1].model_copy(update={"speech_key": ""})
    film = composer.compose(request_.model_copy(update={"shots": [request_.shots[0], quiet, request_.shots[2]]}))
    assert film.duration_s == pytest.approx(6.0, abs=1 / 24)


def bottom_and_top(video: Path, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """The frame at `seconds` as pixels: its lower third (where subtitles sit) and its top third."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frame = np.frombuffer(raw, dtype=np.uint8).reshape(PROFILE.height, PROFILE.width).astype(np.int16)
    third = PROFILE.height // 3
    return frame[-third:], frame[:third]


def test_a_profile_that_burns_no_subtitles_keeps_the_soft_track_and_the_srt_and_a_clean_picture(
    store: ArtifactStore, request_: ComposeRequest
) -> None:
    settings = ComposerSettings().model_copy(update={"artifact_root": store.root})
    burned = FfmpegComposer(settings, store).compose(request_)
    burned_copy = store.path("out/burned.mp4")
    store.path(burned.video_key).rename(burned_copy)
    soft = FfmpegComposer(settings.model_copy(update={"burn_subtitles": False}), store).compose(request_)

    streams = [s["codec_type"] for s in probe(store.path(soft.video_key))["streams"]]
    assert streams.count("subtitle") == 1 and streams.count("video") == 1
    assert "किसान" in store.path(soft.srt_key).read_text("utf-8")
    at_cue = 1.0  # the English cue shows from 0.1 s to 1.9 s
    burned_bottom, burned_top = bottom_and_top(burned_copy, at_cue)
    soft_bottom, soft_top = bottom_and_top(store.path(soft.video_key), at_cue)
    assert np.abs(burned_bottom - soft_bottom).mean() > 3 * (np.abs(burned_top - soft_top).mean() + 0.5)
