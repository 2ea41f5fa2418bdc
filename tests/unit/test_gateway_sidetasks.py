"""Stopping a side task never swallows a cancel of the task that waits for it (a cancelled job,
a lost lease, the gateway stopping, landing while the run waits for its cast sheet to stop)."""

from __future__ import annotations

import asyncio

import pytest

from gateway.sidetasks import stop_side_task


async def slow_to_stop(cancelled: asyncio.Event, may_end: asyncio.Event) -> None:
    """A side task that takes its time to end once cancelled (a call winding down)."""
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        cancelled.set()
        await may_end.wait()
        raise


async def test_the_side_task_is_cancelled_and_its_end_is_not_raised() -> None:
    cancelled, may_end = asyncio.Event(), asyncio.Event()
    side = asyncio.create_task(slow_to_stop(cancelled, may_end))
    await asyncio.sleep(0)
    may_end.set()
    await stop_side_task(side)
    assert side.cancelled()


async def test_a_side_task_that_failed_is_not_raised_again() -> None:
    async def fails() -> None:
        raise RuntimeError("already reported where it was awaited")

    side = asyncio.create_task(fails())
    await asyncio.wait([side])
    await stop_side_task(side)


async def test_a_cancel_of_the_waiting_run_during_the_wait_stops_the_run() -> None:
    cancelled, may_end = asyncio.Event(), asyncio.Event()
    side = asyncio.create_task(slow_to_stop(cancelled, may_end))
    went_on = False

    async def run() -> None:
        nonlocal went_on
        await stop_side_task(side)
        went_on = True  # a run that survived its cancel would go on to its next step

    waiting = asyncio.create_task(run())
    await cancelled.wait()  # the run waits in stop_side_task now
    waiting.cancel()
    may_end.set()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not went_on


async def test_after_a_task_group_failed_the_side_task_is_stopped_and_the_failure_goes_on() -> None:
    """As in a run whose pictures failed (steps side by side in a TaskGroup): its side task is then
    stopped in a `finally`, and the step's failure, not a CancelledError, is what the run ends with."""
    cancelled, may_end = asyncio.Event(), asyncio.Event()
    side = asyncio.create_task(slow_to_stop(cancelled, may_end))

    async def fails() -> None:
        raise RuntimeError("a shot failed")

    async def run() -> None:
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(fails())
                group.create_task(asyncio.Event().wait())
        finally:
            may_end.set()
            await stop_side_task(side)

    with pytest.raises(BaseExceptionGroup) as failed:
        await run()
    assert [type(error) for error in failed.value.exceptions] == [RuntimeError]
    assert side.cancelled()
