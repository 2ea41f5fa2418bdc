"""The clip a request asks for is checked before anything is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.visual.backends.base import RenderSpec
from storyreel.errors import InvalidInput


def spec(width: int = 1280, height: int = 720, fps: int = 24, duration_s: float = 5.0) -> RenderSpec:
    return RenderSpec(width, height, fps, duration_s, Path("clip.mp4"), Path("key.png"))


def test_frames_are_the_duration_rounded_to_whole_frames() -> None:
    assert spec(duration_s=5.0).frames == 120
    assert spec(fps=25, duration_s=3.23).frames == 81
    assert spec(fps=30, duration_s=60.0).frames == 1800


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"width": 0}, "width must be an even number"),
        ({"height": -720}, "height must be an even number"),
        ({"width": 1281}, "width must be an even number"),
        ({"width": 8192}, "from 2 to 4096"),
        ({"fps": 0}, "fps must be from 1 to 60"),
        ({"fps": 120}, "fps must be from 1 to 60"),
        ({"duration_s": 0.0}, "duration_s must be more than 0"),
        ({"duration_s": -1.0}, "duration_s must be more than 0"),
        ({"duration_s": 61.0}, "at most 60 s"),
        ({"duration_s": float("nan")}, "duration_s must be more than 0"),
        ({"duration_s": 0.01}, "shorter than one frame"),
    ],
)
def test_absurd_requests_are_refused_with_the_reason(kwargs: dict[str, float], reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        spec(**kwargs)  # type: ignore[arg-type]
