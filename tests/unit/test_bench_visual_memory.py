"""The visual memory benchmark: what it counts, and that it runs and reports both variants."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from bench.visual_memory import rss_past_exec, slope

REPO_ROOT = Path(__file__).resolve().parents[2]


class FakeProcess:
    """The two psutil.Process methods rss_past_exec reads; a gone process raises as psutil does."""

    def __init__(self, argv: list[str], rss: int, gone: bool = False) -> None:
        self.argv, self.rss, self.gone = argv, rss, gone

    def cmdline(self) -> list[str]:
        if self.gone:
            raise psutil.NoSuchProcess(1)
        return self.argv

    def memory_info(self) -> SimpleNamespace:
        if self.gone:
            raise psutil.NoSuchProcess(1)
        return SimpleNamespace(rss=self.rss)


SERVICE = ["python", "-m", "services.visual"]


def test_a_child_not_yet_past_exec_is_not_counted_twice() -> None:
    parent = FakeProcess(SERVICE, 500 << 20)
    assert rss_past_exec(FakeProcess(SERVICE, 500 << 20), parent) == 0
    assert rss_past_exec(FakeProcess(["ffmpeg", "-i", "k.png"], 90 << 20), parent) == 90 << 20
    assert rss_past_exec(FakeProcess(["ffmpeg"], 90 << 20, gone=True), parent) == 0


def test_growth_is_the_least_squares_slope() -> None:
    assert slope([(10, 100.0), (20, 120.0), (30, 140.0)]) == pytest.approx(2.0)
    assert slope([(10, 100.0)]) == 0.0


def test_it_runs_both_variants_and_prints_their_ratio() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.visual_memory", "--story", str(REPO_ROOT / "samples" / "the_lantern_keeper.txt"),
         "--shots", "2", "--batch", "1", "--checkpoints", "1", "2", "--size", "160x90", "--shot-s", "0.5",
         "--compare"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    report = result.stdout
    assert "fixed: this checkout as it is" in report and "old: STORYREEL_VISUAL_MMAP_THRESHOLD_KB=0" in report
    assert report.count("     2 shots  rss") == 2
    assert "peak of the tree, old / fixed: 1 shots " in report
