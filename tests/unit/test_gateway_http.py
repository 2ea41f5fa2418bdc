"""The REST surface: API keys, CORS, size limits, multipart uploads, downloads with Range,
WebVTT, pagination, the web page, and an OpenAPI document with examples on every route."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from tests.gateway_fakes import STORY, FakeServices, finished, gateway, submit, wait
from tests.music_files import tiny_wav

TUNE = tiny_wav()

KEY = "k3y-for-tests-0123456789"


@pytest.fixture
def done_job(client: TestClient) -> dict[str, Any]:
    job: dict[str, Any] = finished(client, submit(client))
    assert job["state"] == "done"
    return job


def test_api_keys_guard_the_api_but_not_health_or_the_page(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, api_keys=f"{KEY}, another-key-0123456789") as client:
        assert client.get("/v1/jobs").status_code == 401
        assert client.get("/v1/jobs", headers={"Authorization": "Bearer wrong-key-0123456789"}).status_code == 401
        assert client.get("/v1/jobs", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert client.get("/v1/jobs", params={"access_token": "another-key-0123456789"}).status_code == 200
        response = client.post("/v1/jobs", params={"access_token": KEY}, json={"story": STORY})
        assert response.status_code == 401, "a key in the URL is for GETs only"
        assert response.headers["www-authenticate"] == "Bearer"
        assert client.get("/healthz").status_code == 200 and client.get("/").status_code == 200


@pytest.mark.parametrize("keys", ["short", "changeme-but-long-enough,changeme", "a" * 15])
def test_weak_api_keys_are_refused_at_start(keys: str) -> None:
    with pytest.raises(ValidationError, match="at least 16 characters"):
        GatewaySettings(api_keys=keys)


def test_cors_allows_only_the_configured_origins(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, cors_origins="https://films.example") as client:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        allowed = client.options("/v1/jobs", headers={"Origin": "https://films.example", **preflight})
        assert allowed.headers["access-control-allow-origin"] == "https://films.example"
        denied = client.options("/v1/jobs", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in denied.headers
    with gateway(tmp_path, fakes) as client:  # off by default
        response = client.get("/v1/jobs", headers={"Origin": "https://films.example"})
        assert "access-control-allow-origin" not in response.headers


def test_bodies_over_the_limits_are_413(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, max_request_bytes=2000, max_upload_bytes=4000, max_story_bytes=100_000) as client:
        assert client.post("/v1/jobs", json={"story": "word " * 1000}).status_code == 413
        files = {"story_file": ("story.txt", ("word " * 1000).encode())}
        assert client.post("/v1/jobs", files=files).status_code == 413
        files = {"story_file": ("story.txt", b"Meera lit the lantern.")}
        assert client.post("/v1/jobs", files=files).status_code == 202, "the upload limit is the larger one"


def test_multipart_submission_with_a_story_file_and_options(client: TestClient) -> None:
    files = {"story_file": ("lantern.txt", ("\ufeff" + STORY).encode())}
    data = {"title": "From a file", "language": "en", "style": "ink", "voices": '{"Meera": {"pitch": 60}}'}
    response = client.post("/v1/jobs", files=files, data=data)
    assert response.status_code == 202, response.text
    job = finished(client, response.json()["id"])
    assert job["state"] == "done" and job["title"] == "The lantern"
    assert job["options"]["style"] == "ink" and job["options"]["voices"]["Meera"]["pitch"] == 60


@pytest.mark.parametrize(
    ("files", "data", "reason"),
    [
        ({"story_file": ("s.txt", b"\xff\xfe bad")}, {}, "not UTF-8 text (byte 0xff at offset 0)"),
        ({"story_file": ("s.txt", b"x")}, {"voices": "{nope"}, "voices must be JSON"),
        ({"other": ("s.txt", b"x")}, {"title": "t"}, "send the story as the 'story' field or as a 'story_file'"),
        ({"story_file": ("s.txt", b"   ")}, {}, "the story is empty"),
        ({"story_file": ("s.txt", b"x")}, {"language": "fr"}, "language"),
    ],
)
def test_bad_multipart_submissions_are_422_with_a_reason(
    client: TestClient, files: dict[str, Any], data: dict[str, str], reason: str
) -> None:
    response = client.post("/v1/jobs", files=files, data=data)
    assert response.status_code == 422 and reason in response.text, response.text
    assert client.get("/v1/jobs").json()["total"] == 0


def test_a_music_upload_becomes_the_films_one_music_cue(client: TestClient, fakes: FakeServices) -> None:
    files = {"story_file": ("s.txt", STORY.encode()), "music_file": ("theme.MP3", TUNE)}
    response = client.post("/v1/jobs", files=files)
    assert response.status_code == 202, response.text
    job = finished(client, response.json()["id"])
    assert job["state"] == "done"
    stored = fakes.files.root / "jobs" / job["id"] / "upload" / "music.mp3"
    assert stored.read_bytes() == TUNE
    assert fakes.count("PrepareTrack") == 1 and fakes.count("ComposeMusic") == 0
    assert (job["steps"]["music"]["done"], job["steps"]["music"]["total"]) == (1, 1)
    assert all(scene["music_done"] for scene in job["scenes"])
    empty = client.post("/v1/jobs", files={"story_file": ("s.txt", b"A story."), "music_file": ("a.mp3", b"")})
    assert empty.status_code == 422 and "the music file is empty" in empty.text


def test_an_upload_the_disk_has_no_room_for_is_507_and_leaves_no_job(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, min_free_mb=10**9) as client:  # a free-space floor no disk meets
        files = {"story_file": ("s.txt", STORY.encode()), "music_file": ("theme.mp3", TUNE)}
        response = client.post("/v1/jobs", files=files)
        assert response.status_code == 507
        assert "MiB floor (STORYREEL_MIN_FREE_MB); free some space" in response.json()["detail"]
        assert client.get("/v1/jobs").json()["total"] == 0, "no job is left without its music"


def test_a_full_job_database_is_507_and_the_gateway_goes_on_once_there_is_room(
    tmp_path: Path, fakes: FakeServices, small_disk_of: Callable[[int], Path]
) -> None:
    disk = small_disk_of(16 * 1024 * 1024)  # room for SQLite's write-ahead log (4 MB before a checkpoint)
    with gateway(tmp_path, fakes, database_url=f"sqlite:///{disk / 'jobs.sqlite3'}") as client:
        done = finished(client, submit(client))
        filler = fill(disk)
        response = client.post("/v1/jobs", json={"story": STORY})
        assert response.status_code == 507
        assert "the gateway's job database has no room to write" in response.json()["detail"]
        assert client.get(f"/v1/jobs/{done['id']}").json()["state"] == "done", "what was stored stays"
        filler.unlink()
        assert finished(client, submit(client))["state"] == "done"


def test_a_job_running_when_its_database_fills_resumes_by_itself_once_there_is_room(
    tmp_path: Path, fakes: FakeServices, small_disk_of: Callable[[int], Path]
) -> None:
    disk = small_disk_of(16 * 1024 * 1024)
    fakes.hold_renders(after=2)
    with gateway(tmp_path, fakes, database_url=f"sqlite:///{disk / 'jobs.sqlite3'}") as client:
        job_id = submit(client)
        job = wait(client, job_id, lambda job: job["steps"]["visuals"]["done"] == 2)
        stored = [shot["id"] for shot in job["shots"] if shot["visual_done"]]
        filler = fill(disk)
        fakes.release_renders()  # the next results cannot be stored: the run stops
        time.sleep(1.0)
        assert client.get(f"/v1/jobs/{job_id}").json()["state"] not in ("done", "failed")
        filler.unlink()
        assert finished(client, job_id, timeout_s=60)["state"] == "done"
    assert len(stored) == 2 and all(fakes.count("RenderShot", shot) == 1 for shot in stored), (
        "shots stored before the disk filled are not rendered again"
    )


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; the file."""
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
    return filler


