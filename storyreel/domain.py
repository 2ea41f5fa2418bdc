"""The storyboard as Pydantic models: the domain every service and the gateway speak.

Each model has a protobuf twin of the same name in storyreel/storyboard/v1/storyboard.proto
with the same field names; each enum has a twin whose values are the proto's without the
type prefix (Mood.CALM <-> MOOD_CALM). storyreel.convert moves data between the two;
tests/unit/test_domain_contract.py keeps them in step.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from storyreel import storytext
from storyreel.errors import InvalidInput

__all__ = [
    "NARRATOR",
    "CameraMove",
    "Character",
    "Language",
    "Line",
    "Mood",
    "Scene",
    "Shot",
    "ShotType",
    "Storyboard",
    "TimeOfDay",
    "Voice",
    "VoiceEngine",
    "Weather",
    "check_story",
]


class Language(StrEnum):
    EN = "en"
    HI = "hi"
    MIXED = "mixed"


class TimeOfDay(StrEnum):
    DAWN = "dawn"
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"


class Weather(StrEnum):
    CLEAR = "clear"
    CLOUDY = "cloudy"
    RAIN = "rain"
    SNOW = "snow"
    FOG = "fog"
    STORM = "storm"


class Mood(StrEnum):
    CALM = "calm"
    HAPPY = "happy"
    SAD = "sad"
    TENSE = "tense"
    MYSTERIOUS = "mysterious"
    ROMANTIC = "romantic"
    EPIC = "epic"
    PLAYFUL = "playful"


class ShotType(StrEnum):
    ESTABLISHING = "establishing"
    WIDE = "wide"
    MEDIUM = "medium"
    CLOSE_UP = "close_up"


class CameraMove(StrEnum):
    STATIC = "static"
    PUSH_IN = "push_in"
    PULL_OUT = "pull_out"
    PAN_LEFT = "pan_left"
    PAN_RIGHT = "pan_right"
    TILT_UP = "tilt_up"


class VoiceEngine(StrEnum):
    ESPEAK = "espeak"
    PARLER = "parler"
    PIPER = "piper"


NARRATOR = ""
"""speaker_id of a line the narrator speaks."""


def check_story(story: str, max_bytes: int) -> None:
    """InvalidInput, in words a user can act on, for a story nothing should try to film: empty,
    too big, nothing a voice can say, or written in a script no voice speaks (storyreel.storytext)."""
    story = storytext.normal_text(story)
    if not story.strip():
        raise InvalidInput("the story is empty: give some text to narrate")
    size = len(story.encode("utf-8"))
    if size > max_bytes:
        raise InvalidInput(f"the story is {size:,} bytes, over the limit of {max_bytes:,}: shorten it or split it")
    storytext.check_scripts(story)
    storytext.check_speakable(story)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Voice(_Model):
    engine: VoiceEngine = VoiceEngine.ESPEAK
    voice_id: str = ""
    pitch: int = Field(default=50, ge=0, le=99)
    rate_wpm: int = Field(default=165, ge=60, le=450)
    description: str = ""


class Character(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = []
    description: str = ""
    voice: Voice = Voice()


class Line(_Model):
    text: str = Field(min_length=1)
    language: Language = Language.EN
    speaker_id: str = NARRATOR


class Shot(_Model):
    id: str = Field(min_length=1)
    lines: list[Line] = []
    visual_prompt: str = ""
    negative_prompt: str = ""
    shot_type: ShotType = ShotType.MEDIUM
    camera: CameraMove = CameraMove.STATIC
    character_ids: list[str] = []
    duration_s: float = Field(default=5.0, ge=0)
    seed: int = 0


class Scene(_Model):
    id: str = Field(min_length=1)
    title: str = ""
    setting: str = ""
    time_of_day: TimeOfDay = TimeOfDay.AFTERNOON
    weather: Weather = Weather.CLEAR
    mood: Mood = Mood.CALM
    summary: str = ""
    shots: list[Shot] = []


class Storyboard(_Model):
    title: str = ""
    language: Language = Language.EN
    characters: list[Character] = []
    scenes: list[Scene] = []
    narrator_voice: Voice = Voice()

    def shots(self) -> list[Shot]:
        """Every shot in film order."""
        return [shot for scene in self.scenes for shot in scene.shots]

    def total_duration_s(self) -> float:
        return sum(shot.duration_s for shot in self.shots())

    def character(self, character_id: str) -> Character | None:
        return next((c for c in self.characters if c.id == character_id), None)
