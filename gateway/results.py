"""Names of the results a job stores, and where its files go under the artifact root."""

from __future__ import annotations

from gateway.jobs import Step

STORYBOARD = "storyboard"
"""The planned storyboard, and later the user's edits of it (shot lengths are set from speech)."""
COMPOSE = "compose"
"""The finished film: video, srt (and vtt) keys, its length."""
MUSIC_UPLOAD = "upload/music"
"""The user's own music file, as uploaded."""


def result_name(step: Step, item_id: str) -> str:
    return f"{step.value}/{item_id}"


def job_key(job_id: str, *parts: str) -> str:
    return "/".join(("jobs", job_id, *parts))
