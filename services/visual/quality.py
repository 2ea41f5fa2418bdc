"""Is a generated clip worth keeping? Measures of the failures video models are known for.

The clip is decoded once by ffmpeg at a thumbnail size (64x36 grey, a few KB a frame), then
numpy measures every frame at once:
- mostly black: most frames darker than BLACK_LUMA on average (a NaN-ed VAE, a failed sampler);
- flat: most frames with almost no contrast (a single colour, a grey mush);
- frozen: the frames barely differ from one another (an image-to-video model that did not move).
Thresholds were set on the animatic's darkest shots (a stormy night passes) and on still, black
and single-colour clips ffmpeg makes (they fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyreel.media import SAFE_PROTOCOLS, run_tool

THUMB_W, THUMB_H = 64, 36
BLACK_LUMA = 12.0
"""Mean grey level (0-255) below which a frame counts as black."""
FLAT_CONTRAST = 3.0
"""Standard deviation of grey levels below which a frame counts as flat."""
FROZEN_MOTION = 0.25
"""Mean absolute grey-level change between neighbouring frames below which the clip is frozen."""
MOSTLY = 0.8


@dataclass(frozen=True)
class ClipStats:
    frames: int
    black_fraction: float
    flat_fraction: float
    motion: float
    """Mean absolute change between neighbouring frames, in grey levels (0 for a single frame)."""

    def problems(self) -> list[str]:
        """What is wrong with the clip, in words for the log (empty: keep it)."""
        found = []
        if self.black_fraction >= MOSTLY:
            found.append(f"mostly black ({self.black_fraction:.0%} of frames)")
        if self.flat_fraction >= MOSTLY:
            found.append(f"flat ({self.flat_fraction:.0%} of frames have no contrast)")
        if self.frames > 1 and self.motion < FROZEN_MOTION:
            found.append(f"frozen (frames change by {self.motion:.2f} grey levels)")
        return found


def thumbnails(clip: Path, timeout_s: float) -> np.ndarray:
    """Every frame of the clip (or the one picture), as a (frames, 36, 64) uint8 array."""
    raw = run_tool(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            *SAFE_PROTOCOLS,
            "-i",
            str(clip),
            "-vf",
            f"scale={THUMB_W}:{THUMB_H}:flags=area,format=gray",
            "-f",
            "rawvideo",
            "-",
        ],
        timeout_s,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, THUMB_H, THUMB_W)


def measure(clip: Path, timeout_s: float = 60.0) -> ClipStats:
    frames = thumbnails(clip, timeout_s).astype(np.float32)
    if len(frames) == 0:
        return ClipStats(0, 1.0, 1.0, 0.0)
    means = frames.mean(axis=(1, 2))
    contrast = frames.std(axis=(1, 2))
    motion = float(np.abs(np.diff(frames, axis=0)).mean()) if len(frames) > 1 else 0.0
    return ClipStats(
        frames=len(frames),
        black_fraction=float((means < BLACK_LUMA).mean()),
        flat_fraction=float((contrast < FLAT_CONTRAST).mean()),
        motion=motion,
    )
