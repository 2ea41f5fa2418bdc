"""The service's requests as validated Pydantic models, and what the backends return.

The request models are twins of SpeakRequest, ComposeMusicRequest and PrepareTrackRequest (same
field names), so storyreel.convert.from_proto fills them and pydantic's validation becomes
INVALID_ARGUMENT.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyreel.domain import Character, Line, Mood, Voice


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    output_key: str

    @field_validator("output_key")
    @classmethod
    def _a_wav_key(cls, key: str) -> str:
        if not key:
            raise ValueError("output_key is required: where to write the WAV, relative to the artifact root")
        if not key.endswith(".wav"):
            raise ValueError(f"output_key {key!r} must end in .wav")
        return key


class CastInput(BaseModel):
    """A cast to check (CheckVoicesRequest): nothing is spoken, so no output_key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    characters: list[Character] = []
    narrator_voice: Voice = Voice()


class SpeakInput(_Request):
    shot_id: str = Field(min_length=1)
    lines: list[Line] = []
    """May be empty: a shot without words gets a short silence (the gateway speaks every shot)."""
    characters: list[Character] = []
    narrator_voice: Voice = Voice()


class TrackInput(_Request):
    input_key: str = Field(min_length=1)
    duration_s: float = Field(gt=0)


class MusicInput(_Request):
    scene_id: str = ""
    mood: Mood = Mood.CALM
    duration_s: float = Field(gt=0)
    seed: int = 0


@dataclass(frozen=True)
class PreparedTrack:
    duration_s: float
    source_duration_s: float
    plays: int


@dataclass(frozen=True)
class LineSpan:
    """Where one line sits in a shot's speech, in seconds from the clip's start."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class SpokenClip:
    duration_s: float
    spans: list[LineSpan]
    """One per request line, in order; a line with nothing to say has start_s == end_s."""
