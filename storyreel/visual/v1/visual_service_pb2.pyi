from storyreel.storyboard.v1 import artifact_pb2 as _artifact_pb2
from storyreel.storyboard.v1 import storyboard_pb2 as _storyboard_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RenderShotRequest(_message.Message):
    __slots__ = ("shot", "scene", "characters", "width", "height", "fps", "duration_s", "output_key", "keyframe_key")
    SHOT_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_KEY_FIELD_NUMBER: _ClassVar[int]
    shot: _storyboard_pb2.Shot
    scene: _storyboard_pb2.Scene
    characters: _containers.RepeatedCompositeFieldContainer[_storyboard_pb2.Character]
    width: int
    height: int
    fps: int
    duration_s: float
    output_key: str
    keyframe_key: str
    def __init__(self, shot: _Optional[_Union[_storyboard_pb2.Shot, _Mapping]] = ..., scene: _Optional[_Union[_storyboard_pb2.Scene, _Mapping]] = ..., characters: _Optional[_Iterable[_Union[_storyboard_pb2.Character, _Mapping]]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., fps: _Optional[int] = ..., duration_s: _Optional[float] = ..., output_key: _Optional[str] = ..., keyframe_key: _Optional[str] = ...) -> None: ...

class RenderShotResponse(_message.Message):
    __slots__ = ("clip", "keyframe", "frame_count", "duration_s")
    CLIP_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    clip: _artifact_pb2.ArtifactRef
    keyframe: _artifact_pb2.ArtifactRef
    frame_count: int
    duration_s: float
    def __init__(self, clip: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., keyframe: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., frame_count: _Optional[int] = ..., duration_s: _Optional[float] = ...) -> None: ...
