"""Checks on the finished film: each failure names its check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.composer_bench import make_tone
from services.composer.verify import (
    Expected,
    VerificationFailed,
    check_chapters,
    check_duration,
    check_loudness,
    check_streams,
    integrated_loudness,
)
from storyreel.errors import BackendError

EXPECTED = Expected(duration_s=10.0, frame_s=1 / 24, subtitle_streams=1, chapters=2)


def probed(duration: float = 10.0, kinds: tuple[str, ...] = ("video", "audio", "subtitle", "data")) -> dict[str, Any]:
    streams = [{"codec_type": kind, "duration": str(duration)} for kind in kinds]
    return {"format": {"duration": str(duration)}, "streams": streams, "chapters": [{}, {}]}


def test_a_good_film_passes_every_check() -> None:
    info = probed()
    check_streams(info, EXPECTED)
    assert check_duration(info, EXPECTED) == 10.0
    check_chapters(info, EXPECTED)


def test_a_missing_or_extra_stream_fails_the_stream_check() -> None:
    with pytest.raises(VerificationFailed, match=r"stream check failed.*'subtitle': 0"):
        check_streams(probed(kinds=("video", "audio")), EXPECTED)
    with pytest.raises(VerificationFailed, match=r"stream check failed.*'audio': 2"):
        check_streams(probed(kinds=("video", "audio", "audio", "subtitle")), EXPECTED)


def test_a_film_more_than_a_frame_off_fails_the_duration_check() -> None:
    check_duration(probed(10.0 + 1 / 24), EXPECTED)  # one frame is allowed
    with pytest.raises(VerificationFailed, match=r"duration check failed: the film lasts 10\.100 s"):
        check_duration(probed(10.1), EXPECTED)


def test_chapters_are_counted() -> None:
    with pytest.raises(VerificationFailed, match="chapter check failed: expected 3 chapters, found 2"):
        check_chapters(probed(), Expected(10.0, 1 / 24, 1, 3))


def test_loudness_is_measured_in_lufs_and_checked_against_the_target(tmp_path: Path) -> None:
    make_tone(tmp_path / "loud.wav", 3.0, 1000, 48000, 1, volume=1.0)
    make_tone(tmp_path / "quiet.wav", 3.0, 1000, 48000, 1, volume=0.5)
    loud, quiet = integrated_loudness(tmp_path / "loud.wav", 30), integrated_loudness(tmp_path / "quiet.wav", 30)
    assert loud - quiet == pytest.approx(6.0, abs=0.2)
    check_loudness(-16.4, -16.0, 1.0)
    with pytest.raises(BackendError, match=r"loudness check failed: the audio measures -18\.0 LUFS"):
        check_loudness(-18.0, -16.0, 1.0)
