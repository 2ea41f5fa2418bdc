"""bench.render_bench's memory sampler: it finds every process below a tree's root from one pass
over the process table, and says what its sampling cost."""

from __future__ import annotations

import subprocess
import sys

import psutil

from bench.render_bench import PeakMemory, descendants


def test_descendants_are_found_at_every_depth() -> None:
    children = {1: [2, 3], 2: [4], 4: [5], 9: [10]}
    assert sorted(descendants(children, 1)) == [2, 3, 4, 5]
    assert descendants(children, 5) == []


def test_a_trees_peak_counts_its_children() -> None:
    # A child that holds 64 MiB until told to stop, so the sample sees it whatever the machine's speed.
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; block = b'x' * 64 * 2**20; print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        me = psutil.Process()
        with PeakMemory({"this": me.pid}, interval_s=0.01) as memory:
            pass  # it samples at least once, however soon it is stopped
        own = me.memory_info().rss
    finally:
        child.communicate("")
    assert memory.tree_peaks["this"] >= own + 60 * 2**20
    assert memory.peak_bytes == memory.tree_peaks["this"]
    assert memory.cpu_s > 0
