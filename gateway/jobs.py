"""What a job is, as the REST API shows it: options, states, steps, progress, errors and events."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from storyreel.domain import Language, VoiceEngine
from storyreel.profiles import Aspect, ProfileName, SubtitleMode, SubtitlePosition, SubtitleSize

BACKEND_NAME = r"^[a-z0-9_-]{0,32}$"
EXAMPLE_STORY = 'Old Meera lived by the river. "Hold the lantern high," she said.'


class JobState(StrEnum):
    QUEUED = "queued"
    PLANNING = "planning"
    SPEAKING = "speaking"
    RENDERING = "rendering"
    SCORING = "scoring"
    COMPOSING = "composing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in FINISHED_STATES


FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class Step(StrEnum):
    """The steps a job runs, in order (cast and speech run side by side, then visuals and music)."""

    PLANNING = "planning"
    CAST = "cast"
    """The cast sheet: one reference picture per character (and recurring setting), before any shot."""
    SPEECH = "speech"
    VISUALS = "visuals"
    MUSIC = "music"
    COMPOSING = "composing"


class EventKind(StrEnum):
    """The kinds of a job's Server-Sent Events (`event:`); the event's `id` is its sequence
    number in the job. Every kind but `snapshot` carries `state`, `progress` and `eta_s` beside
    its own fields."""

    SNAPSHOT = "snapshot"
    """The whole job, as GET /v1/jobs/{id} shows it: the first event of a stream."""
    STATE = "state"
    """The job's state changed (`error` set when it failed)."""
    STORYBOARD = "storyboard"
    """A storyboard was planned or edited (`shots`: how many)."""
    SHOT = "shot"
    """A shot's speech or picture started, went on or finished (`shot_id`, `step`, `done`)."""
    MUSIC = "music"
    """A scene's music (or the user's track) is ready (`scene_id`)."""
    FILM = "film"
    """The film is composed (`duration_s`)."""
    CAST = "cast"
    """A reference picture of the cast sheet is ready (`item_id`: a character's id, or `setting.<digest>`)."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VoiceChoice(_Body):
    """A voice for one character or the narrator; fields left out keep the planner's choice."""

    engine: VoiceEngine | None = None
    voice_id: str | None = Field(default=None, max_length=100)
    pitch: int | None = Field(default=None, ge=0, le=99)
    rate_wpm: int | None = Field(default=None, ge=60, le=450)
    description: str | None = Field(default=None, max_length=1000, description="For describable voices (Parler).")


class SubtitleChoice(_Body):
    """How the film shows its subtitles. The SRT and WebVTT files are made in every mode."""

    mode: SubtitleMode | None = Field(
        default=None,
        description="'burned' (drawn into the picture, and a soft track too), 'soft' (only a track the player "
        "shows or hides: the picture stays clean) or 'none' (neither); empty: the composer's setting for the "
        "profile (STORYREEL_COMPOSER_BURN_SUBTITLES, _PREVIEW_BURN_SUBTITLES; burned unless turned off).",
    )
    size: SubtitleSize = Field(
        default=SubtitleSize.MEDIUM,
        description="Letter size of burned subtitles: 'small', 'medium' or 'large' (4.2%, 5.5%, 7.5% of the "
        "frame's height).",
    )
    position: SubtitlePosition = Field(
        default=SubtitlePosition.BOTTOM, description="Where burned subtitles sit: 'bottom' or 'top'."
    )


class JobOptions(_Body):
    """How to film a story: everything but the story itself."""

    title: str = Field(default="", max_length=300, description="Film title; empty takes the story's first line.")
    language: Language | None = Field(default=None, description="en, hi or mixed; empty detects it.")
    max_minutes: float = Field(default=0, ge=0, le=600, description="Upper bound on film length; 0 means none.")
    visual_backend: str = Field(
        default="", pattern=BACKEND_NAME, examples=["animatic", "comfyui"],
        description="Visual backend for every shot: 'animatic' (fast preview) or 'comfyui'; empty: the service's own.",
    )
    style: str = Field(
        default="", max_length=300, description="Words added to every shot's picture prompt, e.g. 'watercolour'."
    )
    profile: ProfileName | None = Field(
        default=None,
        description="Output profile: 'preview' (640x360, encoded fast), '720p' or '1080p'; "
        "empty: the gateway's film size and the composer's default encoding.",
    )
    voices: dict[str, VoiceChoice] = Field(
        default_factory=dict, max_length=100,
        description="Voices by character name, id or alias ('narrator' for the narrator).",
    )
    aspect: Aspect = Field(
        default=Aspect.WIDE,
        description="Frame shape: '16:9' (wide), '9:16' (tall, for phones: the profile's frame on its side) or "
        "'1:1' (square, the profile's height); every shot is drawn at that shape.",
    )
    subtitles: SubtitleChoice = Field(
        default_factory=SubtitleChoice,
        description="Burned in, soft or none, and the size and position of burned ones; changing them "
        "(POST .../render) composes the film again and nothing else.",
    )


