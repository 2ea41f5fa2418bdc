"""OpenAPI response documentation shared by the routes: each error with an example."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
JobId = Annotated[str, Path(description="The job's id.", examples=["3f2a9c0d1e2b4a5f"], pattern=_ID)]
ShotId = Annotated[str, Path(description="A shot's id from the storyboard.", examples=["s01_02"], pattern=_ID)]
SceneId = Annotated[str, Path(description="A scene's id from the storyboard.", examples=["s02"], pattern=_ID)]

_ERRORS: dict[int, tuple[str, str]] = {
    401: ("No valid API key (only when API keys are configured)",
          "a valid API key is needed: send 'Authorization: Bearer <key>'"),
    404: ("No such job or shot", "no job '3f2a9c0d1e2b4a5f'"),
    409: ("The job is not in a state that allows this", "job 3f2a9c0d1e2b4a5f is rendering, not done"),
    410: ("A file the job made is gone from the artifact root", "video 'jobs/3f2a/film-ab12.mp4' is missing or empty"),
    413: ("The request body is over the size limit", "Request Entity Too Large"),
    415: ("The body is neither JSON nor a multipart form", "send application/json or multipart/form-data"),
    429: ("The gateway has as many unfinished jobs as it takes (in all, or for this API key); nothing was "
          "stored. The Retry-After header says in how many seconds to try again",
          "the gateway is full: 100 jobs are queued or running, and it takes at most 100 "
          "(STORYREEL_GATEWAY_MAX_UNFINISHED_JOBS); nothing was stored. Try again in about 42 s, when the next "
          "running job is expected to finish"),
    502: ("A service the gateway needed for this request failed; the job is unchanged",
          "the planner service at planner:50051 is unreachable (is it running?)"),
    507: ("The gateway's disk has no room for the upload or the job database; nothing was stored",
          "the artifact disk (/data/artifacts) ran out of space writing 'jobs/3f2a/music.mp3' (0.0 MiB free); "
          "free some space, then ask again"),
    422: ("The request is invalid; the reason says what to fix", "the story is empty: give some text to narrate"),
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the given error codes (and 401), each with an example body."""
    return {
        code: {
            "description": _ERRORS[code][0],
            "content": {"application/json": {"example": {"detail": _ERRORS[code][1]}}},
        }
        for code in sorted({401, *codes})
    }


def file_response(media_type: str, description: str, example: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {media_type: {"example": example}}}}
