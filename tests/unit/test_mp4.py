"""storyreel.mp4 reads a video track as ffprobe describes it: each file here is made by ffmpeg,
then read both ways, and the two must agree."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from storyreel.errors import ToolFailed
from storyreel.media import ffmpeg
from storyreel.mp4 import Mp4Unreadable, VideoTrack, ffprobe_video, probe_video, video_track

TIMEOUT_S = 60.0


def make(path: Path, *, size: str = "64x48", rate: str = "24", frames: int = 12, pix_fmt: str = "yuv420p",
         codec: list[str] | None = None, extra: list[str] | None = None) -> Path:
    encoder = codec or ["-c:v", "libx264", "-preset", "superfast", "-crf", "30"]
    ffmpeg(["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}", "-frames:v", str(frames),
            *encoder, "-pix_fmt", pix_fmt, *(extra or []), "-f", "mp4", str(path)], TIMEOUT_S)
    return path


def ffprobe_track(path: Path) -> VideoTrack:
    track = ffprobe_video(path)
    assert track is not None
    return track


@pytest.mark.parametrize(
    ("size", "rate", "frames", "pix_fmt"),
    [
        ("1280x720", "24", 30, "yuv420p"),  # a clip as the visual service makes it
        ("100x58", "25", 7, "yuv420p"),  # not whole macroblocks: the SPS crops
        ("64x48", "30000/1001", 12, "yuv420p"),
        ("64x48", "24", 12, "yuv444p"),  # High 4:4:4
        ("64x48", "24", 12, "yuv422p"),
        ("64x48", "24", 12, "yuvj420p"),  # full range, said in the VUI
        ("64x48", "24", 12, "yuv420p10le"),  # High 10
        ("64x48", "24", 12, "gray"),
    ],
)
def test_an_h264_track_reads_as_ffprobe_reads_it(tmp_path: Path, size: str, rate: str, frames: int,
                                                  pix_fmt: str) -> None:
    clip = make(tmp_path / "clip.mp4", size=size, rate=rate, frames=frames, pix_fmt=pix_fmt)
    width, height = map(int, size.split("x"))
    track = video_track(clip)
    assert track == ffprobe_track(clip)
    assert track is not None
    assert (track.codec, track.width, track.height, track.frames) == ("h264", width, height, frames)
    assert track.frame_rate == Fraction(rate)


def test_a_clip_with_its_header_first_reads_the_same(tmp_path: Path) -> None:
    clip = make(tmp_path / "fast.mp4", extra=["-movflags", "+faststart"])
    assert video_track(clip) == ffprobe_track(clip)


def test_another_codec_gives_its_name_size_rate_and_frames(tmp_path: Path) -> None:
    clip = make(tmp_path / "mpeg4.mp4", codec=["-c:v", "mpeg4"])
    expected = ffprobe_track(clip)
    track = video_track(clip)
    assert track is not None
    assert track.pix_fmt is None  # only H.264's SPS is read
    assert (track.codec, track.width, track.height, track.frame_rate, track.frames) == (
        expected.codec, expected.width, expected.height, expected.frame_rate, expected.frames)
    assert track.codec == "mpeg4"


def test_a_file_with_sound_only_has_no_video_track(tmp_path: Path) -> None:
    sound = tmp_path / "sound.m4a"
    ffmpeg(["-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", "-f", "mp4", str(sound)], TIMEOUT_S)
    assert video_track(sound) is None
    assert probe_video(sound) is None


def test_a_fragmented_mp4_is_left_to_ffprobe(tmp_path: Path) -> None:
    clip = make(tmp_path / "fragments.mp4", extra=["-movflags", "frag_keyframe+empty_moov"])
    with pytest.raises(Mp4Unreadable, match="fragmented"):
        video_track(clip)
    assert probe_video(clip) == ffprobe_track(clip)


def test_a_clip_cut_short_is_unreadable_both_ways(tmp_path: Path) -> None:
    clip = make(tmp_path / "whole.mp4")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])  # the movie header is at the end
    with pytest.raises(Mp4Unreadable):
        video_track(cut)
    with pytest.raises(ToolFailed):
        probe_video(cut)


@pytest.mark.parametrize("content", [b"", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"\x00\x00\x00\x08ftyp", b"\xff" * 64])
def test_what_is_not_an_mp4_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "not.mp4"
    path.write_bytes(content)
    with pytest.raises(Mp4Unreadable):
        video_track(path)


def test_a_box_claiming_more_than_the_file_holds_is_unreadable(tmp_path: Path) -> None:
    clip = make(tmp_path / "clip.mp4")
    data = bytearray(clip.read_bytes())
    moov = data.index(b"moov") - 4
    data[moov : moov + 4] = (len(data) * 2).to_bytes(4, "big")
    clip.write_bytes(bytes(data))
    with pytest.raises(Mp4Unreadable, match="past the end"):
        video_track(clip)


def test_a_rate_ffprobe_does_not_know_reads_as_zero() -> None:
    assert VideoTrack.from_ffprobe({"codec_name": "h264", "r_frame_rate": "0/0"}).frame_rate == 0
