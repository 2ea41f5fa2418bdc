"""Several visual replicas behind one gateway: every replica gets shots (round_robin)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from cli.stack import LocalStack
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e


def _rendered_shots(log: Path) -> int:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    rendered = ("/RenderShot", "/RenderShotStream")
    return sum(1 for line in lines if line.get("rpc", "").endswith(rendered) and line.get("code") == "OK")


def test_the_gateway_spreads_shots_over_every_visual_replica(tmp_path: Path) -> None:
    stack = LocalStack(work_dir=tmp_path, visual_replicas=2,
                       extra_env={"STORYREEL_GATEWAY_VISUAL_PARALLEL": "4", "STORYREEL_VISUAL_CONCURRENCY": "1"})
    stack.start()
    try:
        story = (SAMPLES / "kuan_ka_deepak.txt").read_text("utf-8")
        with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
            job_id = client.post("/v1/jobs", json={"story": story}).json()["id"]
            deadline = time.monotonic() + 300
            while (job := client.get(f"/v1/jobs/{job_id}").json())["state"] not in ("done", "failed"):
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert job["state"] == "done", job["error"]
    finally:
        stack.stop()
    per_replica = [_rendered_shots(tmp_path / "logs" / f"visual-{i}.log") for i in (1, 2)]
    assert sum(per_replica) == job["steps"]["visuals"]["total"]
    assert min(per_replica) >= 2, per_replica
