"""A job through the gateway, against fast fake services over real gRPC: progress, live events,
cancel, failures a user can act on, retries, resume, metrics."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient

from gateway.store import JobStore
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import STORY, FakeServices, finished, gateway, submit, wait


def sse(text: str) -> list[dict[str, Any]]:
    """Parse an event stream into [{id, event, data}]."""
    events = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data"):
                fields[name] = value
        if "data" in fields:
            fields["data"] = json.loads(fields["data"])
            events.append(fields)
    return events


def test_a_job_runs_every_step_once_and_shows_each_scene_and_shot(client: TestClient, fakes: FakeServices) -> None:
    job = finished(client, submit(client))
    assert job["state"] == "done" and job["progress"] == 1.0 and job["eta_s"] == 0.0
    shot_ids = [shot["id"] for shot in job["shots"]]
    assert shot_ids == ["s01_01", "s01_02", "s02_01", "s02_02", "s03_01"]
    assert all(shot["state"] == "done" and shot["links"]["keyframe"] for shot in job["shots"])
    assert [scene["state"] for scene in job["scenes"]] == ["done"] * 3
    assert {step: (p["done"], p["total"]) for step, p in job["steps"].items()} == {
        "planning": (1, 1), "cast": (1, 1), "speech": (5, 5), "visuals": (5, 5), "music": (3, 3), "composing": (1, 1)}
    assert all(fakes.count(method, item) == 1 for method, item in fakes.calls)
    assert fakes.count("RenderShot") == 5 and fakes.count("Compose") == 1
    storyboard = client.get(f"/v1/jobs/{job['id']}/storyboard").json()
    lengths = [shot["duration_s"] for scene in storyboard["scenes"] for shot in scene["shots"]]
    assert lengths == [3.0] * 5  # speech plus air, at least min_shot_s
    assert job["duration_s"] == pytest.approx(sum(lengths))


def test_events_stream_progress_and_resume_after_the_last_event_id(client: TestClient) -> None:
    job_id = submit(client)
    live = sse(client.get(f"/v1/jobs/{job_id}/events").text)  # the stream ends when the job is done
    assert live[0]["event"] == "snapshot" and live[-1]["event"] == "state" and live[-1]["data"]["state"] == "done"

    events = sse(client.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": "0"}).text)  # everything
    kinds = [event["event"] for event in events]
    assert kinds[0] == "state" and events[0]["data"]["state"] == "planning"
    assert kinds.count("storyboard") == 1 and kinds.count("music") == 3 and kinds.count("film") == 1
    assert kinds.count("shot") == 5 * 5  # speech done; picture started, a quarter, three quarters, done
    fractions = [e["data"].get("fraction") for e in events if e["event"] == "shot" and e["data"]["shot_id"] == "s01_01"]
    assert fractions == [None, None, 0.25, 0.75, None]
    ids = [int(event["id"]) for event in events]
    assert ids == list(range(1, len(ids) + 1))
    progress = [event["data"]["progress"] for event in events]
    assert progress == sorted(progress) and progress[-1] == 1.0
    thumbnails = [e["data"]["keyframe"] for e in events if e["event"] == "shot" and e["data"].get("keyframe")]
    assert len(thumbnails) == 5 and client.get(thumbnails[0]).content.startswith(b"\x89PNG")

    middle = ids[len(ids) // 2]
    resumed = sse(client.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": str(middle)}).text)
    assert [int(event["id"]) for event in resumed] == ids[middle:]
    fresh = sse(client.get(f"/v1/jobs/{job_id}/events").text)
    assert [event["event"] for event in fresh] == ["snapshot"] and fresh[0]["data"]["state"] == "done"
    assert fresh[0]["id"] == str(ids[-1])


def test_cancel_mid_render_cancels_the_calls_in_flight_and_is_not_resumed(
    tmp_path: Path, fakes: FakeServices
) -> None:
    fakes.hold_renders()
    with gateway(tmp_path, fakes, visual_parallel=2) as client:
        job_id = submit(client)
        job = wait(client, job_id, lambda job: fakes.count("RenderShot") == 2 and sorted(
            shot["render_progress"] or 0 for shot in job["shots"] if shot["state"] == "rendering") == [0.75, 0.75])
        rendering = [shot for shot in job["shots"] if shot["state"] == "rendering"]
        assert len(rendering) == 2, "the progress the fake sent before holding its renders is shown"
        response = client.delete(f"/v1/jobs/{job_id}")
        assert response.status_code == 200 and response.json()["state"] == "cancelled"
        deadline = time.monotonic() + 10
        while len(fakes.cancelled) < 2:  # the services saw their calls cancelled
            assert time.monotonic() < deadline, fakes.cancelled
            time.sleep(0.02)
        assert client.delete(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"  # again: no change
    fakes.release_renders()
    with gateway(tmp_path, fakes) as client:  # a restart does not resume a cancelled job
        time.sleep(0.3)
        assert client.get(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"
        assert fakes.count("RenderShot") == 2
        assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202  # ...until asked to
        job = finished(client, job_id)
        assert job["state"] == "done" and fakes.count("Speak") == 5  # speech was kept
        assert client.delete(f"/v1/jobs/{job_id}").status_code == 409


def test_a_failed_shot_names_the_step_the_shot_and_the_reason(client: TestClient, fakes: FakeServices) -> None:
    fakes.fail_shots["s02_01"] = grpc.StatusCode.INVALID_ARGUMENT
    job = finished(client, submit(client))
    assert job["state"] == "failed"
    assert job["error"] == {"step": "visuals", "service": "visual", "shot_id": "s02_01",
                            "reason": "the fake cannot draw shot s02_01"}
    assert next(s for s in job["shots"] if s["id"] == "s02_01")["state"] == "failed"
    assert next(s for s in job["scenes"] if s["id"] == "s02")["state"] == "failed"
    assert fakes.count("RenderShot", "s02_01") == 1, "INVALID_ARGUMENT is not retried"
    assert job["eta_s"] is None


def _fail_once_another_shot_is_stored(fakes: FakeServices, tmp_path: Path, shot_id: str) -> None:
    """Hold shot_id's render (which fakes.fail_shots fails) until the gateway has stored another
    shot as rendered: the failure then comes with work done, however the renders interleave."""
    original = fakes.render

    async def render(request: visual_pb.RenderShotRequest, context: grpc.aio.ServicerContext) -> Any:
        if request.shot.id == shot_id:
            job_id = dict(context.invocation_metadata())["storyreel-job-id"]
            url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"  # the gateway's (gateway_settings)
            store = await asyncio.to_thread(JobStore, url)  # off the fakes' loop: the other renders run on it
            try:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not any(
                    name.startswith("visuals/") for name in await asyncio.to_thread(store.results, job_id)
                ):
                    await asyncio.sleep(0.02)
            finally:
                store.close()
        return await original(request, context)

    fakes.render = render  # type: ignore[method-assign]


def test_a_full_disk_fails_the_job_saying_what_to_do_and_render_resumes_it(
    tmp_path: Path, fakes: FakeServices
) -> None:
    fakes.fail_shots["s02_01"] = grpc.StatusCode.RESOURCE_EXHAUSTED  # what a service's DiskFull becomes
    _fail_once_another_shot_is_stored(fakes, tmp_path, "s02_01")
    with gateway(tmp_path, fakes, visual_parallel=2) as client:  # a slot for the others while s02_01 waits
        job_id = submit(client)
        job = finished(client, job_id)
        _assert_the_disk_failure_is_clear_and_resumed(client, fakes, job_id, job)


def _assert_the_disk_failure_is_clear_and_resumed(
    client: TestClient, fakes: FakeServices, job_id: str, job: dict[str, Any]
) -> None:
    assert job["state"] == "failed" and job["error"]["shot_id"] == "s02_01"
    reason = job["error"]["reason"]
    assert "is out of room: the fake cannot draw shot s02_01" in reason
    assert f"The job keeps everything it finished: once there is room, POST /v1/jobs/{job_id}/render" in reason
    assert fakes.count("RenderShot", "s02_01") == 1, "a full disk is not retried"
    rendered = [shot["id"] for shot in job["shots"] if shot["state"] == "done"]
    assert rendered, "other shots finished before the failure"

    del fakes.fail_shots["s02_01"]  # room again
    assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202
    assert finished(client, job_id)["state"] == "done"
    assert all(fakes.count("RenderShot", shot) == 1 for shot in rendered), "finished shots are not redone"


def test_a_deadline_is_retried_with_backoff_and_counted(client: TestClient, fakes: FakeServices) -> None:
    fakes.fail_once["s01_02"] = grpc.StatusCode.DEADLINE_EXCEEDED
    job = finished(client, submit(client))
    assert job["state"] == "done"
    assert fakes.count("RenderShot", "s01_02") == 2
    metrics = client.get("/metrics").text
    retried = 'code="DEADLINE_EXCEEDED",method="RenderShotStream",service="visual"'
    assert f"storyreel_gateway_rpc_retries_total{{{retried}}} 1.0" in metrics


def test_metrics_show_jobs_by_state_step_durations_and_rpc_latency(client: TestClient) -> None:
    finished(client, submit(client))
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    metrics = response.text
    assert 'storyreel_gateway_jobs{state="done"} 1.0' in metrics
    assert 'storyreel_gateway_jobs{state="failed"} 0.0' in metrics
    assert 'storyreel_gateway_step_seconds_count{step="visuals"} 5.0' in metrics
    assert 'storyreel_gateway_rpc_seconds_count{code="OK",method="SpeakStream",service="audio"} 5.0' in metrics
    assert 'storyreel_gateway_jobs_finished_total{state="done"} 1.0' in metrics
    assert 'storyreel_gateway_calls_in_flight{step="visuals"} 0.0' in metrics


def _wait_until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.02)


def test_a_restarted_gateway_resumes_without_redoing_finished_shots(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders(after=2)
    with gateway(tmp_path, fakes, visual_parallel=1) as client:
        job_id = submit(client)
        wait(client, job_id, lambda job: fakes.count("RenderShot") == 3)  # two done, the third in flight
    _wait_until(lambda: bool(fakes.cancelled))  # the fake learns of it in its own time
    assert len(fakes.cancelled) == 1, "stopping the gateway cancels the call in flight"
    fakes.release_renders()  # only now: a render let go before its cancel arrives would finish unstored
    with gateway(tmp_path, fakes) as client:
        job = finished(client, job_id)
    assert job["state"] == "done"
    renders = {shot["id"]: fakes.count("RenderShot", shot["id"]) for shot in job["shots"]}
    assert renders == {shot: 2 if shot in fakes.cancelled else 1 for shot in renders}, "a finished shot was redone"
    assert fakes.count("Speak") == 5 and fakes.count("Plan") == 1


def test_several_jobs_share_the_visual_service_fairly(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders(after=1)  # the long job's first shot renders; its second then holds the only slot
    long_story = " ".join(f"Meera walked to the river number {n}." for n in range(16))
    with gateway(tmp_path, fakes, visual_parallel=1) as client:
        long_job = submit(client, long_story)
        wait(client, long_job, lambda job: job["steps"]["visuals"]["done"] == 1 and fakes.count("RenderShot") == 2)
        short_job = submit(client)
        wait(client, short_job, lambda job: job["state"] == "rendering")  # its shots wait for the slot too
        fakes.release_renders()  # however fast either job is now, the slot must go round both
        short = finished(client, short_job)
        assert short["state"] == "done"
        long = client.get(f"/v1/jobs/{long_job}").json()
        assert long["steps"]["visuals"]["done"] < 16, "the short job waited for every shot of the long one"
        assert finished(client, long_job)["state"] == "done"


def test_the_eta_comes_from_measured_rates(client: TestClient, fakes: FakeServices) -> None:
    finished(client, submit(client))  # measures every step
    fakes.hold_renders()
    job_id = submit(client, STORY)
    job = wait(client, job_id, lambda job: job["state"] == "rendering")
    assert job["eta_s"] is not None and job["eta_s"] >= 0 and job["eta_basis"] == "measured"
    assert job["steps"]["visuals"]["seconds_per_item"] is not None
    assert job["steps"]["visuals"]["rate_basis"] == "measured"
    fakes.release_renders()
    assert finished(client, job_id)["eta_s"] == 0.0


def test_jobs_over_the_running_limit_wait_queued_then_run(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders()
    with gateway(tmp_path, fakes, max_running_jobs=1) as client:
        first, second = submit(client), submit(client)
        wait(client, first, lambda job: job["state"] == "rendering")
        assert client.get(f"/v1/jobs/{second}").json()["state"] == "queued"
        assert fakes.count("Plan") == 1, "the second job has not started"
        fakes.release_renders()
        assert finished(client, first)["state"] == "done"
        assert finished(client, second)["state"] == "done"