def test_other_bodies_are_415_or_422(client: TestClient) -> None:
    assert client.post("/v1/jobs", content=b"story", headers={"content-type": "text/plain"}).status_code == 415
    response = client.post("/v1/jobs", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "not valid JSON" in response.text
    assert client.post("/v1/jobs", json=["a", "list"]).status_code == 422
    assert client.post("/v1/jobs", json={"story": STORY, "unknown": 1}).status_code == 422


def test_the_film_downloads_with_range_requests(client: TestClient, done_job: dict[str, Any]) -> None:
    video = client.get(done_job["links"]["video"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.headers["accept-ranges"] == "bytes"
    part = client.get(done_job["links"]["video"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == video.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(video.content)}"


def test_subtitles_as_srt_and_webvtt(client: TestClient, done_job: dict[str, Any]) -> None:
    srt = client.get(done_job["links"]["subtitles"]).text
    vtt = client.get(done_job["links"]["subtitles_vtt"])
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT\n\n1\n00:00:00.000 --> ")
    assert "Meera lived by the river." in srt and "Meera lived by the river." in vtt.text


def test_shot_files_and_storyboard(client: TestClient, done_job: dict[str, Any]) -> None:
    shot = done_job["shots"][0]
    assert client.get(shot["links"]["clip"]).content.startswith(b"clip ")
    keyframe = client.get(shot["links"]["keyframe"])
    assert keyframe.headers["content-type"] == "image/png"
    job_id = done_job["id"]
    assert client.get(f"/v1/jobs/{job_id}/shots/s99_01/keyframe").status_code == 404
    board = client.get(f"/v1/jobs/{job_id}/storyboard").json()
    assert [s["id"] for scene in board["scenes"] for s in scene["shots"]] == [s["id"] for s in done_job["shots"]]


def test_unknown_jobs_are_404_and_unfinished_films_409(client: TestClient, fakes: FakeServices) -> None:
    for path in ("", "/video", "/subtitles.srt", "/subtitles.vtt", "/storyboard", "/events", "/shots/s01_01/clip"):
        assert client.get(f"/v1/jobs/nope{path}").status_code == 404, path
    assert client.delete("/v1/jobs/nope").status_code == 404
    assert client.get("/v1/jobs/%00").status_code == 422 and client.get("/v1/jobs/a%2F..").status_code in (404, 422)
    assert client.put("/v1/jobs/nope/storyboard", json={}).status_code in (404, 422)
    fakes.hold_renders()
    job_id = submit(client)
    assert client.get(f"/v1/jobs/{job_id}/video").status_code == 409
    client.delete(f"/v1/jobs/{job_id}")
    fakes.release_renders()


def test_jobs_are_listed_newest_first_in_pages(client: TestClient) -> None:
    ids = [submit(client, f"Story number {n}. Meera smiled.") for n in range(3)]
    first = client.get("/v1/jobs", params={"limit": 2}).json()
    assert first["total"] == 3 and [job["id"] for job in first["jobs"]] == ids[::-1][:2]
    second = client.get("/v1/jobs", params={"limit": 2, "offset": 2}).json()
    assert [job["id"] for job in second["jobs"]] == ids[:1]
    assert client.get("/v1/jobs", params={"limit": 0}).status_code == 422
    assert client.get("/v1/jobs", params={"offset": 2**64}).status_code == 422  # not an overflow in the database
    for job_id in ids:
        finished(client, job_id)


def test_the_web_page_is_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="job-form"' in page.text and "/web/app.js" in page.text
    script = client.get("/web/app.js")
    assert script.status_code == 200 and "EventSource" in script.text


def test_openapi_documents_every_route_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert {path for path, _, _ in operations} >= {
        "/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/events", "/v1/jobs/{job_id}/video",
        "/v1/jobs/{job_id}/subtitles.srt", "/v1/jobs/{job_id}/subtitles.vtt", "/v1/jobs/{job_id}/storyboard",
        "/v1/jobs/{job_id}/shots/{shot_id}/clip", "/v1/jobs/{job_id}/shots/{shot_id}/keyframe",
        "/v1/jobs/{job_id}/shots/{shot_id}/reroll", "/v1/jobs/{job_id}/render", "/healthz", "/metrics"}
    for path, method, operation in operations:
        assert operation.get("summary"), (method, path)
        success = next(r for code, r in operation["responses"].items() if code.startswith("2"))
        assert _has_example(success, components), f"{method} {path}: no example of its answer"
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert _has_example(body, components), f"{method} {path}: no example of its body"
    assert "multipart/form-data" in schema["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]


def _has_example(part: dict[str, Any], components: dict[str, Any]) -> bool:
    """An example inline, or in the schema the part refers to."""
    for content in part.get("content", {None: part}).values():
        content = content or part
        if "example" in content or "examples" in content:
            return True
        ref = content.get("schema", {}).get("$ref", "")
        if ref and "examples" in components[ref.rsplit("/", 1)[-1]]:
            return True
    return False
