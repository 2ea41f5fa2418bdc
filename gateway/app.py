"""The FastAPI application: REST routes over the orchestrator and the job store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from gateway.clients import Services
from gateway.deps import Gateway
from gateway.orchestrator import Orchestrator
from gateway.routes import jobs
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from storyreel.artifacts import ArtifactStore
from storyreel.errors import InvalidInput, MissingArtifact

DESCRIPTION = """
Turn a story into a narrated film. Submit a story with `POST /v1/jobs`, follow it with
`GET /v1/jobs/{id}`, download the film from `GET /v1/jobs/{id}/video`.
"""


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sqlite_dir = settings.sqlite_parent()
        if sqlite_dir is not None:
            sqlite_dir.mkdir(parents=True, exist_ok=True)
        store = JobStore(settings.database_url)
        artifacts = ArtifactStore(settings.artifact_root)
        services = Services(settings)
        orchestrator = Orchestrator(settings, store, services, artifacts)
        app.state.gateway = Gateway(settings, store, artifacts, orchestrator)
        for job_id in store.unfinished():
            orchestrator.start(job_id)  # resume: finished steps are skipped
        yield
        await orchestrator.shutdown()
        await services.close()
        store.close()

    app = FastAPI(title="storyreel", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.include_router(jobs.router)

    @app.get("/healthz", tags=["health"], summary="The gateway is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(InvalidInput)
    async def invalid_input(_: Request, error: InvalidInput) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(MissingArtifact)
    async def missing_artifact(_: Request, error: MissingArtifact) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_410_GONE)

    return app
