"""Fixtures for the ComfyUI tests: small real media, the fake server, and the real server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.comfyui import real_comfy
from tests.comfyui.fake_comfy import FakeComfy, Running, serve_in_thread

WORKFLOWS = Path(__file__).resolve().parents[2] / "comfy_workflows"
CLIP_FRAMES, CLIP_FPS = 16, 8


def make_clip(path: Path, source: str) -> Path:
    """A 2 s clip (16 frames at 8 fps, 96x54) of an ffmpeg test source, as a video model might save it."""
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"{source}s=96x54:r={CLIP_FPS}",
            "-frames:v",
            str(CLIP_FRAMES),
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("comfy-media")
    picture = folder / "keyframe.png"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=160x90",
            "-frames:v",
            "1",
            str(picture),
        ],
        check=True,
    )
    return {
        "moving": make_clip(folder / "moving.mp4", "testsrc2="),
        "black": make_clip(folder / "black.mp4", "color=c=black:"),
        "picture": picture,
    }


@pytest.fixture
def fake_comfy(media: dict[str, Path]) -> Iterator[Running]:
    yield from serve_in_thread(FakeComfy(media["moving"], media["picture"]))


@pytest.fixture(scope="session")
def comfy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_comfy.RealComfy]:
    """The real ComfyUI, once for the session. Fails (never skips) when it is not installed."""
    reason = real_comfy.missing_install()
    if reason:
        pytest.fail(reason)
    server = real_comfy.start(tmp_path_factory.mktemp("comfyui-base"))
    yield server
    real_comfy.stop(server)
