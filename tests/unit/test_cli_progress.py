"""The terminal's progress: the film's bar with the gateway's ETA, and steps that move within
themselves (a picture's own render progress)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from rich.progress import Progress

from cli import progress
from cli.client import GatewayError
from cli.progress import EtaColumn, eta_text, follow, step_completed


def _job(state: str, progress_: float, eta_s: float | None, shots: list[dict[str, Any]]) -> dict[str, Any]:
    visuals_done = sum(1 for shot in shots if shot["visual_done"])
    return {
        "state": state, "progress": progress_, "eta_s": eta_s, "shots": shots,
        "steps": {"planning": {"done": 1, "total": 1}, "speech": {"done": 3, "total": 3},
                  "visuals": {"done": visuals_done, "total": 3}, "music": {"done": 1, "total": 1},
                  "composing": {"done": 1 if state == "done" else 0, "total": 1}},
    }


RENDERING = _job("rendering", 0.55, 83.0, [
    {"state": "done", "visual_done": True, "render_progress": 1.0},
    {"state": "rendering", "visual_done": False, "render_progress": 0.5},
    {"state": "spoken", "visual_done": False, "render_progress": None},
])
DONE = _job("done", 1.0, None, [{"state": "done", "visual_done": True, "render_progress": 1.0}] * 3)


def test_a_step_moves_within_itself_while_a_picture_renders() -> None:
    assert step_completed(RENDERING, "visuals") == pytest.approx(1.5)  # one done, one half-way
    assert step_completed(RENDERING, "speech") == 3
    assert step_completed(DONE, "visuals") == 3


def test_the_eta_reads_in_minutes_and_seconds() -> None:
    assert eta_text("rendering", 83.4) == "ETA 1 min 23 s"
    assert eta_text("rendering", 9.6) == "ETA 10 s"
    assert eta_text("rendering", None) == "ETA: measuring"
    assert eta_text("done", None) == "done"


def test_an_eta_from_the_gateways_priors_says_it_is_an_estimate() -> None:
    assert eta_text("rendering", 83.4, "prior") == "ETA 1 min 23 s (estimate)"
    assert eta_text("rendering", 83.4, "measured") == "ETA 1 min 23 s"


class _Client:
    def __init__(self, views: list[dict[str, Any]]) -> None:
        self.views = views

    def job(self, job_id: str) -> dict[str, Any]:
        return self.views.pop(0) if len(self.views) > 1 else self.views[0]

    def events(self, job_id: str, last_id: str | None) -> Iterator[tuple[str, str]]:
        raise GatewayError("no stream here")


def test_the_eta_counts_down_between_redraws(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = Progress(EtaColumn())
    task_id = bars.add_task("film", total=1.0, state="rendering", eta_at=1000.0 + 83.0)
    task = bars.tasks[0]
    assert task.id == task_id
    monkeypatch.setattr("cli.progress.time.monotonic", lambda: 1000.0)
    assert EtaColumn().render(task).plain == "ETA 1 min 23 s"
    monkeypatch.setattr("cli.progress.time.monotonic", lambda: 1030.0)  # no event for 30 s
    assert EtaColumn().render(task).plain == "ETA 53 s"


def test_following_ends_with_the_film_and_every_step_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "POLL_S", 0.0)
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=True)
    final = follow(_Client([RENDERING, RENDERING, DONE]), "j1", console)  # type: ignore[arg-type]
    assert final["state"] == "done"
    screen = out.getvalue()
    for step in ("film", "planning", "speech", "visuals", "music", "composing"):
        assert step in screen
    assert "100%" in screen and "3/3" in screen and "done" in screen


def test_an_eta_on_priors_reads_as_an_estimate_on_the_film_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = Progress(EtaColumn())
    bars.add_task("film", total=1.0, state="rendering", eta_at=1000.0 + 83.0, eta_basis="prior")
    monkeypatch.setattr("cli.progress.time.monotonic", lambda: 1000.0)
    assert EtaColumn().render(bars.tasks[0]).plain == "ETA 1 min 23 s (estimate)"


def test_the_film_bar_takes_the_jobs_eta_basis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "POLL_S", 0.0)
    made: list[Progress] = []

    def recorded(*columns: Any, **options: Any) -> Progress:
        made.append(Progress(*columns, **options))
        return made[-1]

    monkeypatch.setattr(progress, "Progress", recorded)
    views = [{**RENDERING, "eta_basis": "prior"}, {**DONE, "eta_basis": "measured"}]
    follow(_Client(views), "j1", Console(file=io.StringIO()))  # type: ignore[arg-type]
    assert made[0].tasks[0].fields["eta_basis"] == "measured"
