"""Retention (issue 14): finished jobs older than retention_days, with their results, events and
files, are deleted at start and periodically; unfinished and recent jobs stay; 0 keeps all."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from gateway.jobs import EventKind, JobRequest, JobState
from gateway.retention import DAY_S, sweep
from gateway.settings import GatewaySettings
from gateway.store import JobStore, jobs_table
from storyreel.artifacts import ArtifactStore
from tests.gateway_fakes import FakeServices, gateway
from tests.gateway_postgres import PostgresMissing, PostgresServer


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


def _job(store: JobStore, artifacts: ArtifactStore, state: JobState, age_days: float) -> str:
    """A job in this state that last changed so long ago, with a result, an event and a file."""
    job_id = store.create(JobRequest(story="A lantern in the rain."))
    store.put_result(job_id, "upload/music", {"key": f"jobs/{job_id}/upload/music.mp3"})
    store.add_event(job_id, EventKind.STATE, {"state": state.value})
    artifacts.write_bytes(f"jobs/{job_id}/clips/s01_01.mp4", b"clip")
    with store.engine.begin() as conn:
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id)
                     .values(state=state.value, updated_at=time.time() - age_days * DAY_S))
    return job_id


def test_sweep_deletes_old_finished_jobs_with_their_results_events_and_files(
    database_url: str, tmp_path: Path
) -> None:
    settings = GatewaySettings(database_url=database_url, artifact_root=tmp_path / "artifacts", retention_days=7)
    store, artifacts = JobStore(database_url), ArtifactStore(tmp_path / "artifacts")
    try:
        old = {state: _job(store, artifacts, state, 8) for state in (JobState.DONE, JobState.FAILED,
                                                                      JobState.CANCELLED)}
        kept = [_job(store, artifacts, JobState.DONE, 6), _job(store, artifacts, JobState.RENDERING, 30),
                _job(store, artifacts, JobState.QUEUED, 30)]
        assert sweep(settings, store, artifacts) == 3
        for job_id in old.values():
            assert store.get(job_id) is None and store.results(job_id) == {} and store.events(job_id, 0) == []
            assert not (tmp_path / "artifacts" / "jobs" / job_id).exists()
        for job_id in kept:
            assert store.get(job_id) is not None and store.results(job_id) and store.events(job_id, 0)
            assert (tmp_path / "artifacts" / "jobs" / job_id / "clips" / "s01_01.mp4").exists()
        assert sweep(settings, store, artifacts) == 0
        forever = settings.model_copy(update={"retention_days": 0})
        assert sweep(forever, store, artifacts, now=time.time() + 1000 * DAY_S) == 0
        assert store.get(kept[0]) is not None
    finally:
        store.close()


def test_the_gateway_sweeps_at_start_and_then_periodically(tmp_path: Path, fakes: FakeServices) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    store, artifacts = JobStore(url), ArtifactStore(tmp_path / "artifacts")
    try:
        at_start, recent = _job(store, artifacts, JobState.DONE, 3), _job(store, artifacts, JobState.FAILED, 0.5)
        with gateway(tmp_path, fakes, database_url=url, retention_days=0) as client:  # 0: keep forever
            assert client.get(f"/v1/jobs/{at_start}").status_code == 200
        with gateway(tmp_path, fakes, database_url=url, retention_days=1, retention_interval_s=0.05) as client:
            assert client.get(f"/v1/jobs/{at_start}").status_code == 404  # swept before the first request
            assert not (tmp_path / "artifacts" / "jobs" / at_start).exists()
            assert client.get(f"/v1/jobs/{recent}").status_code == 200
            later = _job(store, artifacts, JobState.CANCELLED, 2)  # another gateway's job, say
            deadline = time.monotonic() + 30
            while client.get(f"/v1/jobs/{later}").status_code != 404:
                assert time.monotonic() < deadline, "the periodic sweep did not delete the old job"
                time.sleep(0.05)
            assert not (tmp_path / "artifacts" / "jobs" / later).exists()
            assert client.get(f"/v1/jobs/{recent}").status_code == 200
    finally:
        store.close()
