"""The visual benchmark runs end to end and reports what it measured."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bench import visual_bench as bench


async def test_the_bench_renders_every_shot_and_prints_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(shots=3, shot_s=0.5, width=160, height=90, fps=24, concurrency=2)
    await bench.bench(args, tmp_path)
    report = capsys.readouterr().out
    assert report.startswith("film 1.5 s")
    assert "CPU per film second" in report and "peak RSS" in report
    assert len(list((tmp_path / "clips").glob("*.mp4"))) == 3
