"""A user's own music file made into a cue: real files of every accepted kind, encoded by ffmpeg
here; fakes and broken files refused with a reason a user can act on; loops without a gap or a
click."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.audio import measure, pcm, track
from services.audio.backends.cue import SAMPLE_RATE
from services.audio.backends.numpy_synth import NumpyMusic
from services.audio.models import MusicInput
from storyreel.domain import Mood
from storyreel.errors import InvalidInput
from storyreel.media import ffmpeg

LIMITS = track.TrackLimits(max_bytes=20_000_000, crossfade_s=1.0, level_dbfs=-20.0, timeout_s=60)
ENCODINGS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    "ogg": ["-c:a", "libvorbis"],
    "flac": ["-c:a", "flac"],
    "wav": ["-c:a", "pcm_s16le"],
}


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six seconds of real music (the numpy renderer), as a 44.1 kHz stereo WAV that starts and
    ends mid-note, as a song cut from a longer one would: looping it without care would click."""
    folder = tmp_path_factory.mktemp("song")
    NumpyMusic(-18.0).compose(MusicInput(mood=Mood.HAPPY, duration_s=8.0, seed=4, output_key="x.wav"), folder / "c.wav")
    whole, rate = pcm.read_wav(folder / "c.wav")
    pcm.write_wav(folder / "song.wav", whole[rate : 7 * rate], rate)
    return folder / "song.wav"


def _encode(song: Path, folder: Path, kind: str, name: str | None = None) -> Path:
    out = folder / (name or f"upload.{kind}")
    ffmpeg(["-i", str(song), *ENCODINGS[kind], "-f", kind, str(out)], timeout_s=60)
    return out


@pytest.mark.parametrize("kind", list(ENCODINGS))
def test_every_accepted_kind_is_looped_to_the_length_asked(song: Path, tmp_path: Path, kind: str) -> None:
    upload = _encode(song, tmp_path, kind)
    prepared = track.prepare(upload, upload.name, 15.0, tmp_path / "cue.wav", LIMITS)
    samples, rate = pcm.read_wav(tmp_path / "cue.wav")
    assert (rate, samples.shape) == (SAMPLE_RATE, (15 * SAMPLE_RATE, 2))
    assert prepared.duration_s == 15.0
    assert prepared.source_duration_s == pytest.approx(6.0, abs=0.1)  # mp3 adds a few ms of padding
    assert prepared.plays == 3
    assert 20 * np.log10(pcm.active_rms(samples, rate)) == pytest.approx(-20.0, abs=1.5)


def test_a_long_track_is_cut_and_faded_out(song: Path, tmp_path: Path) -> None:
    prepared = track.prepare(song, "song.wav", 4.0, tmp_path / "cue.wav", LIMITS)
    samples, rate = pcm.read_wav(tmp_path / "cue.wav")
    assert prepared.plays == 1 and len(samples) == 4 * rate
    assert np.abs(samples[-10:]).max() < 1e-3


def test_each_return_to_the_start_has_no_gap_and_no_click(song: Path, tmp_path: Path) -> None:
    track.prepare(song, "song.wav", 20.0, tmp_path / "cue.wav", LIMITS)
    looped, rate = pcm.read_wav(tmp_path / "cue.wav")
    original, _ = pcm.read_wav(song)
    levels = measure.block_dbfs(looped[rate : -2 * rate], rate)  # inside the cue's own fades
    assert levels.min() > -40.0
    for join_s in (5.5, 10.5, 15.5):  # the middle of each 1 s crossfade: every play adds 6 s less 1 s
        around = looped[round((join_s - 0.7) * rate) : round((join_s + 0.7) * rate)]
        assert measure.sharpest_edge(around) < 1.5 * measure.sharpest_edge(original)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"This is not music, just a text file with a .mp3 name.\n" * 40, "not a readable audio file"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 64, "cannot be used"),
        (b"", "not a readable audio file"),
    ],
    ids=["text-named-mp3", "id3-header-then-noise", "empty"],
)
def test_a_fake_mp3_is_refused_with_a_clear_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    fake = tmp_path / "my song.mp3"
    fake.write_bytes(content)
    with pytest.raises(InvalidInput, match=reason) as error:
        track.prepare(fake, fake.name, 10.0, tmp_path / "cue.wav", LIMITS)
    assert "'my song.mp3'" in str(error.value)
    assert "Upload an mp3, wav, ogg or flac file" in str(error.value)
    assert not (tmp_path / "cue.wav").exists()


def test_a_truncated_mp3_does_not_decode_cleanly_and_is_refused(song: Path, tmp_path: Path) -> None:
    whole = _encode(song, tmp_path, "mp3").read_bytes()
    broken = tmp_path / "broken.mp3"
    middle = len(whole) // 2
    broken.write_bytes(whole[:middle] + bytes(4096) + b"\xff\xfb\x90" * 300 + whole[middle:])
    with pytest.raises(InvalidInput, match=r"does not decode cleanly|not a readable audio file"):
        track.prepare(broken, broken.name, 10.0, tmp_path / "cue.wav", LIMITS)


def test_a_video_file_named_mp3_is_refused_by_its_content(song: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "song.mp3"
    ffmpeg(["-i", str(song), "-c:a", "aac", "-f", "mp4", str(disguised)], timeout_s=60)
    with pytest.raises(InvalidInput, match="its content is mov,mp4"):
        track.prepare(disguised, disguised.name, 10.0, tmp_path / "cue.wav", LIMITS)


def test_an_upload_over_the_size_cap_is_refused_before_it_is_read(song: Path, tmp_path: Path) -> None:
    small = track.TrackLimits(max_bytes=1000, crossfade_s=1.0, level_dbfs=-20.0, timeout_s=60)
    with pytest.raises(InvalidInput, match="over the limit of 1,000"):
        track.prepare(song, "song.wav", 10.0, tmp_path / "cue.wav", small)


@pytest.mark.parametrize(("seconds", "amplitude", "reason"), [(0.4, 0.5, "less than 1 s"), (3.0, 0.0, "silent")])
def test_a_too_short_or_silent_track_is_refused(tmp_path: Path, seconds: float, amplitude: float, reason: str) -> None:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    tone = (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    path = tmp_path / "tone.wav"
    pcm.write_wav(path, tone, SAMPLE_RATE)
    with pytest.raises(InvalidInput, match=reason):
        track.prepare(path, path.name, 10.0, tmp_path / "cue.wav", LIMITS)


def test_looping_keeps_the_length_and_counts_the_plays() -> None:
    music = np.random.default_rng(1).uniform(-0.5, 0.5, (1000, 2)).astype(np.float32)
    looped, plays = track.loop_to_length(music, 2500, 100)
    assert looped.shape == (2500, 2)
    assert plays == 3  # 900 + 1000 + 1000 frames cover 2500
    assert np.array_equal(looped[:900], music[:900])
    assert np.array_equal(looped[1000:1800], music[100:900])  # the second play, past its crossfade
