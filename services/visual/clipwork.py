"""ffmpeg work on generated clips: pictures out of them, and segments into one exact clip.

A video model makes clips of a fixed native length and frame rate. A longer shot is made of
several segments, each starting on the previous one's last frame; `stitch` brings each segment
to the clip's frame (scale, then crop the overflow), pixel shape and format, and its frames to
their native times on one common time base (dropping each later segment's first frame, which
repeats that last frame), joins them, converts the rate to the clip's, adds the film look and
stops at exactly the frame count asked for. Segments need not share a size or rate (Wan 2.1 at
832x480 16 fps continued by Wan 2.2 at 1280x704 24 fps). One ffmpeg run, no Python per frame.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageSequence

from services.visual.settings import Retime
from storyreel.errors import BackendError
from storyreel.media import SAFE_PROTOCOLS, ffmpeg, filter_path, run_tool
from storyreel.mp4 import probe_video

if TYPE_CHECKING:  # the backends import this module
    from services.visual.backends.base import Finish, RenderSpec

RETIME_FILTERS = {
    Retime.DUPLICATE: "fps={fps}",
    Retime.BLEND: "framerate=fps={fps}",
    Retime.MOTION: "minterpolate=fps={fps}:mi_mode=mci:mc_mode=aobmc",
}


SHORTEST_FADE_S = 0.0001
"""A shorter fade is none: written as d=0.0000, ffmpeg would take its own default, 25 frames, instead."""

COMMON_TIME_BASE = 720_000
"""Ticks per second of every joined segment: a multiple of 6, 8, 16, 24, 25, 30 and 60 fps."""


@dataclass(frozen=True)
class Segment:
    """A generated clip and the rate its frames play at (the workflow's native $fps)."""

    path: Path
    fps: float


def segments_needed(duration_s: float, first: tuple[int, float], later: tuple[int, float]) -> int:
    """How many clips cover the duration: the first of `first` (frames, fps), then clips of `later`,
    each of which repeats the previous clip's last frame as its first."""
    first_frames, first_fps = first
    later_frames, later_fps = later
    remaining_s = duration_s - first_frames / first_fps
    if remaining_s <= 1e-9 or later_frames < 2:
        return 1
    return 1 + math.ceil(remaining_s / ((later_frames - 1) / later_fps) - 1e-9)


def last_frame(clip: Path, picture: Path, timeout_s: float) -> None:
    """The clip's last frame as a PNG (every frame decoded, the last one kept)."""
    ffmpeg([*SAFE_PROTOCOLS, "-i", str(clip), "-update", "1", "-c:v", "png", str(picture)], timeout_s)


def first_frame(clip: Path, picture: Path, timeout_s: float) -> None:
    ffmpeg([*SAFE_PROTOCOLS, "-i", str(clip), "-frames:v", "1", "-c:v", "png", str(picture)], timeout_s)


def to_png(source: Path, picture: Path, timeout_s: float) -> None:
    """Any picture (or the first frame of a clip) as a PNG."""
    if source.suffix.lower() == ".png":
        picture.write_bytes(source.read_bytes())
    else:
        first_frame(source, picture, timeout_s)


def webp_to_video(source: Path, target: Path, fps: float, timeout_s: float) -> None:
    """An animated WebP (ComfyUI's SaveAnimatedWEBP) as a lossless FFV1 clip at `fps`: ffmpeg
    cannot decode animated WebP, Pillow can. The frames go to ffmpeg as raw RGB over a pipe, so
    the stitch's encode stays the clip's only lossy one."""
    with Image.open(source) as image:
        width, height = image.size
        frames = b"".join(frame.convert("RGB").tobytes() for frame in ImageSequence.Iterator(image))
    if not frames:
        raise BackendError(f"the animated WebP {source.name} has no frames")
    run_tool(
        ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "pipe:0",
         "-c:v", "ffv1", "-pix_fmt", "bgr0", str(target)],
        timeout_s, stdin=frames,
    )


