from storyreel.storyboard.v1 import artifact_pb2 as _artifact_pb2
from storyreel.storyboard.v1 import storyboard_pb2 as _storyboard_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SpeakRequest(_message.Message):
    __slots__ = ("shot_id", "lines", "characters", "narrator_voice", "output_key")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    NARRATOR_VOICE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_storyboard_pb2.Line]
    characters: _containers.RepeatedCompositeFieldContainer[_storyboard_pb2.Character]
    narrator_voice: _storyboard_pb2.Voice
    output_key: str
    def __init__(self, shot_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_storyboard_pb2.Line, _Mapping]]] = ..., characters: _Optional[_Iterable[_Union[_storyboard_pb2.Character, _Mapping]]] = ..., narrator_voice: _Optional[_Union[_storyboard_pb2.Voice, _Mapping]] = ..., output_key: _Optional[str] = ...) -> None: ...

class LineTiming(_message.Message):
    __slots__ = ("line_index", "start_s", "end_s")
    LINE_INDEX_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    line_index: int
    start_s: float
    end_s: float
    def __init__(self, line_index: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ...) -> None: ...

class SpeakResponse(_message.Message):
    __slots__ = ("audio", "duration_s", "timings")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    audio: _artifact_pb2.ArtifactRef
    duration_s: float
    timings: _containers.RepeatedCompositeFieldContainer[LineTiming]
    def __init__(self, audio: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., duration_s: _Optional[float] = ..., timings: _Optional[_Iterable[_Union[LineTiming, _Mapping]]] = ...) -> None: ...

class ComposeMusicRequest(_message.Message):
    __slots__ = ("scene_id", "mood", "duration_s", "seed", "output_key")
    SCENE_ID_FIELD_NUMBER: _ClassVar[int]
    MOOD_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    scene_id: str
    mood: _storyboard_pb2.Mood
    duration_s: float
    seed: int
    output_key: str
    def __init__(self, scene_id: _Optional[str] = ..., mood: _Optional[_Union[_storyboard_pb2.Mood, str]] = ..., duration_s: _Optional[float] = ..., seed: _Optional[int] = ..., output_key: _Optional[str] = ...) -> None: ...

class ComposeMusicResponse(_message.Message):
    __slots__ = ("audio", "duration_s")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    audio: _artifact_pb2.ArtifactRef
    duration_s: float
    def __init__(self, audio: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., duration_s: _Optional[float] = ...) -> None: ...

class PrepareTrackRequest(_message.Message):
    __slots__ = ("input_key", "duration_s", "output_key")
    INPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    input_key: str
    duration_s: float
    output_key: str
    def __init__(self, input_key: _Optional[str] = ..., duration_s: _Optional[float] = ..., output_key: _Optional[str] = ...) -> None: ...

class PrepareTrackResponse(_message.Message):
    __slots__ = ("audio", "duration_s", "source_duration_s", "plays")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    PLAYS_FIELD_NUMBER: _ClassVar[int]
    audio: _artifact_pb2.ArtifactRef
    duration_s: float
    source_duration_s: float
    plays: int
    def __init__(self, audio: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., duration_s: _Optional[float] = ..., source_duration_s: _Optional[float] = ..., plays: _Optional[int] = ...) -> None: ...

class AudioProgress(_message.Message):
    __slots__ = ("elapsed_s", "message")
    ELAPSED_S_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    elapsed_s: float
    message: str
    def __init__(self, elapsed_s: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class SpeakStreamRequest(_message.Message):
    __slots__ = ("speak",)
    SPEAK_FIELD_NUMBER: _ClassVar[int]
    speak: SpeakRequest
    def __init__(self, speak: _Optional[_Union[SpeakRequest, _Mapping]] = ...) -> None: ...

class SpeakStreamResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: AudioProgress
    result: SpeakResponse
    def __init__(self, progress: _Optional[_Union[AudioProgress, _Mapping]] = ..., result: _Optional[_Union[SpeakResponse, _Mapping]] = ...) -> None: ...

class ComposeMusicStreamRequest(_message.Message):
    __slots__ = ("compose",)
    COMPOSE_FIELD_NUMBER: _ClassVar[int]
    compose: ComposeMusicRequest
    def __init__(self, compose: _Optional[_Union[ComposeMusicRequest, _Mapping]] = ...) -> None: ...

class ComposeMusicStreamResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: AudioProgress
    result: ComposeMusicResponse
    def __init__(self, progress: _Optional[_Union[AudioProgress, _Mapping]] = ..., result: _Optional[_Union[ComposeMusicResponse, _Mapping]] = ...) -> None: ...

class CheckVoicesRequest(_message.Message):
    __slots__ = ("characters", "narrator_voice")
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    NARRATOR_VOICE_FIELD_NUMBER: _ClassVar[int]
    characters: _containers.RepeatedCompositeFieldContainer[_storyboard_pb2.Character]
    narrator_voice: _storyboard_pb2.Voice
    def __init__(self, characters: _Optional[_Iterable[_Union[_storyboard_pb2.Character, _Mapping]]] = ..., narrator_voice: _Optional[_Union[_storyboard_pb2.Voice, _Mapping]] = ...) -> None: ...

class CastVoice(_message.Message):
    __slots__ = ("speaker_id", "voice")
    SPEAKER_ID_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    speaker_id: str
    voice: str
    def __init__(self, speaker_id: _Optional[str] = ..., voice: _Optional[str] = ...) -> None: ...

class CheckVoicesResponse(_message.Message):
    __slots__ = ("voices",)
    VOICES_FIELD_NUMBER: _ClassVar[int]
    voices: _containers.RepeatedCompositeFieldContainer[CastVoice]
    def __init__(self, voices: _Optional[_Iterable[_Union[CastVoice, _Mapping]]] = ...) -> None: ...
