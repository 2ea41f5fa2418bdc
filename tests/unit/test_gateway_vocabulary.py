"""GET /v1/visual/vocabulary and POST /v1/visual/vocabulary/check: the words the visual backend
draws and a check of a prompt, from the visual service's DescribeBackend (the fake answers with the
real service's describe_words), kept once per backend, 503 naming the service when unreachable."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cli.stack import free_port
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import FakeServices, gateway


def test_the_animatics_words_are_listed_and_kept(client: TestClient, fakes: FakeServices) -> None:
    first = client.get("/v1/visual/vocabulary", params={"backend": "animatic"})
    assert first.status_code == 200, first.text
    body = first.json()
    groups = {group["name"]: group["words"] for group in body["groups"]}
    assert (body["backend"], body["any_prompt"]) == ("animatic", False)
    assert {"lantern", "boat", "lighthouse", "नाव"} <= set(groups["prop"])
    assert {"sea", "गाँव"} <= set(groups["place"])
    asked = len(fakes.describes)
    assert client.get("/v1/visual/vocabulary", params={"backend": "animatic"}).json() == body
    assert len(fakes.describes) == asked, "the vocabulary was asked again"


def test_comfyui_draws_any_prompt(client: TestClient, fakes: FakeServices) -> None:
    body = client.get("/v1/visual/vocabulary", params={"backend": "comfyui"}).json()
    assert body == {"backend": "comfyui", "any_prompt": True, "groups": []}


def test_a_prompt_is_checked_by_the_visual_service(client: TestClient, fakes: FakeServices) -> None:
    prompt = "Lanterns by the boats, a windmill and गायें"
    response = client.post("/v1/visual/vocabulary/check", json={"prompt": prompt, "backend": "animatic"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(word["word"], word["drawn_as"]) for word in body["drawn"]] == [("lanterns", "lantern"), ("boats", "boat")]
    assert body["not_drawn"] == ["windmill", "गायें"]
    assert fakes.describes[-1].prompt == prompt
    assert fakes.describes[-1].backend == visual_pb.VISUAL_BACKEND_ANIMATIC


def test_the_services_own_backend_when_none_is_named(client: TestClient, fakes: FakeServices) -> None:
    body = client.post("/v1/visual/vocabulary/check", json={"prompt": "a lighthouse"}).json()
    assert (body["backend"], [word["word"] for word in body["drawn"]]) == ("animatic", ["lighthouse"])


def test_an_unknown_backend_is_refused(client: TestClient, fakes: FakeServices) -> None:
    assert client.get("/v1/visual/vocabulary", params={"backend": "dalle"}).status_code == 422
    assert client.post("/v1/visual/vocabulary/check", json={"prompt": "x", "backend": "dalle"}).status_code == 422


def test_an_unreachable_visual_service_is_503_naming_it(tmp_path: Path, fakes: FakeServices) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    with gateway(tmp_path, fakes, visual_address=address) as client:
        for response in (client.get("/v1/visual/vocabulary"),
                         client.post("/v1/visual/vocabulary/check", json={"prompt": "a boat"})):  # fmt: skip
            assert response.status_code == 503, response.text
            assert f"the visual service at {address} is unreachable" in response.json()["detail"]
