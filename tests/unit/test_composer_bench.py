"""bench/moviepy_compare.py: it skips cleanly without MoviePy, reports both runs and their ratios, and
its MoviePy side really composes the timeline (when MoviePy is installed: the `bench` extra)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import moviepy_compare
from bench.moviepy_compare import REQUEST_FILE, Run, moviepy_installed, report
from storyreel.artifacts import ArtifactStore
from storyreel.media import probe
from tests.composer_media import SHOT_S, small_request

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_without_moviepy_the_comparison_says_how_to_get_it_and_does_nothing_else(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(moviepy_compare, "moviepy_installed", lambda: False)
    monkeypatch.setattr("sys.argv", ["moviepy_compare"])
    moviepy_compare.main()
    assert (
        capsys.readouterr().out == "skipped: MoviePy is not installed; pip install -e '.[bench]' to compare with it\n"
    )


def test_the_report_gives_both_runs_and_the_ratios() -> None:
    ours = Run("storyreel", wall_s=10.0, cpu_s=15.0, peak_mib=400.0, film_s=60.0)
    theirs = Run("moviepy", wall_s=150.0, cpu_s=160.0, peak_mib=800.0, film_s=60.0)
    lines = report(ours, [theirs]).splitlines()
    assert lines[0].startswith("storyreel        film   60.0 s  wall    10.0 s  cpu    15.0 s")
    assert lines[1].startswith("moviepy          film   60.0 s  wall   150.0 s")
    assert lines[2] == "storyreel vs moviepy: 15.0x faster (wall), 10.7x less CPU, 2.0x less memory"


def test_the_moviepy_side_composes_the_same_timeline_with_sound(store: ArtifactStore, artifact_root: Path) -> None:
    """In a child process, as the comparison runs it (MoviePy leaves its readers to the garbage collector)."""
    if not moviepy_installed():
        pytest.skip("MoviePy comes with the bench extra")
    (artifact_root / REQUEST_FILE).write_text(small_request(store).model_dump_json(), "utf-8")
    command = [sys.executable, "-m", "bench.moviepy_compare", "--child", "moviepy", "--root", str(artifact_root)]
    subprocess.run(command, check=True, timeout=120, cwd=REPO_ROOT)
    info = probe(artifact_root / "moviepy.mp4")
    assert float(info["format"]["duration"]) == pytest.approx(sum(SHOT_S), abs=0.1)
    assert sorted(stream["codec_type"] for stream in info["streams"]) == ["audio", "video"]
