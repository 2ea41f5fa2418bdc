"""How far a job is and how long it has left: items per step, done or not, and measured rates.

One computation serves both the REST view (from the stored results) and a running job's events
(from a Tally the run keeps in memory, so an event does not re-read and re-parse the whole job).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.jobs import JobState, Step, StepProgress
from gateway.results import COMPOSE, STORYBOARD, TRACK, result_name
from storyreel.domain import Storyboard

# Share of the whole job each step stands for, by the time it usually takes.
_STEP_WEIGHTS = {Step.PLANNING: 0.05, Step.SPEECH: 0.2, Step.VISUALS: 0.45, Step.MUSIC: 0.1, Step.COMPOSING: 0.2}


@dataclass(frozen=True)
class Pace:
    """What the ETA is made from: measured seconds per item (composing: per second of film),
    from recent jobs, and how many items of each step run at once."""

    rates: Mapping[str, float] = field(default_factory=dict)
    parallel: Mapping[Step, int] = field(default_factory=dict)


def step_items(storyboard: Storyboard | None, own_track: bool) -> dict[Step, list[str]]:
    """The result names each step must store for this storyboard."""
    shots = storyboard.shots() if storyboard else []
    scenes = storyboard.scenes if storyboard else []
    music = [TRACK] if own_track else [scene.id for scene in scenes]
    return {
        Step.PLANNING: [STORYBOARD],
        Step.SPEECH: [result_name(Step.SPEECH, shot.id) for shot in shots],
        Step.VISUALS: [result_name(Step.VISUALS, shot.id) for shot in shots],
        Step.MUSIC: [result_name(Step.MUSIC, item) for item in music] if storyboard else [],
        Step.COMPOSING: [COMPOSE],
    }


def step_progress(
    items: Mapping[Step, list[str]], finished: Mapping[str, float | None], rates: Mapping[str, float]
) -> dict[Step, StepProgress]:
    """Done and total per step, and seconds per item: this job's own mean, else recent jobs'.
    `finished` maps each stored result's name to the seconds it took (None when unknown)."""
    progress = {}
    for step, names in items.items():
        seconds = [s for name in names if (s := finished.get(name)) is not None]
        own = sum(seconds) / len(seconds) if seconds and step not in (Step.PLANNING, Step.COMPOSING) else None
        progress[step] = StepProgress(
            done=sum(1 for name in names if name in finished), total=len(names),
            seconds_per_item=own if own is not None else rates.get(step.value),
        )
    return progress


def fraction_done(state: JobState, steps: Mapping[Step, StepProgress]) -> float:
    if state == JobState.DONE:
        return 1.0
    total = sum(_STEP_WEIGHTS[step] * (p.done / p.total if p.total else 0.0) for step, p in steps.items())
    return round(min(total, 0.99), 4)


def eta_s(state: JobState, steps: Mapping[Step, StepProgress], film_s: float, pace: Pace) -> float | None:
    """Seconds left: items left times measured seconds per item, over the items run at once.
    Null while a step that is still to run has never been measured, or before planning."""
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
        left[step] = amount * progress.seconds_per_item / max(1, pace.parallel.get(step, 1))
    return round(left[Step.SPEECH] + max(left[Step.VISUALS], left[Step.MUSIC]) + left[Step.COMPOSING], 1)


class Tally:
    """A running job's progress, kept as its items finish."""

    def __init__(self) -> None:
        self.items = step_items(None, own_track=False)
        self.finished: dict[str, float | None] = {}
        self.film_s = 0.0

    def expect(self, storyboard: Storyboard, own_track: bool) -> None:
        self.items = step_items(storyboard, own_track)
        self.film_s = storyboard.total_duration_s()

    def finish(self, name: str, seconds: float | None) -> None:
        self.finished[name] = seconds

    def summary(self, state: JobState, pace: Pace) -> tuple[float, float | None]:
        """(progress, eta_s), as the job's view would say them."""
        steps = step_progress(self.items, self.finished, pace.rates)
        return fraction_done(state, steps), eta_s(state, steps, self.film_s, pace)
