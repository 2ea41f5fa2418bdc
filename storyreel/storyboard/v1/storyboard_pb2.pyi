from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Language(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LANGUAGE_UNSPECIFIED: _ClassVar[Language]
    LANGUAGE_EN: _ClassVar[Language]
    LANGUAGE_HI: _ClassVar[Language]
    LANGUAGE_MIXED: _ClassVar[Language]

class TimeOfDay(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIME_OF_DAY_UNSPECIFIED: _ClassVar[TimeOfDay]
    TIME_OF_DAY_DAWN: _ClassVar[TimeOfDay]
    TIME_OF_DAY_MORNING: _ClassVar[TimeOfDay]
    TIME_OF_DAY_NOON: _ClassVar[TimeOfDay]
    TIME_OF_DAY_AFTERNOON: _ClassVar[TimeOfDay]
    TIME_OF_DAY_EVENING: _ClassVar[TimeOfDay]
    TIME_OF_DAY_NIGHT: _ClassVar[TimeOfDay]

class Weather(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEATHER_UNSPECIFIED: _ClassVar[Weather]
    WEATHER_CLEAR: _ClassVar[Weather]
    WEATHER_CLOUDY: _ClassVar[Weather]
    WEATHER_RAIN: _ClassVar[Weather]
    WEATHER_SNOW: _ClassVar[Weather]
    WEATHER_FOG: _ClassVar[Weather]
    WEATHER_STORM: _ClassVar[Weather]

class Mood(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MOOD_UNSPECIFIED: _ClassVar[Mood]
    MOOD_CALM: _ClassVar[Mood]
    MOOD_HAPPY: _ClassVar[Mood]
    MOOD_SAD: _ClassVar[Mood]
    MOOD_TENSE: _ClassVar[Mood]
    MOOD_MYSTERIOUS: _ClassVar[Mood]
    MOOD_ROMANTIC: _ClassVar[Mood]
    MOOD_EPIC: _ClassVar[Mood]
    MOOD_PLAYFUL: _ClassVar[Mood]

class ShotType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHOT_TYPE_UNSPECIFIED: _ClassVar[ShotType]
    SHOT_TYPE_ESTABLISHING: _ClassVar[ShotType]
    SHOT_TYPE_WIDE: _ClassVar[ShotType]
    SHOT_TYPE_MEDIUM: _ClassVar[ShotType]
    SHOT_TYPE_CLOSE_UP: _ClassVar[ShotType]

class CameraMove(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAMERA_MOVE_UNSPECIFIED: _ClassVar[CameraMove]
    CAMERA_MOVE_STATIC: _ClassVar[CameraMove]
    CAMERA_MOVE_PUSH_IN: _ClassVar[CameraMove]
    CAMERA_MOVE_PULL_OUT: _ClassVar[CameraMove]
    CAMERA_MOVE_PAN_LEFT: _ClassVar[CameraMove]
    CAMERA_MOVE_PAN_RIGHT: _ClassVar[CameraMove]
    CAMERA_MOVE_TILT_UP: _ClassVar[CameraMove]

class VoiceEngine(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VOICE_ENGINE_UNSPECIFIED: _ClassVar[VoiceEngine]
    VOICE_ENGINE_ESPEAK: _ClassVar[VoiceEngine]
    VOICE_ENGINE_PARLER: _ClassVar[VoiceEngine]
    VOICE_ENGINE_PIPER: _ClassVar[VoiceEngine]
LANGUAGE_UNSPECIFIED: Language
LANGUAGE_EN: Language
LANGUAGE_HI: Language
LANGUAGE_MIXED: Language
TIME_OF_DAY_UNSPECIFIED: TimeOfDay
TIME_OF_DAY_DAWN: TimeOfDay
TIME_OF_DAY_MORNING: TimeOfDay
TIME_OF_DAY_NOON: TimeOfDay
TIME_OF_DAY_AFTERNOON: TimeOfDay
TIME_OF_DAY_EVENING: TimeOfDay
TIME_OF_DAY_NIGHT: TimeOfDay
WEATHER_UNSPECIFIED: Weather
WEATHER_CLEAR: Weather
WEATHER_CLOUDY: Weather
WEATHER_RAIN: Weather
WEATHER_SNOW: Weather
WEATHER_FOG: Weather
WEATHER_STORM: Weather
MOOD_UNSPECIFIED: Mood
MOOD_CALM: Mood
MOOD_HAPPY: Mood
MOOD_SAD: Mood
MOOD_TENSE: Mood
MOOD_MYSTERIOUS: Mood
MOOD_ROMANTIC: Mood
MOOD_EPIC: Mood
MOOD_PLAYFUL: Mood
SHOT_TYPE_UNSPECIFIED: ShotType
SHOT_TYPE_ESTABLISHING: ShotType
SHOT_TYPE_WIDE: ShotType
SHOT_TYPE_MEDIUM: ShotType
SHOT_TYPE_CLOSE_UP: ShotType
CAMERA_MOVE_UNSPECIFIED: CameraMove
CAMERA_MOVE_STATIC: CameraMove
CAMERA_MOVE_PUSH_IN: CameraMove
CAMERA_MOVE_PULL_OUT: CameraMove
CAMERA_MOVE_PAN_LEFT: CameraMove
CAMERA_MOVE_PAN_RIGHT: CameraMove
CAMERA_MOVE_TILT_UP: CameraMove
VOICE_ENGINE_UNSPECIFIED: VoiceEngine
VOICE_ENGINE_ESPEAK: VoiceEngine
VOICE_ENGINE_PARLER: VoiceEngine
VOICE_ENGINE_PIPER: VoiceEngine

class Voice(_message.Message):
    __slots__ = ("engine", "voice_id", "pitch", "rate_wpm", "description")
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    PITCH_FIELD_NUMBER: _ClassVar[int]
    RATE_WPM_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    engine: VoiceEngine
    voice_id: str
    pitch: int
    rate_wpm: int
    description: str
    def __init__(self, engine: _Optional[_Union[VoiceEngine, str]] = ..., voice_id: _Optional[str] = ..., pitch: _Optional[int] = ..., rate_wpm: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...

class Character(_message.Message):
    __slots__ = ("id", "name", "aliases", "description", "voice")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    description: str
    voice: Voice
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ..., voice: _Optional[_Union[Voice, _Mapping]] = ...) -> None: ...

class Line(_message.Message):
    __slots__ = ("text", "language", "speaker_id")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_ID_FIELD_NUMBER: _ClassVar[int]
    text: str
    language: Language
    speaker_id: str
    def __init__(self, text: _Optional[str] = ..., language: _Optional[_Union[Language, str]] = ..., speaker_id: _Optional[str] = ...) -> None: ...

class Shot(_message.Message):
    __slots__ = ("id", "lines", "visual_prompt", "negative_prompt", "shot_type", "camera", "character_ids", "duration_s", "seed")
    ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    VISUAL_PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    SHOT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAMERA_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_IDS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    id: str
    lines: _containers.RepeatedCompositeFieldContainer[Line]
    visual_prompt: str
    negative_prompt: str
    shot_type: ShotType
    camera: CameraMove
    character_ids: _containers.RepeatedScalarFieldContainer[str]
    duration_s: float
    seed: int
    def __init__(self, id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[Line, _Mapping]]] = ..., visual_prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., shot_type: _Optional[_Union[ShotType, str]] = ..., camera: _Optional[_Union[CameraMove, str]] = ..., character_ids: _Optional[_Iterable[str]] = ..., duration_s: _Optional[float] = ..., seed: _Optional[int] = ...) -> None: ...

class Scene(_message.Message):
    __slots__ = ("id", "title", "setting", "time_of_day", "weather", "mood", "summary", "shots")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    TIME_OF_DAY_FIELD_NUMBER: _ClassVar[int]
    WEATHER_FIELD_NUMBER: _ClassVar[int]
    MOOD_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    setting: str
    time_of_day: TimeOfDay
    weather: Weather
    mood: Mood
    summary: str
    shots: _containers.RepeatedCompositeFieldContainer[Shot]
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., setting: _Optional[str] = ..., time_of_day: _Optional[_Union[TimeOfDay, str]] = ..., weather: _Optional[_Union[Weather, str]] = ..., mood: _Optional[_Union[Mood, str]] = ..., summary: _Optional[str] = ..., shots: _Optional[_Iterable[_Union[Shot, _Mapping]]] = ...) -> None: ...

class Storyboard(_message.Message):
    __slots__ = ("title", "language", "characters", "scenes", "narrator_voice")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    SCENES_FIELD_NUMBER: _ClassVar[int]
    NARRATOR_VOICE_FIELD_NUMBER: _ClassVar[int]
    title: str
    language: Language
    characters: _containers.RepeatedCompositeFieldContainer[Character]
    scenes: _containers.RepeatedCompositeFieldContainer[Scene]
    narrator_voice: Voice
    def __init__(self, title: _Optional[str] = ..., language: _Optional[_Union[Language, str]] = ..., characters: _Optional[_Iterable[_Union[Character, _Mapping]]] = ..., scenes: _Optional[_Iterable[_Union[Scene, _Mapping]]] = ..., narrator_voice: _Optional[_Union[Voice, _Mapping]] = ...) -> None: ...
