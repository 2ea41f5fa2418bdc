"""Follows a job on the terminal: one progress bar per step, redrawn whenever the gateway's event
stream says something changed (polling only while the stream cannot be had)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cli.client import GatewayClient, GatewayError

STEPS = ("planning", "speech", "visuals", "music", "composing")
FINISHED = ("done", "failed", "cancelled")
POLL_S = 0.5
MIN_REDRAW_S = 0.2


def follow(client: GatewayClient, job_id: str, console: Console) -> dict[str, Any]:
    """Follow the job until it is done, failed or cancelled, drawing a bar per step; the final job."""
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bars:
        tasks: dict[str, TaskID] = {step: bars.add_task(step, total=None) for step in STEPS}

        def redraw() -> dict[str, Any]:
            job = client.job(job_id)
            for step, counts in job["steps"].items():
                bars.update(tasks[step], completed=counts["done"], total=counts["total"] or None)
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
