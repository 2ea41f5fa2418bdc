"""Small numpy helpers for PCM audio.

Samples are float32 in [-1, 1], shaped (frames,) for mono or (frames, channels); files are
16-bit PCM WAV. Levels are in dBFS (0 dBFS is a full-scale sine's peak). A music cue can be
many minutes of stereo, so the level and fade helpers work in place and files are written
in chunks: a cue costs about one float copy of itself in memory, not several.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storyreel.errors import BackendError

Samples = npt.NDArray[np.float32]

PEAK_CEILING_DBFS = -1.0
"""No sample we write is louder than this: headroom for the composer's resampling and mixing."""
_ACTIVE_FLOOR_DBFS = -45.0
_BLOCK_S = 0.02
_WRITE_CHUNK_FRAMES = 1 << 18


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def from_int16(raw: bytes, channels: int) -> Samples:
    pcm = np.frombuffer(raw, dtype="<i2", count=len(raw) // (2 * channels) * channels)
    samples: Samples = np.multiply(pcm, np.float32(1 / 32768), dtype=np.float32)
    return samples if channels == 1 else samples.reshape(-1, channels)


def parse_wav_bytes(data: bytes) -> tuple[Samples, int]:
    """Mono 16-bit WAV bytes from a pipe, whose header sizes may be placeholders (espeak-ng --stdout)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise BackendError("expected a WAV stream, got something else")
    channels = int.from_bytes(data[22:24], "little")
    rate = int.from_bytes(data[24:28], "little")
    bits = int.from_bytes(data[34:36], "little")
    start = data.find(b"data", 12)
    if start < 0 or channels != 1 or bits != 16:
        raise BackendError(f"expected a mono 16-bit WAV stream (channels={channels}, bits={bits})")
    return from_int16(data[start + 8 :], 1), rate


def read_wav(path: Path) -> tuple[Samples, int]:
    """A 16-bit PCM WAV file as float samples and its sample rate."""
    with wave.open(str(path), "rb") as reader:
        if reader.getsampwidth() != 2:
            raise BackendError(f"{path.name}: expected 16-bit PCM, got {8 * reader.getsampwidth()}-bit")
        raw = reader.readframes(reader.getnframes())
        return from_int16(raw, reader.getnchannels()), reader.getframerate()


def write_wav(path: Path, samples: Samples, rate: int) -> None:
    """Write 16-bit PCM; samples beyond full scale are clipped (normalise first so none are)."""
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1 if samples.ndim == 1 else samples.shape[1])
        writer.setsampwidth(2)
        writer.setframerate(rate)
        for start in range(0, len(samples), _WRITE_CHUNK_FRAMES):
            scaled = samples[start : start + _WRITE_CHUNK_FRAMES] * np.float32(32767)
            np.round(scaled, out=scaled)
            np.clip(scaled, -32768, 32767, out=scaled)
            writer.writeframes(scaled.astype("<i2").tobytes())


def wav_duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


def silence(frames: int, channels: int = 1) -> Samples:
    shape: tuple[int, ...] = (frames,) if channels == 1 else (frames, channels)
    return np.zeros(shape, dtype=np.float32)


def trim_silence(samples: Samples, rate: int, floor_dbfs: float = -50.0, margin_s: float = 0.01) -> Samples:
    """Cut the near-silent frames at both ends, keeping a few ms so no consonant is clipped."""
    magnitude = np.abs(samples)
    loud = np.flatnonzero((magnitude if magnitude.ndim == 1 else magnitude.max(axis=1)) > db_to_gain(floor_dbfs))
    if loud.size == 0:
        return samples[:0]
    margin = int(margin_s * rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + 1 + margin]


def fade(samples: Samples, in_frames: int, out_frames: int) -> None:
    """Raised-cosine fade in and out, in place, so a cut never clicks."""
    total = len(samples)
    for frames, at_start in ((min(in_frames, total), True), (min(out_frames, total), False)):
        if frames <= 0:
            continue
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, frames))).astype(np.float32)
        if samples.ndim == 2:
            ramp = ramp[:, None]
        if at_start:
            samples[:frames] *= ramp
        else:
            samples[total - frames :] *= ramp[::-1]


def active_rms(samples: Samples, rate: int) -> float:
    """RMS over the 20 ms blocks that are not near-silent: the level of the sound itself, pauses excluded."""
    block = max(1, int(_BLOCK_S * rate))
    usable = len(samples) - len(samples) % block
    if usable == 0:
        return 0.0
    blocks = samples[:usable].reshape(usable // block, -1)
    squares = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64) / blocks.shape[1]  # no squared copy
    active = squares[squares > db_to_gain(_ACTIVE_FLOOR_DBFS) ** 2]
    return float(np.sqrt(active.mean())) if active.size else 0.0


def peak(samples: Samples) -> float:
    return float(max(samples.max(initial=0.0), -samples.min(initial=0.0)))


def normalise(samples: Samples, rate: int, target_dbfs: float) -> None:
    """Scale in place to a target active RMS, or less where the peak would pass the ceiling."""
    level, top = active_rms(samples, rate), peak(samples)
    if level > 0.0 and top > 0.0:
        samples *= np.float32(min(db_to_gain(target_dbfs) / level, db_to_gain(PEAK_CEILING_DBFS) / top))


def fit_length(samples: Samples, frames: int) -> Samples:
    """Exactly `frames` long: cut the end off, or pad it with silence."""
    if len(samples) >= frames:
        return samples[:frames]
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    return np.concatenate([samples, silence(frames - len(samples), channels)])


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """Band-limited resampling of a short mono clip (one spoken line) through its spectrum.

    Exact for speech-length clips and free of the images linear interpolation leaves; not for
    long music (the FFT of a whole cue would cost memory).
    """
    if from_rate == to_rate or samples.size == 0:
        return samples
    frames = round(len(samples) * to_rate / from_rate)
    spectrum = np.fft.rfft(samples.astype(np.float64))
    resampled = np.fft.irfft(spectrum, n=frames) * (frames / len(samples))
    return resampled.astype(np.float32)


def crossfade(before: Samples, after: Samples, frames: int, equal_power: bool = True) -> Samples:
    """`before` then `after`, the last `frames` of one overlapping the first of the other.

    Equal-power (sine/cosine) ramps keep two unrelated sounds (a track's end and its start) at
    one loudness through the join; linear ramps that sum to one are right for two renderings of
    the same sound (a window's re-decoded context), which equal power would swell by 3 dB.
    """
    frames = min(frames, len(before), len(after))
    if frames == 0:
        return np.concatenate([before, after])
    if equal_power:
        angle = np.linspace(0.0, np.pi / 2, frames, dtype=np.float32)
        fade_in, fade_out = np.sin(angle), np.cos(angle)
    else:
        fade_in = np.linspace(0.0, 1.0, frames, dtype=np.float32)
        fade_out = 1 - fade_in
    if before.ndim == 2:
        fade_in, fade_out = fade_in[:, None], fade_out[:, None]
    joined = before[len(before) - frames :] * fade_out + after[:frames] * fade_in
    return np.concatenate([before[: len(before) - frames], joined, after[frames:]])
