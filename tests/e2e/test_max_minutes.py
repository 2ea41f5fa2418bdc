"""max_minutes is an upper bound on the film, measured: the real planner plans under a cap, the
real espeak-ng backend speaks every shot, and each shot is timed as the gateway times it (speech
plus air, at least MIN_SHOT_S, whole frames); then one real film through the whole stack."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway.settings import GatewaySettings
from gateway.timeline import shot_duration_s
from services.audio.backends import make_espeak
from services.audio.models import SpeakInput
from services.audio.settings import AudioSettings
from services.planner.backends.rules import RulesPlanner
from storyreel.domain import Storyboard
from tests.conftest import REPO_ROOT
from tests.e2e.film_checks import film_report

pytestmark = pytest.mark.e2e

COAT = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    'At night a storm came over the water. "Hold the lantern high," she said, and the boats came home.\n\n'
    'The boy found his coat by the door. "Is this yours?" Meera asked him. "It is my father\'s coat," he said.\n'
)
STORIES = REPO_ROOT.parent / "shared" / "stories"
TREASURE = STORIES / "en_long_treasure_island.txt"
IDGAH = STORIES / "hi_idgah.txt"  # Hindi: espeak-ng speaks it at about the planner's 2.5 words/s


def measured_film_s(board: Storyboard) -> float:
    """The film's length from real speech, shot by shot as the gateway times it."""
    espeak, gateway = make_espeak(AudioSettings()), GatewaySettings()
    with tempfile.TemporaryDirectory() as scratch:
        def speak(shot_index: int) -> float:
            shot = board.shots()[shot_index]
            request = SpeakInput(shot_id=shot.id, output_key=f"{shot.id}.wav", lines=shot.lines,
                                 characters=board.characters, narrator_voice=board.narrator_voice)
            return espeak.speak(request, Path(scratch) / f"{shot.id}.wav").duration_s

        with ThreadPoolExecutor(4) as pool:
            speech = list(pool.map(speak, range(len(board.shots()))))
    return sum(shot_duration_s(s, gateway.speech_air_s, gateway.min_shot_s, gateway.fps) for s in speech)


@pytest.mark.parametrize(("story", "max_minutes"), [("coat", 0.2), ("coat", 0.4), ("treasure", 10.0), ("idgah", 2.0)])
def test_the_cap_holds_against_measured_speech(story: str, max_minutes: float) -> None:
    path = {"treasure": TREASURE, "idgah": IDGAH}.get(story)
    if path is not None and not path.is_file():
        pytest.skip(f"{path} is not here")
    text = COAT if path is None else path.read_text(encoding="utf-8")
    board = RulesPlanner().plan(text, "", None, max_minutes).storyboard
    film_s = measured_film_s(board)
    assert film_s <= max_minutes * 60, f"a {max_minutes} min cap gave {film_s:.1f} s of film"
    assert film_s >= 0.5 * max_minutes * 60 or len(board.shots()) == 1, "the cap was met by cutting far too much"


def test_a_rendered_film_is_no_longer_than_its_cap(tmp_path: Path) -> None:
    story = tmp_path / "coat.txt"
    story.write_text(COAT, encoding="utf-8")
    film = tmp_path / "out" / "coat.mp4"
    result = subprocess.run(
        [sys.executable, "-m", "cli", "render", str(story), "-o", str(film), "--max-minutes", "0.2",
         "--profile", "preview", "--work-dir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert film_report(film)["duration_s"] <= 12.0
    assert "cut        to fit 0.2 min, kept 1 of 6 sentences" in result.stderr, result.stderr[-2000:]
    assert film.with_suffix(".storyboard.json").is_file()
