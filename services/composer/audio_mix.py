"""The film's audio, made by ffmpeg runs that stream, so memory stays flat for any length:

1. per segment, the speech of its shots laid end to end (each padded with silence or cut to
   exactly its shot's samples) into one WAV part;
2. per segment, the premix: the speech part levelled to a reference loudness (measured over
   the whole film), the music under that segment with each cue levelled to sit music_level_lu
   under the speech, ducked under speech (sidechaincompress), written as float so nothing clips;
3. once, the master: the premix parts joined (concat demuxer), their integrated loudness
   measured (ebur128), one fixed gain to the target, a limiter under the ceiling, AAC.

Why not loudnorm: it resamples to 192 kHz and on 2 cores cost 3.5 s per 2 minutes of film
(more than the AAC encode), while ebur128 measures in 0.2 s; and a fixed gain keeps speech
dynamics natural where loudnorm's dynamic mode pumps. The result is checked against the
target afterwards either way.

Filter strings here hold only stream indexes and numbers; files come in through argv.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.composer.ffsyntax import file_url
from services.composer.settings import AacCoder
from services.composer.timeline import AUDIO_RATE
from storyreel.errors import InvalidInput
from storyreel.media import SAFE_PROTOCOLS

MUSIC_FADE_S = 1.0
"""Shortest fade at a cue's ends; where cues overlap, the fades span the overlap (a crossfade)."""
MAX_CROSSFADE_S = 5.0
"""Adjacent cues may overlap by up to this (the caller's crossfade); more is a caller's mistake."""
_DUCKING = "sidechaincompress=threshold=0.01:ratio=4:attack=20:release=400"
"""With speech levelled to SPEECH_REFERENCE_LUFS, speech peaks some 20 dB over this threshold, which
at 4:1 pulls the music about 15 dB down while anyone speaks."""


@dataclass(frozen=True)
class SpeechSlot:
    """A shot's speech (None: the shot is silent) and how many samples the shot lasts."""

    path: Path | None
    samples: int


def speech_part_filter(slots: Sequence[SpeechSlot]) -> str:
    chains: list[str] = []
    next_input = 0
    for number, slot in enumerate(slots):
        if slot.path is None:
            source = f"anullsrc=r={AUDIO_RATE}:cl=mono"
        else:
            source = f"[{next_input}:a]aresample={AUDIO_RATE},aformat=sample_fmts=s16:channel_layouts=mono,apad"
            next_input += 1
        chains.append(f"{source},atrim=end_sample={slot.samples}[s{number}]")
    joined = "".join(f"[s{number}]" for number in range(len(slots)))
    return ";".join([*chains, f"{joined}concat=n={len(slots)}:v=0:a=1[speech]"])


def speech_part_argv(slots: Sequence[SpeechSlot], out: Path) -> list[str]:
    """ffmpeg arguments that write the slots' speech, end to end, as one mono WAV."""
    inputs = [arg for slot in slots if slot.path for arg in (*SAFE_PROTOCOLS, "-i", file_url(slot.path))]
    graph = speech_part_filter(slots)
    return [*inputs, "-filter_complex", graph, "-map", "[speech]", "-c:a", "pcm_s16le", "-f", "wav", file_url(out)]


SPEECH_REFERENCE_LUFS = -20.0
"""Speech is levelled to this in the premix (float, so headroom is free); the master then moves
everything to the film's target together."""
SILENCE_LUFS = -60.0
MAX_GAIN_DB = 40.0


def gain_to(target_lufs: float, measured_lufs: float) -> float:
    """The gain that brings audio measured at measured_lufs to target_lufs. Silence gets none: there
    is nothing to level, and blowing up its noise would not help."""
    if measured_lufs <= SILENCE_LUFS:
        return 0.0
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target_lufs - measured_lufs))


@dataclass(frozen=True)
class PlacedCue:
    """A music cue's file, where it goes on the film, and the gain that sets its level."""

    path: Path
    start_s: float
    duration_s: float
    gain_db: float = 0.0


@dataclass(frozen=True)
class MusicSlot:
    """A music file on the film: it plays for play_samples from start_sample, then silence until the
    next cue of its layer (slot_samples in all)."""

    path: Path
    start_sample: int
    play_samples: int
    slot_samples: int
    gain_db: float = 0.0
    fade_in_s: float = MUSIC_FADE_S
    fade_out_s: float = MUSIC_FADE_S


