"""A limit on calls in flight to one service, shared fairly between jobs.

asyncio.Semaphore serves waiters first come, first served: a job that queued 500 shots would make
a job submitted a minute later wait for all 500. Here each job waiting for a slot takes its turn
(round robin), so several jobs progress side by side and a short job finishes early.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairLimiter:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a limit must allow at least one call in flight")
        self.limit = limit
        self._free = limit
        self._waiting: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    @property
    def in_flight(self) -> int:
        return self.limit - self._free

    def waiting(self, job_id: str) -> int:
        return len(self._waiting.get(job_id, ()))

    @asynccontextmanager
    async def slot(self, job_id: str) -> AsyncIterator[None]:
        await self._acquire(job_id)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, job_id: str) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(job_id, deque()).append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # the slot was handed over as we were cancelled: pass it on
            else:
                self._forget(job_id, future)
            raise

    def _release(self) -> None:
        """Hand the slot to the job whose turn it is; that job goes to the back of the line."""
        while self._waiting:
            job_id, queue = next(iter(self._waiting.items()))
            future = queue.popleft()
            if queue:
                self._waiting.move_to_end(job_id)
            else:
                del self._waiting[job_id]
            if not future.done():
                future.set_result(None)
                return
        self._free += 1

    def _forget(self, job_id: str, future: asyncio.Future[None]) -> None:
        queue = self._waiting.get(job_id)
        if queue is None:
            return
        if future in queue:
            queue.remove(future)
        if not queue:
            del self._waiting[job_id]
