"""One encode per frame, on the real stack: with STORYREEL_GATEWAY_FINISH_CLIPS on, the animatic
finishes each clip as the film shows it (the composer's Finish: subtitles burned in, scene
fades, the film's encoder settings) and the composer joins the clips without encoding them
again. What a user sees: the film is made of exactly the frames of the clips they can download,
with its sound, subtitle track and length as always."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stack import LocalStack
from tests.e2e.film_checks import film_report, frame_hashes, mean_volume_db

pytestmark = pytest.mark.e2e

STORY = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    'At night a storm came over the water. "Hold the lantern high," she said, and the boats came home.'
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    env = {"STORYREEL_GATEWAY_WIDTH": "320", "STORYREEL_GATEWAY_HEIGHT": "180",
           "STORYREEL_GATEWAY_FINISH_CLIPS": "true"}
    running = LocalStack(work_dir=tmp_path_factory.mktemp("finish-stack"), extra_env=env)
    running.start()
    yield running
    running.stop()


def _done(client: httpx.Client, job_id: str, timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        assert job["state"] != "failed", job["error"]
        if job["state"] == "done":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_the_film_is_the_downloadable_finished_clips_joined_without_a_second_encode(
    stack: LocalStack, tmp_path: Path
) -> None:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job = _done(client, client.post("/v1/jobs", json={"story": STORY}).json()["id"])
        film = tmp_path / "film.mp4"
        film.write_bytes(client.get(job["links"]["video"]).content)
        clip_frames = []
        for number, shot in enumerate(job["shots"]):
            clip = tmp_path / f"clip{number}.mp4"
            clip.write_bytes(client.get(shot["links"]["clip"]).content)
            clip_frames += frame_hashes(clip)
    assert len(job["shots"]) >= 2
    assert frame_hashes(film) == clip_frames, "every frame of the film is a frame of a clip, encoded once"
    composer_log = (stack.work_dir / "logs" / "composer.log").read_text("utf-8")
    assert '"joined segment"' in composer_log and '"encoded segment"' not in composer_log
    report = film_report(film)
    assert report["streams"] == {"video": 1, "audio": 1, "subtitle": 1}
    assert report["duration_s"] == pytest.approx(job["duration_s"], abs=0.1)
    assert mean_volume_db(film) > -40, "the narration is heard"
