"""The REST API without services: validation, 404s, and a job that names the service that is down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.stack import free_port
from gateway.app import create_app
from gateway.settings import GatewaySettings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    dead = f"127.0.0.1:{free_port()}"  # nothing listens here
    settings = GatewaySettings(
        artifact_root=tmp_path / "artifacts",
        database_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        planner_address=dead, audio_address=dead, visual_address=dead, composer_address=dead,
        max_story_bytes=1000, plan_timeout_s=5, rpc_retries=0,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize("story", ["", "   \n\t  "])
def test_empty_story_is_422_with_a_reason(client: TestClient, story: str) -> None:
    response = client.post("/v1/jobs", json={"story": story})
    assert response.status_code == 422
    assert "the story is empty" in response.json()["detail"]


def test_story_over_the_limit_is_422_naming_the_limit(client: TestClient) -> None:
    response = client.post("/v1/jobs", json={"story": "क" * 400})  # 1200 UTF-8 bytes
    assert response.status_code == 422
    assert "1,200 bytes, over the limit of 1,000" in response.json()["detail"]
    assert client.get("/v1/jobs").json()["total"] == 0


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get("/v1/jobs/nope").status_code == 404
    assert client.get("/v1/jobs/nope/video").status_code == 404


def test_a_down_service_is_named_in_the_job_error(client: TestClient) -> None:
    response = client.post("/v1/jobs", json={"story": "Once upon a time there was a lantern."})
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.headers["location"] == f"/v1/jobs/{job_id}"
    deadline = time.monotonic() + 30
    while (job := client.get(f"/v1/jobs/{job_id}").json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["state"] == "failed"
    assert job["error"]["step"] == "planning"
    assert job["error"]["service"] == "planner"
    assert "planner service at 127.0.0.1:" in job["error"]["reason"]
    assert "unreachable" in job["error"]["reason"]
    assert client.get(f"/v1/jobs/{job_id}/video").status_code == 409


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/video", "/v1/jobs/{job_id}/subtitles.srt",
            "/v1/jobs/{job_id}/storyboard", "/healthz"} <= paths.keys()
