from __future__ import annotations

import re
from pathlib import Path

import pytest

from storyreel.artifacts import ArtifactStore
from storyreel.errors import DiskFull, MissingArtifact, UnsafeArtifactKey
from storyreel.media import ffmpeg
from tests.conftest import SMALL_DISK_BYTES


@pytest.mark.parametrize(
    "key", ["", "../outside.wav", "jobs/../../etc/passwd", "/etc/passwd", "a\\b", "nul\x00byte"]
)
def test_keys_that_leave_the_root_are_refused(store: ArtifactStore, key: str) -> None:
    with pytest.raises(UnsafeArtifactKey):
        store.path(key)


def test_a_symlink_pointing_out_is_refused(store: ArtifactStore, tmp_path: Path) -> None:
    (store.root / "escape").symlink_to(tmp_path)
    with pytest.raises(UnsafeArtifactKey):
        store.path("escape/secret.txt")


def test_write_and_ref(store: ArtifactStore) -> None:
    ref = store.write_bytes("jobs/a/film.srt", b"hello")
    assert ref.key == "jobs/a/film.srt"
    assert ref.size_bytes == 5
    assert ref.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert store.exists("jobs/a/film.srt")


def test_a_failed_write_leaves_nothing_behind(store: ArtifactStore) -> None:
    with pytest.raises(RuntimeError), store.writing("jobs/a/clip.mp4") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("crash mid-write")
    assert not store.exists("jobs/a/clip.mp4")
    assert list((store.root / "jobs" / "a").iterdir()) == []


def test_missing_artifact_names_what_is_missing(store: ArtifactStore) -> None:
    with pytest.raises(MissingArtifact, match=r"clip 'jobs/x\.mp4'"):
        store.existing("jobs/x.mp4", "clip")


def test_a_write_that_fills_the_disk_is_disk_full_and_keeps_what_was_there(small_disk: Path) -> None:
    store = ArtifactStore(small_disk)
    store.write_bytes("jobs/a/speech.wav", b"RIFF" * 1000)
    with pytest.raises(DiskFull, match=r"ran out of space writing 'jobs/a/film.mp4' \(\d+\.\d MiB free\)"):
        store.write_bytes("jobs/a/film.mp4", b"\0" * (2 * SMALL_DISK_BYTES))
    assert not store.path("jobs/a/film.mp4").exists()
    assert sorted(p.name for p in store.path("jobs/a").iterdir()) == ["speech.wav"], "no half-written temp file"
    assert store.path("jobs/a/speech.wav").read_bytes() == b"RIFF" * 1000


NOISE = ["-f", "lavfi", "-i", "nullsrc=s=640x360:d=30,geq=random(1)*255:128:128",
         "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"]
"""Lossless noise: megabytes a second of video."""


def test_ffmpeg_running_out_of_disk_is_disk_full_not_a_tool_failure(small_disk: Path) -> None:
    with pytest.raises(DiskFull, match=r"ffmpeg ran out of disk space: .*No space left on device"):
        ffmpeg([*NOISE, str(small_disk / "noise.mp4")], timeout_s=120)


def test_a_program_filling_the_disk_while_writing_an_artifact_names_the_disk_and_the_key(small_disk: Path) -> None:
    store = ArtifactStore(small_disk)
    said = rf"the artifact disk \({re.escape(str(small_disk))}\) ran out of space writing 'clips/a.mp4'"
    with (
        pytest.raises(DiskFull, match=said),
        store.writing("clips/a.mp4") as tmp,
    ):
        ffmpeg([*NOISE, str(tmp)], timeout_s=120)
    assert list(small_disk.rglob("*.mp4")) == []


def test_under_the_free_space_floor_a_write_is_refused_before_it_starts(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, min_free_mb=10**9)  # a petabyte floor: never met
    started = False
    floor = r"MiB free, under the 1000000000 MiB floor \(STORYREEL_MIN_FREE_MB\)"
    with pytest.raises(DiskFull, match=floor), store.writing("clips/a.mp4"):
        started = True
    assert not started