class JobRequest(JobOptions):
    """A story to film."""

    story: str = Field(description="The story as UTF-8 text or markdown (English, Hindi, or both).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"story": EXAMPLE_STORY, "title": "The lantern"},
                {"story": EXAMPLE_STORY, "language": "en", "style": "watercolour, warm light",
                 "voices": {"Meera": {"pitch": 70}, "narrator": {"rate_wpm": 150}}},
            ]
        }
    )

    def options(self) -> JobOptions:
        return JobOptions.model_validate(self.model_dump(exclude={"story"}))


class RerollRequest(_Body):
    """Render one shot again; without a seed a new one is drawn, so the picture changes."""

    prompt: str | None = Field(default=None, min_length=1, max_length=2000, description="A new picture prompt.")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="A seed; left out: a new random one.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"prompt": "a lighthouse at dusk, wide shot"}, {"seed": 42}, {}]}
    )


class ReplanRequest(_Body):
    """A scene's new text, to be planned into the scene's shots again."""

    text: str | None = Field(
        default=None, min_length=1, max_length=200_000,
        description="The scene as story text: paragraphs, quoted dialogue ('\"Hold it high,\" said Meera'). "
        "Speakers are matched to the story's characters by name; a new name becomes a new character. "
        "Left out: the scene's current text (GET .../scenes/{scene_id}/text), planned again as it is.",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "text": "The storm broke at midnight. \"Hold the lantern high,\" said Meera. Arjun climbed the tower."
    }, {}]})


class RenderRequest(_Body):
    """Render a job again: resume a failed or cancelled job, or make the final after a preview."""

    visual_backend: str | None = Field(
        default=None, pattern=BACKEND_NAME, description="A different visual backend; left out: keep the job's."
    )
    style: str | None = Field(default=None, max_length=300, description="A different style; left out: keep it.")
    profile: ProfileName | None = Field(default=None, description="A different output profile; left out: keep it.")
    subtitles: SubtitleChoice | None = Field(
        default=None,
        description="Subtitles another way: the fields given replace the job's, the others are kept; "
        "only the film is composed again.",
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"visual_backend": "comfyui", "profile": "1080p"},
                                        {"subtitles": {"mode": "burned", "size": "large", "position": "top"}}, {}]}
    )


class EtaBasis(StrEnum):
    """Where a rate (and so an ETA) comes from."""

    MEASURED = "measured"
    """Measured: this job's own items, else this gateway's recent jobs."""
    PRIOR = "prior"
    """A prior (gateway.eta_priors): nothing of the step was measured yet on this gateway."""


class StepProgress(BaseModel):
    done: int
    total: int
    seconds_per_item: float | None = Field(
        default=None,
        description="Wall time of one item of this step (composing: per second of film): measured on this job, "
        "else on recent jobs, else the step's prior.",
    )
    rate_basis: EtaBasis | None = Field(
        default=None, description="'measured' or 'prior': where seconds_per_item comes from; null without one."
    )


class ShotState(StrEnum):
    PENDING = "pending"
    SPEAKING = "speaking"
    SPOKEN = "spoken"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


class ShotView(BaseModel):
    id: str
    scene_id: str
    state: ShotState
    speech_done: bool
    visual_done: bool
    duration_s: float | None = Field(description="Set once the shot's speech is known (audio-first timing).")
    render_progress: float | None = Field(
        default=None, ge=0, le=1, description="How far its picture is, 0 to 1, while it renders; 1 when done."
    )
    visual_prompt: str
    links: dict[str, str] = Field(description="clip and keyframe, once the shot is rendered.")


class SceneView(BaseModel):
    id: str
    title: str
    state: ShotState = Field(description="pending, rendering (some work done), done or failed.")
    shots_done: int
    shots_total: int
    music_done: bool


