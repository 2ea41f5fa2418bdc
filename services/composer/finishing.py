"""Finished clips: how each shot's clip must look for the film to need no second encode.

The composer's one encode of a segment burns the subtitles, fades at scene changes and encodes
with the film's settings. A visual service that encodes its clips itself (the animatic) can do
all three in its own single ffmpeg run, if told how: `shot_finishes` says it per shot, and a
segment whose clips all carry the tag of that finish is joined by stream copy (`copy_argv`).
Measured with `python -m bench.one_encode` (12 animatic shots, 720p, single-threaded): 0.226
CPU-s per film second against 0.390 for the two encodes, and closer to a lossless rendering
(PSNR 49.4 against 42.9 dB), because every frame is compressed once.

A shot's finish is its own: its subtitle events (cues lie inside their shot), a fade in when a
new scene starts with it and a fade out when the next shot starts one. The tag is a digest of
all of it with the frame and the frame count, so a clip finished for other settings is never
joined as if it were right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from services.composer.ffsyntax import file_url
from services.composer.models import ClipFinish
from services.composer.parts import digest
from services.composer.profiles import RenderProfile
from services.composer.subtitles import SubtitleEvent, ass_document
from services.composer.timeline import PlacedShot, Timeline
from storyreel.errors import InvalidInput
from storyreel.media import SAFE_PROTOCOLS
from storyreel.mp4 import probe_video


@dataclass(frozen=True)
class FinishLook:
    """What the film settings say about finishing: the subtitles' font and the scene fade."""

    font: str
    fade_s: float


def shot_finishes(
    timeline: Timeline, events: Sequence[SubtitleEvent], profile: RenderProfile, look: FinishLook
) -> list[ClipFinish]:
    """Every shot's finish, in the film's order."""
    shots = timeline.shots
    return [
        _finish(placed, timeline, _events_in(placed, timeline, events), profile, look,
                fades_in=index > 0 and shots[index - 1].shot.scene_id != placed.shot.scene_id,
                fades_out=index + 1 < len(shots) and shots[index + 1].shot.scene_id != placed.shot.scene_id)
        for index, placed in enumerate(shots)
    ]  # fmt: skip


def _events_in(placed: PlacedShot, timeline: Timeline, events: Sequence[SubtitleEvent]) -> list[SubtitleEvent]:
    start_s, end_s = timeline.seconds(placed.start_frame), timeline.seconds(placed.end_frame)
    return [event for event in events if start_s <= event.start_s < end_s]


def _finish(
    placed: PlacedShot,
    timeline: Timeline,
    events: list[SubtitleEvent],
    profile: RenderProfile,
    look: FinishLook,
    fades_in: bool,
    fades_out: bool,
) -> ClipFinish:
    shot_s = timeline.seconds(placed.frames)
    fade_s = min(look.fade_s, shot_s / 2)  # a shot shorter than two fades still fits both
    ass = ""
    if events and profile.burn_subtitles:
        style = profile.subtitles
        ass = ass_document(
            events, profile.frame, look.font, timeline.seconds(placed.start_frame), style.size, style.position
        )
    encoding, frame = profile.encoding, profile.frame
    finish = {
        "subtitles_ass": ass,
        "fade_in_s": round(fade_s, 4) if fades_in else 0.0,
        "fade_out_s": round(fade_s, 4) if fades_out else 0.0,
        "x264_preset": encoding.preset,
        "x264_crf": encoding.crf,
        "x264_params": encoding.params,
    }
    tag = digest("finish", {**finish, "frame": [frame.width, frame.height, frame.fps], "frames": placed.frames})
    return ClipFinish(**finish, tag=tag)  # type: ignore[arg-type]


def finished_segment(shots: Sequence[PlacedShot], finishes: Sequence[ClipFinish]) -> bool:
    """True when every clip of these shots was finished as the film needs it now (join them);
    False when none says it was (encode them). A clip finished for other settings, or a run that
    mixes both kinds, is InvalidInput: encoding a finished clip again would burn its subtitles twice."""
    tags = [placed.shot.finish_tag for placed in shots]
    for placed in shots:
        wanted = finishes[placed.index].tag
        if placed.shot.finish_tag and placed.shot.finish_tag != wanted:
            raise InvalidInput(
                f"the clip of {placed.shot.label} was finished for other settings (finish tag"
                f" {placed.shot.finish_tag}, the film's is {wanted}): render the shot again with Finish's answer"
            )
    if all(tags):
        return True
    if any(tags):
        finished = next(placed for placed in shots if placed.shot.finish_tag)
        plain = next(placed for placed in shots if not placed.shot.finish_tag)
        raise InvalidInput(
            f"{finished.shot.label} has a finished clip but {plain.shot.label}, in the same stretch of film, has a"
            " plain one: finish every clip of a film or none"
        )
    return False


def copy_argv(clip_list: Path, out: Path) -> list[str]:
    """Join finished clips (an ffconcat list) into a segment without re-encoding a frame."""
    return [
        *SAFE_PROTOCOLS, "-f", "concat", "-safe", "1", "-i", file_url(clip_list),
        "-map", "0:v:0", "-an", "-sn", "-c:v", "copy", "-f", "mp4", file_url(out),
    ]  # fmt: skip


def check_finished_clip(path: Path, placed: PlacedShot, profile: RenderProfile, timeout_s: float) -> None:
    """A finished clip is joined as it is, so it must be the film's kind of picture: H.264 in
    yuv420p at the film's size and rate, with the shot's frames. InvalidInput names what differs."""
    video = probe_video(path, timeout_s)
    frame = profile.frame
    found = (
        (video.codec, video.pix_fmt, video.width, video.height, video.frame_rate, video.frames)
        if video is not None
        else (None, None, None, None, None, 0)
    )
    wanted = ("h264", "yuv420p", frame.width, frame.height, Fraction(frame.fps), placed.frames)
    if found != wanted:
        names = ("codec", "pixel format", "width", "height", "frame rate", "frames")
        differs = ", ".join(
            f"{name} {got} (the film needs {want})"
            for name, got, want in zip(names, found, wanted, strict=True)
            if got != want
        )
        raise InvalidInput(f"the finished clip of {placed.shot.label} cannot be joined as it is: {differs}")
