"""A music upload checked at the door from its own bytes (the gateway has no ffmpeg).

The audio service checks the file again and decodes it (services/audio/track.py); this check
refuses, before anything is stored, what would fail there or play as something else: bytes
that are no mp3, wav, ogg or flac (a text file named .mp3), a file cut short (its header or its
frames claim more than the file holds: a truncated download, a WAV header claiming hours), and
a track under a second. It reads headers and frame headers only, never samples, so a file whose
frames are whole but whose audio is broken or silent is still refused later, by the service.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from storyreel.errors import InvalidInput

MIN_MUSIC_S = 1.0
"""As the audio service's MIN_TRACK_S: a shorter track cannot be looped under a film."""
_ACCEPTED = "Upload an mp3, wav, ogg or flac file."
_WAV_FORMATS = {1: "pcm", 3: "float", 6: "alaw", 7: "mulaw", 0xFFFE: "extensible"}
_TAGS_AT_END = (b"TAG", b"APETAGEX", b"LYRICS")
_MP3_BITRATES = {  # kbit/s by (MPEG-1?, layer) and index 1..14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_Reader = Callable[[bytes, str], float]


@dataclass(frozen=True)
class MusicInfo:
    kind: str
    """mp3, wav, ogg or flac: what the bytes are, whatever the name says."""
    duration_s: float


def check_music(file: BinaryIO, name: str) -> MusicInfo:
    """What the upload is and how long it plays; InvalidInput, naming the file, when it is not
    audio the service can use."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    kind, reader = _kind(data)
    if reader is None:
        raise _refuse(name, _not_audio(data))
    duration = reader(data, name)
    if duration < MIN_MUSIC_S:
        raise _refuse(name, f"it plays for {duration:.2f} s, less than {MIN_MUSIC_S:.0f} s")
    return MusicInfo(kind, duration)


def _refuse(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"the music file {name!r} cannot be used: {why}. {_ACCEPTED}")


def _cut_short(claimed_s: float, holds_s: float) -> str:
    claimed, holds = _length(claimed_s), _length(holds_s)
    return f"it is cut short or broken: its header says {claimed} of audio, the file holds {holds}"


def _length(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds:.2f} s"


def _kind(data: bytes) -> tuple[str, _Reader | None]:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav", _wav_seconds
    if data[:4] == b"OggS":
        return "ogg", _ogg_seconds
    if data[:4] == b"fLaC":
        return "flac", _flac_seconds
    if data[:3] == b"ID3" or _mp3_frame(data, 0) is not None:
        return "mp3", _mp3_seconds
    return "", None


def _not_audio(data: bytes) -> str:
    if not data:
        return "it is empty"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "its bytes are not mp3, wav, ogg or flac audio"
    return "it is text, not audio"


# --------------------------------------------------------------------------- wav


def _wav_seconds(data: bytes, name: str) -> float:
    """Chunks in order: 'fmt ' describes the samples, 'data' holds them; the data chunk must be
    as long as it says (a truncated file, or a header claiming hours, is not)."""
    position, byte_rate, block = 12, 0, 0
    while position + 8 <= len(data):
        chunk, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if chunk == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise _refuse(name, "its wav header is cut short")
            tag, channels, rate, byte_rate, block, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag not in _WAV_FORMATS or not 1 <= channels <= 8 or not 1000 <= rate <= 384_000:
                raise _refuse(name, f"its wav header is not a playable format (format {tag}, {channels} channels, "
                                    f"{rate} Hz)")
            if block == 0 or byte_rate != rate * block or bits not in (8, 16, 24, 32, 64):
                raise _refuse(name, "its wav header contradicts itself (byte rate, block size and bits disagree)")
        elif chunk == b"data":
            if not byte_rate:
                raise _refuse(name, "its wav data comes before the format that describes it")
            held = len(data) - body
            if size in (0, 0xFFFFFFFF):  # written while streaming: the rest of the file is the data
                size = held - held % block
            if held < size - block:
                raise _refuse(name, _cut_short(size / byte_rate, held / byte_rate))
            return float(size / byte_rate)
        position = body + size + (size & 1)
    raise _refuse(name, "it has no wav data chunk" if byte_rate else "it has no wav format chunk")


# --------------------------------------------------------------------------- mp3


@dataclass(frozen=True)
class _Frame:
    length: int
    samples: int
    rate: int
    mpeg1: bool
    mono: bool


def _mp3_frame(data: bytes, at: int) -> _Frame | None:
    """The MPEG audio frame whose header starts at `at`, if one does."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    bitrate_index, rate_index = data[at + 2] >> 4, (data[at + 2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    bitrate = _MP3_BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate, padding = _MP3_RATES[version][rate_index], (data[at + 2] >> 1) & 1
    if layer == 1:
        return _Frame((12 * bitrate // rate + padding) * 4, 384, rate, mpeg1, data[at + 3] >> 6 == 3)
    samples = 1152 if layer == 2 or mpeg1 else 576
    return _Frame(samples // 8 * bitrate // rate + padding, samples, rate, mpeg1, data[at + 3] >> 6 == 3)


def _id3_end(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
    return 10 + size + (10 if data[5] & 0x10 else 0)


def _claimed_frames(data: bytes, at: int, frame: _Frame) -> int | None:
    """The frame count a Xing/Info or VBRI header in the first frame claims, if it has one."""
    side = (32 if not frame.mono else 17) if frame.mpeg1 else (17 if not frame.mono else 9)
    xing = at + 4 + side
    if data[xing : xing + 4] in (b"Xing", b"Info") and xing + 12 <= len(data):
        flags = struct.unpack_from(">I", data, xing + 4)[0]
        return int(struct.unpack_from(">I", data, xing + 8)[0]) if flags & 1 else None
    vbri = at + 36
    if data[vbri : vbri + 4] == b"VBRI" and vbri + 18 <= len(data):
        return int(struct.unpack_from(">I", data, vbri + 14)[0])
    return None


def _mp3_seconds(data: bytes, name: str) -> float:
    """Every frame from the first to the last, each whole; and as many as a Xing header claims."""
    position = _id3_end(data)
    first = _mp3_frame(data, position)
    if first is None:
        raise _refuse(name, "it has an ID3 tag but no mp3 audio after it" if position else "it is not mp3 audio")
    claimed = _claimed_frames(data, position, first)
    frames, seconds = 0, 0.0
    if claimed is not None:  # the Xing frame is silence that carries the header, not audio
        position += first.length
    while position < len(data):
        frame = _mp3_frame(data, position)
        if frame is None:
            if data[position : position + 8].startswith(_TAGS_AT_END):
                break
            raise _refuse(name, f"its mp3 frames break off at byte {position:,} of {len(data):,} "
                                f"(after {seconds:.2f} s)")
        if position + frame.length > len(data):
            held = seconds + (len(data) - position) / frame.length * frame.samples / frame.rate
            whole = claimed * frame.samples / frame.rate if claimed else seconds + frame.samples / frame.rate
            raise _refuse(name, _cut_short(whole, held))
        frames, seconds, position = frames + 1, seconds + frame.samples / frame.rate, position + frame.length
    if claimed is not None and frames < claimed - 1:
        raise _refuse(name, _cut_short(claimed * first.samples / first.rate, seconds))
    return seconds


# --------------------------------------------------------------------------- ogg


def _ogg_seconds(data: bytes, name: str) -> float:
    """Whole pages from the first to the one that ends the stream; the length from the last
    page's granule position at the codec's rate."""
    position, rate, granule, pre_skip, ended = 0, 0, 0, 0, False
    while position < len(data):
        if data[position : position + 4] != b"OggS" or position + 27 > len(data):
            raise _refuse(name, f"its ogg pages break off at byte {position:,} of {len(data):,}")
        flags, page_granule = data[position + 5], struct.unpack_from("<q", data, position + 6)[0]
        segments = data[position + 26]
        body = position + 27 + segments
        size = sum(data[position + 27 : body])
        if body + size > len(data):
            held = granule / rate if rate else 0.0
            raise _refuse(name, f"it is cut short: its last ogg page is incomplete (after {held:.2f} s)")
        if position == 0:
            rate, pre_skip = _ogg_codec(data[body : body + size], name)
        granule = page_granule if page_granule >= 0 else granule
        ended = bool(flags & 4)
        position = body + size
    if not ended:
        raise _refuse(name, f"it is cut short: its ogg stream has no end (after {granule / rate:.2f} s)")
    return max(0.0, (granule - pre_skip) / rate)


def _ogg_codec(packet: bytes, name: str) -> tuple[int, int]:
    """(granule rate, pre-skip) from the first packet: Vorbis, Opus or FLAC in Ogg."""
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        return struct.unpack_from("<I", packet, 12)[0] or 1, 0
    if packet[:8] == b"OpusHead" and len(packet) >= 12:
        return 48000, struct.unpack_from("<H", packet, 10)[0]
    if packet[:5] == b"\x7fFLAC" and packet[9:13] == b"fLaC" and len(packet) >= 13 + 4 + 18:
        return _streaminfo(packet[17:35])[0] or 1, 0
    raise _refuse(name, "its ogg stream is not Vorbis, Opus or FLAC audio")


# --------------------------------------------------------------------------- flac


def _streaminfo(block: bytes) -> tuple[int, int]:
    """(sample rate, total samples) from a FLAC STREAMINFO block."""
    packed = int.from_bytes(block[10:18], "big")
    return packed >> 44, packed & ((1 << 36) - 1)


def _streaminfo_block_size(block: bytes) -> int:
    """The stream's (largest) block size: frames of a fixed-blocksize stream are numbered in it."""
    return int.from_bytes(block[2:4], "big")


def _flac_seconds(data: bytes, name: str) -> float:
    """STREAMINFO's length, metadata blocks whole, and audio frames after them."""
    position = 4
    rate, total, block_size = 0, 0, 0
    while True:
        if position + 4 > len(data):
            raise _refuse(name, "it is cut short inside its flac header")
        header, size = data[position], int.from_bytes(data[position + 1 : position + 4], "big")
        if header & 0x7F == 0 and size >= 18:
            rate, total = _streaminfo(data[position + 4 : position + 22])
            block_size = _streaminfo_block_size(data[position + 4 : position + 22])
        position += 4 + size
        if header & 0x80:
            break
    if position + 2 > len(data) or data[position] != 0xFF or data[position + 1] & 0xFE != 0xF8:
        raise _refuse(name, "it is cut short: it has no flac audio frames after its header")
    if not rate or not total:
        raise _refuse(name, "its flac header does not say how long it plays")
    reached = _flac_end(data, position, block_size)
    if reached is None:
        raise _refuse(name, f"it is cut short or broken: its last flac frame is incomplete "
                            f"(its header says {_length(total / rate)} of audio)")
    if reached < total - rate // 10:
        raise _refuse(name, _cut_short(total / rate, reached / rate))
    return total / rate


_FLAC_WINDOW = 1 << 18
"""How far back from the end the last frame's header is looked for (frames are far smaller)."""
_FLAC_TRIES = 16
"""Frame headers tried from the end (the last real one is the first or second found; a file
crafted to hold many is refused rather than checked for long)."""
_FLAC_BLOCK_SIZES = {1: 192, **{c: 576 << (c - 2) for c in range(2, 6)}, **{c: 256 << (c - 8) for c in range(8, 16)}}


def _flac_end(data: bytes, audio_start: int, stream_block: int) -> int | None:
    """The sample the stream reaches: the last frame whose header and whole-frame CRC-16 check
    out and that ends exactly at the end of the file (a cut-off file has none)."""
    end = len(data) - (128 if data[-128:-125] == b"TAG" else 0)
    at, tries = end - 2, _FLAC_TRIES
    while tries and (at := data.rfind(b"\xff", max(audio_start, end - _FLAC_WINDOW), at)) != -1:
        header = _flac_frame_header(data, at)
        if header is None:
            continue
        if _crc16(data, at, end - 2) == int.from_bytes(data[end - 2 : end], "big"):
            number, variable, block = header
            return (number if variable else number * stream_block) + block
        tries -= 1
    return None


def _flac_frame_header(data: bytes, at: int) -> tuple[int, bool, int] | None:
    """(frame or sample number, whether it is a sample number, block size) of a frame whose
    header, CRC-8 included, starts at `at`."""
    if at + 6 > len(data) or data[at + 1] & 0xFE != 0xF8 or data[at + 3] & 1 or data[at + 2] >> 4 == 0:
        return None
    variable, size_code, rate_code = data[at + 1] & 1, data[at + 2] >> 4, data[at + 2] & 0xF
    if rate_code == 0xF or (data[at + 3] >> 4) > 10 or (data[at + 3] >> 1) & 7 in (3, 7):
        return None
    number, position = _utf8_number(data, at + 4)
    if number is None:
        return None
    block = _FLAC_BLOCK_SIZES.get(size_code, 0)
    if size_code in (6, 7):
        width = size_code - 5
        block = int.from_bytes(data[position : position + width], "big") + 1
        position += width
    position += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if position >= len(data) or _crc8(data[at:position]) != data[position]:
        return None
    return number, bool(variable), block


def _utf8_number(data: bytes, at: int) -> tuple[int | None, int]:
    """FLAC's UTF-8-like coded frame or sample number at `at`, and where it ends."""
    first = data[at]
    if first < 0x80:
        return first, at + 1
    length = next((n for n in range(2, 8) if first >> (8 - n) == (1 << n) - 1 and not first & (0x80 >> n)), 0)
    if not length or at + length > len(data):
        return None, at
    value = first & (0x7F >> length)
    for byte in data[at + 1 : at + length]:
        if byte & 0xC0 != 0x80:
            return None, at
        value = value << 6 | byte & 0x3F
    return value, at + length


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _crc16_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


_CRC16 = _crc16_table()


def _crc16(data: bytes, start: int, end: int) -> int:
    crc = 0
    for byte in data[start:end]:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
    return crc

