"""Small real audio files for tests, made in Python (no ffmpeg): what the door accepts as music."""

from __future__ import annotations

import math
import struct


def tiny_wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV of a quiet 440 Hz tone."""
    frames = round(seconds * rate)
    samples = b"".join(struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(frames))
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(samples), b"WAVE", b"fmt ", 16, 1, 1, rate,
                         rate * 2, 2, 16, b"data", len(samples))
    return header + samples