LAYERS = 2
"""Cues alternate between two layers that are mixed, so adjacent cues can overlap and crossfade."""


def _overlaps(ordered: Sequence[PlacedCue]) -> list[float]:
    """How long each cue overlaps the next (0 where they touch or leave a gap)."""
    overlaps = []
    for before, after in itertools.pairwise(ordered):
        overlap = max(0.0, before.start_s + before.duration_s - after.start_s)
        if overlap > MAX_CROSSFADE_S or overlap >= min(before.duration_s, after.duration_s) / 2:
            raise InvalidInput(
                f"music cues overlap too much: the cue at {before.start_s} s runs until "
                f"{before.start_s + before.duration_s} s but the next one starts at {after.start_s} s "
                f"(a crossfade may be up to {MAX_CROSSFADE_S:g} s and under half a cue)"
            )
        overlaps.append(overlap)
    return [*overlaps, 0.0]


def music_layers(cues: Sequence[PlacedCue], total_samples: int) -> list[list[MusicSlot]]:
    """Cues in film order, each cut at the film's end (cues that start after it are dropped), dealt
    alternately into LAYERS layers. Where a cue overlaps the next, its fade-out and the next one's
    fade-in span the overlap: a crossfade, with no gap or dip in the music at a scene change."""
    ordered = sorted((cue for cue in cues if round(cue.start_s * AUDIO_RATE) < total_samples), key=lambda c: c.start_s)
    out_fades = [max(MUSIC_FADE_S, overlap) for overlap in _overlaps(ordered)]
    in_fades = [MUSIC_FADE_S, *out_fades[:-1]]
    layers: list[list[MusicSlot]] = []
    for layer in range(min(LAYERS, len(ordered))):
        picked = list(range(layer, len(ordered), LAYERS))
        starts = [round(ordered[i].start_s * AUDIO_RATE) for i in picked]
        ends = [*starts[1:], total_samples]
        layers.append([
            MusicSlot(ordered[i].path, start, min(round(ordered[i].duration_s * AUDIO_RATE), end - start),
                      end - start, ordered[i].gain_db, in_fades[i], out_fades[i])
            for i, start, end in zip(picked, starts, ends, strict=True)
        ])
    return layers


@dataclass(frozen=True)
class MusicPiece:
    """The part of a music slot inside one segment: samples [first, last) counted from the slot's start."""

    slot: MusicSlot
    first: int
    last: int


def pieces_within(slots: Sequence[MusicSlot], start: int, end: int) -> tuple[int, list[MusicPiece]]:
    """The music under film samples [start, end): how much silence comes before it, and the pieces of
    the slots that overlap the window (slots tile the film from the first cue on, so pieces are
    contiguous)."""
    pieces = []
    for slot in slots:
        first = max(start, slot.start_sample) - slot.start_sample
        last = min(end, slot.start_sample + slot.slot_samples) - slot.start_sample
        if first < last:
            pieces.append(MusicPiece(slot, first, last))
    lead = pieces[0].slot.start_sample + pieces[0].first - start if pieces else end - start
    return lead, pieces


def _music_chain(input_index: int, piece: MusicPiece, label: str) -> str:
    """A cue levelled, faded at its own start and end, padded to its slot, then cut to the piece.
    Cutting last keeps the fades where they belong when a cue spans two segments."""
    slot = piece.slot
    play_s = slot.play_samples / AUDIO_RATE
    fade_in_s, fade_out_s = min(slot.fade_in_s, play_s / 4), min(slot.fade_out_s, play_s / 4)
    return (
        f"[{input_index}:a]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"volume={slot.gain_db:.2f}dB,atrim=end_sample={slot.play_samples},afade=t=in:d={fade_in_s:.4f},"
        f"afade=t=out:st={play_s - fade_out_s:.4f}:d={fade_out_s:.4f},apad,"
        f"atrim=start_sample={piece.first}:end_sample={piece.last},asetpts=PTS-STARTPTS{label}"
    )


LayerPieces = tuple[int, Sequence[MusicPiece]]
"""One layer's music under a segment: the silence before it, then its pieces (pieces_within)."""


