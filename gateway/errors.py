"""The gateway's own exceptions: the gateway branch of the tree in storyreel.errors.

    storyreel.errors.StoryreelError
    ├── InvalidInput, DiskFull, ...   the kit's own (storyreel/errors.py); the gateway answers
    │                                 InvalidInput with 422 and DiskFull with 507
    └── GatewayError                  anything the gateway raises on purpose
        ├── StepFailed                a step of a job failed; carries the job's error (JobError),
        │                             which the job shows as {step, service, shot_id, reason}
        ├── Superseded                the job moved on (edited, re-rolled, cancelled) while a run
        │                             worked: the run's writes are refused and it stops
        ├── CallWentSilent            a streamed call sent nothing (no progress, no heartbeat) for
        │                             the idle timeout; retried as DEADLINE_EXCEEDED, then StepFailed
        └── QueueFull                 a new job would go over a queue limit: 429, nothing stored

A run catches StepFailed (the job fails, with its reason) and Superseded (the run stops quietly,
the new revision runs); routes catch QueueFull. The others never leave the gateway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyreel.errors import StoryreelError

if TYPE_CHECKING:
    from gateway.jobs import JobError

__all__ = ["CallWentSilent", "GatewayError", "QueueFull", "StepFailed", "Superseded"]


class GatewayError(StoryreelError):
    """Base of every deliberate gateway error."""


class StepFailed(GatewayError):
    """A step failed; `error` says which step, which service and shot, and why, in words a user
    can act on. The job is marked failed with it."""

    def __init__(self, error: JobError) -> None:
        super().__init__(error.reason)
        self.error = error


class Superseded(GatewayError):
    """The job was edited, re-rolled or cancelled since this run started (its revision is no
    longer current): the store refuses the run's writes, and the run must stop."""


class CallWentSilent(GatewayError):
    """A streamed call sent nothing, no progress and no heartbeat, for the idle timeout: the
    service has hung or died. Retried like DEADLINE_EXCEEDED."""

    def __init__(self, idle_s: float) -> None:
        super().__init__(f"sent nothing for {idle_s:.0f} s")
        self.idle_s = idle_s


class QueueFull(GatewayError):
    """A new job would go over a queue limit; nothing was stored."""

    def __init__(self, unfinished: int, limit: int, client: str | None) -> None:
        self.unfinished, self.limit, self.client = unfinished, limit, client
        whose = "this API key has" if client else "the gateway has"
        super().__init__(f"{whose} {unfinished} unfinished jobs, the most it may have is {limit}")
