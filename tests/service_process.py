"""Runs one service as its container would (`python -m services.<name>`), for the contract tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from cli.stack import free_port
from storyreel.grpckit import wait_serving
from tests.conftest import REPO_ROOT

STOP_WITHIN_S = 5.0


async def assert_runs_alone_and_stops_on_sigterm(service: str, full_name: str, artifact_root: Path) -> None:
    """The service starts on the address its settings give, reports SERVING, serves /metrics,
    logs JSON lines naming itself, and exits 0 promptly on SIGTERM."""
    address, metrics_port = f"127.0.0.1:{free_port()}", free_port()
    env = {
        **os.environ,
        f"STORYREEL_{service.upper()}_ADDRESS": address,
        f"STORYREEL_{service.upper()}_METRICS_PORT": str(metrics_port),
        "STORYREEL_ARTIFACT_ROOT": str(artifact_root),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", f"services.{service}"], cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE
    )
    try:
        await wait_serving(address, full_name, timeout_s=20)
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        returncode = await asyncio.to_thread(process.wait, 10)
        stopped_in = time.monotonic() - started
    finally:
        process.kill()
        stderr = process.communicate()[1].decode()
    assert returncode == 0, stderr
    assert stopped_in < STOP_WITHIN_S
    assert f'"service": "{service}"' in stderr
    assert "storyreel_rpc_seconds" in metrics, "the service serves Prometheus metrics"
