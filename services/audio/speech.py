"""What every speech engine does with the lines it has voiced: level each one, join them with a
fixed pause, note where each sits, and write the shot's WAV.

Line times are counted in samples of the written file, so the subtitles cued from them sit
exactly on the speech. A line with nothing to say keeps its place as an empty span; a shot with
nothing to say at all is a short silence (the gateway speaks every shot).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from services.audio import pcm
from services.audio.models import LineSpan, SpokenClip

log = logging.getLogger(__name__)

RUN_GAP_S = 0.06
"""Between two pieces of one line (script runs, or the pieces a long line is split into): a breath, not a pause."""
EDGE_FADE_S = 0.005


def join_pieces(pieces: Sequence[pcm.Samples], rate: int) -> pcm.Samples:
    """One line from the pieces it was spoken in: each trimmed of its own leading and trailing
    silence, faded at its edges so the joins do not click, and joined with a breath. A piece
    with nothing in it is left out; no piece at all is an empty line."""
    gap = pcm.silence(round(RUN_GAP_S * rate))
    edge = round(EDGE_FADE_S * rate)
    joined: list[pcm.Samples] = []
    for piece in pieces:
        audio = pcm.trim_silence(piece, rate)
        if not audio.size:
            continue
        audio = audio.copy()
        pcm.fade(audio, edge, edge)
        joined.extend([gap, audio] if joined else [audio])
    return np.concatenate(joined) if joined else pcm.silence(0)


def write_shot(lines: Sequence[pcm.Samples], rate: int, pause_s: float, level_dbfs: float, output: Path) -> SpokenClip:
    """Join one shot's voiced lines (mono, at `rate`; levelled here, in place) into `output`."""
    pause = pcm.silence(round(pause_s * rate))
    pieces: list[pcm.Samples] = []
    spans: list[LineSpan] = []
    frames = 0
    for speech in lines:
        pcm.normalise(speech, rate, level_dbfs)
        if speech.size and frames:
            pieces.append(pause)
            frames += len(pause)
        spans.append(LineSpan(frames / rate, (frames + len(speech)) / rate))
        pieces.append(speech)
        frames += len(speech)
    if frames == 0:
        log.info("the shot has nothing to say; writing a short silence")
        pieces.append(pcm.silence(max(1, len(pause))))
    pcm.write_wav(output, np.concatenate(pieces), rate)
    return SpokenClip(pcm.wav_duration_s(output), spans)
