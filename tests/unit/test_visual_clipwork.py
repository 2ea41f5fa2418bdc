"""Joining generated segments into one exact clip, and taking pictures out of clips."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from services.visual.backends import RenderSpec
from services.visual.clipwork import Segment, last_frame, segments_needed, stitch, x264
from services.visual.settings import Retime


def clip(path: Path, colour: str, frames: int, fps: int, size: str = "96x54") -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c={colour}:s={size}:r={fps}",
            "-frames:v",
            str(frames),
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return path


def probe(path: Path) -> dict[str, object]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    stream: dict[str, object] = json.loads(result.stdout)["streams"][0]
    return stream


@pytest.mark.parametrize(
    ("duration_s", "first", "later", "count"),
    [
        (3.0, (81, 16.0), (81, 16.0), 1),  # 5 s of Wan covers it
        (5.0625, (81, 16.0), (81, 16.0), 1),  # exactly one clip
        (6.0, (81, 16.0), (81, 16.0), 2),
        (10.0, (25, 6.0), (25, 6.0), 3),  # SVD: 4.17 s, then 4 s per later clip
        (6.0, (81, 16.0), (25, 6.0), 2),  # text to video, then SVD
    ],
)
def test_segments_cover_the_shot(
    duration_s: float, first: tuple[int, float], later: tuple[int, float], count: int
) -> None:
    assert segments_needed(duration_s, first, later) == count


@pytest.mark.parametrize("retime", list(Retime))
def test_stitching_gives_exactly_the_frames_size_and_rate(tmp_path: Path, retime: Retime) -> None:
    red, blue = clip(tmp_path / "a.mp4", "red", 16, 8), clip(tmp_path / "b.mp4", "blue", 16, 8)
    spec = RenderSpec(320, 180, 24, 3.5, tmp_path / "out.mp4", tmp_path / "k.png")
    stitch([Segment(red, 8.0), Segment(blue, 8.0)], spec, retime, [], x264("ultrafast", 18), 60)
    video = probe(spec.clip_path)
    assert (video["width"], video["height"], video["r_frame_rate"], video["nb_read_frames"]) == (320, 180, "24/1", "84")


def test_the_second_segment_follows_the_first_without_repeating_its_first_frame(tmp_path: Path) -> None:
    red, blue = clip(tmp_path / "a.mp4", "red", 8, 8), clip(tmp_path / "b.mp4", "blue", 8, 8)
    spec = RenderSpec(64, 36, 8, 15 / 8, tmp_path / "out.mp4", tmp_path / "k.png")
    stitch([Segment(red, 8.0), Segment(blue, 8.0)], spec, Retime.DUPLICATE, [], x264("ultrafast", 18), 60)
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(spec.clip_path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 36, 64, 3).mean(axis=(1, 2))
    reds = [bool(frame[0] > frame[2]) for frame in frames]
    assert reds == [True] * 8 + [False] * 7  # the blue clip's first frame (the shared one) was dropped


def test_the_last_frame_is_the_clips_last(tmp_path: Path) -> None:
    source = tmp_path / "two.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=64x36:r=8:d=1",
            "-f",
            "lavfi",
            "-i",
            "color=c=blue:s=64x36:r=8:d=1",
            "-filter_complex",
            "[0][1]concat=n=2",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(source),
        ],
        check=True,
    )
    last_frame(source, tmp_path / "last.png", 30)
    with Image.open(tmp_path / "last.png") as picture:
        red, _, blue = np.asarray(picture.convert("RGB")).mean(axis=(0, 1))
    assert blue > 150 > red


@pytest.mark.parametrize("retime", list(Retime))
def test_segments_of_different_sizes_and_rates_are_joined_in_time(tmp_path: Path, retime: Retime) -> None:
    """Wan 2.1's 832x480 at 16 fps continued by Wan 2.2's 1280x704 at 24 fps (shrunk here), one in
    yuv444p: each is brought to the clip's size, rate and pixel format before they are joined."""
    red = clip(tmp_path / "a.mp4", "red", 16, 16, size="104x60")  # 1 s
    blue = tmp_path / "b.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=blue:s=160x88:r=24",
         "-frames:v", "25", "-c:v", "libx264", "-pix_fmt", "yuv444p", str(blue)],
        check=True,
    )
    spec = RenderSpec(64, 36, 8, 2.0, tmp_path / "out.mp4", tmp_path / "k.png")
    stitch([Segment(red, 16.0), Segment(blue, 24.0)], spec, retime, [], x264("ultrafast", 18), 60)
    video = probe(spec.clip_path)
    assert (video["width"], video["height"], video["r_frame_rate"], video["nb_read_frames"]) == (64, 36, "8/1", "16")
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(spec.clip_path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 36, 64, 3).mean(axis=(1, 2))
    assert [bool(frame[0] > frame[2]) for frame in frames] == [True] * 8 + [False] * 8  # 1 s of each
