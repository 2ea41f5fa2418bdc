"""Downloads: the film (with Range, so a browser can seek), its subtitles, the storyboard, and
each shot's clip and keyframe."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse

from gateway.deps import Gateway, GatewayDep, require_api_key
from gateway.jobs import Step
from gateway.results import COMPOSE, Composed, JobResults, Rendered, load, result_name
from gateway.routes.docs import JobId, ShotId, errors, file_response
from gateway.routes.edits import EXAMPLE_STORYBOARD
from gateway.routes.jobs import job_record
from gateway.views import timed_storyboard
from storyreel.domain import Storyboard

router = APIRouter(prefix="/v1/jobs", tags=["files"], dependencies=[Depends(require_api_key)])

_SRT_EXAMPLE = "1\n00:00:00,000 --> 00:00:02,400\nOld Meera lived by the river.\n"
_VTT_EXAMPLE = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.400\nOld Meera lived by the river.\n"


def _film_file(gateway: Gateway, job_id: str, field: Literal["video", "srt", "vtt"]) -> Path:
    """A file of the latest film; while a re-roll or edit renders, the previous film is served."""
    record = job_record(gateway, job_id)
    film = load(Composed, gateway.store.result(job_id, COMPOSE))
    key = getattr(film, field) if film else ""
    if not key:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id} is {record.state.value} and has no film yet")
    return gateway.artifacts.existing(key, field)


def _shot_file(gateway: Gateway, job_id: str, shot_id: str, field: Literal["clip", "keyframe"]) -> Path:
    job_record(gateway, job_id)
    rendered = load(Rendered, gateway.store.result(job_id, result_name(Step.VISUALS, shot_id)))
    if rendered is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"shot {shot_id!r} of job {job_id} is not rendered (yet)")
    return gateway.artifacts.existing(getattr(rendered, field), field)


@router.get("/{job_id}/video", response_class=FileResponse, responses={
    **file_response("video/mp4", "The film (MP4); Range requests work", "<binary>"), **errors(404, 409, 410)},
    summary="The film (MP4; supports Range)")
async def get_video(job_id: JobId, gateway: GatewayDep) -> FileResponse:
    return FileResponse(_film_file(gateway, job_id, "video"), media_type="video/mp4", filename="film.mp4")


@router.get("/{job_id}/subtitles.srt", response_class=FileResponse, responses={
    **file_response("application/x-subrip", "SubRip subtitles", _SRT_EXAMPLE), **errors(404, 409, 410)},
    summary="The film's subtitles (SRT)")
async def get_subtitles(job_id: JobId, gateway: GatewayDep) -> FileResponse:
    path = _film_file(gateway, job_id, "srt")
    return FileResponse(path, media_type="application/x-subrip; charset=utf-8", filename="film.srt")


@router.get("/{job_id}/subtitles.vtt", response_class=FileResponse, responses={
    **file_response("text/vtt", "WebVTT subtitles, for a <track> element", _VTT_EXAMPLE), **errors(404, 409, 410)},
    summary="The film's subtitles (WebVTT)")
async def get_vtt(job_id: JobId, gateway: GatewayDep) -> FileResponse:
    """The composer's WebVTT (the gateway has asked for one with every film since it first did)."""
    return FileResponse(_film_file(gateway, job_id, "vtt"), media_type="text/vtt; charset=utf-8", filename="film.vtt")


@router.get("/{job_id}/storyboard", response_model=Storyboard,
            responses={200: {"content": {"application/json": {"example": EXAMPLE_STORYBOARD}}}, **errors(404, 409)},
            summary="The storyboard (shot lengths measured from speech once it is spoken)")
async def get_storyboard(job_id: JobId, gateway: GatewayDep) -> Storyboard:
    record = job_record(gateway, job_id)
    settings = gateway.settings
    storyboard = timed_storyboard(JobResults(gateway.store.results(job_id)), settings.speech_air_s, settings.min_shot_s,
                                  settings.fps)
    if storyboard is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id} is {record.state.value} and has no storyboard yet")
    return storyboard


@router.get("/{job_id}/shots/{shot_id}/clip", response_class=FileResponse, responses={
    **file_response("video/mp4", "The shot's silent clip", "<binary>"), **errors(404, 410)},
    summary="One shot's rendered clip (MP4, silent)")
async def get_clip(job_id: JobId, shot_id: ShotId, gateway: GatewayDep) -> FileResponse:
    return FileResponse(_shot_file(gateway, job_id, shot_id, "clip"), media_type="video/mp4",
                        filename=f"{shot_id}.mp4")


@router.get("/{job_id}/shots/{shot_id}/keyframe", response_class=FileResponse, responses={
    **file_response("image/png", "The shot's keyframe", "<binary>"), **errors(404, 410)},
    summary="One shot's keyframe (PNG), for thumbnails")
async def get_keyframe(job_id: JobId, shot_id: ShotId, gateway: GatewayDep) -> FileResponse:
    return FileResponse(_shot_file(gateway, job_id, shot_id, "keyframe"), media_type="image/png")
