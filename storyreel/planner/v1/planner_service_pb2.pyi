from storyreel.storyboard.v1 import storyboard_pb2 as _storyboard_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Aspect(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASPECT_UNSPECIFIED: _ClassVar[Aspect]
    ASPECT_WIDE: _ClassVar[Aspect]
    ASPECT_TALL: _ClassVar[Aspect]
    ASPECT_SQUARE: _ClassVar[Aspect]
ASPECT_UNSPECIFIED: Aspect
ASPECT_WIDE: Aspect
ASPECT_TALL: Aspect
ASPECT_SQUARE: Aspect

class PlanRequest(_message.Message):
    __slots__ = ("story", "title", "language", "max_minutes", "aspect")
    STORY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    MAX_MINUTES_FIELD_NUMBER: _ClassVar[int]
    ASPECT_FIELD_NUMBER: _ClassVar[int]
    story: str
    title: str
    language: _storyboard_pb2.Language
    max_minutes: float
    aspect: Aspect
    def __init__(self, story: _Optional[str] = ..., title: _Optional[str] = ..., language: _Optional[_Union[_storyboard_pb2.Language, str]] = ..., max_minutes: _Optional[float] = ..., aspect: _Optional[_Union[Aspect, str]] = ...) -> None: ...

class PlanResponse(_message.Message):
    __slots__ = ("storyboard", "condensing", "report")
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    CONDENSING_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    storyboard: _storyboard_pb2.Storyboard
    condensing: Condensing
    report: PlanReport
    def __init__(self, storyboard: _Optional[_Union[_storyboard_pb2.Storyboard, _Mapping]] = ..., condensing: _Optional[_Union[Condensing, _Mapping]] = ..., report: _Optional[_Union[PlanReport, _Mapping]] = ...) -> None: ...

class Condensing(_message.Message):
    __slots__ = ("sentences_before", "sentences_kept", "seconds_before", "seconds_kept", "fraction_cut", "expected_film_s")
    SENTENCES_BEFORE_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_KEPT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    SECONDS_KEPT_FIELD_NUMBER: _ClassVar[int]
    FRACTION_CUT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FILM_S_FIELD_NUMBER: _ClassVar[int]
    sentences_before: int
    sentences_kept: int
    seconds_before: float
    seconds_kept: float
    fraction_cut: float
    expected_film_s: float
    def __init__(self, sentences_before: _Optional[int] = ..., sentences_kept: _Optional[int] = ..., seconds_before: _Optional[float] = ..., seconds_kept: _Optional[float] = ..., fraction_cut: _Optional[float] = ..., expected_film_s: _Optional[float] = ...) -> None: ...

class PlanReport(_message.Message):
    __slots__ = ("backend", "model", "requests", "retries", "fallback_scene_ids", "scenes_fell_back", "notes")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_SCENE_IDS_FIELD_NUMBER: _ClassVar[int]
    SCENES_FELL_BACK_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    backend: str
    model: str
    requests: int
    retries: int
    fallback_scene_ids: _containers.RepeatedScalarFieldContainer[str]
    scenes_fell_back: bool
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, backend: _Optional[str] = ..., model: _Optional[str] = ..., requests: _Optional[int] = ..., retries: _Optional[int] = ..., fallback_scene_ids: _Optional[_Iterable[str]] = ..., scenes_fell_back: _Optional[bool] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class OutlineLine(_message.Message):
    __slots__ = ("line", "quoted")
    LINE_FIELD_NUMBER: _ClassVar[int]
    QUOTED_FIELD_NUMBER: _ClassVar[int]
    line: _storyboard_pb2.Line
    quoted: bool
    def __init__(self, line: _Optional[_Union[_storyboard_pb2.Line, _Mapping]] = ..., quoted: _Optional[bool] = ...) -> None: ...

class OutlineSentence(_message.Message):
    __slots__ = ("lines", "starts_paragraph")
    LINES_FIELD_NUMBER: _ClassVar[int]
    STARTS_PARAGRAPH_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[OutlineLine]
    starts_paragraph: bool
    def __init__(self, lines: _Optional[_Iterable[_Union[OutlineLine, _Mapping]]] = ..., starts_paragraph: _Optional[bool] = ...) -> None: ...

class SceneOutline(_message.Message):
    __slots__ = ("scene", "sentences")
    SCENE_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    scene: _storyboard_pb2.Scene
    sentences: _containers.RepeatedCompositeFieldContainer[OutlineSentence]
    def __init__(self, scene: _Optional[_Union[_storyboard_pb2.Scene, _Mapping]] = ..., sentences: _Optional[_Iterable[_Union[OutlineSentence, _Mapping]]] = ...) -> None: ...

class PlanScenesRequest(_message.Message):
    __slots__ = ("story", "title", "language", "max_minutes")
    STORY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    MAX_MINUTES_FIELD_NUMBER: _ClassVar[int]
    story: str
    title: str
    language: _storyboard_pb2.Language
    max_minutes: float
    def __init__(self, story: _Optional[str] = ..., title: _Optional[str] = ..., language: _Optional[_Union[_storyboard_pb2.Language, str]] = ..., max_minutes: _Optional[float] = ...) -> None: ...

class PlanScenesResponse(_message.Message):
    __slots__ = ("storyboard", "outlines", "condensing", "report", "seed_key")
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    OUTLINES_FIELD_NUMBER: _ClassVar[int]
    CONDENSING_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    SEED_KEY_FIELD_NUMBER: _ClassVar[int]
    storyboard: _storyboard_pb2.Storyboard
    outlines: _containers.RepeatedCompositeFieldContainer[SceneOutline]
    condensing: Condensing
    report: PlanReport
    seed_key: str
    def __init__(self, storyboard: _Optional[_Union[_storyboard_pb2.Storyboard, _Mapping]] = ..., outlines: _Optional[_Iterable[_Union[SceneOutline, _Mapping]]] = ..., condensing: _Optional[_Union[Condensing, _Mapping]] = ..., report: _Optional[_Union[PlanReport, _Mapping]] = ..., seed_key: _Optional[str] = ...) -> None: ...

class PlanShotsRequest(_message.Message):
    __slots__ = ("outline", "characters", "language", "seed_key", "aspect")
    OUTLINE_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SEED_KEY_FIELD_NUMBER: _ClassVar[int]
    ASPECT_FIELD_NUMBER: _ClassVar[int]
    outline: SceneOutline
    characters: _containers.RepeatedCompositeFieldContainer[_storyboard_pb2.Character]
    language: _storyboard_pb2.Language
    seed_key: str
    aspect: Aspect
    def __init__(self, outline: _Optional[_Union[SceneOutline, _Mapping]] = ..., characters: _Optional[_Iterable[_Union[_storyboard_pb2.Character, _Mapping]]] = ..., language: _Optional[_Union[_storyboard_pb2.Language, str]] = ..., seed_key: _Optional[str] = ..., aspect: _Optional[_Union[Aspect, str]] = ...) -> None: ...

class PlanShotsResponse(_message.Message):
    __slots__ = ("scene", "report")
    SCENE_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    scene: _storyboard_pb2.Scene
    report: PlanReport
    def __init__(self, scene: _Optional[_Union[_storyboard_pb2.Scene, _Mapping]] = ..., report: _Optional[_Union[PlanReport, _Mapping]] = ...) -> None: ...
