"""The gateway can die at any moment: finished jobs stay fetchable, unfinished ones resume,
and no finished shot is rendered again."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stack import LocalStack
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    small = {"STORYREEL_GATEWAY_WIDTH": "640", "STORYREEL_GATEWAY_HEIGHT": "360"}  # resuming is tested, not pictures
    running = LocalStack(work_dir=tmp_path / "stack", extra_env=small)
    running.start()
    yield running
    running.stop()


def _wait(client: httpx.Client, job_id: str, until: Any, timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        assert job["state"] != "failed", job["error"]
        time.sleep(0.05)


def _clips(stack: LocalStack, job_id: str) -> dict[str, float]:
    folder = stack.work_dir / "artifacts" / "jobs" / job_id / "clips"
    return {path.name: path.stat().st_mtime_ns for path in folder.glob("[!.]*.mp4")}  # not in-flight temporaries


@contextlib.contextmanager
def _frozen(stack: LocalStack, name: str) -> Iterator[None]:
    """The process is stopped (SIGSTOP) in the block: it answers nothing, finishes nothing."""
    pid = stack.pid(name)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_a_killed_gateway_resumes_the_job_without_redoing_finished_shots(stack: LocalStack) -> None:
    story = (SAMPLES / "the_lantern_keeper.txt").read_text("utf-8")
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        with _frozen(stack, "composer"):  # the job cannot finish before the crash, however fast it renders
            job_id = client.post("/v1/jobs", json={"story": story}).json()["id"]
            _wait(client, job_id, lambda job: job["steps"]["visuals"]["done"] >= 2)
            with _frozen(stack, "visual"):  # no render ends meanwhile: the shots stored are the shots done
                stored = {shot["id"] for shot in client.get(f"/v1/jobs/{job_id}").json()["shots"]
                          if shot["visual_done"]}
                stack.restart("gateway", kill=True)  # a crash, mid-render
                before = {name: mtime for name, mtime in _clips(stack, job_id).items()
                          if name.split("-")[0] in stored}
            interrupted = client.get(f"/v1/jobs/{job_id}").json()
            assert interrupted["state"] != "done"
        assert len(before) == len(stored) >= 2

    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job = _wait(client, job_id, lambda job: job["state"] == "done")
        after = _clips(stack, job_id)
        assert len(after) == job["steps"]["visuals"]["total"], "each shot has exactly one clip"
        assert {name: after[name] for name in before} == before, "a finished clip was rendered again"

        stack.restart("gateway")  # a clean restart: the finished job is still there
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        again = client.get(f"/v1/jobs/{job_id}").json()
        assert again["state"] == "done" and again["duration_s"] == job["duration_s"]
        video = client.get(f"/v1/jobs/{job_id}/video")
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"
