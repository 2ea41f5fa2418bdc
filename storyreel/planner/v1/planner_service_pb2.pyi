from storyreel.storyboard.v1 import storyboard_pb2 as _storyboard_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanRequest(_message.Message):
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

class PlanResponse(_message.Message):
    __slots__ = ("storyboard",)
    STORYBOARD_FIELD_NUMBER: _ClassVar[int]
    storyboard: _storyboard_pb2.Storyboard
    def __init__(self, storyboard: _Optional[_Union[_storyboard_pb2.Storyboard, _Mapping]] = ...) -> None: ...
