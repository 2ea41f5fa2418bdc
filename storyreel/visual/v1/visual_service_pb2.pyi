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

class VisualBackend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISUAL_BACKEND_UNSPECIFIED: _ClassVar[VisualBackend]
    VISUAL_BACKEND_ANIMATIC: _ClassVar[VisualBackend]
    VISUAL_BACKEND_COMFYUI: _ClassVar[VisualBackend]
    VISUAL_BACKEND_DIFFUSERS: _ClassVar[VisualBackend]

class RenderStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RENDER_STAGE_UNSPECIFIED: _ClassVar[RenderStage]
    RENDER_STAGE_QUEUED: _ClassVar[RenderStage]
    RENDER_STAGE_KEYFRAME: _ClassVar[RenderStage]
    RENDER_STAGE_ANIMATING: _ClassVar[RenderStage]
    RENDER_STAGE_ENCODING: _ClassVar[RenderStage]
    RENDER_STAGE_CHECKING: _ClassVar[RenderStage]
    RENDER_STAGE_REROLLING: _ClassVar[RenderStage]
VISUAL_BACKEND_UNSPECIFIED: VisualBackend
VISUAL_BACKEND_ANIMATIC: VisualBackend
VISUAL_BACKEND_COMFYUI: VisualBackend
VISUAL_BACKEND_DIFFUSERS: VisualBackend
RENDER_STAGE_UNSPECIFIED: RenderStage
RENDER_STAGE_QUEUED: RenderStage
RENDER_STAGE_KEYFRAME: RenderStage
RENDER_STAGE_ANIMATING: RenderStage
RENDER_STAGE_ENCODING: RenderStage
RENDER_STAGE_CHECKING: RenderStage
RENDER_STAGE_REROLLING: RenderStage

