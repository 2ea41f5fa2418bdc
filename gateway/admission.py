"""Admission: the most unfinished jobs the gateway takes on (in all, and per API key), and a 429
that says when to come back.

The count is made in the job store, inside the transaction that inserts the job (see
JobStore.create), so gateways sharing one database share one limit. When to come back is the
soonest ETA among the running jobs (from measured step rates): a place frees when one finishes.
Before any job was measured, the setting retry_after_s is said instead: an ETA that rests on a
step's prior (eta_basis `prior`) is a guess from another machine, not this gateway's measurement,
and a Retry-After from it would look more certain than it is.
"""

from __future__ import annotations

import math
import time

from fastapi import HTTPException, status

from gateway.jobs import EtaBasis
from gateway.runtime import Runtime
from gateway.settings import GatewaySettings
from gateway.store import Limits, QueueFull

MAX_RETRY_AFTER_S = 3600
"""A Retry-After is never more than this: estimates that far ahead are guesses."""
ESTIMATE_TTL_S = 5.0
"""How long one estimate of Retry-After serves the refusals that follow it."""


def limits(settings: GatewaySettings) -> Limits:
    per_key = settings.max_unfinished_jobs_per_key if settings.api_key_list() else 0
    return Limits(unfinished=settings.max_unfinished_jobs, per_client=per_key)


class Admission:
    """Checks for room and words the refusals of one gateway. The estimate of when to come back
    is kept for ESTIMATE_TTL_S, so a flood of refused requests costs one count each, not a look
    at every running job each."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._estimates: dict[str | None, tuple[float, int, bool]] = {}

    def check_room(self, client: str | None) -> None:
        """A first look, before an upload is stored: 429 when the queue is full already. The job
        store's count when the job is inserted is the one that holds."""
        room = limits(self.runtime.settings)
        if room.unfinished and (count := self.runtime.store.unfinished()) >= room.unfinished:
            raise self.refusal(QueueFull(count, room.unfinished, None))
        if client and room.per_client and (count := self.runtime.store.unfinished(client)) >= room.per_client:
            raise self.refusal(QueueFull(count, room.per_client, client))

    def retry_after(self, client: str | None) -> tuple[int, bool]:
        """Seconds until a place is likely free, and whether that was estimated from measured rates."""
        now = time.monotonic()
        cached = self._estimates.get(client)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        seconds, measured = _estimate(self.runtime, client)
        self._estimates[client] = (now + ESTIMATE_TTL_S, seconds, measured)
        return seconds, measured

    def refusal(self, full: QueueFull) -> HTTPException:
        """429 Too Many Requests, with Retry-After and the reason in words."""
        seconds, measured = self.retry_after(full.client)
        when = (f"in about {seconds} s, when the next running job is expected to finish" if measured
                else f"in {seconds} s")
        if full.client is None:
            reason = (f"the gateway is full: {full.unfinished} jobs are queued or running, and it takes at most "
                      f"{full.limit} (STORYREEL_GATEWAY_MAX_UNFINISHED_JOBS); nothing was stored. Try again {when}")
        else:
            reason = (f"this API key has {full.unfinished} jobs queued or running, the most one key may have "
                      f"(STORYREEL_GATEWAY_MAX_UNFINISHED_JOBS_PER_KEY is {full.limit}); nothing was stored. "
                      f"Wait for one to finish or cancel one (DELETE /v1/jobs/{{id}}), then try again {when}")
        return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, reason, headers={"Retry-After": str(seconds)})


def _estimate(runtime: Runtime, client: str | None) -> tuple[int, bool]:
    etas = [
        view.eta_s for job_id in runtime.store.running(client)
        if (view := runtime.view(job_id)) is not None and view.eta_s is not None
        and view.eta_basis == EtaBasis.MEASURED
    ]
    if not etas:
        return runtime.settings.retry_after_s, False
    return min(MAX_RETRY_AFTER_S, max(1, math.ceil(min(etas)))), True
