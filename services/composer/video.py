"""ffmpeg arguments for the picture: each segment is decoded, normalised, subtitled (ass filter),
faded at scene changes and encoded once; the segments are then joined without re-encoding and
muxed with the audio, the soft subtitle track and the chapters.

The filter strings hold numbers and server-made, escaped paths only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.composer.ffsyntax import file_url
from services.composer.models import OutputProfile
from services.composer.profiles import Encoding
from services.composer.timeline import Segment, Timeline
from storyreel.media import SAFE_PROTOCOLS, filter_path


@dataclass(frozen=True)
class Fade:
    """A fade through black, in seconds from the segment's start."""

    kind: str  # "in" or "out"
    start_s: float
    duration_s: float

    def filter(self) -> str:
        # `enable` keeps the filter inert outside its window, so several fades can share one chain.
        end_s = self.start_s + self.duration_s
        return (
            f"fade=t={self.kind}:st={self.start_s:.4f}:d={self.duration_s:.4f}"
            f":enable='between(t,{self.start_s:.4f},{end_s:.4f})'"
        )


def segment_fades(segment: Segment, timeline: Timeline, scene_changes_s: list[float], fade_s: float) -> list[Fade]:
    """Fade out before and back in after every scene change that touches the segment."""
    if fade_s <= 0:
        return []
    start = timeline.seconds(segment.start_frame)
    end = timeline.seconds(segment.end_frame)
    fades: list[Fade] = []
    for change in scene_changes_s:
        if start < change <= end:
            fades.append(Fade("out", max(0.0, change - fade_s - start), min(fade_s, change - start)))
        if start <= change < end:
            fades.append(Fade("in", change - start, min(fade_s, end - change)))
    return fades


def segment_filter(profile: OutputProfile, ass_path: Path | None, fades: list[Fade]) -> str:
    """Normalise size, aspect, rate and pixel format, burn the subtitles, then fade.

    Clips come at the profile's size and rate, so the normalising steps pass frames through
    untouched (a `pad` to keep a foreign clip's aspect would copy every frame: 0.5 CPU-s per 2 min
    of 720p); a clip of another size is stretched rather than refused."""
    steps = [f"scale={profile.width}:{profile.height}", "setsar=1", f"fps={profile.fps}", "format=yuv420p"]
    if ass_path is not None:
        steps.append(f"ass=filename={filter_path(ass_path)}")
    steps += [fade.filter() for fade in fades]
    return ",".join(steps)


def encode_segment_argv(
    clip_list: Path, graph: str, keyframes_s: list[float], encoding: Encoding, threads: int, out: Path
) -> list[str]:
    """Encode one segment (an ffconcat list of clips) to a silent H.264 MP4, decoding and encoding
    with `threads` threads. -xerror makes a clip that cannot be read fail the run instead of
    silently ending the segment early."""
    force_keys = ["-force_key_frames", ",".join(f"{t:.4f}" for t in keyframes_s)] if keyframes_s else []
    params = ["-x264-params", encoding.params] if encoding.params else []
    return [
        "-xerror", "-threads", str(threads),
        *SAFE_PROTOCOLS, "-f", "concat", "-safe", "1", "-i", file_url(clip_list),
        "-map", "0:v:0", "-vf", graph, "-an", "-sn",
        "-c:v", "libx264", "-preset", encoding.preset, "-crf", str(encoding.crf), *params,
        "-threads", str(threads), "-pix_fmt", "yuv420p", *force_keys,
        "-f", "mp4", file_url(out),
    ]  # fmt: skip


@dataclass(frozen=True)
class MuxInputs:
    segment_list: Path
    audio: Path
    metadata: Path
    subtitles: Path | None
    subtitle_language: str


def mux_argv(inputs: MuxInputs, out: Path) -> list[str]:
    """Join the encoded segments (stream copy), add the audio, the soft subtitles and the chapters."""
    subtitle_in = [*SAFE_PROTOCOLS, "-f", "srt", "-i", file_url(inputs.subtitles)] if inputs.subtitles else []
    metadata_index = 3 if inputs.subtitles else 2
    subtitle_out = (
        ["-map", "2:s:0", "-c:s", "mov_text", "-metadata:s:s:0", f"language={inputs.subtitle_language}"]
        if inputs.subtitles
        else []
    )
    return [
        *SAFE_PROTOCOLS, "-f", "concat", "-safe", "1", "-i", file_url(inputs.segment_list),
        *SAFE_PROTOCOLS, "-i", file_url(inputs.audio),
        *subtitle_in,
        *SAFE_PROTOCOLS, "-f", "ffmetadata", "-i", file_url(inputs.metadata),
        "-map", "0:v:0", "-map", "1:a:0", *subtitle_out,
        "-map_metadata", str(metadata_index), "-map_chapters", str(metadata_index),
        "-c:v", "copy", "-c:a", "copy",
        "-movflags", "+faststart", "-f", "mp4", file_url(out),
    ]  # fmt: skip
