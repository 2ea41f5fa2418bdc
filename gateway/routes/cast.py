"""The cast sheet: each character with its look, voice and reference picture; a user's own
picture for a character, or another take of it. Either change re-renders exactly the shots that
show that character, then the film (their requests carry the picture's key; see gateway.messages)."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import FileResponse

from gateway.cast import ACCEPTED_TYPES, CharacterView, UnsupportedPicture, character_views, check_picture
from gateway.deps import Gateway, GatewayDep, require_api_key
from gateway.jobs import EventKind, JobView
from gateway.results import CastChoice, JobResults, cast_choice_name, job_key
from gateway.routes.docs import JobId, errors, file_response
from gateway.routes.edits import _planned
from gateway.routes.jobs import current_view
from gateway.settings import GatewaySettings
from storyreel.domain import Storyboard

__all__ = ["router"]

CharacterId = Annotated[str, Path(description="A character's id from the storyboard.", examples=["meera"],
                                  pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]

_PICTURE_BODY = {
    "requestBody": {
        "required": False,
        "description": "The character's picture (image/png or image/jpeg), or nothing for another take.",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in ACCEPTED_TYPES},
    }
}


_CHARACTERS_EXAMPLE = [{
    "id": "meera", "name": "Meera", "description": "an old woman in a blue shawl",
    "voice": {"engine": "espeak", "voice_id": "f3", "pitch": 70, "rate_wpm": 165, "description": ""},
    "shots": ["s01_01", "s03_01"],
    "picture": {"uploaded": False, "take": 0, "width": 768, "height": 1152},
    "links": {"picture": "/v1/jobs/3f2a9c0d1e2b4a5f/characters/meera/reference?v=9c1d2e3f4a5b",
              "reference": "/v1/jobs/3f2a9c0d1e2b4a5f/characters/meera/reference"},
}]


_UNCAPPED = 1 << 62
"""The route's own body limit, above the app's: Starlette's would answer a bare 'Content Too Large'
(for any Content-Length over it, even once the route has answered), so the route reads the body
itself and stops at the picture limit."""


def _character(storyboard: Storyboard, job_id: str, character_id: str) -> None:
    if storyboard.character(character_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} has no character {character_id!r}")


async def _read_limited(request: Request, limit_mb: float) -> bytes:
    """The body, or 413 saying the limit once it (or its Content-Length) passes it."""
    limit = int(limit_mb * 1024 * 1024)

    def too_large(size: str) -> HTTPException:
        return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                             f"the picture is {size}, over the {limit_mb:g} MB limit "
                             "(STORYREEL_GATEWAY_MAX_REFERENCE_MB): give a smaller PNG or JPEG; the job is unchanged")

    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(f"{int(declared) / 1024 / 1024:.1f} MB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(f"over {limit_mb:g} MB")
    return bytes(body)


def router(settings: GatewaySettings) -> APIRouter:
    """The routes, with this gateway's limit on a picture's size (the app's own body limit is
    smaller: a picture may be larger than any JSON body)."""
    routes = APIRouter(prefix="/v1/jobs", tags=["cast"], dependencies=[Depends(require_api_key)])

    @routes.get(
        "/{job_id}/characters", response_model=list[CharacterView],
        responses={200: {"content": {"application/json": {"example": _CHARACTERS_EXAMPLE}}}, **errors(404, 409)},
        summary="The cast: each character's look, voice, shots and reference picture",
        description="Every shot that shows a character is drawn from its reference picture. `picture` is null "
                    "until the job has made it; `links.picture` serves it (PNG), `links.reference` takes a new one.",
    )
    async def list_characters(job_id: JobId, gateway: GatewayDep) -> list[CharacterView]:
        storyboard = _planned(gateway, job_id)
        return character_views(job_id, storyboard, JobResults(gateway.store.results(job_id)))

    @routes.get(
        "/{job_id}/characters/{character_id}/reference", response_class=FileResponse,
        responses={**file_response("image/png", "The character's reference picture", "<binary>"),
                   **errors(404, 409, 410)},
        summary="A character's reference picture (PNG)",
    )
    async def get_reference(job_id: JobId, character_id: CharacterId, gateway: GatewayDep) -> FileResponse:
        _character(_planned(gateway, job_id), job_id, character_id)
        picture = JobResults(gateway.store.results(job_id)).cast(character_id)
        if picture is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                f"the picture of {character_id!r} in job {job_id} is not made (yet)")
        return FileResponse(gateway.artifacts.existing(picture.picture, "reference picture"), media_type="image/png")

    @routes.put(
        "/{job_id}/characters/{character_id}/reference", status_code=status.HTTP_202_ACCEPTED,
        response_model=JobView, responses=errors(404, 409, 413, 415, 422), openapi_extra=_PICTURE_BODY,
        max_body_size=_UNCAPPED,  # the limit is _read_limited's: it reads no more, and says which setting it is
        summary="Give a character your own picture, or another take; its shots and the film are made again",
        description="The body is the picture (image/png or image/jpeg, at most STORYREEL_GATEWAY_MAX_REFERENCE_MB; "
                    "checked here, before anything is stored), or empty for another take of the backend's picture "
                    "(a new seed). Every shot that shows the character is rendered again from the new picture, "
                    "then the film; nothing else is redone.",
    )
    async def put_reference(
        job_id: JobId, character_id: CharacterId, request: Request, gateway: GatewayDep
    ) -> JobView:
        storyboard = _planned(gateway, job_id)
        _character(storyboard, job_id, character_id)
        body = await _read_limited(request, settings.max_reference_mb)
        previous = JobResults(gateway.store.results(job_id)).cast_choice(character_id)
        if body:
            try:
                extension = check_picture(body, request.headers.get("content-type", ""))
            except UnsupportedPicture as refused:
                raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                                    f"{refused}; the job is unchanged") from None
            digest = hashlib.sha256(body).hexdigest()[:12]
            key = job_key(job_id, "upload", "cast", f"{character_id}-{digest}.{extension}")
            gateway.artifacts.write_bytes(key, body)
            choice = CastChoice(upload_key=key, take=previous.take if previous else 0, bytes=len(body))
        else:
            choice = CastChoice(take=(previous.take if previous else 0) + 1)
        gateway.store.put_result(job_id, cast_choice_name(character_id), choice)
        if previous and previous.upload_key and previous.upload_key != choice.upload_key:
            _forget(gateway, previous.upload_key)
        await gateway.orchestrator.revise(job_id)
        gateway.runtime.publish(job_id, EventKind.CAST, {"item_id": character_id, "done": False})
        return current_view(gateway, job_id)

    return routes


def _forget(gateway: Gateway, key: str) -> None:
    """A replaced upload: its file goes (the picture made from it is replaced by the next run)."""
    with contextlib.suppress(OSError, ValueError):
        gateway.artifacts.path(key).unlink(missing_ok=True)