def stitch_filter(segments: list[Segment], spec: RenderSpec, retime: Retime, look: list[str]) -> str:
    """The filter_complex joining the segments (inputs 0..n-1) into the clip spec asks for, ending at [out].

    Each segment is brought to the clip's size, pixel shape and pixel format, and its timestamps
    to its native rate on one time base, before the join: ffmpeg's concat refuses inputs of
    different sizes, so segments from different models would fail. The rate conversion runs once
    over the joined stream: run per segment, minterpolate lost two frames at every join."""
    parts = [f"[{index}:v]{_normalised(segment, spec, later=index > 0)}[s{index}]"
             for index, segment in enumerate(segments)]
    joined = "".join(f"[s{index}]" for index in range(len(segments)))
    chain = [
        f"{joined}concat=n={len(segments)}:v=1:a=0",
        RETIME_FILTERS[retime].format(fps=spec.fps),
        *look,
        "tpad=stop_mode=clone:stop=-1",
        "format=yuv420p",
    ]
    return ";".join([*parts, ",".join(chain) + "[out]"])


def _normalised(segment: Segment, spec: RenderSpec, later: bool) -> str:
    """One segment's filters: its frames at its native rate (a later segment without its first
    frame, which repeats the previous one's last), on the common time base, filling the clip's frame."""
    return ",".join([
        *(["trim=start_frame=1"] if later else []),
        f"settb=1/{COMMON_TIME_BASE}",
        f"setpts=N/({segment.fps:g}*TB)",
        f"scale={spec.width}:{spec.height}:force_original_aspect_ratio=increase:flags=lanczos",
        f"crop={spec.width}:{spec.height}",
        "setsar=1",
        "format=yuv420p",
    ])


def stitch(
    segments: list[Segment], spec: RenderSpec, retime: Retime, look: list[str], encoder: list[str], timeout_s: float
) -> None:
    """Write spec.clip_path: the segments as one clip of exactly spec.frames frames (encoded with `encoder`)."""
    inputs = [arg for segment in segments for arg in (*SAFE_PROTOCOLS, "-i", str(segment.path))]
    graph = stitch_filter(segments, spec, retime, look)
    ffmpeg(
        [
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            "-frames:v",
            str(spec.frames),
            "-r",
            str(spec.fps),
            *encoder,
            "-an",
            "-f",
            "mp4",
            str(spec.clip_path),
        ],
        timeout_s,
    )


def x264(preset: str, crf: int, params: str = "") -> list[str]:
    """The encoder arguments of every clip: H.264 in yuv420p, which every player and the composer read;
    `params` (key=value:..., checked by Finish) adds libx264's own options."""
    extra = ["-x264-params", params] if params else []
    return ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), *extra, "-pix_fmt", "yuv420p"]


def finish_encoder(finish: Finish) -> list[str]:
    """The film's own encoder settings, so the composer can join the clip without encoding it again."""
    return x264(finish.preset, finish.crf, finish.params)


def finish_filters(finish: Finish, subtitles: Path | None, clip_s: float) -> list[str]:
    """The filters finishing a clip of clip_s seconds, after its picture is made: the subtitles
    burned in, then the fades (which take the subtitles to black with the picture, as the film does)."""
    filters = [f"ass=filename={filter_path(subtitles)}"] if subtitles is not None else []
    if finish.fade_in_s >= SHORTEST_FADE_S:
        filters.append(f"fade=t=in:st=0:d={finish.fade_in_s:.4f}")
    if finish.fade_out_s >= SHORTEST_FADE_S:
        start_s = max(0.0, clip_s - finish.fade_out_s)  # ends on the clip's end, as the film's scene change
        filters.append(f"fade=t=out:st={start_s:.4f}:d={finish.fade_out_s:.4f}")
    return filters


@contextmanager
def subtitles_file(finish: Finish, clip_path: Path) -> Iterator[Path | None]:
    """The finish's ASS script as a file beside the clip for libass to read (None when it has no
    subtitles), removed afterwards whether the encode worked or not. It sits in the clip's folder, on
    the artifact disk the clip is written to anyway, under a name no other render uses."""
    if not finish.subtitles_ass:
        yield None
        return
    handle, name = tempfile.mkstemp(prefix=".subtitles-", suffix=".ass", dir=clip_path.parent)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as script:
            script.write(finish.subtitles_ass)
        yield path
    finally:
        path.unlink(missing_ok=True)


def checked_frame_count(spec: RenderSpec) -> int:
    """The frames the MP4 says it holds (from its boxes, no decoding); BackendError unless as asked."""
    video = probe_video(spec.clip_path)
    if video is None:
        raise BackendError("ffmpeg wrote a clip without a video stream")
    made = (video.frames, video.width, video.height)
    if made != (spec.frames, spec.width, spec.height):
        raise BackendError(
            f"ffmpeg wrote {made[0]} frames of {made[1]}x{made[2]}; "
            f"expected {spec.frames} of {spec.width}x{spec.height}"
        )
    return made[0]
