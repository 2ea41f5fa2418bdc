"""Fixtures the gateway's unit tests share: the fake services, and a gateway in front of them.

A test file that needs the fakes set up otherwise (a patched planner, a gateway with other
settings) defines its own `fakes` or `client`, which takes precedence over these."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.gateway_fakes import FakeServices, gateway


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakeServices]:
    services = FakeServices(tmp_path / "artifacts").start()
    yield services
    services.release_renders()  # a render a test held back must not keep the fakes from stopping
    services.stop()


@pytest.fixture
def client(tmp_path: Path, fakes: FakeServices) -> Iterator[TestClient]:
    with gateway(tmp_path, fakes) as test_client:
        yield test_client