class RenderShotRequest(_message.Message):
    __slots__ = ("shot", "scene", "characters", "width", "height", "fps", "duration_s", "output_key", "keyframe_key", "backend", "scene_keyframe_key", "character_reference_keys", "setting_reference_key", "previous_clip_key", "finish")
    class CharacterReferenceKeysEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SHOT_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_KEY_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    SCENE_KEYFRAME_KEY_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_REFERENCE_KEYS_FIELD_NUMBER: _ClassVar[int]
    SETTING_REFERENCE_KEY_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CLIP_KEY_FIELD_NUMBER: _ClassVar[int]
    FINISH_FIELD_NUMBER: _ClassVar[int]
    shot: _storyboard_pb2.Shot
    scene: _storyboard_pb2.Scene
    characters: _containers.RepeatedCompositeFieldContainer[_storyboard_pb2.Character]
    width: int
    height: int
    fps: int
    duration_s: float
    output_key: str
    keyframe_key: str
    backend: VisualBackend
    scene_keyframe_key: str
    character_reference_keys: _containers.ScalarMap[str, str]
    setting_reference_key: str
    previous_clip_key: str
    finish: _finish_pb2.ClipFinish
    def __init__(self, shot: _Optional[_Union[_storyboard_pb2.Shot, _Mapping]] = ..., scene: _Optional[_Union[_storyboard_pb2.Scene, _Mapping]] = ..., characters: _Optional[_Iterable[_Union[_storyboard_pb2.Character, _Mapping]]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., fps: _Optional[int] = ..., duration_s: _Optional[float] = ..., output_key: _Optional[str] = ..., keyframe_key: _Optional[str] = ..., backend: _Optional[_Union[VisualBackend, str]] = ..., scene_keyframe_key: _Optional[str] = ..., character_reference_keys: _Optional[_Mapping[str, str]] = ..., setting_reference_key: _Optional[str] = ..., previous_clip_key: _Optional[str] = ..., finish: _Optional[_Union[_finish_pb2.ClipFinish, _Mapping]] = ...) -> None: ...

class RenderReferenceRequest(_message.Message):
    __slots__ = ("character", "setting", "width", "height", "output_key", "backend", "seed", "upload_key")
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_KEY_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_KEY_FIELD_NUMBER: _ClassVar[int]
    character: _storyboard_pb2.Character
    setting: _storyboard_pb2.Scene
    width: int
    height: int
    output_key: str
    backend: VisualBackend
    seed: int
    upload_key: str
    def __init__(self, character: _Optional[_Union[_storyboard_pb2.Character, _Mapping]] = ..., setting: _Optional[_Union[_storyboard_pb2.Scene, _Mapping]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., output_key: _Optional[str] = ..., backend: _Optional[_Union[VisualBackend, str]] = ..., seed: _Optional[int] = ..., upload_key: _Optional[str] = ...) -> None: ...

class RenderReferenceResponse(_message.Message):
    __slots__ = ("picture", "width", "height", "uploaded")
    PICTURE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    UPLOADED_FIELD_NUMBER: _ClassVar[int]
    picture: _artifact_pb2.ArtifactRef
    width: int
    height: int
    uploaded: bool
    def __init__(self, picture: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., uploaded: _Optional[bool] = ...) -> None: ...

class DescribeBackendRequest(_message.Message):
    __slots__ = ("backend", "prompt")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    backend: VisualBackend
    prompt: str
    def __init__(self, backend: _Optional[_Union[VisualBackend, str]] = ..., prompt: _Optional[str] = ...) -> None: ...

class VocabularyGroup(_message.Message):
    __slots__ = ("name", "words")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WORDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    words: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., words: _Optional[_Iterable[str]] = ...) -> None: ...

class DrawnWord(_message.Message):
    __slots__ = ("word", "group", "drawn_as")
    WORD_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    DRAWN_AS_FIELD_NUMBER: _ClassVar[int]
    word: str
    group: str
    drawn_as: str
    def __init__(self, word: _Optional[str] = ..., group: _Optional[str] = ..., drawn_as: _Optional[str] = ...) -> None: ...

class DescribeBackendResponse(_message.Message):
    __slots__ = ("backend", "continues_from_previous_clip", "any_prompt", "vocabulary", "drawn", "not_drawn", "finishes_clips")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    CONTINUES_FROM_PREVIOUS_CLIP_FIELD_NUMBER: _ClassVar[int]
    ANY_PROMPT_FIELD_NUMBER: _ClassVar[int]
    VOCABULARY_FIELD_NUMBER: _ClassVar[int]
    DRAWN_FIELD_NUMBER: _ClassVar[int]
    NOT_DRAWN_FIELD_NUMBER: _ClassVar[int]
    FINISHES_CLIPS_FIELD_NUMBER: _ClassVar[int]
    backend: VisualBackend
    continues_from_previous_clip: bool
    any_prompt: bool
    vocabulary: _containers.RepeatedCompositeFieldContainer[VocabularyGroup]
    drawn: _containers.RepeatedCompositeFieldContainer[DrawnWord]
    not_drawn: _containers.RepeatedScalarFieldContainer[str]
    finishes_clips: bool
    def __init__(self, backend: _Optional[_Union[VisualBackend, str]] = ..., continues_from_previous_clip: _Optional[bool] = ..., any_prompt: _Optional[bool] = ..., vocabulary: _Optional[_Iterable[_Union[VocabularyGroup, _Mapping]]] = ..., drawn: _Optional[_Iterable[_Union[DrawnWord, _Mapping]]] = ..., not_drawn: _Optional[_Iterable[str]] = ..., finishes_clips: _Optional[bool] = ...) -> None: ...

class RenderShotResponse(_message.Message):
    __slots__ = ("clip", "keyframe", "frame_count", "duration_s", "finish_tag")
    CLIP_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FINISH_TAG_FIELD_NUMBER: _ClassVar[int]
    clip: _artifact_pb2.ArtifactRef
    keyframe: _artifact_pb2.ArtifactRef
    frame_count: int
    duration_s: float
    finish_tag: str
    def __init__(self, clip: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., keyframe: _Optional[_Union[_artifact_pb2.ArtifactRef, _Mapping]] = ..., frame_count: _Optional[int] = ..., duration_s: _Optional[float] = ..., finish_tag: _Optional[str] = ...) -> None: ...

class RenderShotStreamRequest(_message.Message):
    __slots__ = ("render",)
    RENDER_FIELD_NUMBER: _ClassVar[int]
    render: RenderShotRequest
    def __init__(self, render: _Optional[_Union[RenderShotRequest, _Mapping]] = ...) -> None: ...

class RenderShotStreamResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: RenderProgress
    result: RenderShotResponse
    def __init__(self, progress: _Optional[_Union[RenderProgress, _Mapping]] = ..., result: _Optional[_Union[RenderShotResponse, _Mapping]] = ...) -> None: ...

class RenderProgress(_message.Message):
    __slots__ = ("fraction", "stage", "message", "attempt")
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    fraction: float
    stage: RenderStage
    message: str
    attempt: int
    def __init__(self, fraction: _Optional[float] = ..., stage: _Optional[_Union[RenderStage, str]] = ..., message: _Optional[str] = ..., attempt: _Optional[int] = ...) -> None: ...
