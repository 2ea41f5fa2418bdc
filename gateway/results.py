"""What a job stores: the names of its results, one small typed model per kind of result, and
where its files go under the artifact root.

Every result is stored as JSON under a name (`storyboard`, `speech/<shot>`, `visuals/<shot>`,
`music/<scene>`, `music/track`, `compose`, `upload/music`, `replan/<scene>`, `cast/<character>`,
`cast/setting.<digest>`, `cast-choice/<character>`). A step's result
(StepResult) carries the hash of the request that made it, the files it made (`keys`) and the
seconds it took; each kind adds its own fields. The models dump to the same JSON the gateway has
always stored (tests/unit/test_gateway_store.py loads results stored in that shape), so a job
store written by an older gateway still loads.

A new kind of step adds one model here (a StepResult subclass with its own fields) and its
step's name; nothing else reads results by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from gateway import timeline
from gateway.jobs import Step
from storyreel.domain import Storyboard
from storyreel.profiles import SubtitleMode

__all__ = [
    "CAST_CHOICE",
    "COMPOSE",
    "MUSIC_UPLOAD",
    "PLAN_NOTES",
    "REPLAN",
    "STORYBOARD",
    "TRACK",
    "CapFit",
    "CastChoice",
    "CastPicture",
    "Composed",
    "JobResults",
    "MusicUpload",
    "PlanNotes",
    "Rendered",
    "ReplanOrder",
    "Scored",
    "Spoken",
    "StepResult",
    "Stored",
    "StoredStoryboard",
    "cast_choice_name",
    "job_key",
    "load",
    "replan_name",
    "result_name",
]

STORYBOARD = "storyboard"
"""The planned storyboard, and later the user's edits of it (shot lengths are set from speech)."""
COMPOSE = "compose"
"""The finished film: video, srt and vtt keys, its length."""
MUSIC_UPLOAD = "upload/music"
"""The user's own music file, as uploaded."""
REPLAN = "replan"
"""A scene's new text, waiting for the job's run to plan it (`replan/<scene id>`)."""
TRACK = "track"
"""The music item of a job with the user's own track (instead of one item per scene)."""
PLAN_NOTES = "plan/notes"
"""What the planner said of its plan (what condensing to max_minutes cut), for the job view."""

CAST_CHOICE = "cast-choice"
"""A user's choice for one character's reference picture (`cast-choice/<character id>`): an upload, or a take."""

R = TypeVar("R", bound=BaseModel)


def result_name(step: Step, item_id: str) -> str:
    return f"{step.value}/{item_id}"


def replan_name(scene_id: str) -> str:
    return f"{REPLAN}/{scene_id}"


def cast_choice_name(character_id: str) -> str:
    return f"{CAST_CHOICE}/{character_id}"


def job_key(job_id: str, *parts: str) -> str:
    return "/".join(("jobs", job_id, *parts))


class Stored(BaseModel):
    """A stored result: extra fields (written by a newer gateway) are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class StepResult(Stored):
    """What every step stores: the hash of its request, the files it made, the seconds it took
    (set when it is stored; None in results stored before it was measured)."""

    hash: str
    keys: list[str] = []
    seconds: float | None = None


class Spoken(StepResult):
    """A shot's speech: its WAV, its real length and each line's start and end in it."""

    key: str
    duration_s: float
    timings: list[tuple[float, float]] = []

    def timing(self) -> timeline.SpeechResult:
        return timeline.SpeechResult(self.key, self.duration_s, list(self.timings))


class Rendered(StepResult):
    """A shot's picture: its silent clip and its keyframe."""

    clip: str
    keyframe: str
    finish_tag: str | None = None
    """The clip was finished as the film shows it (the composer's Finish); None: a plain clip (and
    a result stored before finishing existed writes back as it was)."""


class CastPicture(StepResult):
    """A character's (or a recurring setting's) reference picture: the PNG every shot of it is
    drawn from, its size, and whether it is the user's own picture (checked and converted)."""

    picture: str
    width: int = 0
    height: int = 0
    uploaded: bool = False


