"""The job says what the planner cut to fit max_minutes: the plan report's notes are kept with the
job (through later edits) and shown in its view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from tests import gateway_fakes
from tests.gateway_fakes import FakeServices, finished, gateway, submit

NOTE = "to fit 0.5 min, kept 3 of 5 sentences (14 of 25 s of expected speech); expected film 28 s"


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    plan = gateway_fakes._Planner.Plan

    async def plan_with_notes(self: Any, request: planner_pb.PlanRequest, context: Any) -> planner_pb.PlanResponse:
        reply = await plan(self, request, context)
        if request.max_minutes:
            reply.report.notes.append(NOTE)
        return reply

    monkeypatch.setattr(gateway_fakes._Planner, "Plan", plan_with_notes)
    services = FakeServices(tmp_path / "artifacts").start()
    yield services
    services.stop()


def test_the_job_view_says_what_the_planner_cut(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        capped = submit(client, max_minutes=0.5)
        whole = submit(client)
        assert finished(client, capped)["plan_notes"] == [NOTE]
        assert finished(client, whole)["plan_notes"] == []
        board = client.get(f"/v1/jobs/{capped}/storyboard").json()
        board["scenes"][0]["shots"][0]["visual_prompt"] = "a lantern on the water"
        assert client.put(f"/v1/jobs/{capped}/storyboard", json=board).status_code == 202
        assert finished(client, capped)["plan_notes"] == [NOTE], "an edit keeps what the plan said"
