"""The fair limiter: a bound on calls in flight, shared by jobs in turn."""

from __future__ import annotations

import asyncio

import pytest

from gateway.fair import FairLimiter


async def _record(limiter: FairLimiter, job: str, order: list[str], release: asyncio.Event) -> None:
    async with limiter.slot(job):
        order.append(job)
        await release.wait()


async def test_waiting_jobs_take_turns_instead_of_first_come_first_served() -> None:
    limiter, order, release = FairLimiter(1), list[str](), asyncio.Event()
    release.set()
    blocker = asyncio.Event()
    first = asyncio.create_task(_record(limiter, "long", [], blocker))  # holds the only slot
    await asyncio.sleep(0)
    tasks = [asyncio.create_task(_record(limiter, "long", order, release)) for _ in range(6)]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(_record(limiter, "short", order, release)) for _ in range(2)]
    await asyncio.sleep(0)
    blocker.set()
    await asyncio.gather(first, *tasks)
    assert order == ["long", "short", "long", "short", "long", "long", "long", "long"]
    assert limiter.in_flight == 0


async def test_never_more_than_the_limit_in_flight() -> None:
    limiter, peak, now = FairLimiter(3), 0, 0

    async def work(job: str) -> None:
        nonlocal peak, now
        async with limiter.slot(job):
            now += 1
            peak = max(peak, now)
            await asyncio.sleep(0.001)
            now -= 1

    await asyncio.gather(*(work(f"job{n % 4}") for n in range(40)))
    assert peak == 3 and limiter.in_flight == 0


async def test_a_cancelled_waiter_gives_up_its_place_and_its_slot() -> None:
    limiter, hold = FairLimiter(1), asyncio.Event()
    holder = asyncio.create_task(_record(limiter, "a", [], hold))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(_record(limiter, "b", [], hold))
    await asyncio.sleep(0)
    assert limiter.waiting("b") == 1
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert limiter.waiting("b") == 0
    hold.set()
    await holder
    assert limiter.in_flight == 0
    async with limiter.slot("c"):  # the slot came back
        assert limiter.in_flight == 1


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FairLimiter(0)
