"""Composing ahead: while shots render, the gateway asks the composer (Prepare) to encode each
scene as soon as its shots are done, then composes the film from the same parts folder; off, or
with a composer older than Prepare, the film is composed after the last shot as before, and a
Prepare that fails never fails the job.

Checked at the fake composer, which answers Prepare as the real one does (one part per scene,
ready once every clip of the scene exists, INVALID_ARGUMENT without a parts_prefix)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from tests.gateway_fakes import STORY, FakeServices, finished, gateway, submit, wait

LAST_SHOT = "s03_01"
"""The fake planner's cut of STORY at two shots a scene: s01_01 s01_02 | s02_01 s02_02 | s03_01."""


def clipped(film: composer_pb.ComposeRequest) -> dict[str, bool]:
    return {shot.shot_id: bool(shot.clip_key) for shot in film.shots}


def test_scenes_are_encoded_while_the_last_shot_renders_and_the_film_reuses_them(
    client: TestClient, fakes: FakeServices
) -> None:
    fakes.hold_shots(LAST_SHOT)
    job_id = submit(client, STORY)

    def ahead_without_the_last_shot(_: object) -> bool:
        return any(not clipped(p.film)[LAST_SHOT] and sum(clipped(p.film).values()) == 4 for p in fakes.preparations)

    wait(client, job_id, ahead_without_the_last_shot)
    assert fakes.count("Compose") == 0
    assert client.get(f"/v1/jobs/{job_id}").json()["state"] in ("rendering", "scoring")
    assert fakes.parts[f"jobs/{job_id}/parts"] >= {tuple(fakes.requests[s].output_key for s in ("s01_01", "s01_02"))}

    fakes.release_shots()
    job = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    composed = fakes.compositions[-1]
    assert composed.parts_prefix == f"jobs/{job_id}/parts"
    assert {p.film.parts_prefix for p in fakes.preparations} == {composed.parts_prefix}
    assert all(clipped(composed).values())
    # the Prepares' film is the Compose's but for the clips still to come (and its outputs)
    first = fakes.preparations[0].film
    assert [s.duration_s for s in first.shots] == [s.duration_s for s in composed.shots]
    assert [list(s.cues) for s in first.shots] == [list(s.cues) for s in composed.shots]
    assert first.subtitles == composed.subtitles and first.profile == composed.profile


def test_the_sound_is_asked_for_once_the_music_is_done(client: TestClient, fakes: FakeServices) -> None:
    fakes.hold_shots(LAST_SHOT)
    job_id = submit(client, STORY)
    wait(client, job_id, lambda _: any(p.sound_complete for p in fakes.preparations))
    sounded = next(p for p in fakes.preparations if p.sound_complete)
    assert not clipped(sounded.film)[LAST_SHOT] and sounded.film.music  # the sound goes ahead of the last shot
    assert all(not p.film.music for p in fakes.preparations if not p.sound_complete)
    fakes.release_shots()
    assert finished(client, job_id)["state"] == "done"
    assert list(fakes.compositions[-1].music) == list(sounded.film.music)


def test_off_the_film_is_composed_after_the_last_shot_from_the_same_parts_folder(
    tmp_path: Path, fakes: FakeServices
) -> None:
    with gateway(tmp_path, fakes, compose_ahead=False) as client:
        job_id = submit(client, STORY)
        assert finished(client, job_id)["state"] == "done"
    assert fakes.preparations == []
    assert fakes.compositions[-1].parts_prefix == f"jobs/{job_id}/parts"  # a re-roll still re-encodes one scene


def test_a_composer_older_than_prepare_is_asked_once_and_the_job_is_done(
    client: TestClient, fakes: FakeServices, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.ahead")
    fakes.composer_is_old = True
    job_id = submit(client, STORY)
    job = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    stopped = [r for r in caplog.records if r.getMessage().startswith("composing ahead stopped")]
    assert len(stopped) == 1, "a Prepare that fails is not tried again in the same run"
    assert "UNIMPLEMENTED" in stopped[0].getMessage() or "Method not found" in stopped[0].getMessage()
    assert fakes.count("Compose") == 1
