"""The job store: jobs, each finished step's result, the jobs' event logs and measured step rates,
in SQLite by default or any SQLAlchemy URL (PostgreSQL for several gateways).

A new job is admitted under the queue limits (at most so many unfinished jobs, in all and per
API key) by a count in the database, inside the transaction that inserts it and under a lock, so
several gateways sharing PostgreSQL cannot overshoot. Finished jobs past the retention age are
deleted (`sweep`) with their results and events.

A step's result is written the moment the step finishes, so a restarted gateway redoes only what
is missing. A running job is leased by one gateway (`owner`, `lease_until`); a gateway that dies
stops renewing, and another one takes the job over. `renew` answers which leases were lost (taken
over while their owner was slow to renew, or the job is gone), so that gateway stops those runs.
`revision` counts edits: a run writes its state and its results only while the revision it
started from is current (else Superseded), so a stale run cannot undo an edit.

Results are JSON; gateway.results has a model for each kind, and the store takes those models
(or plain JSON) and gives back JSON, which the models read.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from gateway.errors import QueueFull, Superseded
from gateway.jobs import FINISHED_STATES, EventKind, JobError, JobRequest, JobState
from gateway.results import Stored
from storyreel.errors import DiskFull

__all__ = ["JobRecord", "JobStore", "Limits", "QueueFull", "Superseded", "new_job_id"]

Value = Mapping[str, Any] | Stored
"""A result to store: one of gateway.results' models, or its JSON."""

_metadata = MetaData()

