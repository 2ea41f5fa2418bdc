"""GET /v1/jobs/{id}/events: the job's progress as Server-Sent Events, resumable with Last-Event-ID."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.sse import EventSourceResponse, ServerSentEvent

from gateway.deps import GatewayDep, require_api_key
from gateway.events import job_events, parse_last_event_id
from gateway.routes.docs import JobId, errors
from gateway.routes.jobs import job_record

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], dependencies=[Depends(require_api_key)])

_EXAMPLE = (
    'id: 12\nevent: snapshot\ndata: {"id": "3f2a9c0d1e2b4a5f", "state": "rendering", "progress": 0.41, ...}\n\n'
    'id: 13\nevent: shot\ndata: {"state": "rendering", "progress": 0.44, "eta_s": 31.5, "shot_id": "s01_03", '
    '"step": "visuals", "done": true, "keyframe": "/v1/jobs/3f2a9c0d1e2b4a5f/shots/s01_03/keyframe"}\n\n'
)


def _known_job(job_id: JobId, gateway: GatewayDep) -> None:
    """404 before the stream starts (a dependency runs before the response does)."""
    job_record(gateway, job_id)


@router.get(
    "/{job_id}/events", response_class=EventSourceResponse,
    responses={200: {"description": "An event stream; it ends when the job is finished",
                     "content": {"text/event-stream": {"example": _EXAMPLE}}}, **errors(404)},
    summary="Follow a job live (Server-Sent Events; resume with Last-Event-ID)",
    description="Starts with a `snapshot` event (the whole job, as GET /v1/jobs/{id}); then `state`, "
                "`storyboard`, `shot`, `music` and `film` events, each with the job's state, progress and "
                "ETA. Reconnect with the `Last-Event-ID` header (browsers do) to get exactly the events missed.",
)
async def job_event_stream(
    job_id: JobId,
    gateway: GatewayDep,
    _: Annotated[None, Depends(_known_job)],
    last_event_id: Annotated[str | None, Header(description="The id of the last event received.",
                                                examples=["12"])] = None,
) -> AsyncIterator[ServerSentEvent]:
    stream = job_events(gateway.store, gateway.hub, job_id, lambda: gateway.runtime.view(job_id),
                        parse_last_event_id(last_event_id), gateway.settings.events_poll_s)
    async for event in stream:
        yield event
