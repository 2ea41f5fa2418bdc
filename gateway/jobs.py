"""What a job is, as the REST API shows it: states, steps, progress and errors."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from storyreel.domain import Language


class JobState(StrEnum):
    QUEUED = "queued"
    PLANNING = "planning"
    SPEAKING = "speaking"
    RENDERING = "rendering"
    COMPOSING = "composing"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


class Step(StrEnum):
    """The steps a job runs, in order (visuals and music run side by side)."""

    PLANNING = "planning"
    SPEECH = "speech"
    VISUALS = "visuals"
    MUSIC = "music"
    COMPOSING = "composing"


class JobRequest(BaseModel):
    """A story to film."""

    story: str = Field(description="The story as UTF-8 text or markdown (English, Hindi, or both).")
    title: str = Field(default="", max_length=300, description="Film title; empty takes the story's first line.")
    language: Language | None = Field(default=None, description="en, hi or mixed; empty detects it.")
    max_minutes: float = Field(default=0, ge=0, le=600, description="Upper bound on film length; 0 means none.")

    model_config = {
        "json_schema_extra": {
            "examples": [{"story": "Old Meera lived by the river. \"Hold the lantern high,\" she said.", "title": ""}]
        }
    }


class StepProgress(BaseModel):
    done: int
    total: int


class ShotProgress(BaseModel):
    id: str
    scene_id: str
    speech_done: bool
    visual_done: bool
    duration_s: float | None = Field(description="Set once the shot's speech is known (audio-first timing).")


class JobError(BaseModel):
    step: Step
    reason: str = Field(description="What went wrong, in words a user can act on.")
    service: str | None = None
    shot_id: str | None = None


class JobView(BaseModel):
    id: str
    state: JobState
    title: str
    progress: float = Field(ge=0, le=1)
    steps: dict[Step, StepProgress]
    shots: list[ShotProgress]
    duration_s: float | None = Field(description="Length of the finished film.")
    error: JobError | None
    created_at: float
    updated_at: float
    links: dict[str, str]


class JobList(BaseModel):
    jobs: list[JobView]
    total: int
    limit: int
    offset: int