def _music_bed(lead: int, pieces: Sequence[MusicPiece], first_input: int, name: str) -> list[str]:
    """Chains ending in [name]: leading silence, then each piece (inputs first_input...)."""
    chains: list[str] = []
    if lead > 0:
        chains.append(f"anullsrc=r={AUDIO_RATE}:cl=stereo,atrim=end_sample={lead}[{name}lead]")
    chains += [_music_chain(first_input + n, piece, f"[{name}m{n}]") for n, piece in enumerate(pieces)]
    labels = (f"[{name}lead]" if lead > 0 else "") + "".join(f"[{name}m{n}]" for n in range(len(pieces)))
    count = len(pieces) + (1 if lead > 0 else 0)
    chains.append(f"{labels}concat=n={count}:v=0:a=1[{name}]")
    return chains


def _music_beds(layers: Sequence[LayerPieces]) -> list[str]:
    """Chains ending in [bed]: each layer's bed (inputs 1..n, layer after layer), mixed."""
    chains: list[str] = []
    names, first_input = [], 1
    for number, (lead, pieces) in enumerate(layers):
        names.append(f"bed{number}")
        chains += _music_bed(lead, pieces, first_input, names[-1])
        first_input += len(pieces)
    if len(names) == 1:
        return [*chains, f"[{names[0]}]anull[bed]"]
    mixed = "".join(f"[{name}]" for name in names)
    return [*chains, f"{mixed}amix=inputs={len(names)}:duration=first:normalize=0[bed]"]


def premix_filter(layers: Sequence[LayerPieces], voice_gain_db: float) -> str:
    """A segment's speech (input 0, at voice_gain_db) with its music ducked under it, as float stereo
    (no clipping yet). Each piece carries its cue's gain."""
    voice = (
        f"[0:a]aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo,volume={voice_gain_db:.2f}dB"
    )
    layers = [(lead, pieces) for lead, pieces in layers if pieces]
    if not layers:
        return f"{voice}[premix]"
    return ";".join(
        [
            f"{voice},asplit=2[voice][key]",
            *_music_beds(layers),
            f"[bed][key]{_DUCKING}[ducked]",
            "[voice][ducked]amix=inputs=2:duration=first:normalize=0[premix]",
        ]
    )


def premix_argv(speech_part: Path, layers: Sequence[LayerPieces], voice_gain_db: float, out: Path) -> list[str]:
    """ffmpeg arguments that mix one segment's speech with its music into a float WAV. Working per
    segment keeps the number of open inputs, and so memory, the same for any length of film."""
    pieces = [piece for _, layer in layers for piece in layer]
    music_inputs = [arg for piece in pieces for arg in (*SAFE_PROTOCOLS, "-i", file_url(piece.slot.path))]
    return [
        *SAFE_PROTOCOLS, "-i", file_url(speech_part),
        *music_inputs,
        "-filter_complex", premix_filter(layers, voice_gain_db), "-map", "[premix]",
        "-c:a", "pcm_f32le", "-f", "wav", file_url(out),
    ]  # fmt: skip


@dataclass(frozen=True)
class Master:
    """The last audio step: a fixed gain to the loudness target, a peak limiter, AAC."""

    gain_db: float
    true_peak_db: float
    total_samples: int
    bitrate_kbps: int
    aac_coder: AacCoder = AacCoder.FAST


TRUE_PEAK_MARGIN_DB = 0.5
"""The limiter sees samples, not the peaks between them; this margin keeps those under the ceiling."""


def master_filter(master: Master) -> str:
    limit = 10 ** ((master.true_peak_db - TRUE_PEAK_MARGIN_DB) / 20)
    return (
        f"volume={master.gain_db:.2f}dB,"
        f"alimiter=limit={limit:.4f}:attack=5:release=50:level=false,"
        f"apad,atrim=end_sample={master.total_samples}"
    )


def master_argv(premix_list: Path, master: Master, out: Path) -> list[str]:
    """ffmpeg arguments that join the premix parts (an ffconcat list), bring them to the loudness
    target and encode them as AAC."""
    return [
        *SAFE_PROTOCOLS, "-f", "concat", "-safe", "1", "-i", file_url(premix_list), "-af", master_filter(master),
        "-c:a", "aac", "-aac_coder", master.aac_coder.value, "-b:a", f"{master.bitrate_kbps}k",
        "-f", "mp4", file_url(out),
    ]  # fmt: skip
