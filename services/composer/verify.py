"""Checks on the finished film before anyone gets it. A failed check raises BackendError that
names the check, so the job says what went wrong instead of delivering a broken film."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.composer.ffsyntax import file_url
from storyreel.errors import BackendError
from storyreel.media import SAFE_PROTOCOLS, probe, run_tool


class VerificationFailed(BackendError):
    """The rendered film failed a check; the message names it."""


@dataclass(frozen=True)
class Expected:
    duration_s: float
    frame_s: float
    subtitle_streams: int
    chapters: int


def check_streams(info: dict[str, Any], expected: Expected) -> None:
    counts = Counter(stream.get("codec_type") for stream in info.get("streams", []))
    wanted = {"video": 1, "audio": 1, "subtitle": expected.subtitle_streams}
    found = {kind: counts.get(kind, 0) for kind in wanted}
    if found != wanted:
        raise VerificationFailed(f"stream check failed: expected {wanted} streams, found {found}")


def check_duration(info: dict[str, Any], expected: Expected) -> float:
    """The container's and the picture's length must both be within one frame of the timeline."""
    container = float(info["format"]["duration"])
    video = next(s for s in info["streams"] if s.get("codec_type") == "video")
    picture = float(video.get("duration", container))
    for what, measured in (("film", container), ("picture", picture)):
        if abs(measured - expected.duration_s) > expected.frame_s + 1e-3:
            raise VerificationFailed(
                f"duration check failed: the {what} lasts {measured:.3f} s but the shots add up to"
                f" {expected.duration_s:.3f} s (more than one frame apart)"
            )
    return container


def check_chapters(info: dict[str, Any], expected: Expected) -> None:
    found = len(info.get("chapters", []))
    if found != expected.chapters:
        raise VerificationFailed(f"chapter check failed: expected {expected.chapters} chapters, found {found}")


def verify_film(path: Path, expected: Expected, timeout_s: float) -> float:
    """Run every structural check on the film; returns its measured duration in seconds."""
    info = probe(path, timeout_s)
    check_streams(info, expected)
    duration = check_duration(info, expected)
    check_chapters(info, expected)
    return duration


_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS", re.MULTILINE)


def integrated_loudness(path: Path, timeout_s: float, demuxer: tuple[str, ...] = ()) -> float:
    """EBU R128 integrated loudness of a file's first audio stream, in LUFS (-70 for silence).
    demuxer: input options, e.g. ("-f", "concat", "-safe", "1") for an ffconcat list."""
    result = run_tool(
        [
            "ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
            *SAFE_PROTOCOLS, *demuxer, "-i", file_url(path),
            "-map", "0:a:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-",
        ],
        timeout_s,
    )  # fmt: skip
    match = _INTEGRATED.search(result.stderr.decode("utf-8", "replace"))
    if match is None:
        raise VerificationFailed("loudness check failed: ffmpeg's ebur128 filter reported no integrated loudness")
    return float(match.group(1))


def check_loudness(measured_lufs: float, target_lufs: float, tolerance_lu: float) -> None:
    if not abs(measured_lufs - target_lufs) <= tolerance_lu:
        raise VerificationFailed(
            f"loudness check failed: the audio measures {measured_lufs:.1f} LUFS, target {target_lufs:.1f}"
            f" ± {tolerance_lu:.1f} LU"
        )
