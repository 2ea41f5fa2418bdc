"""/v1/jobs: submit a story, list and follow jobs, cancel one, render one again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from gateway import admission, edits, messages
from gateway.deps import Gateway, GatewayDep, api_client, require_api_key
from gateway.jobs import JobList, JobRequest, JobState, JobView, RenderRequest
from gateway.results import MUSIC_UPLOAD, job_key
from gateway.retention import remove_job_files
from gateway.routes.docs import SUBMIT_EXAMPLES, JobId, errors
from gateway.store import JobRecord, QueueFull, new_job_id
from gateway.submit import Submission, multipart_schema, music_key, normalised, read_submission, save_upload
from gateway.views import job_links
from storyreel.domain import check_story
from storyreel.errors import InvalidInput

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], dependencies=[Depends(require_api_key)])

def job_record(gateway: Gateway, job_id: str) -> JobRecord:
    record = gateway.store.get(job_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id!r}")
    return record


def current_view(gateway: Gateway, job_id: str) -> JobView:
    view = gateway.runtime.view(job_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id!r}")
    return view


_SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}, "examples": SUBMIT_EXAMPLES},
            "multipart/form-data": {"schema": multipart_schema()},
        },
    }
}


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=JobView, openapi_extra=_SUBMIT_BODY,
    summary="Submit a story; the film is made in the background",
    description="JSON (`JobRequest`) or a multipart form with `story` or `story_file`, an optional "
                "`music_file` and the same options as form fields. Answers 202 with the job and a Location.",
    responses=errors(413, 415, 422, 429, 507),
)
async def create_job(request: Request, gateway: GatewayDep) -> JSONResponse:
    client = api_client(request)
    gateway.admission.check_room(client)  # a full queue is 429 before the body is read
    async with read_submission(request) as submission:
        _check(gateway, submission)  # InvalidInput -> 422; nothing is stored
        await _check_voices(gateway, submission)  # a voice id the engine lacks: 422, nothing stored
        job_id = new_job_id()
        # The upload first: when it cannot be stored (DiskFull -> 507) there is no job without its music.
        music = await _store_music(gateway, job_id, submission.music) if submission.music is not None else None
        try:  # the count that holds: in the database, as the job is inserted
            gateway.store.create(submission.request, job_id, client, admission.limits(gateway.settings))
        except QueueFull as full:
            remove_job_files(gateway.artifacts, job_id)
            raise gateway.admission.refusal(full) from None
        if music is not None:
            gateway.store.put_result(job_id, MUSIC_UPLOAD, music)
    gateway.orchestrator.start(job_id)
    view = current_view(gateway, job_id)
    return JSONResponse(view.model_dump(mode="json"), status_code=202, headers={"Location": job_links(job_id)["self"]})


async def _store_music(gateway: Gateway, job_id: str, music: UploadFile) -> dict[str, Any]:
    """Store the upload under the job's key; the result the job keeps of it."""
    key = music_key(job_key(job_id), music)
    size = await save_upload(gateway.artifacts, key, music)
    return {"key": key, "bytes": size, "name": music.filename or ""}


def _check(gateway: Gateway, submission: Submission) -> None:
    check_story(submission.request.story, gateway.settings.max_story_bytes)
    messages.check_options(submission.request)
    if submission.music is not None and submission.music.size == 0:
        raise InvalidInput("the music file is empty")


async def _check_voices(gateway: Gateway, submission: Submission) -> None:
    cast = edits.chosen_voices(submission.request.voices)
    if cast is not None:
        await edits.check_voices(gateway.runtime.services.audio, cast)


@router.get("", response_model=JobList, summary="List jobs, newest first", responses=errors())
async def list_jobs(
    gateway: GatewayDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Jobs per page.", examples=[20])] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Jobs to skip.", examples=[0])] = 0,
) -> JobList:
    records, total = gateway.store.page(limit, offset)
    views = [view for record in records if (view := gateway.runtime.view(record.id)) is not None]
    return JobList(jobs=views, total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobView, responses=errors(404),
            summary="A job: state, progress and ETA, each scene and shot, and the error if it failed")
async def get_job(job_id: JobId, gateway: GatewayDep) -> JobView:
    return current_view(gateway, job_id)


@router.delete("/{job_id}", response_model=JobView,
               responses={**errors(404, 409), 204: {"description": "With purge=true: the job and its files are gone"}},
               summary="Cancel a job: its calls in flight are cancelled; what is done is kept. "
                       "With purge=true, delete a finished job with its files")
async def cancel_job(
    job_id: JobId, gateway: GatewayDep,
    purge: Annotated[bool, Query(description="Delete the finished job (done, failed or cancelled) with its "
                                             "results, events and files, instead of cancelling it.")] = False,
) -> JobView | Response:
    record = job_record(gateway, job_id)
    if purge:
        if not record.state.finished or not gateway.store.delete(job_id):
            raise HTTPException(status.HTTP_409_CONFLICT,
                                f"job {job_id} is {record.state.value}: cancel it first, then delete it")
        remove_job_files(gateway.artifacts, job_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    if record.state in (JobState.DONE, JobState.FAILED):
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id} is {record.state.value}: nothing to cancel")
    if record.state != JobState.CANCELLED:
        await gateway.orchestrator.cancel(job_id)
    return current_view(gateway, job_id)


@router.post("/{job_id}/render", status_code=status.HTTP_202_ACCEPTED, response_model=JobView,
             responses=errors(404, 422, 429),
             summary="Render a job again: resume it, or make the final after a preview",
             description="Reuses the storyboard, speech and music; with another `visual_backend` or `style` "
                         "only the pictures and the composition are made again; with other `subtitles` only "
                         "the composition.")
async def render_again(job_id: JobId, change: RenderRequest, http: Request, gateway: GatewayDep) -> JobView:
    record = job_record(gateway, job_id)
    if record.state.finished:  # it joins the unfinished jobs again
        gateway.admission.check_room(api_client(http))
    updates = change.model_dump(exclude_none=True, exclude={"subtitles"})
    if change.subtitles is not None:  # the fields given replace the job's; a null mode is the composer's own
        given = change.subtitles.model_dump(exclude_unset=True)
        updates["subtitles"] = {**record.request.subtitles.model_dump(), **given}
    request = normalised(JobRequest.model_validate({**record.request.model_dump(), **updates}))
    messages.check_options(request)
    await gateway.orchestrator.revise(job_id, request)
    return current_view(gateway, job_id)
