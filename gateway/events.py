"""Live progress: each job's event log (in the job store) streamed as Server-Sent Events.

A new stream starts with a `snapshot` (the whole job) whose id is the last event's sequence
number, then sends each event as it is written. A stream resumed with Last-Event-ID replays
exactly the events after that id, from the store, so nothing is lost across a dropped
connection or a restarted gateway. The stream ends once the job is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from fastapi.sse import ServerSentEvent

from gateway.jobs import FINISHED_STATES, EventKind, JobView
from gateway.store import JobStore
from storyreel.aio import within

__all__ = ["EventHub", "job_events", "parse_last_event_id"]

REPLAY_LIMIT = 2000
"""A client further behind than this gets a fresh snapshot instead of the whole backlog."""
RETRY_MS = 2000
FINISHED_VALUES = frozenset(state.value for state in FINISHED_STATES)


class EventHub:
    """Wakes the streams of a job when this gateway writes one of its events (streams also poll,
    for events another gateway writes)."""

    def __init__(self) -> None:
        self._changed: dict[str, asyncio.Event] = {}

    def notify(self, job_id: str) -> None:
        changed = self._changed.pop(job_id, None)
        if changed is not None:
            changed.set()

    async def wait(self, job_id: str, timeout_s: float) -> None:
        changed = self._changed.setdefault(job_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await within(changed.wait(), timeout_s)


def parse_last_event_id(header: str | None) -> int | None:
    if header is None or not header.strip().isdigit():
        return None
    return int(header.strip())


async def job_events(
    store: JobStore, hub: EventHub, job_id: str, view: Callable[[], JobView | None],
    last_event_id: int | None, poll_s: float,
) -> AsyncIterator[ServerSentEvent]:
    cursor = store.last_seq(job_id)
    finished_seen = False  # the client has been told the job is finished
    if last_event_id is None or last_event_id > cursor or cursor - last_event_id > REPLAY_LIMIT:
        snapshot = view()
        if snapshot is None:
            return
        finished_seen = snapshot.state.finished
        yield ServerSentEvent(id=str(cursor), event=EventKind.SNAPSHOT.value, data=snapshot.model_dump(mode="json"),
                              retry=RETRY_MS)
    else:
        cursor = last_event_id
    grace = 1  # a finished job whose last event is not written yet gets one more look
    while True:
        events = store.events(job_id, cursor)
        for seq, kind, data in events:
            yield ServerSentEvent(id=str(seq), event=kind.value, data=data)
            cursor = seq
            if kind == EventKind.STATE:
                finished_seen = data.get("state") in FINISHED_VALUES
        if events:
            continue
        record = store.get(job_id)
        if record is None or (record.state.finished and (finished_seen or grace == 0)):
            return
        if record.state.finished:
            grace -= 1
        await hub.wait(job_id, poll_s)
