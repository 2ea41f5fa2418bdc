"""A deadline on one await that never loses a cancel of the awaiting task.

`asyncio.wait_for` on Python 3.11 (CPython gh-86296, rewritten in 3.12) has a race: when the
awaited thing completes in the same turn of the event loop as a cancel of the task that awaits it,
wait_for returns the result and the cancel is gone. A job run reading a render's stream, where a
heartbeat arrives every second, could then miss its own cancel: the run read on, the held render
never ended, and the `DELETE` that cancelled the job waited for the run forever (seen once in the
gateway's unit tests). `asyncio.timeout` has no such race: a cancel that lands while the awaited
thing completes is still raised at the task's next step. ruff's banned-api rule (pyproject.toml)
keeps wait_for out of the code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["within"]

T = TypeVar("T")


async def within(awaitable: Awaitable[T], timeout_s: float | None) -> T:
    """`await awaitable`, or TimeoutError once timeout_s pass (None: no deadline); a cancel of the
    caller is always raised, even one that lands as the awaitable completes."""
    async with asyncio.timeout(timeout_s):
        return await awaitable
