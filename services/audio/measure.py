"""Measurements of what a listener notices, used by the tests and bench/audio_bench.py to check
the service's output rather than its code: a voice's pitch and timbre, and the level of music
over time (a silent gap, a click, a loop).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.audio import pcm

_VOICED_RMS = 0.02
_BANDS = np.geomspace(4, 512, 25).astype(int)
"""FFT bins (of 1024) that bound 24 log-spaced bands, about 86 Hz to 11 kHz at 22.05 kHz."""
MIN_PITCH_RATIO = 1.12
"""About two semitones: two voices this far apart in median pitch are told apart at once."""
MIN_TIMBRE_DB = 2.5
"""RMS difference of long-term spectra (dB over 24 bands) that separates two voices of one pitch."""


def median_pitch_hz(samples: pcm.Samples, rate: int) -> float:
    """Median fundamental over voiced 40 ms frames, by autocorrelation (60-400 Hz); 0 if none."""
    size = int(0.04 * rate)
    low, high = rate // 400, rate // 60
    pitches = []
    for start in range(0, len(samples) - size, size // 2):
        frame = samples[start : start + size] - samples[start : start + size].mean()
        if np.sqrt(np.mean(frame**2)) < _VOICED_RMS:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1 :]
        lag = low + int(np.argmax(correlation[low:high]))
        if correlation[lag] > 0.3 * correlation[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches)) if pitches else 0.0


def timbre_db(samples: pcm.Samples) -> npt.NDArray[np.float64]:
    """Long-term average spectrum of the voiced frames in 24 log bands, in dB relative to its total."""
    size = 1024
    frames = np.lib.stride_tricks.sliding_window_view(samples, size)[:: size // 2]
    frames = frames[np.sqrt((frames**2).mean(axis=1)) > _VOICED_RMS]
    magnitude = np.abs(np.fft.rfft(frames * np.hanning(size), axis=1)).mean(axis=0)
    bands = np.add.reduceat(magnitude, _BANDS)
    return np.asarray(20 * np.log10(bands / bands.sum()), dtype=np.float64)


def voices_differ(first: pcm.Samples, second: pcm.Samples, rate: int) -> bool:
    """Whether two recordings of speech sound like two people: pitch apart, or timbre apart."""
    pitches = sorted((median_pitch_hz(first, rate), median_pitch_hz(second, rate)))
    if pitches[0] > 0 and pitches[1] / pitches[0] >= MIN_PITCH_RATIO:
        return True
    difference = timbre_db(first) - timbre_db(second)
    return float(np.sqrt(np.mean(difference**2))) >= MIN_TIMBRE_DB


def block_dbfs(samples: pcm.Samples, rate: int, block_s: float = 0.05) -> npt.NDArray[np.float64]:
    """RMS level of consecutive blocks (all channels together), in dBFS; -120 for digital silence."""
    block = max(1, round(block_s * rate))
    usable = len(samples) - len(samples) % block
    blocks = samples[:usable].reshape(usable // block, -1).astype(np.float64)
    rms = np.sqrt(np.mean(blocks**2, axis=1))
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-6)), dtype=np.float64)


def sharpest_edge(samples: pcm.Samples) -> float:
    """The largest second difference of the waveform. Music, band-limited and smooth at the
    sample scale, keeps it small; a click (a jump where two sounds are butted together) shows
    as an edge several times larger than anything in the music around it."""
    return float(np.abs(np.diff(samples, n=2, axis=0)).max(initial=0.0))


def loop_similarity(samples: pcm.Samples, rate: int, min_lag_s: float = 2.0) -> float:
    """How much of a cue repeats itself sample for sample: the highest normalised autocorrelation
    (0-1) of its waveform at any lag of min_lag_s or more (with min_lag_s of overlap). Audio
    looped every few seconds reaches 1 at the loop's length; music that develops stays well
    below, even where a chord progression comes round again. Costs an FFT of twice the cue."""
    mono = (samples.mean(axis=1) if samples.ndim == 2 else samples).astype(np.float64)
    frames = len(mono)
    size = 1 << (2 * frames - 1).bit_length()
    spectrum = np.fft.rfft(mono, size)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum), size)[:frames]
    energy = np.cumsum(mono**2)
    lags = np.arange(frames)
    head = energy[frames - 1 - lags]  # energy of mono[: frames - lag]
    tail = energy[-1] - np.concatenate([[0.0], energy[:-1]])  # energy of mono[lag:]
    normalised = correlation / np.sqrt(np.maximum(head * tail, 1e-12))
    first, last = round(min_lag_s * rate), frames - round(min_lag_s * rate)
    return float(normalised[first:last].max(initial=0.0))
