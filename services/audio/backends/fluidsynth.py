"""Music with fluidsynth: the mood's score written as a MIDI file (mido) and played through a
General MIDI soundfont, then levelled and cut to the exact length (backends.cue)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import mido

from services.audio import pcm, score
from services.audio.backends import cue
from services.audio.models import MusicInput
from storyreel.errors import BackendError
from storyreel.media import run_tool

TICKS_PER_BEAT = 480
CHANNELS = {score.Part.PAD: 0, score.Part.BASS: 1, score.Part.MELODY: 2, score.Part.ACCENT: 3}
PAN = {score.Part.PAD: 64, score.Part.BASS: 60, score.Part.MELODY: 76, score.Part.ACCENT: 52}
"""MIDI pan (0 left, 64 centre, 127 right): the tune a little right, so parts do not sit on each other."""
REVERB_SEND = 60
FLUIDSYNTH_GAIN = "0.6"


def _ticks(seconds: float, tempo_bpm: float) -> int:
    return round(seconds * tempo_bpm / 60.0 * TICKS_PER_BEAT)


def _setup(part: score.Part, program: int, volume: int) -> list[mido.Message]:
    channel = CHANNELS[part]
    return [
        mido.Message("program_change", channel=channel, program=program),
        mido.Message("control_change", channel=channel, control=7, value=volume),
        mido.Message("control_change", channel=channel, control=10, value=PAN[part]),
        mido.Message("control_change", channel=channel, control=91, value=REVERB_SEND),
    ]


def to_midi(music: score.Score) -> mido.MidiFile:
    """One track: set-up messages, then every note on and off in time order (delta ticks)."""
    style = music.style
    events: list[tuple[int, int, mido.Message]] = []
    for note in music.notes:
        channel = CHANNELS[note.part]
        start = _ticks(note.start_s, style.tempo_bpm)
        end = max(start + 1, _ticks(note.start_s + note.length_s, style.tempo_bpm))
        # Offs sort before ons at the same tick, so a repeated pitch is released before it sounds again.
        events.append((start, 1, mido.Message("note_on", channel=channel, note=note.pitch, velocity=note.velocity)))
        events.append((end, 0, mido.Message("note_off", channel=channel, note=note.pitch, velocity=0)))
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(style.tempo_bpm))])
    for part, program in style.programs.items():
        track.extend(_setup(part, program, 100 if part == score.Part.MELODY else 90))
    now = 0
    for tick, _, message in sorted(events, key=lambda event: (event[0], event[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    midi = mido.MidiFile(ticks_per_beat=TICKS_PER_BEAT)
    midi.tracks.append(track)
    return midi


class FluidsynthMusic:
    def __init__(self, binary: str, soundfont: Path, level_dbfs: float, timeout_s: float) -> None:
        self.binary = binary
        self.soundfont = soundfont.resolve()
        self.level_dbfs = level_dbfs
        self.timeout_s = timeout_s

    def compose(self, request: MusicInput, output: Path) -> float:
        if not self.soundfont.is_file():
            raise BackendError(f"soundfont {self.soundfont} is missing (set STORYREEL_AUDIO_SOUNDFONT)")
        music = score.compose(request.mood, request.seed, request.duration_s)
        with tempfile.TemporaryDirectory(prefix="storyreel-music-") as folder:
            midi_path, wav_path = Path(folder) / "score.mid", Path(folder) / "score.wav"
            to_midi(music).save(midi_path)
            argv = [
                self.binary, "-ni", "-q", "-g", FLUIDSYNTH_GAIN, "-r", str(cue.SAMPLE_RATE),
                "-T", "wav", "-O", "s16", "-F", str(wav_path), str(self.soundfont), str(midi_path),
            ]
            run_tool(argv, self.timeout_s)
            raw, rate = pcm.read_wav(wav_path)
        if rate != cue.SAMPLE_RATE or raw.ndim != 2:
            raise BackendError(f"fluidsynth wrote {rate} Hz, shape {raw.shape}; expected stereo {cue.SAMPLE_RATE} Hz")
        return cue.finish(raw, request.duration_s, self.level_dbfs, output)
