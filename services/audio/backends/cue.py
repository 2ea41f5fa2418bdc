"""What every procedural music renderer does to its raw audio before writing it."""

from __future__ import annotations

from pathlib import Path

from services.audio import pcm

SAMPLE_RATE = 44100
"""Every music cue is 16-bit stereo at this rate."""
FADE_IN_S = 0.5
FADE_OUT_S = 1.0
"""Short enough that a crossfade at a scene join never dips to silence, long enough not to click."""


def finish(raw: pcm.Samples, duration_s: float, level_dbfs: float, output: Path) -> float:
    """Cut to exactly duration_s, level what is kept, fade both ends, write; return the written length.

    Works in place on `raw` (the renderer's own buffer), so a long cue is not copied.
    """
    frames = round(duration_s * SAMPLE_RATE)
    cut = pcm.fit_length(raw, frames)
    pcm.normalise(cut, SAMPLE_RATE, level_dbfs)
    pcm.fade(cut, min(round(FADE_IN_S * SAMPLE_RATE), frames // 4), min(round(FADE_OUT_S * SAMPLE_RATE), frames // 4))
    pcm.write_wav(output, cut, SAMPLE_RATE)
    return pcm.wav_duration_s(output)
