"""Structured logs: one JSON object per line, on every line of every process.

Every record carries the service name and the job, scene and shot it concerns (null where
there is none). The ids live in context variables, so code deep in a backend logs with the
right ids without passing them around; the gRPC kit sets the job id from call metadata.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["JsonFormatter", "configure_logging", "job_id_var", "log_context", "scene_id_var", "shot_id_var"]

job_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)
scene_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("scene_id", default=None)
shot_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("shot_id", default=None)

_CONTEXT_VARS = {"job_id": job_id_var, "scene_id": scene_id_var, "shot_id": shot_id_var}
# Record attributes that are not extra fields (uvicorn adds color_message, an ANSI copy of msg).
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name, var in _CONTEXT_VARS.items():
            entry[name] = getattr(record, name, None) or var.get()
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextlib.contextmanager
def log_context(
    job_id: str | None = None, scene_id: str | None = None, shot_id: str | None = None
) -> Iterator[None]:
    """Within the block, log lines carry these ids (None leaves an id as it was)."""
    tokens = [
        (var, var.set(value))
        for var, value in ((job_id_var, job_id), (scene_id_var, scene_id), (shot_id_var, shot_id))
        if value is not None
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
