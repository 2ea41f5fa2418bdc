"""How far a job is and how long it has left: items per step, done or not, and measured rates.

One computation serves both the REST view (from the stored results) and a running job's events
(from a Tally the run keeps in memory, so an event does not re-read and re-parse the whole job).

A step's seconds per item are measured (this job's own mean, else recent jobs' rate from the job
store) or, where nothing was measured yet, its prior (gateway.eta_priors, scaled to the job's
frame): a new gateway's first job has an ETA once planned. Each step and the ETA say which
(`rate_basis`, `eta_basis`), so admission can tell an estimate from a measurement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway import messages
from gateway.eta_priors import finishes_clips, priors_at
from gateway.jobs import EtaBasis, JobState, Step, StepProgress
from gateway.results import COMPOSE, STORYBOARD, TRACK, result_name
from storyreel.domain import Storyboard

# Share of the whole job each step stands for, by the time it usually takes.
_STEP_WEIGHTS = {Step.PLANNING: 0.05, Step.CAST: 0.05, Step.SPEECH: 0.2, Step.VISUALS: 0.4, Step.MUSIC: 0.1,
                 Step.COMPOSING: 0.2}
_SLOTS_OF = {Step.CAST: Step.VISUALS}
"""A step run in another's slots (the cast sheet is drawn by the visual service, in its slots)."""


@dataclass(frozen=True)
class Pace:
    """What the ETA is made from: measured seconds per item (composing: per second of film),
    from recent jobs, and how many items of each step run at once."""

    rates: Mapping[str, float] = field(default_factory=dict)
    parallel: Mapping[Step, int] = field(default_factory=dict)
    frame: tuple[int, int] = (1280, 720)
    """The gateway's own film size (a job without a profile is rendered at it): what scales the priors."""
    finish_clips: bool = False
    """The gateway has clips finished where the backend can (STORYREEL_GATEWAY_FINISH_CLIPS): then
    composing after the last shot is a join, and its prior far smaller."""

    def priors(self, frame: tuple[int, int] | None = None, backend: str = "") -> dict[str, float]:
        """Every step's prior for a film of `frame` (else the gateway's own size) whose job names
        `backend` as its visual backend ('': the service's own)."""
        return priors_at(*(frame or self.frame), finished_clips=finishes_clips(self.finish_clips, backend))

    def in_flight(self, step: Step) -> int:
        return max(1, self.parallel.get(_SLOTS_OF.get(step, step), 1))


def step_items(storyboard: Storyboard | None, own_track: bool) -> dict[Step, list[str]]:
    """The result names each step must store for this storyboard."""
    shots = storyboard.shots() if storyboard else []
    scenes = storyboard.scenes if storyboard else []
    music = [TRACK] if own_track else [scene.id for scene in scenes]
    cast = ([member.id for member in messages.cast_members(storyboard)] + list(messages.recurring_settings(storyboard))
            if storyboard else [])
    return {
        Step.PLANNING: [STORYBOARD],
        Step.CAST: [result_name(Step.CAST, item) for item in cast],
        Step.SPEECH: [result_name(Step.SPEECH, shot.id) for shot in shots],
        Step.VISUALS: [result_name(Step.VISUALS, shot.id) for shot in shots],
        Step.MUSIC: [result_name(Step.MUSIC, item) for item in music] if storyboard else [],
        Step.COMPOSING: [COMPOSE],
    }


def step_progress(
    items: Mapping[Step, list[str]], finished: Mapping[str, float | None], rates: Mapping[str, float],
    priors: Mapping[str, float] | None = None,
) -> dict[Step, StepProgress]:
    """Done and total per step, and seconds per item: this job's own mean, else recent jobs'
    (both measured), else the step's prior. `finished` maps each stored result's name to the
    seconds it took (None when unknown)."""
    priors = priors or {}
    progress = {}
    for step, names in items.items():
        seconds = [s for name in names if (s := finished.get(name)) is not None]
        own = sum(seconds) / len(seconds) if seconds and step not in (Step.PLANNING, Step.COMPOSING) else None
        measured = own if own is not None else rates.get(step.value)
        rate = measured if measured is not None else priors.get(step.value)
        progress[step] = StepProgress(
            done=sum(1 for name in names if name in finished), total=len(names), seconds_per_item=rate,
            rate_basis=None if rate is None else EtaBasis.MEASURED if measured is not None else EtaBasis.PRIOR,
        )
    return progress


def fraction_done(state: JobState, steps: Mapping[Step, StepProgress]) -> float:
    if state == JobState.DONE:
        return 1.0
    planned = Step.PLANNING in steps and steps[Step.PLANNING].done > 0
    # once planned, a step with nothing to do (no cast to draw) is done; before, nothing is known
    total = sum(_STEP_WEIGHTS[step] * (p.done / p.total if p.total else float(planned)) for step, p in steps.items())
    return round(min(total, 0.99), 4)


def eta_s(state: JobState, steps: Mapping[Step, StepProgress], film_s: float, pace: Pace) -> float | None:
    """Seconds left: items left times seconds per item (measured, else the prior), over the items
    run at once. The cast sheet is drawn beside speech, pictures wait for both, music for speech.
    Null while a step that is still to run has no rate at all, or before planning."""
    if state == JobState.DONE:
        return 0.0
    if state.finished or steps[Step.PLANNING].done == 0:
        return None
    left: dict[Step, float] = {}
    for step, progress in steps.items():
        remaining = progress.total - progress.done
        if remaining <= 0:
            left[step] = 0.0
            continue
        if progress.seconds_per_item is None:
            return None
        amount = film_s if step == Step.COMPOSING else remaining
        left[step] = amount * progress.seconds_per_item / pace.in_flight(step)
    speech = left.get(Step.SPEECH, 0.0)
    pictures = max(speech, left.get(Step.CAST, 0.0)) + left.get(Step.VISUALS, 0.0)
    return round(max(pictures, speech + left.get(Step.MUSIC, 0.0)) + left.get(Step.COMPOSING, 0.0), 1)


def eta_basis(eta: float | None, steps: Mapping[Step, StepProgress]) -> EtaBasis | None:
    """`prior` while any step still to run is estimated from its prior, `measured` when every one
    was measured (or nothing is left), None with no ETA."""
    if eta is None:
        return None
    estimated = any(p.done < p.total and p.rate_basis == EtaBasis.PRIOR for p in steps.values())
    return EtaBasis.PRIOR if estimated else EtaBasis.MEASURED


class Tally:
    """A running job's progress, kept as its items finish."""

    def __init__(self, backend: str = "") -> None:
        self.backend = backend
        """The job's visual backend option ('': the service's own), which picks the composing prior."""
        self.items = step_items(None, own_track=False)
        self.finished: dict[str, float | None] = {}
        self.film_s = 0.0
        self.frame: tuple[int, int] | None = None

    def expect(self, storyboard: Storyboard, own_track: bool, frame: tuple[int, int] | None = None) -> None:
        """The items of every step (a cast picture per character shown and per recurring setting);
        `frame` is the film's size, which scales the priors (None: the gateway's own)."""
        self.items = step_items(storyboard, own_track)
        self.film_s = storyboard.total_duration_s()
        self.frame = frame

    def finish(self, name: str, seconds: float | None) -> None:
        self.finished[name] = seconds

    def summary(self, state: JobState, pace: Pace) -> tuple[float, float | None]:
        """(progress, eta_s), as the job's view would say them."""
        steps = step_progress(self.items, self.finished, pace.rates, pace.priors(self.frame, self.backend))
        return fraction_done(state, steps), eta_s(state, steps, self.film_s, pace)
