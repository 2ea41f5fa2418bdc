"""The cast sheet through the real local stack (the animatic visual service): a job draws one
portrait per character; a user's picture of one character recolours that character's shots
(their keyframes take the picture's colour) and leaves every other shot's files as they were."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from cli.stack import LocalStack

pytestmark = pytest.mark.e2e

STORY = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    "The fishing boats rocked on the grey water, and the gulls cried over the empty pier.\n\n"
    'At night a storm came over the water. "Hold the lantern high," Meera said, and the boats came home.'
)
MAGENTA = (230, 20, 200)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    small = {"STORYREEL_GATEWAY_WIDTH": "320", "STORYREEL_GATEWAY_HEIGHT": "180"}
    running = LocalStack(work_dir=tmp_path_factory.mktemp("cast-stack"), extra_env=small)
    running.start()
    yield running
    running.stop()


def _done(client: httpx.Client, job_id: str, timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        assert job["state"] != "failed", job["error"]
        if job["state"] == "done":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _magenta_share(png: bytes) -> float:
    """The share of a keyframe's pixels of the uploaded picture's hue (red and blue well above
    green: magenta to purple, however the scene's light darkens it)."""
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        raw, count = rgb.tobytes(), rgb.width * rgb.height
    near = sum(1 for i in range(0, len(raw), 3) if raw[i] - raw[i + 1] > 40 and raw[i + 2] - raw[i + 1] > 40)
    return near / count


def test_an_uploaded_picture_recolours_that_characters_shots_and_no_other(stack: LocalStack) -> None:
    with httpx.Client(base_url=stack.gateway_url, timeout=60) as client:
        job_id = str(client.post("/v1/jobs", json={"story": STORY}).json()["id"])
        before = _done(client, job_id)
        cast = {c["name"]: c for c in client.get(f"/v1/jobs/{job_id}/characters").json()}
        meera = cast["Meera"]
        portrait = client.get(meera["links"]["picture"])
        assert portrait.status_code == 200 and portrait.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(portrait.content)) as drawn:
            assert drawn.width < drawn.height, "a full-length portrait"
        hers = set(meera["shots"])
        others = {shot["id"] for shot in before["shots"]} - hers
        assert hers and others, "the test needs shots with and without Meera"
        keyframes = {s["id"]: client.get(s["links"]["keyframe"]).content for s in before["shots"]}

        upload = Image.new("RGB", (200, 300), (225, 225, 225))  # a plain backdrop (its colours are left out)
        upload.paste(MAGENTA, (50, 70, 150, 290))  # a figure in magenta
        upload.paste((30, 20, 20), (70, 15, 130, 70))  # dark hair on top
        body = io.BytesIO()
        upload.save(body, format="PNG")
        response = client.put(meera["links"]["reference"], content=body.getvalue(),
                              headers={"Content-Type": "image/png"})
        assert response.status_code == 202, response.text
        after = _done(client, job_id)

        again = {s["id"]: client.get(s["links"]["keyframe"]).content for s in after["shots"]}
        assert all(again[shot] == keyframes[shot] for shot in others), "other shots are the same files"
        for shot in hers:
            old, new = _magenta_share(keyframes[shot]), _magenta_share(again[shot])
            assert new > old + 0.001, f"{shot}: {old:.4f} -> {new:.4f} of the keyframe in the picture's hue"
        assert client.get(f"/v1/jobs/{job_id}/characters").json()[0]["picture"]["uploaded"] is True
