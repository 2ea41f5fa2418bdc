"""storyreel.aio.within: a deadline on one await that never loses a cancel of the caller, even one
that lands in the same turn of the event loop as the awaited thing's result (the race that made a
cancelled job's run read its render's heartbeats on, forever)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

import pytest

from storyreel.aio import within


async def test_the_result_comes_back() -> None:
    future = asyncio.get_running_loop().create_future()
    future.set_result("clip")
    assert await within(future, 5) == "clip"


async def test_a_deadline_that_passes_raises_timeout_error() -> None:
    never = asyncio.get_running_loop().create_future()
    with pytest.raises(TimeoutError):
        await within(never, 0.01)
    assert never.cancelled()  # what was awaited is stopped, as wait_for did


async def test_no_deadline_waits_for_the_result() -> None:
    future = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(future.set_result, 7)
    assert await within(future, None) == 7


async def _reader_cancelled_as_a_message_arrives(
    wait: Callable[[Awaitable[int], float], Awaitable[int]],
) -> tuple[bool, list[int]]:
    """A loop reading a queue with a deadline per message (a render's stream of heartbeats); a
    message and a cancel of the reader in the same turn of the loop. Whether the reader ended, and
    what it read."""
    messages: asyncio.Queue[int] = asyncio.Queue()
    read: list[int] = []

    async def reader() -> None:
        while True:
            read.append(await wait(messages.get(), 5))

    task = asyncio.create_task(reader())
    await asyncio.sleep(0)  # the reader waits for its first message
    messages.put_nowait(1)
    task.cancel()
    for _ in range(10):  # a few turns of the loop: the cancel has had every chance to land
        await asyncio.sleep(0)
    ended = task.done()
    task.cancel()
    await asyncio.wait([task])
    return ended, read


async def test_a_cancel_that_lands_as_a_message_arrives_stops_the_reader() -> None:
    ended, read = await _reader_cancelled_as_a_message_arrives(within)
    assert ended
    assert read == []  # the message stays in the queue, unread


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="asyncio.wait_for has no such race from Python 3.12")
async def test_the_same_race_loses_the_cancel_with_asyncio_wait_for() -> None:
    """The reason for within: this test's setup does reproduce the race."""
    ended, read = await _reader_cancelled_as_a_message_arrives(asyncio.wait_for)  # noqa: TID251
    assert not ended
    assert read == [1]