class JobError(BaseModel):
    step: Step
    reason: str = Field(description="What went wrong, in words a user can act on.")
    service: str | None = None
    shot_id: str | None = None


_JOB_ID = "3f2a9c0d1e2b4a5f"
_BASE = f"/v1/jobs/{_JOB_ID}"
EXAMPLE_JOB: dict[str, Any] = {
    "id": _JOB_ID, "state": "rendering", "title": "The lantern", "progress": 0.52, "eta_s": 41.5,
    "eta_basis": "measured",
    "steps": {"planning": {"done": 1, "total": 1, "seconds_per_item": 0.4, "rate_basis": "measured"},
              "cast": {"done": 1, "total": 1, "seconds_per_item": 0.9, "rate_basis": "measured"},
              "speech": {"done": 2, "total": 2, "seconds_per_item": 0.3, "rate_basis": "measured"},
              "visuals": {"done": 1, "total": 2, "seconds_per_item": 6.1, "rate_basis": "measured"},
              "music": {"done": 1, "total": 1, "seconds_per_item": 1.2, "rate_basis": "measured"},
              "composing": {"done": 0, "total": 1, "seconds_per_item": 0.25, "rate_basis": "measured"}},
    "scenes": [{"id": "s01", "title": "The river", "state": "rendering", "shots_done": 1, "shots_total": 2,
                "music_done": True}],
    "shots": [
        {"id": "s01_01", "scene_id": "s01", "state": "done", "speech_done": True, "visual_done": True,
         "duration_s": 2.4, "render_progress": 1.0,
         "visual_prompt": "an old woman by a river at dusk, holding a lantern",
         "links": {"clip": f"{_BASE}/shots/s01_01/clip?v=8413954f1bc2",
                   "keyframe": f"{_BASE}/shots/s01_01/keyframe?v=8413954f1bc2",
                   "reroll": f"{_BASE}/shots/s01_01/reroll"}},
        {"id": "s01_02", "scene_id": "s01", "state": "rendering", "speech_done": True, "visual_done": False,
         "duration_s": 1.9, "render_progress": 0.35, "visual_prompt": "close-up of a lantern held high", "links": {}},
    ],
    "duration_s": None, "error": None,
    "options": {"title": "", "language": None, "max_minutes": 0, "visual_backend": "", "style": "", "voices": {},
                "aspect": "16:9", "subtitles": {"mode": None, "size": "medium", "position": "bottom"}},
    "subtitles": None,
    "revision": 0, "created_at": 1764316800.0, "updated_at": 1764316812.5,
    "links": {"self": _BASE, "events": f"{_BASE}/events", "video": f"{_BASE}/video",
              "subtitles": f"{_BASE}/subtitles.srt", "subtitles_vtt": f"{_BASE}/subtitles.vtt",
              "storyboard": f"{_BASE}/storyboard", "render": f"{_BASE}/render"},
}


class JobView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_JOB]})

    id: str
    state: JobState
    title: str
    progress: float = Field(ge=0, le=1)
    eta_s: float | None = Field(
        description="Seconds left, from the steps' rates (measured, else their priors); null before planning."
    )
    eta_basis: EtaBasis | None = Field(
        default=None,
        description="'prior' while a step still to run has no measured rate on this gateway (the ETA is an "
        "estimate from gateway.eta_priors), 'measured' once every one has; null without an ETA.",
    )
    steps: dict[Step, StepProgress]
    scenes: list[SceneView]
    shots: list[ShotView]
    duration_s: float | None = Field(description="Length of the finished film.")
    subtitles: SubtitleMode | None = Field(
        default=None,
        description="How the film as composed carries its subtitles: 'burned' (in the picture, so a player "
        "should not show the soft track too), 'soft' (a track only) or 'none'; null before there is a film.",
    )
    error: JobError | None
    options: JobOptions
    plan_notes: list[str] = Field(
        default_factory=list,
        description="What the planner said of the plan: what condensing to max_minutes cut (sentences, scenes).",
    )
    revision: int = Field(description="Counts edits, re-rolls and re-renders of this job.")
    created_at: float
    updated_at: float
    links: dict[str, str]


class JobList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"jobs": [EXAMPLE_JOB], "total": 1, "limit": 50,
                                                               "offset": 0}]})

    jobs: list[JobView]
    total: int
    limit: int
    offset: int
