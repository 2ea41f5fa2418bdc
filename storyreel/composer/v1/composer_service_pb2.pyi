from storyreel.storyboard.v1 import artifact_pb2 as _artifact_pb2
from storyreel.storyboard.v1 import finish_pb2 as _finish_pb2
from storyreel.storyboard.v1 import storyboard_pb2 as _storyboard_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProfileName(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROFILE_NAME_UNSPECIFIED: _ClassVar[ProfileName]
    PROFILE_NAME_HD720: _ClassVar[ProfileName]
    PROFILE_NAME_HD1080: _ClassVar[ProfileName]
    PROFILE_NAME_PREVIEW: _ClassVar[ProfileName]

class SubtitleMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBTITLE_MODE_UNSPECIFIED: _ClassVar[SubtitleMode]
    SUBTITLE_MODE_BURNED: _ClassVar[SubtitleMode]
    SUBTITLE_MODE_SOFT: _ClassVar[SubtitleMode]
    SUBTITLE_MODE_NONE: _ClassVar[SubtitleMode]

class SubtitleSize(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBTITLE_SIZE_UNSPECIFIED: _ClassVar[SubtitleSize]
    SUBTITLE_SIZE_SMALL: _ClassVar[SubtitleSize]
    SUBTITLE_SIZE_MEDIUM: _ClassVar[SubtitleSize]
    SUBTITLE_SIZE_LARGE: _ClassVar[SubtitleSize]

class SubtitlePosition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBTITLE_POSITION_UNSPECIFIED: _ClassVar[SubtitlePosition]
    SUBTITLE_POSITION_BOTTOM: _ClassVar[SubtitlePosition]
    SUBTITLE_POSITION_TOP: _ClassVar[SubtitlePosition]
PROFILE_NAME_UNSPECIFIED: ProfileName
PROFILE_NAME_HD720: ProfileName
PROFILE_NAME_HD1080: ProfileName
PROFILE_NAME_PREVIEW: ProfileName
SUBTITLE_MODE_UNSPECIFIED: SubtitleMode
SUBTITLE_MODE_BURNED: SubtitleMode
SUBTITLE_MODE_SOFT: SubtitleMode
SUBTITLE_MODE_NONE: SubtitleMode
SUBTITLE_SIZE_UNSPECIFIED: SubtitleSize
SUBTITLE_SIZE_SMALL: SubtitleSize
SUBTITLE_SIZE_MEDIUM: SubtitleSize
SUBTITLE_SIZE_LARGE: SubtitleSize
SUBTITLE_POSITION_UNSPECIFIED: SubtitlePosition
SUBTITLE_POSITION_BOTTOM: SubtitlePosition
SUBTITLE_POSITION_TOP: SubtitlePosition

class SubtitleCue(_message.Message):
    __slots__ = ("text", "language", "start_s", "end_s")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    text: str
    language: _storyboard_pb2.Language
    start_s: float
    end_s: float
    def __init__(self, text: _Optional[str] = ..., language: _Optional[_Union[_storyboard_pb2.Language, str]] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ...) -> None: ...

class TimelineShot(_message.Message):
    __slots__ = ("shot_id", "scene_id", "scene_title", "clip_key", "speech_key", "duration_s", "cues", "finish_tag")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    SCENE_ID_FIELD_NUMBER: _ClassVar[int]
    SCENE_TITLE_FIELD_NUMBER: _ClassVar[int]
    CLIP_KEY_FIELD_NUMBER: _ClassVar[int]
    SPEECH_KEY_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    CUES_FIELD_NUMBER: _ClassVar[int]
    FINISH_TAG_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    scene_id: str
    scene_title: str
    clip_key: str
    speech_key: str
    duration_s: float
    cues: _containers.RepeatedCompositeFieldContainer[SubtitleCue]
    finish_tag: str
    def __init__(self, shot_id: _Optional[str] = ..., scene_id: _Optional[str] = ..., scene_title: _Optional[str] = ..., clip_key: _Optional[str] = ..., speech_key: _Optional[str] = ..., duration_s: _Optional[float] = ..., cues: _Optional[_Iterable[_Union[SubtitleCue, _Mapping]]] = ..., finish_tag: _Optional[str] = ...) -> None: ...

class MusicCue(_message.Message):
    __slots__ = ("audio_key", "start_s", "duration_s")
    AUDIO_KEY_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    audio_key: str
    start_s: float
    duration_s: float
    def __init__(self, audio_key: _Optional[str] = ..., start_s: _Optional[float] = ..., duration_s: _Optional[float] = ...) -> None: ...

class OutputProfile(_message.Message):
    __slots__ = ("width", "height", "fps")
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    width: int
    height: int
    fps: int
    def __init__(self, width: _Optional[int] = ..., height: _Optional[int] = ..., fps: _Optional[int] = ...) -> None: ...

class SubtitleStyle(_message.Message):
    __slots__ = ("mode", "size", "position")
    MODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    mode: SubtitleMode
    size: SubtitleSize
    position: SubtitlePosition
    def __init__(self, mode: _Optional[_Union[SubtitleMode, str]] = ..., size: _Optional[_Union[SubtitleSize, str]] = ..., position: _Optional[_Union[SubtitlePosition, str]] = ...) -> None: ...

class ComposeRequest(_message.Message):
    __slots__ = ("title", "shots", "music", "profile", "video_key", "srt_key", "vtt_key", "profile_name", "subtitles", "parts_prefix")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_KEY_FIELD_NUMBER: _ClassVar[int]
    SRT_KEY_FIELD_NUMBER: _ClassVar[int]
    VTT_KEY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_FIELD_NUMBER: _ClassVar[int]
    PARTS_PREFIX_FIELD_NUMBER: _ClassVar[int]
    title: str
    shots: _containers.RepeatedCompositeFieldContainer[TimelineShot]
    music: _containers.RepeatedCompositeFieldContainer[MusicCue]
    profile: OutputProfile
    video_key: str
    srt_key: str
    vtt_key: str
    profile_name: ProfileName
    subtitles: SubtitleStyle
    parts_prefix: str
    def __init__(self, title: _Optional[str] = ..., shots: _Optional[_Iterable[_Union[TimelineShot, _Mapping]]] = ..., music: _Optional[_Iterable[_Union[MusicCue, _Mapping]]] = ..., profile: _Optional[_Union[OutputProfile, _Mapping]] = ..., video_key: _Optional[str] = ..., srt_key: _Optional[str] = ..., vtt_key: _Optional[str] = ..., profile_name: _Optional[_Union[ProfileName, str]] = ..., subtitles: _Optional[_Union[SubtitleStyle, _Mapping]] = ..., parts_prefix: _Optional[str] = ...) -> None: ...

class PrepareRequest(_message.Message):
    __slots__ = ("film", "sound_complete")
    FILM_FIELD_NUMBER: _ClassVar[int]
    SOUND_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    film: ComposeRequest
    sound_complete: bool
    def __init__(self, film: _Optional[_Union[ComposeRequest, _Mapping]] = ..., sound_complete: _Optional[bool] = ...) -> None: ...

class FinishRequest(_message.Message):
    __slots__ = ("film",)
    FILM_FIELD_NUMBER: _ClassVar[int]
    film: ComposeRequest
    def __init__(self, film: _Optional[_Union[ComposeRequest, _Mapping]] = ...) -> None: ...

class ShotFinish(_message.Message):
    __slots__ = ("shot_id", "finish")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    FINISH_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    finish: _finish_pb2.ClipFinish
    def __init__(self, shot_id: _Optional[str] = ..., finish: _Optional[_Union[_finish_pb2.ClipFinish, _Mapping]] = ...) -> None: ...

class FinishResponse(_message.Message):
    __slots__ = ("shots",)
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    shots: _containers.RepeatedCompositeFieldContainer[ShotFinish]
    def __init__(self, shots: _Optional[_Iterable[_Union[ShotFinish, _Mapping]]] = ...) -> None: ...

class PrepareResponse(_message.Message):
    __slots__ = ("segments", "segments_ready", "segments_made", "sound_ready")
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_READY_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_MADE_FIELD_NUMBER: _ClassVar[int]
    SOUND_READY_FIELD_NUMBER: _ClassVar[int]
    segments: int
    segments_ready: int
    segments_made: int
    sound_ready: bool
    def __init__(self, segments: _Optional[int] = ..., segments_ready: _Optional[int] = ..., segments_made: _Optional[int] = ..., sound_ready: _Optional[bool] = ...) -> None: ...

class ComposeResponse(_message.Message):
    __slots__ = ("video", "srt", "duration_s", "vtt", "profile", "subtitles")
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    SRT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    VTT_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_FIELD_NUMBER: _ClassVar[int]
    video: _artifact_pb2.ArtifactRef
    srt: _artifact_pb2.ArtifactRef
    duration_s: float
    vtt: _artifact_pb2.ArtifactRef
    profile: OutputProfile
    subtitles: SubtitleMode
    def __init__(self, video: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., srt: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., duration_s: _Optional[float] = ..., vtt: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., profile: _Optional[_Union[OutputProfile, _Mapping]] = ..., subtitles: _Optional[_Union[SubtitleMode, str]] = ...) -> None: ...
