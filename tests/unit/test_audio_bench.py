"""The audio benchmark runs every backend it can and reports a real-time factor for each."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import audio_bench as bench


def test_the_bench_measures_every_backend_this_machine_has(tmp_path: Path) -> None:
    rows = bench.run(argparse.Namespace(music_s=1.5, repeat=1, parler_line_s=0.3), tmp_path)
    table = bench.report(rows)
    assert table.splitlines()[0].split() == ["backend", "what", "audio", "s", "wall", "s", "load", "s", "x", "real"]
    measured = {(row.backend, row.what): row for row in rows if not row.note}
    assert {("espeak-ng", "speech en"), ("espeak-ng", "speech hi"), ("numpy", "music"), ("user track", "music")} <= set(
        measured
    )
    assert measured[("numpy", "music")].audio_s == 1.5
    assert all(row.audio_s > 0 and row.wall_s > 0 for row in measured.values())
    assert all(row.note.startswith("skipped: ") for row in rows if row not in measured.values())
