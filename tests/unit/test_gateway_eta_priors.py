"""ETA priors: every step has a rate before any was measured, a measured rate replaces its prior,
and a job's ETA is known from its first run (once planned)."""

from __future__ import annotations

import pytest

from gateway.eta_priors import JOINED_COMPOSING_720P, PRIORS_720P, prior_rates, with_priors
from gateway.jobs import JobRequest, JobState, Step
from gateway.progress import Pace, Tally, eta_s, step_progress
from gateway.results import STORYBOARD, JobResults, StoredStoryboard
from gateway.store import JobRecord
from gateway.views import job_view
from storyreel.domain import Scene, Shot, Storyboard
from storyreel.profiles import ProfileName


def test_every_step_has_a_positive_prior_named_as_the_gateway_names_steps() -> None:
    rates = prior_rates()
    assert set(rates) == {step.value for step in Step}
    assert all(rate > 0 for rate in rates.values())


def test_a_measured_rate_replaces_its_prior_and_the_others_stay() -> None:
    rates = with_priors({"visuals": 9.5})
    assert rates["visuals"] == 9.5
    assert rates["composing"] == PRIORS_720P["composing"]


def test_picture_steps_scale_with_the_profiles_pixels_and_the_others_do_not() -> None:
    hd, full, preview = (prior_rates(name) for name in (ProfileName.HD720, ProfileName.HD1080, ProfileName.PREVIEW))
    # a fifth of the cost stays whatever the size, the rest follows the pixels (1080p: 2.25 times 720p's)
    assert full["visuals"] == pytest.approx(hd["visuals"] * (0.2 + 0.8 * 2.25))
    assert preview["composing"] == pytest.approx(hd["composing"] * 0.4), "measured: 0.38-0.42 of 720p's"
    assert full["speech"] == hd["speech"] == preview["speech"]
    assert full["cast"] == hd["cast"] == preview["cast"], "the cast sheet is drawn at the backend's size"


def test_with_the_priors_a_first_job_on_a_fresh_gateway_has_an_eta_once_planned() -> None:
    """What progress.step_progress gives once it looks rates up in with_priors(rates)."""
    items = {
        Step.PLANNING: ["storyboard"],
        Step.SPEECH: ["speech/a", "speech/b"],
        Step.VISUALS: ["visuals/a", "visuals/b"],
        Step.MUSIC: ["music/s1"],
        Step.COMPOSING: ["compose"],
    }
    assert eta_s(JobState.SPEAKING, step_progress(items, {"storyboard": 4.0}, {}), 10.0, Pace()) is None
    steps = step_progress(items, {"storyboard": 4.0}, with_priors({}))  # nothing measured by any job yet
    eta = eta_s(JobState.SPEAKING, steps, film_s=10.0, pace=Pace())
    priors = prior_rates()
    expected = 2 * priors["speech"] + max(2 * priors["visuals"], priors["music"]) + 10.0 * priors["composing"]
    assert eta == pytest.approx(expected, abs=0.1)
    measured = step_progress(items, {"storyboard": 4.0}, with_priors({"composing": 1.0}))
    assert eta_s(JobState.SPEAKING, measured, film_s=10.0, pace=Pace()) == pytest.approx(
        expected + 10 * (1.0 - priors["composing"]), abs=0.1
    )


def test_composing_after_the_last_shot_is_a_join_where_the_clips_come_finished() -> None:
    """The composer encodes nothing of finished clips (the animatic's, with finish_clips on), so the
    step left after the last shot is far shorter; a job naming ComfyUI or diffusers gets plain clips."""
    finishing = Pace(finish_clips=True)
    joined, plain = finishing.priors(backend="animatic"), finishing.priors(backend="comfyui")
    assert finishing.priors(backend="")["composing"] == joined["composing"], "'' is the service's own: the animatic"
    assert joined["composing"] == pytest.approx(JOINED_COMPOSING_720P)
    assert plain["composing"] == pytest.approx(PRIORS_720P["composing"])
    assert joined["composing"] < plain["composing"] / 10
    assert Pace(finish_clips=False).priors(backend="animatic")["composing"] == plain["composing"]
    assert {step: rate for step, rate in joined.items() if step != "composing"} == {
        step: rate for step, rate in plain.items() if step != "composing"}


def test_a_running_jobs_eta_and_its_view_use_the_same_composing_prior() -> None:
    """The events' ETA (the run's Tally) and the REST view's must not disagree for the same job."""
    storyboard = Storyboard(title="t", scenes=[Scene(id="s1", shots=[Shot(id="a", duration_s=6.0)])])
    for backend in ("", "comfyui"):
        pace = Pace(parallel={Step.VISUALS: 2}, finish_clips=True)
        tally = Tally(backend)
        tally.expect(storyboard, own_track=False)
        tally.finish(STORYBOARD, None)
        record = JobRecord("j1", JobState.SPEAKING, JobRequest(story="Once.", visual_backend=backend), None, 0.0, 0.0,
                           1, None)
        view = job_view(record, JobResults({STORYBOARD: StoredStoryboard(storyboard=storyboard).to_json()}), {}, pace)
        assert view.eta_s == tally.summary(JobState.SPEAKING, pace)[1]
