"""The simulated backend: a fixed wait that uses no CPU, then a clip that meets the contract."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from services.visual.backends import make_backend
from services.visual.backends.base import RenderSpec
from services.visual.control import RenderCancelled, RenderControl
from services.visual.settings import VisualBackend, VisualSettings
from storyreel.domain import Scene, Shot
from storyreel.media import probe


def _spec(tmp_path: Path) -> RenderSpec:
    return RenderSpec(width=64, height=36, fps=24, duration_s=1.5,
                      clip_path=tmp_path / "clip.mp4", keyframe_path=tmp_path / "key.png")


def test_waits_without_cpu_then_writes_an_exact_clip(tmp_path: Path) -> None:
    backend = make_backend(VisualSettings(simulated_render_s=0.5), VisualBackend.SIMULATED)
    wall, cpu = time.perf_counter(), time.process_time()
    result = backend.render(Shot(id="s01_01"), Scene(id="s01"), [], _spec(tmp_path))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert wall >= 0.5
    assert cpu < 0.3, "the wait must not burn CPU"
    stream = probe(tmp_path / "clip.mp4")["streams"][0]
    assert (stream["width"], stream["height"], int(stream["nb_frames"])) == (64, 36, 36)
    assert result.frame_count == 36
    assert (tmp_path / "key.png").stat().st_size > 0


def test_a_cancelled_render_stops_during_the_wait(tmp_path: Path) -> None:
    backend = make_backend(VisualSettings(simulated_render_s=30), VisualBackend.SIMULATED)
    control = RenderControl()
    threading.Timer(0.2, control.cancel).start()
    started = time.perf_counter()
    with pytest.raises(RenderCancelled):
        backend.render(Shot(id="s01_01"), Scene(id="s01"), [], _spec(tmp_path), control)
    assert time.perf_counter() - started < 2
