"""What one call's audio work is doing now, for the heartbeats of SpeakStream and ComposeMusicStream.

The servicer makes a Progress per call and sets it as the current one around the work; the work,
in its worker thread (asyncio.to_thread copies the context), says what it is doing with
`report("loading the speech model")`. The engines need no extra argument, and a report with no
call listening (a test, the bench) goes nowhere.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar


class Progress:
    """The latest words of one call's work, and when the call began."""

    def __init__(self, message: str) -> None:
        self.started = time.monotonic()
        self.message = message
        """Replaced whole by report() from the worker thread, read by the event loop: a str is swapped atomically."""

    def elapsed_s(self) -> float:
        return time.monotonic() - self.started


_current: ContextVar[Progress | None] = ContextVar("audio_progress", default=None)


def report(message: str) -> None:
    """Say what the current call's work is doing (nothing happens outside a call)."""
    progress = _current.get()
    if progress is not None:
        progress.message = message


@contextlib.contextmanager
def reporting_to(progress: Progress) -> Iterator[None]:
    """Within the block (and in threads and tasks started in it), report() goes to `progress`."""
    token = _current.set(progress)
    try:
        yield
    finally:
        _current.reset(token)
