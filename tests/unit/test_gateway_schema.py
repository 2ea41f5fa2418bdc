"""schemathesis against the gateway's OpenAPI document: whatever a client sends that the schema
allows (and much that it does not), the gateway never answers 5xx. Bounded: a few dozen
examples per route against a real server (uvicorn) in front of the fake services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gateway.app import create_app
from gateway.settings import GatewaySettings
from tests.gateway_fakes import FakeServices
from tests.gateway_fakes import live_gateway as serving

EXAMPLES_PER_ROUTE = 30


@pytest.fixture(scope="module")
def live_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("schema")
    fakes = FakeServices(tmp / "artifacts").start()
    try:
        with serving(tmp, fakes, max_story_bytes=20_000, max_request_bytes=200_000) as url:
            yield url
    finally:
        fakes.stop()


# The document does not depend on settings or on a running app (building the app starts nothing).
schema = schemathesis.openapi.from_dict(create_app(GatewaySettings()).openapi())


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_gateway_fail(case: schemathesis.Case[Any], live_gateway: str) -> None:
    response = case.call(base_url=live_gateway, timeout=20)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
