"""A gateway's stop is bounded: a task of the orchestrator that will not stop when cancelled is
logged with where it waits and left behind, instead of holding the stop (and a deployment's
rollout, or a test run) forever."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.gateway_fakes import FakeServices, gateway


async def _stubborn() -> None:
    """Swallows the first cancel, as a call stuck in a library can; the second one ends it."""
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await _held_inside()


async def _held_inside() -> None:
    await asyncio.sleep(3600)


def test_a_run_that_will_not_stop_is_logged_and_left_behind(
    tmp_path: Path, fakes: FakeServices, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="gateway.orchestrator")
    with gateway(tmp_path, fakes, shutdown_grace_s=0.2) as client:
        orchestrator = client.app.state.gateway.orchestrator  # type: ignore[attr-defined]
        client.portal.call(_add_stubborn, orchestrator)  # type: ignore[union-attr]
    stuck = [record.getMessage() for record in caplog.records if "did not stop" in record.getMessage()]
    assert len(stuck) == 1, caplog.text
    assert "stubborn-restart" in stuck[0], stuck[0]
    # the whole chain of awaits, down to the innermost coroutine and the future it waits on
    assert "_stubborn (" in stuck[0] and "-> _held_inside (" in stuck[0] and "-> sleep (" in stuck[0], stuck[0]


async def _add_stubborn(orchestrator: object) -> None:
    task = asyncio.create_task(_stubborn(), name="stubborn-restart")
    orchestrator._background.add(task)  # type: ignore[attr-defined]
    await asyncio.sleep(0)  # started: waiting in its first sleep