class CastChoice(Stored):
    """What the user chose for a character's picture: their own (upload_key, as stored at the
    door) or a take of the backend's (take 0 is the first; each re-roll adds one)."""

    upload_key: str = ""
    take: int = 0
    bytes: int = 0


class Scored(StepResult):
    """A scene's music, or the user's track fitted to the film."""

    audio: str


class Composed(StepResult):
    """The film and its subtitles, and its measured length."""

    video: str
    srt: str
    vtt: str = ""
    duration_s: float
    subtitles: SubtitleMode | None = None
    """How the film carries its subtitles, as the composer said; None: composed before it said."""


class CapFit(BaseModel):
    """One re-plan to hold max_minutes: the film the plan before it made, timed from its measured
    speech, and the max_minutes the planner was asked for instead."""

    model_config = ConfigDict(frozen=True)

    measured_s: float
    max_minutes: float


class StoredStoryboard(Stored):
    """The storyboard as planned or edited (no hash: an edit replaces it)."""

    storyboard: Storyboard
    planned: bool = False
    """As the planner made it (no edit, no scene planned again since): only such a storyboard is
    re-planned to hold max_minutes, so a user's edit is never planned away."""
    expected_film_s: float = 0.0
    """The film the planner expected of it (PlanResponse.condensing.expected_film_s; 0: unsaid)."""
    fits: list[CapFit] = []
    """The re-plans that made it, oldest first: a restarted run counts them, so it never re-plans
    past STORYREEL_GATEWAY_CAP_REPLANS."""

    def to_json(self) -> dict[str, Any]:
        """As stored before the cap's re-plan existed while these fields are at their defaults, so
        a storyboard stored by an older gateway writes back byte-identical."""
        stored = super().to_json()
        for name in ("planned", "expected_film_s", "fits"):
            if stored.get(name) == StoredStoryboard.model_fields[name].default:
                stored.pop(name, None)
        return stored


class PlanNotes(Stored):
    """The planner's notes on the plan (PlanResponse.report.notes), kept through later edits."""

    notes: list[str] = []


class MusicUpload(Stored):
    """The user's own music file as uploaded."""

    key: str
    bytes: int = 0
    name: str = ""


class ReplanOrder(Stored):
    """A scene to plan again from this text: the next run does it before anything else."""

    scene_id: str
    text: str


def load(model: type[R], value: Mapping[str, Any] | None) -> R | None:
    return model.model_validate(value) if value is not None else None


class JobResults:
    """A job's stored results (as JobStore.results gives them), read through their models."""

    def __init__(self, values: Mapping[str, Mapping[str, Any]]) -> None:
        self._values = values

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, model: type[R], name: str) -> R | None:
        return load(model, self._values.get(name))

    def storyboard(self) -> Storyboard | None:
        stored = self.get(StoredStoryboard, STORYBOARD)
        return stored.storyboard if stored else None

    def speech(self, shot_id: str) -> Spoken | None:
        return self.get(Spoken, result_name(Step.SPEECH, shot_id))

    def clip(self, shot_id: str) -> Rendered | None:
        return self.get(Rendered, result_name(Step.VISUALS, shot_id))

    def cast(self, item_id: str) -> CastPicture | None:
        return self.get(CastPicture, result_name(Step.CAST, item_id))

    def cast_choice(self, character_id: str) -> CastChoice | None:
        return self.get(CastChoice, cast_choice_name(character_id))

    def film(self) -> Composed | None:
        return self.get(Composed, COMPOSE)

    def plan_notes(self) -> list[str]:
        stored = self.get(PlanNotes, PLAN_NOTES)
        return stored.notes if stored else []

    def own_track(self) -> bool:
        return MUSIC_UPLOAD in self._values

    def seconds(self, name: str) -> float | None:
        """The seconds a stored result took to make (None when unknown, as for the storyboard)."""
        timed = self.get(_Timed, name)
        return timed.seconds if timed else None


class _Timed(Stored):
    """Any stored result, read for its seconds alone."""

    seconds: float | None = None
