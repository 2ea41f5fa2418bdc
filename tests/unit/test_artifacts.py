from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.artifacts import ArtifactStore
from storyreel.errors import MissingArtifact, UnsafeArtifactKey


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
