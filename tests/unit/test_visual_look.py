"""The film look on the animatic: a 2.39:1 letterbox, grain that moves, the vignette switchable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from services.visual.backends import RenderSpec, make_backend
from services.visual.look import Look, letterbox_bar, look_filters
from services.visual.settings import VisualSettings
from storyreel.domain import CameraMove, Scene, Shot, ShotType, TimeOfDay

NOON = Scene(id="s01", setting="the village", time_of_day=TimeOfDay.NOON)
STILL = Shot(id="s01_01", shot_type=ShotType.WIDE, camera=CameraMove.STATIC, seed=1)


def frames(path: Path, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width).astype(np.float32)


def render(tmp_path: Path, **settings: object) -> np.ndarray:
    spec = RenderSpec(320, 180, 24, 0.5, tmp_path / "clip.mp4", tmp_path / "key.png")
    make_backend(VisualSettings.model_validate(settings)).render(STILL, NOON, [], spec)
    return frames(spec.clip_path, 320, 180)


def test_letterbox_bars_leave_a_239_to_1_picture(tmp_path: Path) -> None:
    assert letterbox_bar(1280, 720) == 92 and letterbox_bar(1920, 800) == 0
    video = render(tmp_path, letterbox=True)
    bar = letterbox_bar(320, 180)
    assert bar == 22 and 320 / (180 - 2 * bar) == pytest.approx(2.39, abs=0.05)
    assert video[:, :bar].max() < 20 and video[:, -bar:].max() < 20
    assert video[:, bar + 4 : -bar - 4].mean() > 60


def test_grain_moves_from_frame_to_frame_on_a_still_shot(tmp_path: Path) -> None:
    clean = render(tmp_path, film_grain=0)
    grainy = render(tmp_path, film_grain=12)
    assert np.abs(np.diff(clean, axis=0)).mean() < 0.3
    assert np.abs(np.diff(grainy, axis=0)).mean() > 2


def test_the_vignette_darkens_the_corners_and_can_be_turned_off(tmp_path: Path) -> None:
    def corners_over_middle(video: np.ndarray) -> float:
        corner = video[:, :20, :20].mean()
        return float(corner / video[:, 80:100, 150:170].mean())

    assert corners_over_middle(render(tmp_path, vignette=True)) < corners_over_middle(render(tmp_path, vignette=False))


def test_filters_come_in_order_and_only_when_asked() -> None:
    assert look_filters(Look(), 1280, 720) == []
    grain, vignette, top, bottom = look_filters(Look(grain=6, vignette=True, letterbox=True), 1280, 720)
    assert grain.startswith("noise=") and vignette.startswith("vignette=")
    assert "h=92" in top and "y=ih-92" in bottom

