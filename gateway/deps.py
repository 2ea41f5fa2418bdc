"""What route handlers get injected: the gateway's long-lived parts, and the API key check."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.admission import Admission
from gateway.events import EventHub
from gateway.metrics import GatewayMetrics
from gateway.orchestrator import Orchestrator
from gateway.runtime import Runtime
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from storyreel.artifacts import ArtifactStore


@dataclass
class Gateway:
    settings: GatewaySettings
    store: JobStore
    artifacts: ArtifactStore
    runtime: Runtime
    orchestrator: Orchestrator
    hub: EventHub
    metrics: GatewayMetrics
    admission: Admission


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]

_bearer = HTTPBearer(auto_error=False, description="An API key from STORYREEL_GATEWAY_API_KEYS (when set).")


def require_api_key(
    request: Request,
    gateway: GatewayDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """With API keys configured, every /v1 call needs one: `Authorization: Bearer KEY`, or for a
    GET, `?access_token=KEY` (a browser's <video> and EventSource cannot send headers). The key's
    digest is kept as `request.state.client`: the per-key queue limit counts by it."""
    request.state.client = None
    keys = gateway.settings.api_key_list()
    if not keys:
        return
    given = credentials.credentials if credentials else None
    if given is None and request.method == "GET":
        given = request.query_params.get("access_token")
    if given is None or not any(secrets.compare_digest(given.encode(), key.encode()) for key in keys):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a valid API key is needed: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.client = key_digest(given)


def key_digest(key: str) -> str:
    """What the job store keeps of the API key a job came with (never the key itself)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def api_client(request: Request) -> str | None:
    """The digest of the API key this request came with; None when no keys are set."""
    client: str | None = getattr(request.state, "client", None)
    return client
