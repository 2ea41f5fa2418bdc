"""End to end: real films from the samples, through every service, checked as a viewer would."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from cli.stack import LocalStack
from storyreel.domain import Storyboard
from tests.conftest import REPO_ROOT, SAMPLES
from tests.e2e.film_checks import film_report, frame_at, mean_brightness, mean_volume_db

pytestmark = pytest.mark.e2e

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = LocalStack(work_dir=tmp_path_factory.mktemp("stack"))
    running.start()
    yield running
    running.stop()


def _render(story: Path, out_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "render", str(story), "-o", str(out_dir / "film.mp4"), *extra],
        capture_output=True, text=True, timeout=600, cwd=REPO_ROOT,
    )


def _check_film(out_dir: Path, tmp_path: Path) -> Storyboard:
    video, srt, board = out_dir / "film.mp4", out_dir / "film.srt", out_dir / "film.storyboard.json"
    assert video.is_file() and srt.is_file() and board.is_file()
    storyboard = Storyboard.model_validate(json.loads(board.read_text()))
    report = film_report(video)
    assert report["streams"] == {"video": 1, "audio": 1, "subtitle": 1}
    assert len(report["info"]["chapters"]) == len(storyboard.scenes)
    assert report["duration_s"] == pytest.approx(storyboard.total_duration_s(), abs=0.2)
    assert mean_volume_db(video) > -40.0, "the film is silent"
    assert mean_brightness(frame_at(video, 0.0, tmp_path / "first.png")) > 20.0, "the first frame is black"
    for shot in storyboard.shots():
        assert 3.0 <= shot.duration_s <= 20.0
    return storyboard


def test_english_sample_renders_standalone(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    result = _render(SAMPLES / "the_lantern_keeper.txt", out_dir, "--work-dir", str(tmp_path / "work"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "length" in result.stderr and str(out_dir / "film.mp4") in result.stderr
    assert f"storyreel serve --work-dir {tmp_path / 'work'}" in result.stderr, "how to open the job again"
    storyboard = _check_film(out_dir, tmp_path)
    assert storyboard.title == "The Lantern Keeper"
    speakers = {line.speaker_id for shot in storyboard.shots() for line in shot.lines}
    assert len(speakers - {""}) >= 2, "dialogue should be spoken by Meera and Arjun"
    srt = (out_dir / "film.srt").read_text("utf-8")
    assert "Grandmother, the storm is too strong" in srt


def test_hindi_sample_renders_through_a_running_gateway_at_the_preview_profile(
    stack: LocalStack, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    result = _render(SAMPLES / "kuan_ka_deepak.txt", out_dir, "--gateway", stack.gateway_url, "--profile", "preview")
    assert result.returncode == 0, result.stderr[-3000:]
    storyboard = _check_film(out_dir, tmp_path)
    picture = next(s for s in film_report(out_dir / "film.mp4")["info"]["streams"] if s["codec_type"] == "video")
    assert (picture["width"], picture["height"]) == (640, 360)
    assert storyboard.language.value == "hi"
    srt = (out_dir / "film.srt").read_text("utf-8")
    assert DEVANAGARI.search(srt)
    assert "गुड़िया" in srt
    # A browser seeks in the film with range requests.
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job = client.get("/v1/jobs").json()["jobs"][0]
        assert job["state"] == "done" and job["progress"] == 1.0
        response = client.get(job["links"]["video"], headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response.content == (out_dir / "film.mp4").read_bytes()[:100]


@pytest.mark.parametrize(("aspect", "size"), [("9:16", (360, 640)), ("1:1", (360, 360))])
def test_a_tall_or_square_job_makes_a_film_of_that_shape(
    stack: LocalStack, tmp_path: Path, aspect: str, size: tuple[int, int]
) -> None:
    """--aspect: every shot is drawn at the shape and the film has it (preview: 640x360 on its side, or
    its height squared), with its subtitles and sound."""
    out_dir = tmp_path / "out"
    result = _render(SAMPLES / "the_lantern_keeper.txt", out_dir, "--gateway", stack.gateway_url,
                     "--profile", "preview", "--aspect", aspect, "--max-minutes", "0.5")
    assert result.returncode == 0, result.stderr[-3000:]
    _check_film(out_dir, tmp_path)
    picture = next(s for s in film_report(out_dir / "film.mp4")["info"]["streams"] if s["codec_type"] == "video")
    assert (picture["width"], picture["height"]) == size
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job = client.get("/v1/jobs").json()["jobs"][0]
        clip = client.get(job["shots"][0]["links"]["clip"])
    shot_clip = tmp_path / "shot.mp4"
    shot_clip.write_bytes(clip.content)
    drawn = next(s for s in film_report(shot_clip)["info"]["streams"] if s["codec_type"] == "video")
    assert (drawn["width"], drawn["height"]) == size, "the shot was drawn at another shape and scaled"


def _top_and_bottom(frame: Image.Image) -> tuple[int, int]:
    """Near-white pixels (grey 240 and up: the letters) in the frame's top third and bottom third."""
    white = np.asarray(frame) >= 240
    third = white.shape[0] // 3
    return int(white[:third].sum()), int(white[-third:].sum())


def test_soft_subtitles_then_burned_at_the_top_make_the_finished_clips_again_with_their_letters_on_top(
    stack: LocalStack, tmp_path: Path
) -> None:
    """--subtitles soft: the film has its text track and a clean picture; POST .../render with burned,
    large, at the top: every clip is made again (a finished clip carries its subtitles; with plain
    clips only the film would be: tests/unit/test_gateway_subtitles.py), and the letters sit in the
    top third."""
    out_dir = tmp_path / "out"
    result = _render(SAMPLES / "the_lantern_keeper.txt", out_dir, "--gateway", stack.gateway_url,
                     "--profile", "preview", "--subtitles", "soft", "--max-minutes", "0.3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert film_report(out_dir / "film.mp4")["streams"]["subtitle"] == 1
    cue_s = 1.0  # the first cue shows from the film's start
    soft_top, soft_bottom = _top_and_bottom(frame_at(out_dir / "film.mp4", cue_s, tmp_path / "soft.png"))
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job = client.get("/v1/jobs").json()["jobs"][0]
        assert job["subtitles"] == "soft"
        clips = {shot["id"]: shot["links"]["clip"] for shot in job["shots"]}
        change = {"subtitles": {"mode": "burned", "size": "large", "position": "top"}}
        assert client.post(f"/v1/jobs/{job['id']}/render", json=change).status_code == 202
        for _ in range(600):
            again = client.get(f"/v1/jobs/{job['id']}").json()
            if again["state"] in ("done", "failed") and again["revision"] > job["revision"]:
                break
            time.sleep(0.2)
        assert again["state"] == "done", again["error"]
        assert again["subtitles"] == "burned"
        remade = {shot["id"]: shot["links"]["clip"] for shot in again["shots"]}
        assert remade.keys() == clips.keys() and all(remade[shot] != clips[shot] for shot in clips)
        burned = tmp_path / "burned.mp4"
        burned.write_bytes(client.get(again["links"]["video"]).content)
    top, bottom = _top_and_bottom(frame_at(burned, cue_s, tmp_path / "burned.png"))
    assert top > 200 + 5 * soft_top, (top, soft_top)  # letters drawn in the top third
    assert bottom <= soft_bottom + 50, (bottom, soft_bottom)  # and not at the bottom