jobs_table = Table(
    "jobs",
    _metadata,
    Column("id", String(32), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("request", JSON, nullable=False),
    Column("error", JSON, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("owner", String(120), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("client", String(64), nullable=True),
)

results_table = Table(
    "results",
    _metadata,
    Column("job_id", String(32), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("value", JSON, nullable=False),
)

events_table = Table(
    "events",
    _metadata,
    Column("job_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("at", Float, nullable=False),
)

rates_table = Table(
    "step_rates",
    _metadata,
    Column("step", String(32), primary_key=True),
    Column("seconds_per_item", Float, nullable=False),
    Column("samples", Integer, nullable=False),
)

# Columns added after the first release: created on an old database at start.
_LATER_COLUMNS = {
    "revision": "INTEGER NOT NULL DEFAULT 0",
    "owner": "VARCHAR(120)",
    "lease_until": "FLOAT",
    "client": "VARCHAR(64)",
}
_FINISHED = [state.value for state in FINISHED_STATES]
RATE_WEIGHT = 0.2
"""Weight of a new measurement in a step's running average (recent jobs count most)."""
ADMISSION_LOCK = 0x5354_5259
"""PostgreSQL advisory lock held while a job is admitted: admissions by every gateway take turns."""
SWEEP_BATCH = 500


def new_job_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class Limits:
    """The most unfinished jobs admitted, in all and per client (an API key's digest); 0: no limit."""

    unfinished: int = 0
    per_client: int = 0


@dataclass(frozen=True)
class JobRecord:
    id: str
    state: JobState
    request: JobRequest
    error: JobError | None
    created_at: float
    updated_at: float
    revision: int
    owner: str | None


class JobStore:
    def __init__(self, database_url: str) -> None:
        sqlite = database_url.startswith("sqlite")
        connect_args = {"check_same_thread": False} if sqlite else {}
        self.engine: Engine = create_engine(database_url, connect_args=connect_args, pool_pre_ping=True)
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        event.listen(self.engine, "handle_error", _disk_full)
        _metadata.create_all(self.engine)
        _add_later_columns(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ jobs

    def create(
        self, request: JobRequest, job_id: str | None = None, client: str | None = None, limits: Limits | None = None
    ) -> str:
        """Store a new queued job; its id (a new one unless given: see new_job_id). With limits,
        QueueFull (and nothing stored) when the job would go over one of them."""
        job_id = job_id or new_job_id()
        now = time.time()
        with self.engine.begin() as conn:
            if limits is not None and (limits.unfinished or (client and limits.per_client)):
                self._lock_admission(conn)
                _check_limits(conn, limits, client)
            conn.execute(
                jobs_table.insert().values(
                    id=job_id, state=JobState.QUEUED.value, request=request.model_dump(mode="json"),
                    error=None, created_at=now, updated_at=now, revision=0, client=client,
                )
            )
        return job_id

    def _lock_admission(self, conn: Connection) -> None:
        """Make concurrent admissions take turns, also across processes: an advisory lock on
        PostgreSQL, the write lock taken at once on SQLite (both are released at commit)."""
        if self.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADMISSION_LOCK})
        elif self.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def unfinished(self, client: str | None = None) -> int:
        """Jobs not done, failed or cancelled (of one client, when given)."""
        with self.engine.connect() as conn:
            return _count_unfinished(conn, client)

    def running(self, client: str | None = None, limit: int = 20) -> list[str]:
        """Unfinished jobs past the queue (of one client, when given), oldest first."""
        condition: ColumnElement[bool] = jobs_table.c.state.not_in([*_FINISHED, JobState.QUEUED.value])
        if client is not None:
            condition &= jobs_table.c.client == client
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs_table.c.id).where(condition).order_by(jobs_table.c.created_at).limit(limit)
            ).all()
        return [row.id for row in rows]

    def sweep(self, finished_before: float) -> list[str]:
        """Delete the jobs that finished (done, failed, cancelled) before this time, with their
        results and events; their ids, so that their files can go too."""
        gone: list[str] = []
        while True:
            with self.engine.begin() as conn:
                ids = [row.id for row in conn.execute(
                    select(jobs_table.c.id)
                    .where(jobs_table.c.state.in_(_FINISHED) & (jobs_table.c.updated_at < finished_before))
                    .limit(SWEEP_BATCH)
                ).all()]
                if not ids:
                    return gone
                # Only those still finished and old: one edited meanwhile (render again) stays.
                deleted = [row.id for row in conn.execute(
                    jobs_table.delete()
                    .where(jobs_table.c.id.in_(ids) & jobs_table.c.state.in_(_FINISHED)
                           & (jobs_table.c.updated_at < finished_before))
                    .returning(jobs_table.c.id)
                ).all()]
                conn.execute(results_table.delete().where(results_table.c.job_id.in_(deleted)))
                conn.execute(events_table.delete().where(events_table.c.job_id.in_(deleted)))
            gone.extend(deleted)

    def delete(self, job_id: str) -> bool:
        """Delete one finished job (done, failed, cancelled) with its results and events; False
        when there is no such finished job (none, or it runs again). Its files are the caller's."""
        with self.engine.begin() as conn:
            gone = conn.execute(
                jobs_table.delete().where((jobs_table.c.id == job_id) & jobs_table.c.state.in_(_FINISHED))
                .returning(jobs_table.c.id)
            ).first()
            if gone is None:
                return False
            conn.execute(results_table.delete().where(results_table.c.job_id == job_id))
            conn.execute(events_table.delete().where(events_table.c.job_id == job_id))
        return True

    def get(self, job_id: str) -> JobRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).first()
        return _record(row) if row else None

    def page(self, limit: int, offset: int) -> tuple[list[JobRecord], int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs_table).order_by(jobs_table.c.created_at.desc(), jobs_table.c.id).limit(limit).offset(offset)
            ).all()
            total = conn.execute(select(func.count()).select_from(jobs_table)).scalar_one()
        return [_record(row) for row in rows], int(total)

    def count_by_state(self) -> dict[JobState, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(jobs_table.c.state, func.count()).group_by(jobs_table.c.state)).all()
        counts = dict.fromkeys(JobState, 0)
        counts.update({JobState(state): int(count) for state, count in rows})
        return counts

    def set_state(
        self, job_id: str, state: JobState, error: JobError | None = None, revision: int | None = None
    ) -> bool:
        """Set the state; with a revision, only while it is current. True when it was written."""
        condition = jobs_table.c.id == job_id
        if revision is not None:
            condition &= jobs_table.c.revision == revision
        values = {"state": state.value, "error": error.model_dump(mode="json") if error else None}
        with self.engine.begin() as conn:
            written = conn.execute(update(jobs_table).where(condition).values(**values, updated_at=time.time()))
        return bool(written.rowcount)

    def revise(self, job_id: str, state: JobState, request: JobRequest | None = None) -> int:
        """Start a new revision (after an edit, a re-roll or a cancel): the running one goes stale."""
        values: dict[str, Any] = {"state": state.value, "error": None, "updated_at": time.time(),
                                  "revision": jobs_table.c.revision + 1}
        if request is not None:
            values["request"] = request.model_dump(mode="json")
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(**values))
            revision = conn.execute(select(jobs_table.c.revision).where(jobs_table.c.id == job_id)).scalar_one()
        return int(revision)

    # ------------------------------------------------------------------ leases

    def claim(self, job_id: str, owner: str, lease_s: float) -> JobRecord | None:
        """Lease an unfinished job unless another live gateway holds it; the record when claimed."""
        now = time.time()
        free = or_(jobs_table.c.owner.is_(None), jobs_table.c.owner == owner, jobs_table.c.lease_until < now)
        condition = (jobs_table.c.id == job_id) & jobs_table.c.state.not_in(_FINISHED) & free
        with self.engine.begin() as conn:
            claimed = conn.execute(update(jobs_table).where(condition).values(owner=owner, lease_until=now + lease_s))
        return self.get(job_id) if claimed.rowcount else None

    def renew(self, owner: str, job_ids: list[str], lease_s: float) -> dict[str, str | None]:
        """Extend this owner's leases of these jobs (one UPDATE); the jobs among them it no longer
        holds, each with who holds it now: another gateway took it over after the lease lapsed
        (this one renewed too late), or None when the job is gone or held by no one. An empty
        answer (the usual one) costs no second statement."""
        if not job_ids:
            return {}
        with self.engine.begin() as conn:
            renewed = {row.id for row in conn.execute(
                update(jobs_table)
                .where(jobs_table.c.id.in_(job_ids) & (jobs_table.c.owner == owner))
                .values(lease_until=time.time() + lease_s)
                .returning(jobs_table.c.id)
            ).all()}
            lost = [job_id for job_id in dict.fromkeys(job_ids) if job_id not in renewed]
            if not lost:
                return {}
            owners = {row.id: row.owner for row in conn.execute(
                select(jobs_table.c.id, jobs_table.c.owner).where(jobs_table.c.id.in_(lost))
            ).all()}
        return {job_id: owners.get(job_id) for job_id in lost}

    def release(self, job_id: str, owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs_table)
                .where((jobs_table.c.id == job_id) & (jobs_table.c.owner == owner))
                .values(owner=None, lease_until=None)
            )

    def claimable(self, owner: str, limit: int) -> list[str]:
        """Unfinished jobs no other live gateway holds, oldest first."""
        free = or_(jobs_table.c.owner.is_(None), jobs_table.c.owner == owner, jobs_table.c.lease_until < time.time())
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs_table.c.id)
                .where(jobs_table.c.state.not_in(_FINISHED) & free)
                .order_by(jobs_table.c.created_at, jobs_table.c.id)
                .limit(limit)
            ).all()
        return [row.id for row in rows]

    def states(self, job_ids: list[str]) -> dict[str, tuple[JobState, int]]:
        """State and revision of each job, to notice what another gateway changed."""
        if not job_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs_table.c.id, jobs_table.c.state, jobs_table.c.revision).where(jobs_table.c.id.in_(job_ids))
            ).all()
        return {row.id: (JobState(row.state), int(row.revision)) for row in rows}

    # ------------------------------------------------------------------ step results

    def put_result(
        self, job_id: str, name: str, value: Value, revision: int | None = None, drop: Sequence[str] = ()
    ) -> dict[str, Any] | None:
        """Store a result (replacing the one of that name), drop the results named in `drop` in
        the same transaction, and return the one it replaced. With a revision, Superseded when
        the job has moved on: a superseded run stores nothing."""
        condition = (results_table.c.job_id == job_id) & (results_table.c.name == name)
        with self.engine.begin() as conn:
            if revision is not None:
                _check_revision(conn, job_id, revision)
            previous = conn.execute(select(results_table.c.value).where(condition)).scalar_one_or_none()
            conn.execute(results_table.delete().where(condition))
            if drop:
                conn.execute(results_table.delete().where(
                    (results_table.c.job_id == job_id) & results_table.c.name.in_(list(drop))))
            conn.execute(results_table.insert().values(job_id=job_id, name=name, value=_json(value)))
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(updated_at=time.time()))
        return dict(previous) if previous is not None else None

    def drop_result(self, job_id: str, name: str, revision: int | None = None) -> None:
        """Delete a result; with a revision, Superseded (and nothing deleted) when the job moved on."""
        with self.engine.begin() as conn:
            if revision is not None:
                _check_revision(conn, job_id, revision)
            conn.execute(
                results_table.delete().where((results_table.c.job_id == job_id) & (results_table.c.name == name))
            )

    def drop_results(self, job_id: str, prefix: str) -> None:
        """Delete every result of a job under `prefix/`."""
        with self.engine.begin() as conn:
            conn.execute(results_table.delete().where((results_table.c.job_id == job_id) & _under(prefix)))

    def add_result(self, job_id: str, name: str, value: Value) -> bool:
        """Store a result unless one is there already (an edit made meanwhile wins). True when stored."""
        try:
            with self.engine.begin() as conn:
                conn.execute(results_table.insert().values(job_id=job_id, name=name, value=_json(value)))
        except IntegrityError:
            return False
        return True

    def result(self, job_id: str, name: str) -> dict[str, Any] | None:
        condition = (results_table.c.job_id == job_id) & (results_table.c.name == name)
        with self.engine.connect() as conn:
            value = conn.execute(select(results_table.c.value).where(condition)).scalar_one_or_none()
        return dict(value) if value is not None else None

    def results(self, job_id: str) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(results_table.c.name, results_table.c.value).where(results_table.c.job_id == job_id)
            ).all()
        return {row.name: row.value for row in rows}

    def result_names(self, job_id: str, prefix: str) -> list[str]:
        """The names of a job's results under `prefix/`, in order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(results_table.c.name)
                .where((results_table.c.job_id == job_id) & _under(prefix))
                .order_by(results_table.c.name)
            ).all()
        return [row.name for row in rows]

    # ------------------------------------------------------------------ events

    def add_event(self, job_id: str, kind: EventKind, data: dict[str, Any]) -> int:
        """Append to the job's event log; its sequence number (1, 2, ...) is the SSE event id."""
        for _ in range(5):  # two gateways may append at once: the loser takes the next number
            try:
                with self.engine.begin() as conn:
                    return _append_event(conn, job_id, kind, data)
            except IntegrityError:
                continue
        raise RuntimeError(f"cannot append an event to job {job_id}: the event log is contended")

    def events(self, job_id: str, after: int, limit: int = 500) -> list[tuple[int, EventKind, dict[str, Any]]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(events_table.c.seq, events_table.c.kind, events_table.c.data)
                .where((events_table.c.job_id == job_id) & (events_table.c.seq > after))
                .order_by(events_table.c.seq)
                .limit(limit)
            ).all()
        return [(int(row.seq), EventKind(row.kind), row.data) for row in rows]

    def last_seq(self, job_id: str) -> int:
        with self.engine.connect() as conn:
            seq = conn.execute(select(func.max(events_table.c.seq)).where(events_table.c.job_id == job_id)).scalar()
        return int(seq or 0)

    # ------------------------------------------------------------------ measured step rates

    def record_rate(self, step: str, seconds: float) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(rates_table).where(rates_table.c.step == step)).first()
            if row is None:
                conn.execute(rates_table.insert().values(step=step, seconds_per_item=seconds, samples=1))
                return
            average = (1 - RATE_WEIGHT) * row.seconds_per_item + RATE_WEIGHT * seconds
            conn.execute(
                update(rates_table)
                .where(rates_table.c.step == step)
                .values(seconds_per_item=average, samples=row.samples + 1)
            )

    def rates(self) -> dict[str, float]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rates_table.c.step, rates_table.c.seconds_per_item)).all()
        return {row.step: float(row.seconds_per_item) for row in rows}


