"""/v1/jobs: submit a story, follow its progress, download the film."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse, JSONResponse

from gateway.deps import Gateway, GatewayDep
from gateway.jobs import JobList, JobRequest, JobState, JobView
from gateway.orchestrator import COMPOSE, job_key
from gateway.store import JobRecord
from gateway.views import job_links, job_view
from storyreel.domain import check_story

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


def _job(gateway: Gateway, job_id: str) -> JobRecord:
    record = gateway.store.get(job_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id!r}")
    return record


def _finished_file(gateway: Gateway, job_id: str, result_field: str) -> Path:
    record = _job(gateway, job_id)
    compose = gateway.store.results(job_id).get(COMPOSE)
    if record.state != JobState.DONE or compose is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id} is {record.state.value}, not done")
    return gateway.artifacts.existing(str(compose[result_field]), result_field)


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=JobView,
             summary="Submit a story; the film is made in the background")
async def create_job(request: JobRequest, gateway: GatewayDep) -> JSONResponse:
    check_story(request.story, gateway.settings.max_story_bytes)  # InvalidInput -> 422; nothing is stored
    job_id = gateway.store.create(request)
    gateway.orchestrator.start(job_id)
    record = _job(gateway, job_id)
    view = job_view(record, {})
    return JSONResponse(view.model_dump(mode="json"), status_code=202, headers={"Location": job_links(job_id)["self"]})


@router.get("", response_model=JobList, summary="List jobs, newest first")
async def list_jobs(
    gateway: GatewayDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobList:
    records, total = gateway.store.page(limit, offset)
    views = [job_view(r, gateway.store.results(r.id)) for r in records]
    return JobList(jobs=views, total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobView, summary="A job's state, progress per step and shot, and error")
async def get_job(job_id: str, gateway: GatewayDep) -> JobView:
    return job_view(_job(gateway, job_id), gateway.store.results(job_id))


@router.get("/{job_id}/video", response_class=FileResponse, summary="The finished film (MP4; supports Range)")
async def get_video(job_id: str, gateway: GatewayDep) -> FileResponse:
    return FileResponse(_finished_file(gateway, job_id, "video"), media_type="video/mp4", filename="film.mp4")


@router.get("/{job_id}/subtitles.srt", response_class=FileResponse, summary="The film's subtitles (SRT)")
async def get_subtitles(job_id: str, gateway: GatewayDep) -> FileResponse:
    path = _finished_file(gateway, job_id, "srt")
    return FileResponse(path, media_type="application/x-subrip; charset=utf-8", filename="film.srt")


@router.get("/{job_id}/storyboard", summary="The storyboard (timed once speech is done)")
async def get_storyboard(job_id: str, gateway: GatewayDep) -> Any:
    _job(gateway, job_id)
    key = job_key(job_id, "storyboard.json")
    if gateway.artifacts.exists(key):
        return FileResponse(gateway.artifacts.path(key), media_type="application/json")
    planned = gateway.store.results(job_id).get("storyboard")
    if planned is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id} has no storyboard yet")
    return planned["storyboard"]
