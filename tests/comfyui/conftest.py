"""Fixtures for the ComfyUI tests: a small real picture, the fake server, and the real server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.comfyui import real_comfy
from tests.comfyui.fake_comfy import FakeComfy, Running, serve_in_thread

WORKFLOWS = Path(__file__).resolve().parents[2] / "comfy_workflows"


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
    return {"picture": picture}


@pytest.fixture
def fake_comfy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    yield from serve_in_thread(FakeComfy(tmp_path_factory.mktemp("fake-comfy")))


@pytest.fixture(scope="session")
def comfy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_comfy.RealComfy]:
    """The real ComfyUI, once for the session. Fails (never skips) when it is not installed."""
    reason = real_comfy.missing_install()
    if reason:
        pytest.fail(reason)
    server = real_comfy.start(tmp_path_factory.mktemp("comfyui-base"))
    yield server
    real_comfy.stop(server)
