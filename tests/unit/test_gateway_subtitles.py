"""A job's subtitles: burned, soft or none, their size and position, on the API; carried to the
composer in the compose request (and its hash), changed with POST .../render by composing the
film again and nothing else, and the film's mode shown in the job's view."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway import messages
from gateway.jobs import SubtitleChoice
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from tests.gateway_fakes import FakeServices, finished, gateway, submit


def calls_since(fakes: FakeServices, before: Counter[tuple[str, str]]) -> dict[tuple[str, str], int]:
    return {key: count - before[key] for key, count in fakes.calls.items() if count > before[key]}


def style(request: composer_pb.ComposeRequest) -> tuple[int, int, int]:
    return request.subtitles.mode, request.subtitles.size, request.subtitles.position


def done(client: TestClient, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    return job


def test_a_job_that_chooses_nothing_sends_no_style_and_its_film_is_burned(
    client: TestClient, fakes: FakeServices
) -> None:
    job = done(client, submit(client))
    composed = fakes.compositions[-1]
    assert not composed.HasField("subtitles"), "the request (and its hash) is what it was before the option"
    assert job["options"]["subtitles"] == {"mode": None, "size": "medium", "position": "bottom"}
    assert job["subtitles"] == "burned", "the composer said how it made the film"


def test_the_defaults_chosen_out_loud_hash_as_choosing_nothing() -> None:
    plain, chosen = composer_pb.ComposeRequest(title="x"), composer_pb.ComposeRequest(title="x")
    messages.set_subtitles(chosen, SubtitleChoice.model_validate({"size": "medium", "position": "bottom"}))
    assert messages.request_hash(plain) == messages.request_hash(chosen)
    messages.set_subtitles(chosen, SubtitleChoice.model_validate({"mode": "burned"}))
    assert messages.request_hash(plain) != messages.request_hash(chosen), "burned is asked for, whatever the setting"


def test_a_jobs_choice_reaches_the_composer_and_the_view_says_soft(client: TestClient, fakes: FakeServices) -> None:
    job = done(client, submit(client, subtitles={"mode": "soft", "size": "large", "position": "top"}))
    assert style(fakes.compositions[-1]) == (
        composer_pb.SUBTITLE_MODE_SOFT, composer_pb.SUBTITLE_SIZE_LARGE, composer_pb.SUBTITLE_POSITION_TOP)
    assert job["subtitles"] == "soft"
    assert job["options"]["subtitles"] == {"mode": "soft", "size": "large", "position": "top"}


def test_changing_the_subtitles_of_a_done_job_composes_the_film_again_and_nothing_else(
    tmp_path: Path, fakes: FakeServices
) -> None:
    """With plain clips (finished clips carry their subtitles: test_gateway_finish_clips.py)."""
    with gateway(tmp_path, fakes, finish_clips=False) as client:
        subtitles_changed_with_plain_clips(client, fakes)


def subtitles_changed_with_plain_clips(client: TestClient, fakes: FakeServices) -> None:
    job_id = submit(client, subtitles={"mode": "soft", "size": "large"})
    first = done(client, job_id)
    clips = {shot["id"]: shot["links"]["clip"] for shot in first["shots"]}
    film = hashlib.sha256(client.get(first["links"]["video"]).content).hexdigest()
    before = fakes.calls.copy()

    response = client.post(f"/v1/jobs/{job_id}/render", json={"subtitles": {"mode": "burned", "position": "top"}})
    assert response.status_code == 202, response.text
    assert response.json()["options"]["subtitles"] == {"mode": "burned", "size": "large", "position": "top"}
    again = done(client, job_id)
    assert calls_since(fakes, before) == {("Compose", ""): 1}, "no speech, picture, cast or music again"
    assert style(fakes.compositions[-1]) == (
        composer_pb.SUBTITLE_MODE_BURNED, composer_pb.SUBTITLE_SIZE_LARGE, composer_pb.SUBTITLE_POSITION_TOP)
    assert again["subtitles"] == "burned"
    assert {shot["id"]: shot["links"]["clip"] for shot in again["shots"]} == clips
    assert again["links"]["video"] != first["links"]["video"]
    assert hashlib.sha256(client.get(again["links"]["video"]).content).hexdigest() != film

    before = fakes.calls.copy()
    response = client.post(f"/v1/jobs/{job_id}/render", json={"subtitles": {"position": "top"}})
    assert response.status_code == 202
    assert done(client, job_id)["subtitles"] == "burned"
    assert calls_since(fakes, before) == {}, "the same choice again: the film as it is"

    response = client.post(f"/v1/jobs/{job_id}/render", json={"subtitles": {"mode": None}})
    assert response.json()["options"]["subtitles"] == {"mode": None, "size": "large", "position": "top"}
    assert done(client, job_id)["subtitles"] == "burned"  # the composer's own choice (the fake burns)
    assert not fakes.compositions[-1].subtitles.mode


@pytest.mark.parametrize(("subtitles", "field"), [
    ({"mode": "karaoke"}, "mode"), ({"size": "huge"}, "size"), ({"position": "middle"}, "position"),
    ({"colour": "red"}, "colour"), ("burned", "subtitles"),
])
def test_a_choice_outside_the_enums_is_refused_at_the_door(
    client: TestClient, fakes: FakeServices, subtitles: Any, field: str
) -> None:
    response = client.post("/v1/jobs", json={"story": "Meera smiled.", "subtitles": subtitles})
    assert response.status_code == 422 and field in response.text, response.text
    job_id = submit(client)
    done(client, job_id)
    response = client.post(f"/v1/jobs/{job_id}/render", json={"subtitles": subtitles})
    assert response.status_code == 422 and field in response.text
    assert client.get(f"/v1/jobs/{job_id}").json()["revision"] == 0, "a refused change changes nothing"


def test_a_multipart_form_takes_the_choice_as_json(client: TestClient, fakes: FakeServices) -> None:
    files = {"story_file": ("story.txt", b"Meera smiled.", "text/plain")}
    response = client.post("/v1/jobs", files=files, data={"subtitles": '{"mode": "none"}'})
    assert response.status_code == 202, response.text
    assert done(client, response.json()["id"])["subtitles"] == "none"
    response = client.post("/v1/jobs", files=files, data={"subtitles": "soft"})
    assert response.status_code == 422 and "subtitles must be JSON" in response.text
