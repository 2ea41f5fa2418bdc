"""OpenAPI documentation: each error with an example, the request examples, and the /docs and
/redoc pages served from local files."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import FastAPI, Path, Request, params
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

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
    503: ("A service the request needs is unreachable; try again once it is running",
          "the visual service at visual:50053 is unreachable (is it running?): failed to connect to all addresses"),
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


# ------------------------------------------------------------------ /docs and /redoc, offline
#
# FastAPI's own /docs and /redoc pages load Swagger UI and ReDoc from a CDN, so they are blank on
# a machine without internet. The same files come from a PyPI package (fastapi-offline: Swagger UI
# 5 and ReDoc 2, the versions FastAPI's pages ask the CDN for) and are served from here.

DOCS_STATIC = "/docs-static"


def docs_static_root() -> FsPath:
    """The folder with swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and favicon.png."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("the package fastapi-offline is missing (it serves /docs offline): pip install -e .")
    return FsPath(spec.origin).parent / "static"


def mount_docs(app: FastAPI, schema_url: Callable[[Request], str],
               dependencies: Sequence[params.Depends] = ()) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc) from local files; `schema_url` gives the page the
    address of /openapi.json (with the key it was opened with, when keys guard the docs)."""
    app.mount(DOCS_STATIC, StaticFiles(directory=docs_static_root()), name="docs-static")
    favicon = f"{DOCS_STATIC}/favicon.png"

    @app.get("/docs", include_in_schema=False, dependencies=list(dependencies))
    async def swagger(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=schema_url(request), title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js", swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=favicon, swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get("/redoc", include_in_schema=False, dependencies=list(dependencies))
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=schema_url(request), title=f"{app.title} - ReDoc",
            redoc_js_url=f"{DOCS_STATIC}/redoc.standalone.js", redoc_favicon_url=favicon, with_google_fonts=False,
        )


# ------------------------------------------------------------------ POST /v1/jobs, examples
#
# Named examples on the request body's media type (OpenAPI's `examples` map): Swagger UI offers
# them in a menu, where a schema's `examples` list shows only its first.

SUBMIT_EXAMPLES: dict[str, dict[str, Any]] = {
    "short": {
        "summary": "A story and a title",
        "value": {"story": 'Old Meera lived by the river. "Hold the lantern high," she said.', "title": "The lantern"},
    },
    "voices": {
        "summary": "Style and voices",
        "description": "Voices by character name ('narrator' for the narrator); fields left out keep the "
                       "planner's choice.",
        "value": {"story": 'Old Meera lived by the river. "Hold the lantern high," she said.', "language": "en",
                  "style": "watercolour, warm light",
                  "voices": {"Meera": {"pitch": 70}, "narrator": {"rate_wpm": 150}}},
    },
    "preview": {
        "summary": "A quick preview, at most a minute",
        "value": {"story": 'Old Meera lived by the river. "Hold the lantern high," she said.',
                  "profile": "preview", "visual_backend": "animatic", "max_minutes": 1},
    },
}
