from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class ClipFinish(_message.Message):
    __slots__ = ("subtitles_ass", "fade_in_s", "fade_out_s", "x264_preset", "x264_crf", "x264_params", "tag")
    SUBTITLES_ASS_FIELD_NUMBER: _ClassVar[int]
    FADE_IN_S_FIELD_NUMBER: _ClassVar[int]
    FADE_OUT_S_FIELD_NUMBER: _ClassVar[int]
    X264_PRESET_FIELD_NUMBER: _ClassVar[int]
    X264_CRF_FIELD_NUMBER: _ClassVar[int]
    X264_PARAMS_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    subtitles_ass: str
    fade_in_s: float
    fade_out_s: float
    x264_preset: str
    x264_crf: int
    x264_params: str
    tag: str
    def __init__(self, subtitles_ass: _Optional[str] = ..., fade_in_s: _Optional[float] = ..., fade_out_s: _Optional[float] = ..., x264_preset: _Optional[str] = ..., x264_crf: _Optional[int] = ..., x264_params: _Optional[str] = ..., tag: _Optional[str] = ...) -> None: ...
