from __future__ import annotations

import json
import logging

from storyreel.logs import JsonFormatter, log_context


def _format(record_msg: str, **extra: object) -> dict[str, object]:
    record = logging.makeLogRecord({"msg": record_msg, "levelname": "INFO", "name": "t", **extra})
    parsed: dict[str, object] = json.loads(JsonFormatter("audio").format(record))
    return parsed


def test_every_line_carries_service_and_ids() -> None:
    entry = _format("hello")
    assert entry["service"] == "audio"
    assert entry["msg"] == "hello"
    assert {"job_id", "scene_id", "shot_id"} <= entry.keys()


def test_context_ids_nest_and_reset() -> None:
    with log_context(job_id="j1"), log_context(scene_id="s02", shot_id="s02_03"):
        entry = _format("inside")
    assert (entry["job_id"], entry["scene_id"], entry["shot_id"]) == ("j1", "s02", "s02_03")
    assert _format("outside")["job_id"] is None


def test_extra_fields_and_unicode_survive() -> None:
    entry = _format("गुड़िया बोली", rpc="/x", ms=12)
    assert entry["msg"] == "गुड़िया बोली"
    assert entry["rpc"] == "/x"
    assert entry["ms"] == 12
