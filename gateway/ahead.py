"""Composing ahead: while a job's shots render, the composer is asked (Prepare) to encode the
parts of the film that are ready — each scene once its shots are done, the sound once the music
is — so that after the last shot only that shot's scene, a join and a mux are left.

One Prepare is in flight per job at a time: a poke while one runs asks for one more after it,
which then sees everything finished meanwhile (pokes coalesce; none is lost, none piles up).
Composing ahead only saves time, so a Prepare that fails is logged and the run goes on; the
final Compose makes whatever is missing and reports any real problem with the inputs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from gateway.sidetasks import stop_side_task

log = logging.getLogger(__name__)

__all__ = ["ComposeAhead"]


class ComposeAhead:
    def __init__(self, prepare: Callable[[], Awaitable[None]]) -> None:
        self._prepare = prepare
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopped = False

    def poke(self) -> None:
        """Something new is ready: prepare now, or once the Prepare in flight is done."""
        if self._stopped:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="compose-ahead")
        else:
            self._again = True

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self._prepare()
            except Exception as error:  # composing ahead only saves time: never fail the run for it
                log.warning("composing ahead stopped (the film is composed after the last shot instead): %s", error)
                self._stopped = True
                return
            if not self._again or self._stopped:
                return

    async def settle(self) -> None:
        """No more pokes; wait for the Prepare in flight, whose parts the Compose will reuse."""
        self._stopped = True
        if self._task is not None:
            await asyncio.wait([self._task])

    async def close(self) -> None:
        """The run ends (done, failed, superseded): stop a Prepare still in flight."""
        self._stopped = True
        if self._task is not None:
            await stop_side_task(self._task)
