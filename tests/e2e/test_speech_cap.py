"""max_minutes holds against measured speech through the real local stack: voices slowed to
90 words a minute (espeak-ng's default is 165, the planner estimates 150) make the first plan's
film longer than its cap; the gateway plans again, tighter, and the film ffprobe measures is
within the cap."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stack import LocalStack
from gateway.settings import GatewaySettings
from tests.e2e.film_checks import film_report

pytestmark = pytest.mark.e2e

STORY = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    "The fishing boats rocked on the grey water, and the gulls cried over the empty pier.\n\n"
    'At night a storm came over the water. "Hold the lantern high," Meera said, and the boats came home.\n\n'
    "In the morning the village woke to a clear sky, and the river ran quiet and brown past the houses.\n\n"
    '"The storm is gone," Meera said, and she hung the lantern on its hook by the blue door.'
)
MAX_MINUTES = 0.3
SLOW = {"rate_wpm": 90}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    small = {"STORYREEL_GATEWAY_WIDTH": "320", "STORYREEL_GATEWAY_HEIGHT": "180"}
    running = LocalStack(work_dir=tmp_path_factory.mktemp("speech-cap-stack"), extra_env=small)
    running.start()
    yield running
    running.stop()


def _done(client: httpx.Client, job_id: str, timeout_s: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        assert job["state"] != "failed", job["error"]
        if job["state"] == "done":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_a_slow_voice_is_planned_again_and_the_film_is_within_its_cap(stack: LocalStack, tmp_path: Path) -> None:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        response = client.post("/v1/jobs", json={"story": STORY, "max_minutes": MAX_MINUTES, "profile": "preview",
                                                 "voices": {"narrator": SLOW, "Meera": SLOW}})
        assert response.status_code == 202, response.text
        job = _done(client, response.json()["id"])
        film = tmp_path / "film.mp4"
        film.write_bytes(client.get(f"/v1/jobs/{job['id']}/video").content)
    assert job["plan_notes"] and job["plan_notes"][0].startswith("re-planned to fit 0.3 min"), job["plan_notes"]
    duration_s = film_report(film)["duration_s"]
    assert duration_s <= MAX_MINUTES * 60 + GatewaySettings().cap_tolerance_s, job["plan_notes"]
