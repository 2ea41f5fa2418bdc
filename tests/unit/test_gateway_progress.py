"""A job's progress and ETA (issues 16 and 18): every step has a rate from the start (its prior,
gateway.eta_priors) that a measured one replaces, and the ETA says which it rests on; the cast
sheet is counted, one item per cast picture, done as it is made or found stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.eta_priors import prior_rates, priors_at
from gateway.jobs import EtaBasis, JobState, Step
from gateway.progress import Pace, Tally, eta_basis, eta_s, fraction_done, step_progress
from gateway.results import result_name
from storyreel.domain import Character, Scene, Shot, Storyboard
from storyreel.profiles import ProfileName
from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait
from tests.unit.test_gateway_jobs import sse


def board() -> Storyboard:
    """Two scenes at one place (a recurring setting), Meera in one shot, Ravi in none."""
    shots = [Shot(id=f"s0{n}_01", visual_prompt="the river", character_ids=["meera"] if n == 1 else [])
             for n in (1, 2)]
    return Storyboard(
        title="The lantern",
        characters=[Character(id="meera", name="Meera"), Character(id="ravi", name="Ravi")],
        scenes=[Scene(id=shot.id[:3], setting="the river bank", shots=[shot]) for shot in shots],
    )


def all_but_cast(tally: Tally) -> None:
    for step, names in tally.items.items():
        if step != Step.CAST:
            for name in names:
                tally.finish(name, 1.0)


# ---------------------------------------------------------------------- priors, then measurements

def test_with_nothing_measured_every_step_has_its_prior_and_the_eta_says_so() -> None:
    tally = Tally()
    tally.expect(board(), own_track=False, frame=ProfileName.PREVIEW.size)
    tally.finish("storyboard", None)
    steps = step_progress(tally.items, tally.finished, {}, priors_at(*ProfileName.PREVIEW.size))
    preview = prior_rates(ProfileName.PREVIEW)
    assert {step: p.seconds_per_item for step, p in steps.items()} == {
        Step(name): rate for name, rate in preview.items()}, "the preview's priors, not 720p's"
    assert all(p.rate_basis == EtaBasis.PRIOR for p in steps.values())
    eta = eta_s(JobState.SPEAKING, steps, tally.film_s, Pace())
    assert eta is not None and eta > 0 and eta_basis(eta, steps) == EtaBasis.PRIOR
    assert tally.summary(JobState.SPEAKING, Pace())[1] == eta


def test_a_measured_rate_replaces_the_prior_and_the_eta_is_measured_once_nothing_left_rests_on_one() -> None:
    tally = Tally()
    tally.expect(board(), own_track=False)
    tally.finish("storyboard", None)
    measured = {"cast": 0.5, "speech": 0.25, "visuals": 3.0, "music": 2.0}
    steps = step_progress(tally.items, tally.finished, measured, prior_rates())
    assert steps[Step.VISUALS].seconds_per_item == 3.0 and steps[Step.VISUALS].rate_basis == EtaBasis.MEASURED
    assert steps[Step.COMPOSING].rate_basis == EtaBasis.PRIOR
    eta = eta_s(JobState.SPEAKING, steps, 10.0, Pace())
    assert eta_basis(eta, steps) == EtaBasis.PRIOR, "composing is still to run on its prior"
    # this job's own items replace even a rate the store measured
    tally.finish(result_name(Step.VISUALS, "s01_01"), 7.0)
    own = step_progress(tally.items, tally.finished, measured, prior_rates())
    assert own[Step.VISUALS].seconds_per_item == 7.0
    measured["composing"] = 0.2
    steps = step_progress(tally.items, tally.finished, measured, prior_rates())
    eta = eta_s(JobState.SPEAKING, steps, 10.0, Pace())
    assert eta is not None and eta_basis(eta, steps) == EtaBasis.MEASURED


def test_a_step_done_on_its_prior_does_not_make_the_eta_a_prior() -> None:
    steps = step_progress({Step.PLANNING: ["storyboard"], Step.MUSIC: ["music/s01"], Step.COMPOSING: ["compose"]},
                          {"storyboard": None, "music/s01": None}, {"composing": 0.1}, prior_rates())
    assert steps[Step.MUSIC].rate_basis == EtaBasis.PRIOR  # a stored item whose time is not known
    assert eta_basis(eta_s(JobState.COMPOSING, steps, 10.0, Pace()), steps) == EtaBasis.MEASURED


def test_a_first_job_on_a_new_gateway_shows_a_prior_eta_from_the_start_and_the_next_a_measured_one(
    client: TestClient, fakes: FakeServices
) -> None:
    fakes.hold_renders()
    first = submit(client)
    job = wait(client, first, _rendering_with_speech_done)
    assert job["eta_s"] is not None and job["eta_s"] > 0 and job["eta_basis"] == "prior"
    assert job["steps"]["visuals"]["rate_basis"] == "prior" and job["steps"]["speech"]["rate_basis"] == "measured"
    fakes.release_renders()
    assert finished(client, first)["eta_basis"] == "measured"
    fakes.hold_renders()
    second = wait(client, submit(client), _rendering_with_speech_done)
    assert second["eta_basis"] == "measured"
    assert all(step["rate_basis"] == "measured" for step in second["steps"].values())
    fakes.release_renders()
    finished(client, second["id"])


def _rendering_with_speech_done(job: dict[str, Any]) -> bool:
    speech = job["steps"]["speech"]
    return bool(job["state"] == "rendering" and speech["done"] == speech["total"])


def test_the_priors_follow_the_jobs_profile(client: TestClient, fakes: FakeServices) -> None:
    fakes.hold_renders()
    job = wait(client, submit(client, profile="1080p"), _rendering_with_speech_done)
    assert job["steps"]["visuals"]["seconds_per_item"] == pytest.approx(prior_rates(ProfileName.HD1080)["visuals"])
    joined = prior_rates(ProfileName.HD1080, finished_clips=True)["composing"]  # the default: finished animatic clips
    assert job["steps"]["composing"]["seconds_per_item"] == pytest.approx(joined, abs=5e-4), "the view rounds to ms"
    fakes.release_renders()
    finished(client, job["id"])


# ---------------------------------------------------------------------- the cast sheet counted

def test_the_tally_expects_a_cast_picture_per_character_shown_and_per_recurring_setting() -> None:
    tally = Tally()
    tally.expect(board(), own_track=False)
    assert len(tally.items[Step.CAST]) == 2 and result_name(Step.CAST, "meera") in tally.items[Step.CAST]
    assert not any("ravi" in name for name in tally.items[Step.CAST]), "Ravi is in no shot: not drawn"


def test_progress_reaches_its_end_only_once_the_cast_is_made() -> None:
    tally = Tally()
    tally.expect(board(), own_track=False)
    all_but_cast(tally)
    progress, eta = tally.summary(JobState.RENDERING, Pace())
    assert progress < 0.99 and eta is not None and eta > 0, "two cast pictures are still to draw"
    for name in tally.items[Step.CAST]:
        tally.finish(name, 0.4)
    assert tally.summary(JobState.RENDERING, Pace()) == (0.99, 0.0)


def test_a_job_with_no_cast_to_draw_is_not_held_back_by_it() -> None:
    lonely = Storyboard(title="Rain", scenes=[Scene(id="s01", shots=[Shot(id="s01_01", visual_prompt="rain")])])
    tally = Tally()
    tally.expect(lonely, own_track=False)
    all_but_cast(tally)
    assert tally.items[Step.CAST] == [] and tally.summary(JobState.COMPOSING, Pace()) == (0.99, 0.0)
    steps = step_progress(tally.items, tally.finished, {})
    assert fraction_done(JobState.COMPOSING, steps) == 0.99


def test_the_view_and_the_events_count_the_cast_and_a_restart_counts_the_stored_cast_done(
    tmp_path: Path, fakes: FakeServices
) -> None:
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client)
        job = finished(client, job_id)
    cast = job["steps"]["cast"]
    assert (cast["done"], cast["total"], cast["rate_basis"]) == (1, 1, "measured")
    with gateway(tmp_path, fakes) as client:
        last = sse(client.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": "0"}).text)[-1]["id"]
        assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202
        job = finished(client, job_id)
        rerun = sse(client.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": last}).text)
    assert fakes.count("RenderReference") == 1, "the cast was found stored"
    composing = next(e["data"] for e in rerun if e["event"] == "state" and e["data"]["state"] == "composing")
    # planning 0.05 + cast 0.05 + speech 0.2 + visuals 0.4 + music 0.1: the stored cast counts as done
    assert composing["progress"] == pytest.approx(0.8)
    assert job["steps"]["cast"]["done"] == job["steps"]["cast"]["total"] == 1
