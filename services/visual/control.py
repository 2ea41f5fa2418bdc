"""What a render reports while it works, and how the caller stops it.

The servicer runs a backend in a worker thread. It hands the backend a RenderControl: the
backend calls `report` as it goes (the streaming RPC passes that on to the gateway) and calls
`check` (or reads `stop_requested`) between steps; the servicer calls `cancel` when the gRPC call
is cancelled, so a shot stops mid-way and a ComfyUI prompt is interrupted instead of running on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import grpc

from storyreel.errors import StoryreelError


class Stage(StrEnum):
    QUEUED = "queued"
    KEYFRAME = "keyframe"
    ANIMATING = "animating"
    ENCODING = "encoding"
    CHECKING = "checking"
    REROLLING = "rerolling"


@dataclass(frozen=True)
class Progress:
    fraction: float
    """Of the whole shot, 0 to 1."""
    stage: Stage
    message: str = ""
    attempt: int = 1
    """1 for the first render, 2 for the first re-roll..."""


class RenderCancelled(StoryreelError):
    """The caller gave up on the shot (its gRPC call was cancelled)."""

    grpc_code = grpc.StatusCode.CANCELLED


def _ignore(_: Progress) -> None:
    pass


@dataclass
class RenderControl:
    on_progress: Callable[[Progress], None] = _ignore
    _stop: threading.Event = field(default_factory=threading.Event)
    _last: float = 0.0

    def report(self, fraction: float, stage: Stage, message: str = "", attempt: int = 1) -> None:
        """Pass progress on; the fraction never goes backwards (a re-roll restarts its share, not the bar)."""
        self._last = max(self._last, min(1.0, max(0.0, fraction)))
        self.on_progress(Progress(self._last, stage, message, attempt))

    def cancel(self) -> None:
        self._stop.set()

    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def sleep(self, seconds: float) -> None:
        """Wait; RenderCancelled as soon as the caller cancels."""
        self._stop.wait(seconds)
        self.check()

    def check(self) -> None:
        """RenderCancelled once the caller has cancelled."""
        if self._stop.is_set():
            raise RenderCancelled("the shot was cancelled by the caller")
