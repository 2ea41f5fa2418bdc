"""Stopping a side task (the cast sheet beside speech, a Prepare beside the pictures) from the
task that started it, without swallowing that task's own cancellation.

`with suppress(CancelledError): await side` hides two different things: the side task's end
(wanted) and a cancel of the awaiting task itself (a cancelled job, a lost lease, the gateway
stopping) that lands during the wait, which the run would then survive and carry on.
`asyncio.wait` tells them apart: it never raises the awaited task's outcome, only the waiter's
own cancellation. (`Task.cancelling()` cannot: on Python 3.11 a TaskGroup whose child failed
leaves its parent's count raised.)
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["stop_side_task"]


async def stop_side_task(task: asyncio.Future[Any]) -> None:
    """Cancel `task` if it still runs and wait for it to end; its own failure or cancellation is
    not raised (it has reached whoever awaited it, or no longer matters), the caller's is."""
    if not task.done():
        task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()  # retrieved: the failure was reported where the task was awaited