def _count_unfinished(conn: Connection, client: str | None) -> int:
    condition: ColumnElement[bool] = jobs_table.c.state.not_in(_FINISHED)
    if client is not None:
        condition &= jobs_table.c.client == client
    return int(conn.execute(select(func.count()).select_from(jobs_table).where(condition)).scalar_one())


def _check_limits(conn: Connection, limits: Limits, client: str | None) -> None:
    if limits.unfinished and (count := _count_unfinished(conn, None)) >= limits.unfinished:
        raise QueueFull(count, limits.unfinished, None)
    if client and limits.per_client and (count := _count_unfinished(conn, client)) >= limits.per_client:
        raise QueueFull(count, limits.per_client, client)


def _append_event(conn: Connection, job_id: str, kind: EventKind, data: dict[str, Any]) -> int:
    last = conn.execute(select(func.max(events_table.c.seq)).where(events_table.c.job_id == job_id)).scalar()
    seq = int(last or 0) + 1
    row = {"job_id": job_id, "seq": seq, "kind": EventKind(kind).value, "data": data, "at": time.time()}
    conn.execute(events_table.insert().values(**row))
    return seq


def _under(prefix: str) -> ColumnElement[bool]:
    return results_table.c.name.startswith(prefix + "/", autoescape=True)


def _check_revision(conn: Connection, job_id: str, revision: int) -> None:
    current = conn.execute(select(jobs_table.c.revision).where(jobs_table.c.id == job_id)).scalar()
    if current != revision:
        raise Superseded(f"job {job_id} is at revision {current}, not {revision}")


