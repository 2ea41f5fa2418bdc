"""What a viewer would notice, measured with ffprobe/ffmpeg: streams, length, sound, picture."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image, ImageStat

from storyreel.media import probe

VIEWER_STREAMS = ("video", "audio", "subtitle")
"""MP4 chapters also bring a QuickTime chapter track, which ffprobe lists as a data stream."""


def stream_counts(info: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for stream in info["streams"]:
        if stream["codec_type"] in VIEWER_STREAMS:
            counts[stream["codec_type"]] = counts.get(stream["codec_type"], 0) + 1
    return counts


def mean_volume_db(path: Path) -> float:
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-af", "volumedetect",
         "-f", "null", "-"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    match = re.search(r"mean_volume: (-?[\d.]+) dB", result.stderr)
    assert match, result.stderr[-500:]
    return float(match.group(1))


def frame_at(path: Path, seconds: float, out: Path) -> Image.Image:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(path),
         "-frames:v", "1", str(out)],
        check=True, timeout=60,
    )
    return Image.open(out).convert("L")


def mean_brightness(image: Image.Image) -> float:
    return float(ImageStat.Stat(image).mean[0])


def film_report(video: Path) -> dict[str, Any]:
    info = probe(video)
    return {"duration_s": float(info["format"]["duration"]), "streams": stream_counts(info), "info": info}


def frame_hashes(path: Path) -> list[str]:
    """The MD5 of every decoded frame of the first video stream, in order: two files hold the same
    picture exactly when these are equal."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-"],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if line and not line.startswith("#")]
