"""Slow is not dead: speech, renders and music stream heartbeats, and the gateway gives up on a
call only when it goes silent (idle_timeout_s), however long the work takes in all."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait

# (method the fakes count, an item of the sample story it serves)
STREAMED = [("Speak", "s01_02"), ("RenderShot", "s02_01"), ("ComposeMusic", "s02")]


@pytest.mark.parametrize(("method", "item"), STREAMED)
def test_a_call_that_goes_silent_is_given_up_and_tried_again(
    tmp_path: Path, fakes: FakeServices, method: str, item: str
) -> None:
    fakes.silent[method, item] = 1
    with gateway(tmp_path, fakes, idle_timeout_s=0.5) as client:
        job = finished(client, submit(client))
    assert job["state"] == "done", job["error"]
    assert fakes.silences == 1
    assert fakes.count(method, item) >= 1  # the second try did the work


@pytest.mark.parametrize(("method", "item"), STREAMED)
def test_a_service_silent_on_every_try_fails_the_job_naming_it_and_saying_how_to_resume(
    tmp_path: Path, fakes: FakeServices, method: str, item: str
) -> None:
    fakes.silent[method, item] = 99
    with gateway(tmp_path, fakes, idle_timeout_s=0.3, rpc_retries=1) as client:
        job = finished(client, submit(client))
    assert job["state"] == "failed"
    reason = job["error"]["reason"]
    assert "sent nothing for" in reason and "no heartbeat" in reason and f"/v1/jobs/{job['id']}/render" in reason
    assert job["error"]["service"] in ("audio", "visual")
    assert fakes.silences == 2  # the first try and the one retry


def test_work_that_keeps_sending_heartbeats_never_times_out_however_long_it_takes(
    tmp_path: Path, fakes: FakeServices
) -> None:
    # Every streamed call takes 3 s in all, heartbeating every 0.1 s: far past the 2 s idle timeout.
    fakes.heartbeats, fakes.heartbeat_s = 30, 0.1
    with gateway(tmp_path, fakes, idle_timeout_s=2.0, rpc_retries=0) as client:
        job = finished(client, submit(client), timeout_s=120)
    assert job["state"] == "done", job["error"]
    assert fakes.silences == 0
    assert all(count == 1 for count in fakes.calls.values())  # nothing was tried twice


def test_a_render_that_waits_long_but_keeps_heartbeating_is_not_given_up(
    tmp_path: Path, fakes: FakeServices
) -> None:
    fakes.render_heartbeat_s = 0.1
    fakes.hold_renders()
    with gateway(tmp_path, fakes, idle_timeout_s=1.0, rpc_retries=0) as client:
        job_id = submit(client)
        wait(client, job_id, lambda job: fakes.count("RenderShot") >= 1)
        time.sleep(3.0)  # three idle timeouts with the render held, heartbeating all along
        fakes.release_renders()
        job = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    assert fakes.cancelled == [] and fakes.silences == 0
    assert all(count == 1 for (method, _), count in fakes.calls.items() if method == "RenderShot")


def test_an_answered_call_is_left_to_end_ok_not_cancelled(tmp_path: Path, fakes: FakeServices) -> None:
    # Cancelling after the result would log every finished render as CANCELLED on the service.
    fakes.linger_after_result_s = 0.5
    with gateway(tmp_path, fakes) as client:
        job = finished(client, submit(client))
    assert job["state"] == "done", job["error"]
    assert fakes.cancelled_after_result == []


def test_a_cancel_that_lands_among_a_renders_heartbeats_stops_the_run(tmp_path: Path, fakes: FakeServices) -> None:
    """A held render heartbeating every half millisecond: a cancel very often lands in the same turn
    of the loop as a heartbeat, which asyncio.wait_for on Python 3.11 swallowed, and the run read on
    forever (the plain DELETE never returned: 0 of 10 tries before storyreel.aio.within, 10 of 10
    after)."""
    fakes.render_heartbeat_s = 0.0005
    fakes.hold_renders()
    with gateway(tmp_path, fakes, shutdown_grace_s=1.0) as client:
        job_id = submit(client)
        wait(client, job_id, lambda job: job["state"] == "rendering")
        answered: list[int] = []
        deleting = threading.Thread(
            target=lambda: answered.append(client.delete(f"/v1/jobs/{job_id}").status_code), daemon=True)
        deleting.start()
        deleting.join(60)  # a working cancel answers at once; a bound, so a lost cancel fails instead of hanging
        fakes.release_renders()
        assert answered == [200], "the cancel did not stop the run"
        assert client.get(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"
