"""`storyreel serve` as a user runs it: a service killed with -9 is reaped and started again on
the same address, the user's job store URL is the one used, and SIGTERM stops it all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from cli.stack import free_port
from storyreel.grpckit import wait_serving
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

WAIT_S = 120.0


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _service_child(serve: psutil.Process, service: str) -> psutil.Process:
    return next(child for child in serve.children() if f"services.{service}" in child.cmdline())


def test_serve_restarts_a_killed_service_on_its_address_and_keeps_the_users_database(tmp_path: Path) -> None:
    work, database = tmp_path / "work", tmp_path / "elsewhere" / "jobs.sqlite3"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "STORYREEL_GATEWAY_DATABASE_URL": f"sqlite:///{database}"}
    serve = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(free_port()), "--work-dir", str(work)],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(REPO_ROOT)}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    try:
        assert serve.stdout is not None
        lines = [serve.stdout.readline() for _ in range(5)]  # "storyreel is up", then a line per service
        assert lines[0].startswith("storyreel is up"), lines
        audio_address = next(line.split("grpc://")[1].strip() for line in lines if line.strip().startswith("audio"))
        assert database.is_file() and not (work / "jobs.sqlite3").exists(), "the user's database URL is used"

        killed = _service_child(psutil.Process(serve.pid), "audio")
        killed.kill()
        notes = work / "logs" / "launcher.log"
        _wait_for(lambda: notes.exists() and "started the audio process again" in notes.read_text(), "no restart")
        assert not psutil.pid_exists(killed.pid) or killed.status() != psutil.STATUS_ZOMBIE, "reaped"
        assert _service_child(psutil.Process(serve.pid), "audio").pid != killed.pid
        asyncio.run(wait_serving(audio_address, timeout_s=WAIT_S))  # on the address the gateway dials

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(60) == 0
    finally:
        serve.kill()
        serve.communicate(timeout=60)
