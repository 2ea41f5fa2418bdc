"""The job's frame shape: a profile names its wide frame; 9:16 turns it on its side, 1:1 keeps its height."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.jobs import JobOptions
from gateway.messages import FilmProfile
from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from storyreel.profiles import Aspect, ProfileName
from tests.gateway_fakes import FakeServices, finished, gateway, submit


@pytest.mark.parametrize(("profile", "aspect", "size"), [
    (None, Aspect.WIDE, (320, 180)),
    (None, Aspect.TALL, (180, 320)),
    (ProfileName.PREVIEW, Aspect.TALL, (360, 640)),
    (ProfileName.HD720, Aspect.SQUARE, (720, 720)),
    (ProfileName.HD1080, Aspect.WIDE, (1920, 1080)),
    (ProfileName.HD1080, Aspect.TALL, (1080, 1920)),
])
def test_the_film_size_follows_profile_and_shape(
    profile: ProfileName | None, aspect: Aspect, size: tuple[int, int]
) -> None:
    film = FilmProfile.for_job(JobOptions(profile=profile, aspect=aspect), 320, 180, 24)
    assert (film.width, film.height, film.fps, film.name) == (*size, 24, profile)


def test_a_shape_other_than_the_three_is_refused() -> None:
    with pytest.raises(ValidationError, match="'16:9', '9:16' or '1:1'"):
        JobOptions.model_validate({"aspect": "4:3"})


def test_the_default_is_wide() -> None:
    assert JobOptions().aspect is Aspect.WIDE


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakeServices]:
    services = FakeServices(tmp_path / "artifacts").start()
    yield services
    services.stop()


@pytest.mark.parametrize(("aspect", "sent"), [
    (None, planner_pb.ASPECT_WIDE),
    ("16:9", planner_pb.ASPECT_WIDE),
    ("9:16", planner_pb.ASPECT_TALL),
    ("1:1", planner_pb.ASPECT_SQUARE),
])
def test_the_planner_is_told_the_jobs_frame_shape(
    tmp_path: Path, fakes: FakeServices, aspect: str | None, sent: int
) -> None:
    """Plan, and PlanShots when a scene is planned again, carry the job's aspect."""
    options = {"aspect": aspect} if aspect else {}
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client, **options)
        assert finished(client, job_id)["state"] == "done"
        assert [request.aspect for request in fakes.plan_requests] == [sent]
        scene = 'Next morning the river lay calm. "Rest now," said Meera.'
        assert client.post(f"/v1/jobs/{job_id}/scenes/s02/replan", json={"text": scene}).status_code == 202
        assert finished(client, job_id)["state"] == "done"
        assert [request.aspect for request in fakes.plan_shots_requests] == [sent]
