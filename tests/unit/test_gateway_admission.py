"""Admission (issue 14): the gateway takes at most so many unfinished jobs, in all and per API key,
counted in the job store (so gateways sharing PostgreSQL share the limit); past it, 429 with
Retry-After and a reason. And /docs, /openapi.json follow the API-key setting."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.jobs import JobRequest
from gateway.store import JobStore, Limits, QueueFull
from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait
from tests.gateway_postgres import PostgresMissing, PostgresServer

KEY_A = "a-key-of-twenty-four-chars"
KEY_B = "b-key-of-twenty-four-chars"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer().start()
    except PostgresMissing as missing:
        pytest.skip(str(missing))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


def _post(client: TestClient, key: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post("/v1/jobs", json={"story": "A lantern in the rain."}, headers=headers).status_code


def test_a_burst_past_the_queue_limit_is_429_with_retry_after_and_a_reason(
    tmp_path: Path, fakes: FakeServices
) -> None:
    fakes.hold_renders()  # nothing finishes while the burst comes in
    with gateway(tmp_path, fakes, max_running_jobs=1, max_unfinished_jobs=100, retry_after_s=45) as client:
        codes = [_post(client) for _ in range(300)]
        assert codes.count(202) == 100 and codes.count(429) == 200
        refused = client.post("/v1/jobs", json={"story": "One more."})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"  # nothing measured yet: the setting
        reason = refused.json()["detail"]
        assert "100 jobs are queued or running" in reason and "STORYREEL_GATEWAY_MAX_UNFINISHED_JOBS" in reason
        assert "nothing was stored" in reason
        assert client.get("/v1/jobs").json()["total"] == 100
        oldest = client.get("/v1/jobs", params={"limit": 1, "offset": 99}).json()["jobs"][0]["id"]
        assert client.delete(f"/v1/jobs/{oldest}").status_code == 200  # a place frees
        assert _post(client) == 202
        assert _post(client) == 429


def test_an_eta_from_the_priors_is_not_a_measurement_so_retry_after_stays_the_setting(
    tmp_path: Path, fakes: FakeServices
) -> None:
    fakes.hold_renders()
    with gateway(tmp_path, fakes, max_unfinished_jobs=1, retry_after_s=45) as client:
        running = submit(client)
        job = wait(client, running, _only_renders_left)  # nothing of the pictures or the film measured yet
        assert job["eta_basis"] == "prior" and job["eta_s"] > 0, "a new gateway's first job has an estimate"
        refused = client.post("/v1/jobs", json={"story": "One more."})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "45"
        assert "expected to finish" not in refused.json()["detail"]
        fakes.release_renders()
        finished(client, running)


def test_retry_after_is_the_soonest_finish_estimated_from_measured_rates(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, max_unfinished_jobs=1, retry_after_s=999) as client:
        finished(client, submit(client))  # measures every step
        fakes.hold_renders()
        running = submit(client)
        job = wait(client, running, _only_renders_left)  # its ETA holds still while the renders are held
        assert job["eta_basis"] == "measured"
        refused = client.post("/v1/jobs", json={"story": "One more."})
        assert refused.status_code == 429
        seconds = int(refused.headers["retry-after"])
        assert seconds != 999 and seconds == max(1, math.ceil(job["eta_s"]))
        assert "when the next running job is expected to finish" in refused.json()["detail"]
        fakes.release_renders()
        finished(client, running)
        assert _post(client) == 202


def _only_renders_left(job: dict[str, Any]) -> bool:
    steps = job["steps"]
    return bool(job["state"] == "rendering" and job["eta_s"] is not None
                and all(steps[step]["done"] == steps[step]["total"] for step in ("planning", "speech", "music")))


def test_each_api_key_has_its_own_limit_within_the_gateways(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders()
    settings = {"api_keys": f"{KEY_A},{KEY_B}", "max_unfinished_jobs_per_key": 2, "max_unfinished_jobs": 3}
    with gateway(tmp_path, fakes, max_running_jobs=1, **settings) as client:
        assert [_post(client, KEY_A) for _ in range(3)] == [202, 202, 429]
        refused = client.post("/v1/jobs", json={"story": "x y z."}, headers={"Authorization": f"Bearer {KEY_A}"})
        assert "this API key has 2 jobs queued or running" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) >= 1
        assert [_post(client, KEY_B) for _ in range(2)] == [202, 429]  # the gateway's limit of 3 now
        assert "the gateway is full" in client.post(
            "/v1/jobs", json={"story": "x."}, headers={"Authorization": f"Bearer {KEY_B}"}).json()["detail"]


def test_a_finished_job_rendered_again_counts_against_the_limit(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, max_unfinished_jobs=1) as client:
        done = submit(client)
        finished(client, done)
        fakes.hold_renders()
        submit(client)
        assert client.post(f"/v1/jobs/{done}/render", json={}).status_code == 429


def test_gateways_sharing_a_database_never_admit_past_the_limit(database_url: str) -> None:
    """Two stores (two gateways) admit at once from eight threads: the limit holds exactly."""
    stores = [JobStore(database_url), JobStore(database_url)]
    admitted, refused = [], []
    lock = threading.Lock()

    def admit(store: JobStore) -> None:
        for _ in range(10):
            try:
                job_id = store.create(JobRequest(story="Rain."), limits=Limits(unfinished=25))
            except QueueFull:
                with lock:
                    refused.append(1)
            else:
                with lock:
                    admitted.append(job_id)

    threads = [threading.Thread(target=admit, args=(stores[i % 2],)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(admitted) == 25 and len(refused) == 55
        assert stores[0].unfinished() == 25
    finally:
        for store in stores:
            store.close()


def test_per_client_limit_is_counted_in_the_store(database_url: str) -> None:
    store = JobStore(database_url)
    try:
        limits = Limits(unfinished=0, per_client=1)
        store.create(JobRequest(story="Rain."), client="a", limits=limits)
        store.create(JobRequest(story="Rain."), client="b", limits=limits)
        with pytest.raises(QueueFull, match="this API key has 1 unfinished jobs"):
            store.create(JobRequest(story="Rain."), client="a", limits=limits)
        assert (store.unfinished(), store.unfinished("a")) == (2, 1)
    finally:
        store.close()


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_the_api_docs_need_a_key_when_keys_are_set(tmp_path: Path, fakes: FakeServices, path: str) -> None:
    with gateway(tmp_path, fakes, api_keys=KEY_A) as client:
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer not-the-key-at-all-no"}).status_code == 401
        assert client.get(path, headers={"Authorization": f"Bearer {KEY_A}"}).status_code == 200
        page = client.get(path, params={"access_token": KEY_A})
        assert page.status_code == 200
        if path != "/openapi.json":  # the page fetches the schema with the key it was opened with
            assert f"/openapi.json?access_token={KEY_A}" in page.text
    with gateway(tmp_path, fakes, api_keys=KEY_A, public_docs=True) as client:
        assert client.get(path).status_code == 200
    with gateway(tmp_path, fakes) as client:  # no keys: nothing to protect
        assert client.get(path).status_code == 200


def test_the_schema_documents_the_429(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        schema = client.get("/openapi.json").json()
    assert "429" in schema["paths"]["/v1/jobs"]["post"]["responses"]
