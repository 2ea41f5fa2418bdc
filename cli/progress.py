"""Follows a job on the terminal: one progress bar per step."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cli.client import GatewayClient

STEPS = ("planning", "speech", "visuals", "music", "composing")
FINISHED = ("done", "failed")
POLL_S = 0.5


def follow(client: GatewayClient, job_id: str, console: Console) -> dict[str, Any]:
    """Poll the job until it is done or failed, drawing a bar per step; return the final job."""
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bars:
        tasks: dict[str, TaskID] = {step: bars.add_task(step, total=None) for step in STEPS}
        while True:
            job = client.job(job_id)
            for step, counts in job["steps"].items():
                total = counts["total"] or None
                bars.update(tasks[step], completed=counts["done"], total=total)
            if job["state"] in FINISHED:
                return job
            time.sleep(POLL_S)
