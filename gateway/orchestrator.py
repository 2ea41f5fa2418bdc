"""Runs jobs in the background: claims them (a lease in the job store), runs each revision of a
job as one task (gateway.pipeline), stops a run when its job is cancelled or edited, and keeps
at most `max_running_jobs` running while the rest wait in the queue, oldest first.

Several gateways may share one database: each renews the leases of the jobs it runs, notices
jobs cancelled or edited through another gateway, and takes over jobs whose owner died. A gateway
whose renewal came too late (another one has taken the job over) learns it from that renewal,
stops its run at once and writes nothing more for that job: the job runs on one gateway again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from gateway.errors import StepFailed, Superseded
from gateway.jobs import EventKind, JobError, JobRequest, JobState, Step
from gateway.pipeline import JobRun
from gateway.runtime import Runtime
from gateway.store import JobRecord
from storyreel.errors import DiskFull
from storyreel.logs import log_context

__all__ = ["Orchestrator"]

log = logging.getLogger(__name__)

_STEP_OF_STATE = {
    JobState.QUEUED: Step.PLANNING,
    JobState.PLANNING: Step.PLANNING,
    JobState.SPEAKING: Step.SPEECH,
    JobState.RENDERING: Step.VISUALS,
    JobState.SCORING: Step.MUSIC,
    JobState.COMPOSING: Step.COMPOSING,
}


class Orchestrator:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.settings = runtime.settings
        self.store = runtime.store
        self.owner = self.settings.owner_name()
        self._runs: dict[str, tuple[int, asyncio.Task[None]]] = {}
        self._upkeep: asyncio.Task[None] | None = None
        self._closing = False
        self._background: set[asyncio.Task[None]] = set()
        self._lost: set[asyncio.Task[None]] = set()  # runs stopped because their lease went elsewhere

    # ----------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        """Resume unfinished jobs (finished steps are skipped) and start the lease upkeep."""
        self._fill()
        self._upkeep = asyncio.create_task(self._keep_leases(), name="lease-upkeep")

    async def shutdown(self, grace_s: float = 30.0) -> None:
        """Stop every run (they resume on the next start) and hand their leases back. Every task
        this orchestrator made is cancelled (runs, restarts, the upkeep), and the wait is bounded:
        a task still going after grace_s is logged with where it waits, and the gateway stops
        anyway rather than hang (its lease runs out, and another gateway or the next start
        resumes the job from its stored steps)."""
        self._closing = True
        tasks = [task for task in (self._upkeep, *self._background, *(task for _, task in self._runs.values()))
                 if task is not None and not task.done()]
        for task in tasks:
            task.cancel()
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace_s)
        for task in pending:
            log.error("task %s did not stop within %.0f s of the gateway stopping; left behind, waiting in %s",
                      task.get_name(), grace_s, awaiting(task))

    def running(self) -> list[str]:
        return list(self._runs)

    # ----------------------------------------------------------------- what the API asks for

    def start(self, job_id: str) -> None:
        """Run (or resume) a job now if this gateway has room and no other live gateway holds it;
        otherwise it waits, queued, for a free place."""
        if self._closing or job_id in self._runs or len(self._runs) >= self.settings.max_running_jobs:
            return
        record = self.store.claim(job_id, self.owner, self.settings.lease_s)
        if record is None:
            return
        task = asyncio.create_task(self._run(record), name=f"job-{job_id}")
        self._runs[job_id] = (record.revision, task)

    async def cancel(self, job_id: str) -> None:
        """Cancel a job: its calls in flight are cancelled (the services stop their work)."""
        self.store.revise(job_id, JobState.CANCELLED)
        await self._stop(job_id)
        self.rt.publish(job_id, EventKind.STATE, {"error": None})

    async def revise(self, job_id: str, request: JobRequest | None = None) -> None:
        """After an edit: stop the run of the old revision and run the new one (it redoes only
        the steps whose requests changed)."""
        self.store.revise(job_id, JobState.QUEUED, request)
        await self._stop(job_id)
        self.rt.publish(job_id, EventKind.STATE, {"error": None})
        self.start(job_id)

    # ----------------------------------------------------------------- runs

    async def _stop(self, job_id: str) -> None:
        run = self._runs.get(job_id)
        if run is not None:
            run[1].cancel()
            await asyncio.wait([run[1]])

    async def _run(self, record: JobRecord) -> None:
        run = JobRun(self.rt, record)
        with log_context(job_id=record.id):
            try:
                await run.execute()
                self.rt.metrics.jobs_finished.labels(JobState.DONE.value).inc()
            except StepFailed as failure:
                log.warning("job failed at %s: %s", failure.error.step, failure.error.reason)
                self._fail(run, failure.error)
            except Superseded:
                log.info("the job was changed; this run stops and the new revision runs")
            except asyncio.CancelledError:
                log.info("job run stopped (cancelled, edited, its lease lost, or the gateway is stopping)")
                raise
            except DiskFull as error:  # the gateway's own disk: nothing more can be stored, not even a failure
                log.error("the job run stops: %s; the job resumes from its last stored step once there is room", error)
            except Exception as error:
                log.exception("job crashed")
                step = _STEP_OF_STATE.get(self._state(record.id), Step.COMPOSING)
                reason = f"internal error in the gateway: {type(error).__name__}: {error}"
                self._fail(run, JobError(step=step, reason=reason))
            finally:
                self._finish(record.id)

    def _fail(self, run: JobRun, error: JobError) -> None:
        if asyncio.current_task() in self._lost:  # whatever the cancel turned into: the job is not ours to fail
            log.info("the run ended with its lease lost; the job's state is the new owner's: %s", error.reason)
            return
        with contextlib.suppress(Superseded):
            run.enter(JobState.FAILED, error)
            self.rt.metrics.jobs_finished.labels(JobState.FAILED.value).inc()

    def _state(self, job_id: str) -> JobState:
        record = self.store.get(job_id)
        return record.state if record else JobState.QUEUED

    def _finish(self, job_id: str) -> None:
        self.rt.active.pop(job_id, None)
        run = self._runs.get(job_id)
        lost = False
        if run is not None and run[1] is asyncio.current_task():
            del self._runs[job_id]
            lost = run[1] in self._lost
            self._lost.discard(run[1])
        if not lost:  # a lost lease is another gateway's: nothing to hand back
            with contextlib.suppress(DiskFull):  # the lease then runs out, and the job is claimable again
                self.store.release(job_id, self.owner)
        if not self._closing:
            asyncio.get_running_loop().call_soon(self._fill)

    def _fill(self) -> None:
        """Start queued jobs while there is room, oldest first."""
        room = self.settings.max_running_jobs - len(self._runs)
        if room <= 0 or self._closing:
            return
        try:
            for job_id in self.store.claimable(self.owner, room + len(self._runs)):
                self.start(job_id)
        except DiskFull as error:  # claiming writes; the lease upkeep tries again
            log.warning("queued jobs wait for room: %s", error)

    # ----------------------------------------------------------------- leases

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_s / 3)
            try:
                self._upkeep_once()
            except DiskFull as error:
                log.warning("lease upkeep waits for room: %s", error)
            except Exception:
                log.exception("lease upkeep failed; trying again shortly")

    def _upkeep_once(self) -> None:
        """Renew our leases, stop the runs whose lease another gateway took over, follow changes
        made through other gateways, take over orphans."""
        ids = list(self._runs)
        lost = self.store.renew(self.owner, ids, self.settings.lease_s)
        for job_id, holder in lost.items():
            self._lose(job_id, holder)
        for job_id, (_, revision) in self.store.states([i for i in ids if i not in lost]).items():
            run = self._runs.get(job_id)
            if run is not None and run[0] != revision:
                log.info("job %s changed through another gateway; restarting its run", job_id)
                task = asyncio.create_task(self._restart(job_id))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
        self._fill()

    def _lose(self, job_id: str, holder: str | None) -> None:
        """This gateway no longer holds the job's lease (its renewal came after the lease ran out
        and another gateway claimed the job, or the job is gone): cancel the run now. It is not
        failed, and its lease is not released: the job is the other gateway's."""
        run = self._runs.get(job_id)
        if run is None or run[1] in self._lost or run[1].done():
            return
        now = f"gateway {holder!r} holds it now" if holder else "the job is gone or no gateway holds it"
        with log_context(job_id=job_id):
            log.warning("lost the lease of job %s (%s); its run here stops and writes nothing more", job_id, now)
        self.rt.metrics.leases_lost.inc()
        self._lost.add(run[1])
        run[1].cancel()

    async def _restart(self, job_id: str) -> None:
        await self._stop(job_id)
        self.start(job_id)


def awaiting(task: asyncio.Task[object]) -> str:
    """Where a suspended task waits, outermost call first, down to the innermost await: the whole
    chain of coroutines (Task.get_stack gives only the outermost frame of a suspended one)."""
    where: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None) or getattr(
            awaited, "gi_frame", None)
        if frame is None:  # the future at the bottom (its awaiting iterator says nothing of it)
            if isinstance(awaited, asyncio.Future):
                where.append(repr(awaited)[:200])
            break
        where.append(f"{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None) or getattr(
            awaited, "gi_yieldfrom", None)
    return " -> ".join(where) or "(not started)"
