"""max_minutes holds against the measured speech: a film whose voices speak more slowly than the
planner estimates is planned again, tighter, before any picture is drawn; only changed shots are
spoken again, the re-plans are bounded, and a restart neither loops nor redoes work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait

# Twelve sentences of about 80 characters: 4.75 s a shot as the fake planner estimates, 8.9 s
# spoken twice as slowly.
STORY = " ".join(
    f"Meera walked down to the river number {n:02d} with the old lantern held high over the water."
    for n in range(12)
)
CAP_MINUTES = 0.5


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakeServices]:
    services = FakeServices(tmp_path / "artifacts").start()
    services.plan_fits = True
    yield services
    services.stop()


def test_a_slow_voice_is_planned_again_and_the_film_ends_under_the_cap(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.speech_slowness = 2.0
    with gateway(tmp_path, fakes) as client:
        job = finished(client, submit(client, STORY, max_minutes=CAP_MINUTES))
    assert job["state"] == "done"
    assert job["duration_s"] <= CAP_MINUTES * 60
    assert fakes.count("Plan") == 2
    assert fakes.plan_minutes[0] == CAP_MINUTES and fakes.plan_minutes[1] < CAP_MINUTES
    assert job["plan_notes"][0].startswith("re-planned to fit 0.5 min (30 s): the film measured 56.0 s with this job""")
    speaks = {shot["id"]: fakes.count("Speak", shot["id"]) for shot in job["shots"]}
    assert speaks and set(speaks.values()) == {1}, "a shot kept from the first plan was spoken twice"
    assert fakes.count("RenderShot") == len(job["shots"]), "a picture was drawn from the first plan"
    assert job["progress"] == 1.0
    assert job["steps"]["speech"]["done"] == job["steps"]["speech"]["total"] == len(job["shots"])


def test_a_film_under_the_cap_is_planned_once(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        job = finished(client, submit(client, STORY, max_minutes=CAP_MINUTES))
    assert job["state"] == "done" and job["duration_s"] <= CAP_MINUTES * 60
    assert fakes.count("Plan") == 1 and job["plan_notes"] == []


def test_re_plans_are_bounded_and_the_job_says_the_film_is_over(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.speech_slowness = 12.0  # one sentence alone is over the cap
    with gateway(tmp_path, fakes, cap_replans=2) as client:
        job = finished(client, submit(client, STORY, max_minutes=CAP_MINUTES))
    assert job["state"] == "done" and job["duration_s"] > CAP_MINUTES * 60
    assert fakes.count("Plan") == 3
    assert "after 2 re-plans" in job["plan_notes"][-1]


def test_no_re_plans_when_the_setting_is_0(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.speech_slowness = 2.0
    with gateway(tmp_path, fakes, cap_replans=0) as client:
        job = finished(client, submit(client, STORY, max_minutes=CAP_MINUTES))
    assert fakes.count("Plan") == 1 and job["duration_s"] > CAP_MINUTES * 60
    assert "after 0 re-plans" in job["plan_notes"][-1]


def test_an_edited_storyboard_is_not_planned_away(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client, STORY, max_minutes=CAP_MINUTES)
        finished(client, job_id)
        board = client.get(f"/v1/jobs/{job_id}/storyboard").json()
        board["scenes"][0]["shots"][0]["lines"][0]["text"] = "Meera walked on. " * 20
        assert client.put(f"/v1/jobs/{job_id}/storyboard", json=board).status_code == 202
        job = finished(client, job_id)
    assert job["state"] == "done" and fakes.count("Plan") == 1, "the user's edit was planned away"


def test_a_restart_after_the_re_plan_neither_loops_nor_speaks_again(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.speech_slowness = 2.0
    fakes.hold_renders()
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client, STORY, max_minutes=CAP_MINUTES)
        wait(client, job_id, lambda job: job["state"] == "rendering" and fakes.count("RenderShot") > 0)
    fakes.release_renders()
    with gateway(tmp_path, fakes) as client:
        job = finished(client, job_id)
    assert job["state"] == "done" and job["duration_s"] <= CAP_MINUTES * 60
    assert fakes.count("Plan") == 2, "the restarted run planned again"
    assert {fakes.count("Speak", shot["id"]) for shot in job["shots"]} == {1}
    assert job["plan_notes"][0].startswith("re-planned to fit 0.5 min")


def test_a_restart_in_the_first_speech_speaks_nothing_twice_and_re_plans_once(
    tmp_path: Path, fakes: FakeServices
) -> None:
    fakes.speech_slowness = 2.0
    fakes.silent["Speak", "s03_02"] = 1  # the first plan's last shot hangs until the gateway stops
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client, STORY, max_minutes=CAP_MINUTES)
        wait(client, job_id, lambda job: job["steps"]["speech"]["done"] == 5 and fakes.count("Speak") == 5)
    with gateway(tmp_path, fakes) as client:
        job = finished(client, job_id)
    assert job["state"] == "done" and job["duration_s"] <= CAP_MINUTES * 60
    assert fakes.count("Plan") == 2
    assert fakes.calls["Speak", "s03_02"] == 1, "the hung shot is spoken on the restart, once"
    assert all(count == 1 for (method, _), count in fakes.calls.items() if method == "Speak"), fakes.calls
    assert len(job["shots"]) < 6 and job["steps"]["speech"]["total"] == len(job["shots"])
