"""A gateway that lost a job's lease stops running it. Gateway a runs a job whose render is held;
its lease runs out (set in the past through the store, as when a's renewal comes late) and
gateway b takes the job over; then a's lease upkeep runs one round: a's run is cancelled, a
writes nothing more for the job (no state, result, event, nor a release of b's lease), and b
alone finishes it. The test runs each upkeep round itself (the background ones are stopped), so
nothing depends on timing."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from gateway.orchestrator import Orchestrator
from gateway.store import JobStore, jobs_table
from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait

# Everything through which a run writes for a job (its first argument is the job's id).
WRITES = ("set_state", "revise", "put_result", "drop_result", "drop_results", "add_result", "add_event",
          "release", "claim")


def _orchestrator(client: TestClient) -> Orchestrator:
    orchestrator: Orchestrator = client.app.state.gateway.orchestrator  # type: ignore[attr-defined]
    return orchestrator


def _on_loop(client: TestClient, function: Callable[..., Any], *args: Any) -> Any:
    return client.portal.call(function, *args)  # type: ignore[union-attr]


async def _stop_upkeep(orchestrator: Orchestrator) -> None:
    """The test runs the upkeep's rounds itself."""
    upkeep = orchestrator._upkeep
    assert upkeep is not None
    upkeep.cancel()
    await asyncio.wait([upkeep])


async def _ended(task: asyncio.Task[None]) -> bool:
    await asyncio.wait([task], timeout=30)  # only a broken stop waits this long
    return task.done()


def _record_writes(store: JobStore, job_id: str) -> list[str]:
    """The store's writes for this job from now on, by method name."""
    written: list[str] = []

    def recording(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            if args and args[0] == job_id:
                written.append(name)
            return method(*args, **kwargs)
        return call

    for name in WRITES:
        setattr(store, name, recording(name, getattr(store, name)))
    return written


def _lapse(store: JobStore, job_id: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(sqlalchemy.update(jobs_table).where(jobs_table.c.id == job_id).values(lease_until=time.time() - 1))


def test_a_gateway_that_lost_a_jobs_lease_stops_its_run_and_writes_nothing_more(
    tmp_path: Path, fakes: FakeServices, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.orchestrator")
    common: dict[str, Any] = {"lease_s": 60.0, "visual_parallel": 1}  # one database and one artifact root
    fakes.hold_renders()
    with gateway(tmp_path, fakes, instance_id="a", **common) as a:
        runs_a = _orchestrator(a)
        _on_loop(a, _stop_upkeep, runs_a)
        job_id = submit(a)
        wait(a, job_id, lambda job: fakes.count("RenderShot") == 1)  # a's first render is in flight, held
        run_a = runs_a._runs[job_id][1]
        store_a = runs_a.store
        _lapse(store_a, job_id)  # a's renewal is late

        with gateway(tmp_path, fakes, instance_id="b", **common) as b:  # b takes the job over as it starts
            runs_b = _orchestrator(b)
            _on_loop(b, _stop_upkeep, runs_b)
            assert runs_b.running() == [job_id]
            assert store_a.get(job_id).owner == "b"  # type: ignore[union-attr]
            wait(b, job_id, lambda job: fakes.count("RenderShot") == 2)  # b's render of the same shot, held
            written_by_a = _record_writes(store_a, job_id)

            _on_loop(a, runs_a._upkeep_once)  # a's late renewal: the lease is b's
            assert _on_loop(a, run_a.cancelling), "a's run is cancelled in the same round"
            assert _on_loop(a, _ended, run_a) and run_a.cancelled()
            assert runs_a.running() == []
            deadline = time.monotonic() + 30
            while fakes.cancelled != ["s01_01"]:  # a's call in flight stopped; b's is still held
                assert time.monotonic() < deadline, fakes.cancelled
                time.sleep(0.02)
            _on_loop(a, runs_a._upkeep_once)  # and a does not claim it back
            assert runs_a.running() == [] and store_a.get(job_id).owner == "b"  # type: ignore[union-attr]

            fakes.release_renders()
            job = finished(b, job_id)
            assert job["state"] == "done", job
            assert written_by_a == [], "gateway a wrote for a job it no longer held"
            metrics_a, metrics_b = a.get("/metrics").text, b.get("/metrics").text
        assert fakes.count("Compose") == 1, "the film was made once, by b"
        assert "storyreel_gateway_leases_lost_total 1.0" in metrics_a
        assert "storyreel_gateway_leases_lost_total 0.0" in metrics_b
        assert 'storyreel_gateway_jobs_finished_total{state="done"} 1.0' in metrics_b
        assert "storyreel_gateway_jobs_finished_total{" not in metrics_a, "no run ended on a, neither done nor failed"
        warnings = [record.getMessage() for record in caplog.records if "lost the lease" in record.getMessage()]
        assert len(warnings) == 1 and job_id in warnings[0] and "'b'" in warnings[0], caplog.text
