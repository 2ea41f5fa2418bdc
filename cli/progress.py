"""Follows a job on the terminal: a bar for the whole film with the gateway's ETA, and one bar per
step that moves within the step too (a shot's picture reports how far it is while it renders),
redrawn whenever the gateway's event stream says something changed (polling only while the stream
cannot be had)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from cli.client import GatewayClient, GatewayError

STEPS = ("planning", "cast", "speech", "visuals", "music", "composing")
FINISHED = ("done", "failed", "cancelled")
POLL_S = 0.5
MIN_REDRAW_S = 1.0
"""Each redraw asks the gateway for the whole job view (about 25 ms of its CPU for a 400-shot job, measured on
2 cores), and a job rendering two shots at a time sends a few events a second: once a second keeps the bars
live without taking the cores the film is made on."""
FILM = "film"


def step_completed(job: Mapping[str, Any], step: str) -> float:
    """Items of the step done, plus the fractions of those under way (pictures report theirs)."""
    done = float(job["steps"][step]["done"])
    if step == "visuals":
        done += sum(float(shot.get("render_progress") or 0.0) for shot in job.get("shots", [])
                    if not shot.get("visual_done") and shot.get("state") == "rendering")
    return min(done, float(job["steps"][step]["total"] or done))


def eta_text(state: str, eta_s: float | None, basis: str | None = None) -> str:
    """The ETA in words; one from the gateway's priors (eta_basis 'prior': a step not yet measured
    on this gateway) says it is an estimate."""
    if state in FINISHED:
        return state
    if eta_s is None:
        return "ETA: measuring"
    minutes, seconds = divmod(round(max(eta_s, 0.0)), 60)
    text = f"ETA {minutes} min {seconds:02d} s" if minutes else f"ETA {seconds} s"
    return f"{text} (estimate)" if basis == "prior" else text


class EtaColumn(ProgressColumn):
    """The gateway's ETA, counted down between redraws (a long step may send no event for a while)."""

    def render(self, task: Task) -> Text:
        state = task.fields.get("state", "")
        deadline = task.fields.get("eta_at")
        eta = None if deadline is None else deadline - time.monotonic()
        return Text(eta_text(state, eta, task.fields.get("eta_basis")) if state else "", style="progress.remaining")


def count_text(job: Mapping[str, Any], step: str) -> str:
    counts = job["steps"][step]
    if not counts["total"]:
        return ""
    return f"{counts['done']}/{counts['total']}"


def follow(client: GatewayClient, job_id: str, console: Console) -> dict[str, Any]:
    """Follow the job until it is done, failed or cancelled, drawing its bars; the final job."""
    columns = (TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.fields[count]:>9}"),
               TimeElapsedColumn(), EtaColumn())
    with Progress(*columns, console=console, transient=False) as bars:
        film = bars.add_task(FILM, total=1.0, count="", state="", eta_at=None, eta_basis=None)
        tasks: dict[str, TaskID] = {step: bars.add_task(step, total=None, count="") for step in STEPS}

        def redraw() -> dict[str, Any]:
            job = client.job(job_id)
            eta = job.get("eta_s")
            bars.update(film, completed=float(job["progress"]), count=f"{float(job['progress']):.0%}",
                        state=job["state"], eta_at=None if eta is None else time.monotonic() + float(eta),
                        eta_basis=job.get("eta_basis"))
            for step, counts in job["steps"].items():
                if step in tasks:
                    bars.update(tasks[step], completed=step_completed(job, step), total=counts["total"] or None,
                                count=count_text(job, step))
            return job

        job = redraw()
        last_id: str | None = None
        while job["state"] not in FINISHED:
            try:
                resumed_from, last_id = last_id, _follow_stream(client, job_id, last_id, redraw)
                if last_id == resumed_from:
                    time.sleep(POLL_S)  # the stream ended with nothing new: do not spin
            except (httpx.HTTPError, GatewayError):
                time.sleep(POLL_S)  # the stream broke or is not there: look again, then resume it
            job = redraw()
        return job


def _follow_stream(
    client: GatewayClient, job_id: str, last_id: str | None, redraw: Callable[[], dict[str, Any]]
) -> str | None:
    """Redraw on events (at most every MIN_REDRAW_S) until the stream ends; the last event's id."""
    drawn = 0.0
    for event_id, _ in client.events(job_id, last_id):
        last_id = event_id
        if time.monotonic() - drawn >= MIN_REDRAW_S:
            redraw()
            drawn = time.monotonic()
    return last_id