def _json(value: Value) -> dict[str, Any]:
    return value.to_json() if isinstance(value, Stored) else dict(value)


_POSTGRES_DISK_FULL = "53100"


def _disk_full(context: ExceptionContext) -> BaseException | None:
    """A write the database had no room for, as DiskFull (HTTP 507, a clear reason) instead of a
    driver error; what was stored before stays stored."""
    original = context.original_exception
    full = (getattr(original, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or getattr(original, "sqlstate", None) == _POSTGRES_DISK_FULL)
    if not full:
        return None
    return DiskFull(f"the gateway's job database has no room to write ({original}); free some space, then ask again")


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    """Write-ahead log: readers never wait for the writer, and a commit survives a killed process
    without waiting for the disk (synchronous=NORMAL); wait, don't fail, when another process writes."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _add_later_columns(engine: Engine) -> None:
    present = {column["name"] for column in inspect(engine).get_columns("jobs")}
    with engine.begin() as conn:
        for name, ddl in _LATER_COLUMNS.items():
            if name not in present:
                conn.execute(text(f"ALTER TABLE jobs ADD COLUMN {name} {ddl}"))


def _record(row: Any) -> JobRecord:
    return JobRecord(
        id=row.id,
        state=JobState(row.state),
        request=JobRequest.model_validate(row.request),
        error=JobError.model_validate(row.error) if row.error else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        revision=int(row.revision),
        owner=row.owner,
    )
