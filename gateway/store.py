"""The job store: jobs and each finished step's result, in SQLite (or any SQLAlchemy URL).

A step's result is written the moment the step finishes, so a restarted gateway redoes only
what is missing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, Float, MetaData, String, Table, create_engine, func, select, update
from sqlalchemy.engine import Engine

from gateway.jobs import JobError, JobRequest, JobState

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
)

results_table = Table(
    "results",
    _metadata,
    Column("job_id", String(32), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("value", JSON, nullable=False),
)


@dataclass(frozen=True)
class JobRecord:
    id: str
    state: JobState
    request: JobRequest
    error: JobError | None
    created_at: float
    updated_at: float


class JobStore:
    def __init__(self, database_url: str) -> None:
        connect_args = {"check_same_thread": False} if database_url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(database_url, connect_args=connect_args)
        _metadata.create_all(self.engine)

    def create(self, request: JobRequest) -> str:
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(
                jobs_table.insert().values(
                    id=job_id, state=JobState.QUEUED.value, request=request.model_dump(mode="json"),
                    error=None, created_at=now, updated_at=now,
                )
            )
        return job_id

    def get(self, job_id: str) -> JobRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).first()
        return _record(row) if row else None

    def page(self, limit: int, offset: int) -> tuple[list[JobRecord], int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs_table).order_by(jobs_table.c.created_at.desc()).limit(limit).offset(offset)
            ).all()
            total = conn.execute(select(func.count()).select_from(jobs_table)).scalar_one()
        return [_record(row) for row in rows], int(total)

    def unfinished(self) -> list[str]:
        finished = [JobState.DONE.value, JobState.FAILED.value]
        with self.engine.connect() as conn:
            rows = conn.execute(select(jobs_table.c.id).where(jobs_table.c.state.not_in(finished))).all()
        return [row.id for row in rows]

    def set_state(self, job_id: str, state: JobState, error: JobError | None = None) -> None:
        values = {"state": state.value, "error": error.model_dump(mode="json") if error else None}
        with self.engine.begin() as conn:
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(**values, updated_at=time.time()))

    def put_result(self, job_id: str, name: str, value: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                results_table.delete().where((results_table.c.job_id == job_id) & (results_table.c.name == name))
            )
            conn.execute(results_table.insert().values(job_id=job_id, name=name, value=value))
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(updated_at=time.time()))

    def results(self, job_id: str) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(results_table.c.name, results_table.c.value).where(results_table.c.job_id == job_id)
            ).all()
        return {row.name: row.value for row in rows}

    def close(self) -> None:
        self.engine.dispose()


def _record(row: Any) -> JobRecord:
    return JobRecord(
        id=row.id,
        state=JobState(row.state),
        request=JobRequest.model_validate(row.request),
        error=JobError.model_validate(row.error) if row.error else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
