"""The command line follows a job through the gateway's event stream, to done or cancelled."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from cli.client import GatewayClient
from cli.progress import follow
from tests.gateway_fakes import STORY, FakeServices, live_gateway


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakeServices]:
    services = FakeServices(tmp_path / "artifacts").start()
    yield services
    services.release_renders()
    services.stop()


def test_follow_draws_each_step_and_returns_the_finished_job(tmp_path: Path, fakes: FakeServices) -> None:
    console = Console(record=True, width=100, file=io.StringIO())
    with live_gateway(tmp_path, fakes) as url:
        client = GatewayClient(url)
        job = follow(client, client.submit(STORY), console)
        client.close()
    assert job["state"] == "done"
    drawn = console.export_text()
    assert all(step in drawn for step in ("planning", "speech", "visuals", "music", "composing"))
    assert "5/5" in drawn and "3/3" in drawn


def test_follow_ends_when_the_job_is_cancelled(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders()
    with live_gateway(tmp_path, fakes) as url:
        client = GatewayClient(url)
        job_id = client.submit(STORY)

        def cancel_when_rendering() -> None:
            while fakes.count("RenderShot") == 0:
                time.sleep(0.02)
            httpx.delete(f"{url}/v1/jobs/{job_id}", timeout=10).raise_for_status()

        threading.Thread(target=cancel_when_rendering, daemon=True).start()
        job = follow(client, job_id, Console(file=None, quiet=True))
        client.close()
    assert job["state"] == "cancelled"
