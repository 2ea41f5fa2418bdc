"""What every job run shares: settings, the job store, the channels, the artifact root, a fair
limit per step on calls in flight, metrics, the calls in flight per job, and the event log."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from gateway.clients import Services
from gateway.events import EventHub
from gateway.fair import FairLimiter
from gateway.jobs import EventKind, JobState, JobView, Step
from gateway.metrics import GatewayMetrics
from gateway.progress import Pace
from gateway.results import JobResults
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from gateway.views import job_view
from storyreel.artifacts import ArtifactStore


class Runtime:
    """What all runs share: settings, store, channels, files, fair limits per step, metrics,
    the calls in flight per job, and the event log's wake-ups."""

    def __init__(
        self, settings: GatewaySettings, store: JobStore, services: Services, artifacts: ArtifactStore,
        metrics: GatewayMetrics, hub: EventHub,
    ) -> None:
        self.settings, self.store, self.services, self.artifacts = settings, store, services, artifacts
        self.metrics, self.hub = metrics, hub
        self.limits = {
            Step.PLANNING: FairLimiter(settings.plan_parallel),
            Step.SPEECH: FairLimiter(settings.speech_parallel),
            Step.VISUALS: FairLimiter(settings.visual_parallel),
            Step.MUSIC: FairLimiter(settings.music_parallel),
            Step.COMPOSING: FairLimiter(settings.compose_parallel),
        }
        self.active: defaultdict[str, dict[tuple[Step, str], float]] = defaultdict(dict)

    def pace(self) -> Pace:
        return Pace(self.store.rates(), {step: limiter.limit for step, limiter in self.limits.items()},
                    (self.settings.width, self.settings.height), self.settings.finish_clips)

    def in_flight(self) -> dict[str, int]:
        return {step.value: limiter.in_flight for step, limiter in self.limits.items()}

    def view(self, job_id: str) -> JobView | None:
        record = self.store.get(job_id)
        if record is None:
            return None
        return job_view(record, JobResults(self.store.results(job_id)), dict(self.active.get(job_id, {})), self.pace())

    def publish(self, job_id: str, kind: EventKind, payload: dict[str, Any] | None = None,
                summary: tuple[JobState, float, float | None] | None = None) -> None:
        """Append an event with the job's state, progress and ETA, and wake the job's streams. A
        running job passes its own summary (state, progress, ETA); otherwise the view gives it."""
        if summary is None:
            view = self.view(job_id)
            if view is None:
                return
            summary = (view.state, view.progress, view.eta_s)
        state, progress, eta = summary
        data = {"state": state.value, "progress": progress, "eta_s": eta, **(payload or {})}
        self.store.add_event(job_id, kind, data)
        self.hub.notify(job_id)
