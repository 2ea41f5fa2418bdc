"""What route handlers get injected: the gateway's long-lived parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from gateway.orchestrator import Orchestrator
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from storyreel.artifacts import ArtifactStore


@dataclass
class Gateway:
    settings: GatewaySettings
    store: JobStore
    artifacts: ArtifactStore
    orchestrator: Orchestrator


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
