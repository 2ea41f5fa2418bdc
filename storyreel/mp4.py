"""What an MP4 file's video track holds, read from its boxes in Python instead of by ffprobe.

Every clip is checked once it is written (the visual service) and again before it is joined as it
is (the composer). ffprobe costs about 75 ms of CPU a run, nearly all of it loading its libraries
(it costs as much with no file at all): for an hour's film of 406 shots, some 60 CPU seconds of 800.
Reading the few boxes that say what the track is takes about a millisecond.

It reads a plain (not fragmented) ISO MP4 as ffmpeg writes it: the first video track's sample
entry, its sample count, its timing and, for H.264, the sequence parameter set, which gives the
picture's size and pixel format the way ffprobe reports them. Anything else (another container,
a fragmented or truncated file) raises Mp4Unreadable, and `probe_video` asks ffprobe instead, so
a file this cannot read is still checked, only more slowly.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from storyreel.media import probe

__all__ = ["MAX_MOOV_BYTES", "Mp4Unreadable", "VideoTrack", "ffprobe_video", "probe_video", "video_track"]

MAX_MOOV_BYTES = 64 * 2**20
"""A movie header larger than this is not a clip's (an hour of 24 fps video needs about 2 MB)."""

_CODECS = {"avc1": "h264", "avc3": "h264", "hvc1": "hevc", "hev1": "hevc", "mp4v": "mpeg4", "av01": "av1",
           "vp09": "vp9"}
"""Sample entry types by the codec names ffprobe uses."""
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
"""H.264 profiles whose SPS says its chroma format and bit depth (the others are 8-bit 4:2:0)."""
_CHROMA = {0: "gray", 1: "yuv420p", 2: "yuv422p", 3: "yuv444p"}
_VISUAL_SAMPLE_ENTRY_BYTES = 78
"""SampleEntry (8) and VisualSampleEntry (70) fields of a video sample entry, before its own boxes
(ISO 14496-12)."""


class Mp4Unreadable(Exception):
    """The file is not a plain MP4 this module reads (ffprobe may still read it)."""


@dataclass(frozen=True)
class VideoTrack:
    """A video stream as ffprobe describes it: codec_name, pix_fmt, width, height, r_frame_rate, nb_frames."""

    codec: str
    pix_fmt: str | None
    """Known for H.264 (from its SPS); None for other codecs."""
    width: int
    height: int
    frame_rate: Fraction
    frames: int

    @classmethod
    def from_ffprobe(cls, stream: dict[str, Any]) -> VideoTrack:
        numerator, _, denominator = str(stream.get("r_frame_rate") or "0/1").partition("/")
        rate, per = int(numerator or 0), int(denominator or 1)  # ffprobe says 0/0 for a rate it does not know
        return cls(
            codec=str(stream.get("codec_name", "")),
            pix_fmt=stream.get("pix_fmt"),
            width=int(stream.get("width", 0)),
            height=int(stream.get("height", 0)),
            frame_rate=Fraction(rate, per) if per else Fraction(0),
            frames=int(stream.get("nb_frames", 0) or 0),
        )


def probe_video(path: Path, timeout_s: float = 30.0) -> VideoTrack | None:
    """The file's first video track (None: it has none), read from its boxes, or by ffprobe where
    this module cannot read the file. ToolFailed when ffprobe cannot read it either."""
    try:
        return video_track(path)
    except Mp4Unreadable:
        return ffprobe_video(path, timeout_s)


def ffprobe_video(path: Path, timeout_s: float = 30.0) -> VideoTrack | None:
    """The file's first video track as ffprobe reads it (None: it has none); ToolFailed when it cannot."""
    streams = probe(path, timeout_s).get("streams", [])
    video = next((stream for stream in streams if stream.get("codec_type") == "video"), None)
    return VideoTrack.from_ffprobe(video) if video is not None else None


def video_track(path: Path) -> VideoTrack | None:
    """The first video track of a plain MP4 (None: the movie has none); Mp4Unreadable otherwise."""
    moov = _movie_box(path)
    if _child(moov, 0, len(moov), "mvex") is not None:
        raise Mp4Unreadable("a fragmented MP4 (its samples are listed in fragments)")
    for kind, start, end in _boxes(moov, 0, len(moov)):
        if kind == "trak":
            track = _video_of(moov, start, end)
            if track is not None:
                return track
    return None


def _movie_box(path: Path) -> bytes:
    """The payload of the top-level moov box (ffmpeg writes it after the media unless asked not to)."""
    with path.open("rb") as file:
        size_of_file = file.seek(0, 2)
        offset, first = 0, True
        while offset + 8 <= size_of_file:
            file.seek(offset)
            size, kind, header = _header(file.read(16), offset, size_of_file)
            if first and kind != "ftyp":
                raise Mp4Unreadable(f"not an MP4 (it starts with {kind!r}, not 'ftyp')")
            first = False
            if kind == "moof":
                raise Mp4Unreadable("a fragmented MP4")
            if kind == "moov":
                if size - header > MAX_MOOV_BYTES:
                    raise Mp4Unreadable(f"its movie header is {size - header} bytes")
                file.seek(offset + header)
                return file.read(size - header)
            offset += size
    raise Mp4Unreadable("no movie header (moov) box: not an MP4, or cut short")


