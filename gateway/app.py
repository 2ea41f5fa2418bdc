"""The FastAPI application: REST routes over the orchestrator and the job store, the web page,
and /metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gateway import retention
from gateway.admission import Admission
from gateway.clients import Services
from gateway.deps import Gateway, require_api_key
from gateway.events import EventHub
from gateway.jobs import JobRequest
from gateway.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.orchestrator import Orchestrator
from gateway.routes import cast, docs, edits, events, files, jobs, visual, voices, web
from gateway.runtime import Runtime
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from storyreel.artifacts import ArtifactStore
from storyreel.errors import DiskFull, InvalidInput, MissingArtifact

DESCRIPTION = """
Turn a story into a narrated film. Submit a story with `POST /v1/jobs`, follow it live with
`GET /v1/jobs/{id}/events` (or poll `GET /v1/jobs/{id}`), download the film from
`GET /v1/jobs/{id}/video`. Re-roll a shot, edit the storyboard or render a preview again with
another visual backend: only what depends on the change is made again. The web page is at `/`.
"""


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway = _open(settings)
        app.state.gateway = gateway
        retention.sweep_safely(settings, gateway.store, gateway.artifacts)  # old finished jobs go first
        sweeper = asyncio.create_task(retention.keep_sweeping(settings, gateway.store, gateway.artifacts))
        await gateway.orchestrator.open()  # resume unfinished jobs: finished steps are skipped
        yield
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await gateway.orchestrator.shutdown(settings.shutdown_grace_s)
        # A channel's close waits for its calls; one left behind by a run that would not stop must
        # not hold the gateway's stop, so this wait is bounded too.
        await asyncio.wait({asyncio.ensure_future(gateway.runtime.services.close())}, timeout=settings.shutdown_grace_s)
        gateway.store.close()

    public_docs = settings.public_docs or not settings.api_key_list()
    hidden: dict[str, Any] = {} if public_docs else {"openapi_url": None}
    app = FastAPI(title="storyreel", version="0.2.0", description=DESCRIPTION, lifespan=lifespan,
                  max_body_size=settings.max_request_bytes, docs_url=None, redoc_url=None, **hidden)
    if public_docs:
        docs.mount_docs(app, lambda _: "/openapi.json")  # Swagger UI and ReDoc from local files, not a CDN
    else:
        _add_private_docs(app)
    for router in (jobs.router, events.router, files.router, edits.router, cast.router(settings), voices.router,
                   visual.router):
        app.include_router(router)
    if settings.web_page:
        web.mount(app)
    if settings.cors_origin_list():
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origin_list(),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID", "Range"],
            expose_headers=["Location", "Content-Range", "Accept-Ranges", "Content-Length"],
        )
    _add_operations(app)
    _add_error_handlers(app)
    _document_models(app, JobRequest)
    return app


def _open(settings: GatewaySettings) -> Gateway:
    sqlite_dir = settings.sqlite_parent()
    if sqlite_dir is not None:
        sqlite_dir.mkdir(parents=True, exist_ok=True)
    store = JobStore(settings.database_url)
    artifacts = ArtifactStore.from_settings(settings)
    metrics, hub = GatewayMetrics(), EventHub()
    runtime = Runtime(settings, store, Services(settings), artifacts, metrics, hub)
    metrics.watch(store.count_by_state, runtime.in_flight)
    return Gateway(settings, store, artifacts, runtime, Orchestrator(runtime), hub, metrics, Admission(runtime))


def _add_operations(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"], summary="The gateway is up",
             responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics",
             response_class=Response,
             responses={200: {"content": {CONTENT_TYPE: {"example": 'storyreel_gateway_jobs{state="done"} 3.0\n'}}}})
    async def metrics(request: Request) -> Response:
        gateway: Gateway = request.app.state.gateway
        return Response(gateway.metrics.exposition(), media_type=CONTENT_TYPE)


def _add_private_docs(app: FastAPI) -> None:
    """/openapi.json, /docs and /redoc behind the API key (STORYREEL_GATEWAY_PUBLIC_DOCS keeps them
    public). A browser opens /docs?access_token=KEY; the page then fetches the schema with it."""
    guarded = [Depends(require_api_key)]

    def schema_url(request: Request) -> str:
        header = request.headers.get("authorization", "")
        key = header[7:].strip() if header[:7].lower() == "bearer " else request.query_params.get("access_token", "")
        return f"/openapi.json?{urlencode({'access_token': key})}"

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())

    docs.mount_docs(app, schema_url, guarded)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidInput)
    async def invalid_input(_: Request, error: InvalidInput) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(DiskFull)
    async def disk_full(_: Request, error: DiskFull) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_507_INSUFFICIENT_STORAGE)

    @app.exception_handler(MissingArtifact)
    async def missing_artifact(_: Request, error: MissingArtifact) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_410_GONE)


def _document_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put models that routes read by hand (POST /v1/jobs takes JSON or multipart) into the schema."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(model_schema.pop("$defs", {}))
                components[model.__name__] = model_schema
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
