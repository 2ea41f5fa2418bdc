"""A user's own music: an uploaded file made into a cue of the film's length.

The file is trusted for nothing. Its size is capped before anything reads it; ffprobe must
find an audio stream in one of the accepted containers (mp3, wav, ogg, flac: what the bytes
are, whatever the name says); ffmpeg must decode all of it without an error; what it decodes
to must be long enough and not silent. Then it is looped (each return to the start crossfaded
under equal-power ramps, so there is no gap and no click) or cut, and levelled and faded like
a scored cue (backends.cue).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.audio import pcm
from services.audio.backends import cue
from services.audio.models import PreparedTrack
from storyreel.errors import InvalidInput, ToolFailed
from storyreel.media import SAFE_PROTOCOLS, probe, run_tool

log = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"mp3": "mp3", "wav": "wav", "ogg": "ogg", "flac": "flac"}
"""ffprobe's format_name -> what we call it. Anything else (mp4, webm, an image...) is refused."""
ACCEPTED_CODECS = {"mp3", "mp3float", "vorbis", "opus", "flac"} | {
    f"pcm_{kind}" for kind in ("s16le", "s24le", "s32le", "u8", "f32le", "f64le", "s16be", "alaw", "mulaw")
}
MIN_TRACK_S = 1.0
SILENT_DBFS = -60.0


@dataclass(frozen=True)
class TrackLimits:
    max_bytes: int
    crossfade_s: float
    level_dbfs: float
    timeout_s: float


def _refuse(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"the music file {name!r} cannot be used: {why}. Upload an mp3, wav, ogg or flac file.")


def check_container(path: Path, name: str, limits: TrackLimits) -> dict[str, Any]:
    """ffprobe's view of the file, if it is an accepted kind of audio file; InvalidInput otherwise."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _refuse(name, f"it is {size:,} bytes, over the limit of {limits.max_bytes:,}")
    try:
        info = probe(path, limits.timeout_s)
    except ToolFailed as error:
        raise _refuse(name, f"it is not a readable audio file ({str(error)[-200:]})") from None
    format_name = str(info.get("format", {}).get("format_name", ""))
    audio = [stream for stream in info.get("streams", []) if stream.get("codec_type") == "audio"]
    if format_name not in ACCEPTED_FORMATS:
        raise _refuse(name, f"its content is {format_name or 'unknown'}, not one of {', '.join(ACCEPTED_FORMATS)}")
    if not audio:
        raise _refuse(name, "it has no audio stream")
    if audio[0].get("codec_name") not in ACCEPTED_CODECS:
        raise _refuse(name, f"its audio is encoded as {audio[0].get('codec_name')}, which is not accepted")
    return info


def decode(path: Path, name: str, limits: TrackLimits) -> pcm.Samples:
    """Every sample of the first audio stream as stereo at the cue rate; InvalidInput at any decoding error."""
    argv = [
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-xerror", *SAFE_PROTOCOLS,
        "-i", f"file:{path}", "-map", "0:a:0", "-vn", "-ac", "2", "-ar", str(cue.SAMPLE_RATE),
        "-f", "s16le", "-c:a", "pcm_s16le", "pipe:1",
    ]  # fmt: skip
    try:
        raw = run_tool(argv, limits.timeout_s).stdout
    except ToolFailed as error:
        raise _refuse(name, f"it does not decode cleanly ({str(error)[-200:]})") from None
    samples = pcm.from_int16(raw, 2)
    if len(samples) < MIN_TRACK_S * cue.SAMPLE_RATE:
        raise _refuse(name, f"it holds {len(samples) / cue.SAMPLE_RATE:.2f} s of audio, less than {MIN_TRACK_S:.0f} s")
    if pcm.peak(samples) < pcm.db_to_gain(SILENT_DBFS):
        raise _refuse(name, "it is silent")
    return samples


def loop_to_length(track: pcm.Samples, frames: int, crossfade_frames: int) -> tuple[pcm.Samples, int]:
    """The track played from its start again and again until `frames` long, each return to the
    start crossfaded; and how many times it plays. Built from pieces joined once, so a short
    track looped over a long film costs one copy, not one per play."""
    if len(track) >= frames:
        return track[:frames], 1
    overlap = min(crossfade_frames, len(track) // 2)
    # What every return sounds like: the end fading out over the start fading in.
    joint = pcm.crossfade(track[len(track) - overlap :], track[:overlap], overlap)
    body = track[overlap : len(track) - overlap]
    pieces, total, plays = [track[: len(track) - overlap]], len(track) - overlap, 1
    while total < frames:
        pieces += [joint, body]
        total += len(joint) + len(body)
        plays += 1
    return np.concatenate(pieces)[:frames], plays


def prepare(path: Path, name: str, duration_s: float, output: Path, limits: TrackLimits) -> PreparedTrack:
    """Check and decode the uploaded file at `path`, write a cue of exactly duration_s to `output`."""
    check_container(path, name, limits)
    track = decode(path, name, limits)
    source_s = len(track) / cue.SAMPLE_RATE
    frames, overlap = round(duration_s * cue.SAMPLE_RATE), round(limits.crossfade_s * cue.SAMPLE_RATE)
    looped, plays = loop_to_length(track, frames, overlap)
    del track
    written = cue.finish(looped, duration_s, limits.level_dbfs, output)
    log.info("prepared the user's track", extra={"plays": plays, "source_s": round(source_s, 3)})
    return PreparedTrack(written, source_s, plays)
