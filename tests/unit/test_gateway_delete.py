"""DELETE /v1/jobs/{id}?purge=true deletes a finished job with its results, events and files;
an unfinished one must be cancelled first; without purge, DELETE still cancels."""

from __future__ import annotations

from pathlib import Path

from gateway.results import job_key
from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait


def test_a_finished_job_is_deleted_with_its_files(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        kept, gone = submit(client), submit(client)
        finished(client, kept)
        finished(client, gone)
        folder = fakes.files.path(job_key(gone))
        assert folder.is_dir() and any(folder.rglob("*.mp4"))
        assert client.delete(f"/v1/jobs/{gone}", params={"purge": "true"}).status_code == 204
        assert client.get(f"/v1/jobs/{gone}").status_code == 404
        assert client.get(f"/v1/jobs/{gone}/events").status_code == 404
        assert not folder.exists()
        assert [job["id"] for job in client.get("/v1/jobs").json()["jobs"]] == [kept]
        assert client.get(f"/v1/jobs/{kept}/video").status_code == 200
        assert client.delete(f"/v1/jobs/{gone}", params={"purge": "true"}).status_code == 404


def test_an_unfinished_job_is_cancelled_first(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders()
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client)
        wait(client, job_id, lambda job: job["state"] == "rendering")
        refused = client.delete(f"/v1/jobs/{job_id}", params={"purge": "true"})
        assert refused.status_code == 409 and "cancel it first" in refused.json()["detail"]
        assert client.delete(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"  # plain DELETE cancels
        assert client.delete(f"/v1/jobs/{job_id}", params={"purge": "true"}).status_code == 204
        assert client.get(f"/v1/jobs/{job_id}").status_code == 404
