"""The composition request as Pydantic models, twins of the ComposeRequest message (same field names),
so storyreel.convert moves it off the wire and validation happens in one place, the shared enums of
storyreel.profiles included (servicer.py still moves ProfileName itself, from before convert knew them).)"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from storyreel.domain import Language
from storyreel.profiles import ProfileName, SubtitleMode, SubtitlePosition, SubtitleSize


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubtitleCue(_Model):
    """One cue; times are relative to the start of its shot."""

    text: str
    language: Language = Language.EN
    start_s: float = Field(ge=0)
    end_s: float

    @model_validator(mode="after")
    def _ends_after_start(self) -> SubtitleCue:
        if self.end_s <= self.start_s:
            raise ValueError(f"subtitle cue ends at {self.end_s} s, not after its start {self.start_s} s")
        return self


class TimelineShot(_Model):
    shot_id: str = Field(min_length=1)
    scene_id: str = Field(min_length=1)
    scene_title: str = ""
    clip_key: str = ""
    """Empty: not rendered yet (a Prepare request); Compose refuses a shot without one."""
    speech_key: str = ""
    duration_s: float = Field(gt=0)
    cues: list[SubtitleCue] = []
    finish_tag: str = ""
    """The visual service finished the clip as Finish said (see finishing.py); empty: a plain clip."""

    @property
    def label(self) -> str:
        """How errors name this shot."""
        return f"shot {self.shot_id} (scene {self.scene_id})"


class MusicCue(_Model):
    """A music file placed on the film's timeline."""

    audio_key: str = Field(min_length=1)
    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)


class OutputProfile(_Model):
    """A frame size and rate."""

    width: int = Field(ge=16, le=7680)
    height: int = Field(ge=16, le=4320)
    fps: int = Field(ge=1, le=120)

    @model_validator(mode="after")
    def _even_size(self) -> OutputProfile:
        # yuv420p halves chroma in both directions, so x264 refuses odd sizes.
        if self.width % 2 or self.height % 2:
            raise ValueError(f"profile size {self.width}x{self.height} must be even in both directions")
        return self


class SubtitleStyle(_Model):
    """How the film shows its subtitles."""

    mode: SubtitleMode | None = None
    """None: the service's default for the profile (its burn settings)."""
    size: SubtitleSize = SubtitleSize.MEDIUM
    position: SubtitlePosition = SubtitlePosition.BOTTOM


class Film(_Model):
    """What a film is made of, as Compose and Prepare both read it."""

    title: str = ""
    shots: list[TimelineShot] = Field(min_length=1)
    music: list[MusicCue] = []
    profile: OutputProfile | None = None
    """Explicit size and rate; None: the named (or the service's default) profile's."""
    profile_name: ProfileName | None = None
    """None: the service's default profile."""
    subtitles: SubtitleStyle = SubtitleStyle()
    parts_prefix: str = ""
    """Where this film's parts are kept between calls (artifact keys); empty: none kept."""


class ComposeRequest(Film):
    video_key: str = Field(min_length=1)
    srt_key: str = Field(min_length=1)
    vtt_key: str = ""
    """Empty: no WebVTT file."""

    @model_validator(mode="after")
    def _every_clip_given(self) -> ComposeRequest:
        missing = [shot.label for shot in self.shots if not shot.clip_key]
        if missing:
            raise ValueError(
                f"{missing[0]} has no clip_key ({len(missing)} shots have none); every shot needs its clip"
            )
        return self

    @model_validator(mode="after")
    def _distinct_outputs(self) -> ComposeRequest:
        given = [name for name in ("video_key", "srt_key", "vtt_key") if getattr(self, name)]
        for first, second in itertools.combinations(given, 2):
            if getattr(self, first) == getattr(self, second):
                raise ValueError(
                    f"{first} and {second} are both {getattr(self, first)!r}; every output needs a file of its own"
                )
        return self


class PrepareRequest(_Model):
    """The film so far: its outputs are not read; shots without a clip_key are not rendered yet."""

    film: Film
    sound_complete: bool = False
    """Every speech file and music cue is final: the sound is mixed now too."""

    @model_validator(mode="after")
    def _kept_somewhere(self) -> PrepareRequest:
        if not self.film.parts_prefix:
            raise ValueError(
                "film.parts_prefix is empty: Prepare makes parts for a later Compose, which needs a place to keep them"
            )
        return self


class FinishRequest(_Model):
    """The film whose clips are to be finished: only its shots, cues, profile and subtitle style are read."""

    film: Film


class ClipFinish(_Model):
    """A shot's clip as the film shows it (the ClipFinish message's twin)."""

    subtitles_ass: str = ""
    fade_in_s: float = Field(default=0.0, ge=0)
    fade_out_s: float = Field(default=0.0, ge=0)
    x264_preset: str
    x264_crf: int
    x264_params: str = ""
    tag: str


@dataclass(frozen=True)
class Prepared:
    """What the composer holds of a film after a Prepare."""

    segments: int
    segments_ready: int
    segments_made: int
    sound_ready: bool


@dataclass(frozen=True)
class ComposedFilm:
    """What a backend returns: where the outputs are and the film's measured length."""

    video_key: str
    srt_key: str
    vtt_key: str
    """Empty when none was asked for."""
    duration_s: float
    profile: OutputProfile
    """The size and rate the film was encoded at."""
    subtitles: SubtitleMode = SubtitleMode.BURNED
    """How the film carries its subtitles."""
