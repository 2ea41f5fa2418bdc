"""The attempt loop every generative backend (ComfyUI, diffusers) shares: make the shot's keyframe
and segments with the attempt's seed, join them into the clip, check the clip (quality.measure),
and make it again with the next seed while re-rolls are left; the last clip is kept either way.

A backend's shot job supplies the three steps it does its own way (ShotAttempts).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from services.visual.backends.base import RenderResult, RenderSpec
from services.visual.clipwork import Segment, checked_frame_count, to_png
from services.visual.consistency import shot_seed
from services.visual.control import Stage
from services.visual.quality import measure
from storyreel.domain import Scene, Shot

log = logging.getLogger(__name__)

ENCODE_AT = 0.9
"""Progress of a shot when its segments are made; the encode and the check take the rest."""


class ShotAttempts(Protocol):
    shot: Shot
    scene: Scene
    spec: RenderSpec
    attempt: int
    """The attempt under way (1 for the first), set by render_with_rerolls; reported with progress."""

    def generate(self, seed: int) -> tuple[Path, list[Segment]]:
        """The keyframe picture and the segments that together cover the shot."""
        ...

    def finish(self, segments: list[Segment]) -> None:
        """Join the segments into spec.clip_path at the shot's exact frame count and rate."""
        ...

    def report(self, fraction: float, stage: Stage, message: str = "") -> None:
        """Progress; raises RenderCancelled once the caller has cancelled."""
        ...


def render_with_rerolls(job: ShotAttempts, rerolls: int, ffmpeg_timeout_s: float) -> RenderResult:
    for attempt in range(1, rerolls + 2):
        job.attempt = attempt
        seed = shot_seed(job.shot, job.scene, attempt)
        keyframe, segments = job.generate(seed)
        job.report(ENCODE_AT, Stage.ENCODING, f"joining {len(segments)} segment(s) into the clip")
        job.finish(segments)
        job.report(0.95, Stage.CHECKING, "checking the clip")
        problems = measure(job.spec.clip_path).problems()
        if not problems:
            break
        _log_problems(job, problems, seed, last=attempt > rerolls)
    to_png(keyframe, job.spec.keyframe_path, ffmpeg_timeout_s)
    frames = checked_frame_count(job.spec)
    job.report(1.0, Stage.CHECKING, "done")
    return RenderResult(frame_count=frames, duration_s=frames / job.spec.fps)


def _log_problems(job: ShotAttempts, problems: list[str], seed: int, last: bool) -> None:
    log.warning(
        "shot %s, attempt %d (seed %d): the clip is %s; %s", job.shot.id, job.attempt, seed, " and ".join(problems),
        "keeping it: no re-rolls left" if last else "rendering it again with a new seed",
        extra={"attempt": job.attempt, "seed": seed, "problems": problems, "rerolled": not last},
    )  # fmt: skip
    if not last:
        job.report(0.0, Stage.REROLLING, f"re-rolling: the clip was {' and '.join(problems)}")