def _header(data: bytes, offset: int, limit: int) -> tuple[int, str, int]:
    """(box size, type, header bytes) of the box starting data; Mp4Unreadable when it does not fit."""
    if len(data) < 8:
        raise Mp4Unreadable("cut short inside a box header")
    size, raw_kind = struct.unpack(">I4s", data[:8])
    kind, header = raw_kind.decode("latin-1"), 8
    if size == 1:
        if len(data) < 16:
            raise Mp4Unreadable("cut short inside a box header")
        size, header = struct.unpack(">Q", data[8:16])[0], 16
    elif size == 0:
        size = limit - offset  # the box runs to the end of its parent (or of the file)
    if size < header or offset + size > limit:
        raise Mp4Unreadable(f"its {kind!r} box runs past the end of the file")
    return size, kind, header


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """The boxes inside data[start:end]: (type, payload start, box end)."""
    offset = start
    while offset + 8 <= end:
        size, kind, header = _header(data[offset : offset + 16], offset, end)
        yield kind, offset + header, offset + size
        offset += size


def _child(data: bytes, start: int, end: int, *path: str) -> tuple[int, int] | None:
    """The payload (start, end) of the box at `path` under data[start:end], or None."""
    for name in path:
        found = next(((s, e) for kind, s, e in _boxes(data, start, end) if kind == name), None)
        if found is None:
            return None
        start, end = found
    return start, end


def _required(data: bytes, start: int, end: int, *path: str) -> tuple[int, int]:
    found = _child(data, start, end, *path)
    if found is None:
        raise Mp4Unreadable(f"a track without its {'/'.join(path)} box")
    return found


def _video_of(moov: bytes, start: int, end: int) -> VideoTrack | None:
    hdlr = _required(moov, start, end, "mdia", "hdlr")
    if moov[hdlr[0] + 8 : hdlr[0] + 12] != b"vide":
        return None
    timescale = _timescale(moov, *_required(moov, start, end, "mdia", "mdhd"))
    stbl = _required(moov, start, end, "mdia", "minf", "stbl")
    codec, width, height, sps = _sample_entry(moov, *_required(moov, *stbl, "stsd"))
    pix_fmt = None
    if sps is not None:
        width, height, pix_fmt = _h264_picture(sps)
    return VideoTrack(
        codec=codec,
        pix_fmt=pix_fmt,
        width=width,
        height=height,
        frame_rate=_frame_rate(moov, *_required(moov, *stbl, "stts"), timescale),
        frames=_sample_count(moov, *_required(moov, *stbl, "stsz")),
    )


def _timescale(data: bytes, start: int, end: int) -> int:
    version = data[start]
    at = start + (20 if version == 1 else 12)  # version/flags, creation and modification times
    if at + 4 > end:
        raise Mp4Unreadable("a media header (mdhd) cut short")
    timescale: int = struct.unpack(">I", data[at : at + 4])[0]
    if timescale == 0:
        raise Mp4Unreadable("a media header with a time scale of 0")
    return timescale


def _sample_entry(data: bytes, start: int, end: int) -> tuple[str, int, int, bytes | None]:
    """(codec, width, height, H.264 SPS or None) of the first sample description."""
    if struct.unpack(">I", data[start + 4 : start + 8])[0] < 1:
        raise Mp4Unreadable("a track with no sample description")
    size, kind, header = _header(data[start + 8 : start + 24], start + 8, end)
    entry, entry_end = start + 8 + header, start + 8 + size
    if entry + _VISUAL_SAMPLE_ENTRY_BYTES > entry_end:
        raise Mp4Unreadable("a video sample description cut short")
    width, height = struct.unpack(">HH", data[entry + 24 : entry + 28])
    codec = _CODECS.get(kind, kind)
    if codec != "h264":
        return codec, width, height, None
    avcc = _child(data, entry + _VISUAL_SAMPLE_ENTRY_BYTES, entry_end, "avcC")
    if avcc is None or avcc[1] - avcc[0] < 8 or data[avcc[0] + 5] & 0x1F < 1:
        raise Mp4Unreadable("an H.264 track without its sequence parameter set (avcC)")
    length = struct.unpack(">H", data[avcc[0] + 6 : avcc[0] + 8])[0]
    return codec, width, height, data[avcc[0] + 8 : avcc[0] + 8 + length]


def _frame_rate(data: bytes, start: int, end: int, timescale: int) -> Fraction:
    """The time scale over the usual frame duration: ffprobe's r_frame_rate for a constant rate."""
    count = struct.unpack(">I", data[start + 4 : start + 8])[0]
    if start + 8 + 8 * count > end:
        raise Mp4Unreadable("a time-to-sample table (stts) cut short")
    durations: Counter[int] = Counter()
    for index in range(count):
        samples, delta = struct.unpack(">II", data[start + 8 + 8 * index : start + 16 + 8 * index])
        durations[delta] += samples
    usual = next((delta for delta, _ in durations.most_common() if delta), 0)
    return Fraction(timescale, usual) if usual else Fraction(0)


