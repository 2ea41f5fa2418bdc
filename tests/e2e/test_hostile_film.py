"""End to end: the nastiest story the door accepts (quotes inside quotes, JSON, ffmpeg
metacharacters, NUL and control characters, Hindi and English mixed) becomes a real film through
every real service, its subtitles holding the text literally."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storyreel.domain import Storyboard
from tests.conftest import REPO_ROOT
from tests.e2e.film_checks import film_report, mean_volume_db

pytestmark = pytest.mark.e2e

HOSTILE = REPO_ROOT / "tests" / "hostile" / "stories"
PARTS = ("quotes_inside_quotes.txt", "json_minified.txt", "ffmpeg_metacharacters.txt", "nul_inside.txt",
         "mixed_hindi_english.txt")


def test_the_nastiest_accepted_story_becomes_a_film(tmp_path: Path) -> None:
    story = tmp_path / "nasty.txt"
    story.write_bytes(b"\n\n".join((HOSTILE / name).read_bytes() for name in PARTS))
    out_dir = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "cli", "render", str(story), "-o", str(out_dir / "film.mp4"),
         "--work-dir", str(tmp_path / "work"), "--profile", "preview"],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    board = Storyboard.model_validate(json.loads((out_dir / "film.storyboard.json").read_text()))
    report = film_report(out_dir / "film.mp4")
    assert report["streams"] == {"video": 1, "audio": 1, "subtitle": 1}
    assert report["duration_s"] == pytest.approx(board.total_duration_s(), abs=0.2)
    assert mean_volume_db(out_dir / "film.mp4") > -40.0
    srt = (out_dir / "film.srt").read_text("utf-8")
    cues = [block for block in srt.strip().split("\n\n") if block]
    assert len(cues) >= sum(len(shot.lines) for shot in board.shots())
    for literal in ("100% [true]", "\\N\\h{\\b1}bold", "%{pts}", "C:\\Users\\meera", "नाव घर आई"):
        assert literal in srt.replace("\n", " "), literal
    assert "\x00" not in srt and "\x07" not in srt
