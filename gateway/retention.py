"""Retention: finished jobs (done, failed, cancelled) older than `retention_days` are deleted,
with their results, events and files (everything under jobs/<id>/ in the artifact root), at
start and then every `retention_interval_s`. 0 days keeps every job forever.

A job's age is the time since it last changed (it finished, or was edited): a film rendered
again yesterday is kept even when it was first submitted long ago.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time

from gateway.results import job_key
from gateway.settings import GatewaySettings
from gateway.store import JobStore
from storyreel.artifacts import ArtifactStore

log = logging.getLogger(__name__)

DAY_S = 86_400.0


def remove_job_files(artifacts: ArtifactStore, job_id: str) -> None:
    """Delete the job's folder under the artifact root (it may be absent)."""
    shutil.rmtree(artifacts.path(job_key(job_id)), ignore_errors=True)


def sweep(settings: GatewaySettings, store: JobStore, artifacts: ArtifactStore, now: float | None = None) -> int:
    """Delete the finished jobs past retention and their files; how many were deleted."""
    if settings.retention_days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - settings.retention_days * DAY_S
    gone = store.sweep(cutoff)
    for job_id in gone:
        remove_job_files(artifacts, job_id)
    if gone:
        log.info("deleted %d finished jobs older than %g days", len(gone), settings.retention_days)
    return len(gone)


def sweep_safely(settings: GatewaySettings, store: JobStore, artifacts: ArtifactStore) -> None:
    """One sweep; a failure (the database is away, say) is logged and the next sweep tries again."""
    try:
        sweep(settings, store, artifacts)
    except Exception:
        log.exception("retention sweep failed; trying again in %.0f s", settings.retention_interval_s)


async def keep_sweeping(settings: GatewaySettings, store: JobStore, artifacts: ArtifactStore) -> None:
    """Sweep every retention_interval_s, until cancelled."""
    while True:
        await asyncio.sleep(settings.retention_interval_s)
        await asyncio.to_thread(sweep_safely, settings, store, artifacts)