def _sample_count(data: bytes, start: int, end: int) -> int:
    if start + 12 > end:
        raise Mp4Unreadable("a sample size table (stsz) cut short")
    count: int = struct.unpack(">I", data[start + 8 : start + 12])[0]
    return count


class _Bits:
    """A reader of an H.264 RBSP: fixed-width fields and Exp-Golomb codes (ITU-T H.264 7.2, 9.1)."""

    def __init__(self, nal: bytes) -> None:
        self.data = nal.replace(b"\x00\x00\x03", b"\x00\x00")  # emulation prevention bytes
        self.at = 0

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            byte = self.at >> 3
            if byte >= len(self.data):
                raise Mp4Unreadable("an H.264 sequence parameter set cut short")
            value = (value << 1) | ((self.data[byte] >> (7 - (self.at & 7))) & 1)
            self.at += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits(1) == 0:
            zeros += 1
            if zeros > 31:
                raise Mp4Unreadable("a malformed H.264 sequence parameter set")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)


def _h264_picture(sps: bytes) -> tuple[int, int, str]:
    """(width, height, ffprobe's pix_fmt) from an H.264 sequence parameter set (H.264 7.3.2.1.1)."""
    bits = _Bits(sps)
    if bits.bits(8) & 0x1F != 7:
        raise Mp4Unreadable("the avcC box holds no sequence parameter set")
    profile = bits.bits(8)
    bits.bits(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    chroma, depth = 1, 8
    if profile in _HIGH_PROFILES:
        chroma = bits.ue()
        if chroma == 3:
            bits.bits(1)  # separate_colour_plane_flag
        depth = bits.ue() + 8
        bits.ue()  # bit_depth_chroma_minus8
        bits.bits(1)  # qpprime_y_zero_transform_bypass_flag
        if bits.bits(1):  # seq_scaling_matrix_present_flag
            for index in range(8 if chroma != 3 else 12):
                if bits.bits(1):
                    _skip_scaling_list(bits, 16 if index < 6 else 64)
    bits.ue()  # log2_max_frame_num_minus4
    order_type = bits.ue()
    if order_type == 0:
        bits.ue()
    elif order_type == 1:
        bits.bits(1)
        bits.se()
        bits.se()
        for _ in range(bits.ue()):
            bits.se()
    bits.ue()  # max_num_ref_frames
    bits.bits(1)  # gaps_in_frame_num_value_allowed_flag
    width_mbs, height_units = bits.ue() + 1, bits.ue() + 1
    frame_mbs_only = bits.bits(1)
    if not frame_mbs_only:
        bits.bits(1)  # mb_adaptive_frame_field_flag
    bits.bits(1)  # direct_8x8_inference_flag
    width, height = width_mbs * 16, height_units * 16 * (2 - frame_mbs_only)
    if bits.bits(1):  # frame_cropping_flag
        left, right, top, bottom = bits.ue(), bits.ue(), bits.ue(), bits.ue()
        unit_x = 1 if chroma in (0, 3) else 2
        unit_y = (2 if chroma == 1 else 1) * (2 - frame_mbs_only)
        width, height = width - unit_x * (left + right), height - unit_y * (top + bottom)
    full_range = _full_range(bits) if bits.bits(1) else False  # vui_parameters_present_flag
    return width, height, _pixel_format(chroma, depth, full_range)


def _skip_scaling_list(bits: _Bits, size: int) -> None:
    last, following = 8, 8
    for _ in range(size):
        if following:
            following = (last + bits.se() + 256) % 256
        last = following or last


def _full_range(bits: _Bits) -> bool:
    """video_full_range_flag from the start of the VUI (H.264 E.1.1)."""
    if bits.bits(1) and bits.bits(8) == 255:  # aspect_ratio_info_present_flag, aspect_ratio_idc: Extended_SAR
        bits.bits(32)
    if bits.bits(1):  # overscan_info_present_flag
        bits.bits(1)
    if not bits.bits(1):  # video_signal_type_present_flag
        return False
    bits.bits(3)  # video_format
    return bool(bits.bits(1))


def _pixel_format(chroma: int, depth: int, full_range: bool) -> str:
    """ffmpeg's name of the pixel format its H.264 decoder gives: 8-bit full range is yuvj..., deeper
    ones end in ...le, and 8-bit monochrome (4:0:0) comes out as 4:2:0 with flat chroma."""
    if chroma == 0 and depth == 8:
        chroma = 1
    base = _CHROMA.get(chroma, f"chroma{chroma}")
    if depth != 8:
        return f"{base}{depth}le" if chroma else f"gray{depth}le"
    return base.replace("yuv", "yuvj") if full_range else base
