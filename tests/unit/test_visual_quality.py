"""The quality check: black, flat and frozen clips are caught; real shots (even a stormy night) pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from services.visual.backends import RenderSpec, make_backend
from services.visual.quality import measure
from services.visual.settings import VisualSettings
from storyreel.domain import CameraMove, Scene, Shot, ShotType, TimeOfDay, Weather


def lavfi_clip(path: Path, source: str, frames: int = 24) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            source,
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


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("color=c=black:s=160x90:r=24", "mostly black"),
        ("color=c=0x808080:s=160x90:r=24", "flat"),
        ("testsrc2=s=160x90:r=24,trim=end_frame=1,loop=loop=-1:size=1", "frozen"),
    ],
)
def test_a_bad_clip_is_named_for_what_is_wrong(tmp_path: Path, source: str, problem: str) -> None:
    problems = measure(lavfi_clip(tmp_path / "bad.mp4", source)).problems()
    assert any(found.startswith(problem) for found in problems), problems


def test_a_moving_clip_passes(tmp_path: Path) -> None:
    stats = measure(lavfi_clip(tmp_path / "good.mp4", "testsrc2=s=160x90:r=24"))
    assert stats.frames == 24 and stats.problems() == []


def test_the_animatics_darkest_moving_shot_passes(tmp_path: Path) -> None:
    spec = RenderSpec(320, 180, 24, 1.0, tmp_path / "clip.mp4", tmp_path / "key.png")
    night = Scene(id="s01", setting="the hill", time_of_day=TimeOfDay.NIGHT, weather=Weather.STORM)
    shot = Shot(id="s01_01", shot_type=ShotType.WIDE, camera=CameraMove.PAN_RIGHT, seed=2)
    make_backend(VisualSettings(film_grain=0)).render(shot, night, [], spec)
    assert measure(spec.clip_path).problems() == []
