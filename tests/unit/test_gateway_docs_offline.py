"""/docs and /redoc load Swagger UI and ReDoc from the gateway itself (a PyPI package's files), not
from a CDN; POST /v1/jobs offers named request examples, each of which the API accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.jobs import JobRequest
from tests.gateway_fakes import FakeServices, gateway

KEY = "a-key-long-enough-for-the-gateway"


@pytest.mark.parametrize("keys", ["", KEY])
def test_the_docs_pages_load_their_scripts_from_the_gateway(tmp_path: Path, fakes: FakeServices, keys: str) -> None:
    params = {"access_token": KEY} if keys else {}
    with gateway(tmp_path, fakes, api_keys=keys) as client:
        for path in ("/docs", "/redoc"):
            page = client.get(path, params=params)
            assert page.status_code == 200
            sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert sources and all(source.startswith("/") for source in sources), sources
            assert "cdn." not in page.text and "fonts.googleapis" not in page.text
            for source in sources:
                if not source.startswith("/openapi.json"):
                    asset = client.get(source)
                    assert asset.status_code == 200 and len(asset.content) > 1000, source


def test_each_named_submit_example_is_a_request_the_api_takes(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        body = client.get("/openapi.json").json()["paths"]["/v1/jobs"]["post"]["requestBody"]
        examples = body["content"]["application/json"]["examples"]
        assert len(examples) >= 2 and any("voices" in example["value"] for example in examples.values())
        for name, example in examples.items():
            JobRequest.model_validate(example["value"])
            assert example["summary"], name
