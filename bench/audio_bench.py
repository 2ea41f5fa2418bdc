"""Real-time factor of the audio service's backends that this machine can run.

python -m bench.audio_bench [--music-s 30] [--repeat 2]
    speech: the same English and Hindi paragraphs through espeak-ng, piper (the `piper` extra)
    and a tiny random Parler-TTS (the `tts-gpu` extra); music: a cue of --music-s seconds per
    renderer (fluidsynth, numpy, a tiny random MusicGen) and a user's track looped to that
    length. Prints one row per backend: audio seconds made, wall seconds (best of --repeat,
    model loading excluded and shown apart), and the real-time factor (audio s / wall s; above
    1 is faster than real time). A backend whose extra is missing is listed as skipped.

The tiny models measure the backends' own overhead and the generation loop, not a real
model's speed: a real Parler-TTS or MusicGen wants a GPU.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from services.audio import track
from services.audio.backends.base import MusicEngine, SpeechEngine
from services.audio.backends.espeak import EspeakSpeech
from services.audio.backends.fluidsynth import FluidsynthMusic
from services.audio.backends.numpy_synth import NumpyMusic
from services.audio.models import MusicInput, SpeakInput
from storyreel.domain import Language, Line, Mood
from storyreel.errors import BackendError

ENGLISH = [
    "Old Meera lived by the river, at the edge of the village.",
    "Every evening she climbed the hill with her lantern and hung it on the old banyan tree.",
    "The fishermen said that on the darkest nights the light brought them home.",
]
HINDI = [
    "गाँव के बाहर एक पुराना कुआँ था, और उसके पास एक छोटा सा मंदिर।",
    "दादी हर शाम वहाँ दीपक जलाती थीं, चाहे आँधी हो या बारिश।",
    "लोग कहते थे कि उस दीपक की रोशनी में रास्ता कभी नहीं भटकता।",
]
SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
T = TypeVar("T")
FALLS_BACK_TO_ESPEAK = {("piper", Language.HI): "(piper has no Hindi: espeak-ng speaks it)"}


@dataclass(frozen=True)
class Row:
    backend: str
    what: str
    audio_s: float
    wall_s: float
    load_s: float = 0.0
    note: str = ""
    """Why the row was not measured."""
    comment: str = ""

    def line(self) -> str:
        if self.note:
            return f"{self.backend:<16} {self.what:<12} {'':>8} {'':>8} {'':>8} {'':>9}  {self.note}"
        factor = self.audio_s / self.wall_s if self.wall_s else float("inf")
        return (
            f"{self.backend:<16} {self.what:<12} {self.audio_s:>8.1f} {self.wall_s:>8.2f} "
            f"{self.load_s:>8.2f} {factor:>8.1f}x  {self.comment}"
        ).rstrip()


HEADER = f"{'backend':<16} {'what':<12} {'audio s':>8} {'wall s':>8} {'load s':>8} {'x real':>9}"


def best_of(repeat: int, work: Callable[[], float]) -> tuple[float, float]:
    """(audio seconds, the fastest wall seconds) over `repeat` runs of work()."""
    times, audio_s = [], 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        audio_s = work()
        times.append(time.perf_counter() - start)
    return audio_s, min(times)


def speech_rows(name: str, make: Callable[[], SpeechEngine], folder: Path, repeat: int) -> list[Row]:
    start = time.perf_counter()
    try:
        engine = make()
        engine.speak(_shot(ENGLISH[:1], Language.EN), folder / "warm.wav")  # loads a model on first use
    except BackendError as error:
        return [Row(name, "speech", 0, 0, note=f"skipped: {str(error)[:70]}")]
    load_s = time.perf_counter() - start
    rows = []
    for what, lines, language in (("speech en", ENGLISH, Language.EN), ("speech hi", HINDI, Language.HI)):
        output = folder / f"{name}-{language}.wav"
        audio_s, wall_s = best_of(repeat, lambda: engine.speak(_shot(lines, language), output).duration_s)  # noqa: B023
        spoken_by = FALLS_BACK_TO_ESPEAK.get((name, language), "")
        rows.append(Row(name, what, audio_s, wall_s, load_s, comment=spoken_by))
    return rows


def music_row(name: str, make: Callable[[], MusicEngine], folder: Path, seconds: float, repeat: int) -> Row:
    start = time.perf_counter()
    try:
        engine = make()
        engine.compose(MusicInput(mood=Mood.CALM, duration_s=1.0, output_key="m.wav"), folder / "warm.wav")
    except BackendError as error:
        return Row(name, "music", 0, 0, note=f"skipped: {str(error)[:70]}")
    load_s = time.perf_counter() - start
    request = MusicInput(mood=Mood.EPIC, duration_s=seconds, seed=1, output_key="m.wav")
    audio_s, wall_s = best_of(repeat, lambda: engine.compose(request, folder / f"{name}.wav"))
    return Row(name, "music", audio_s, wall_s, load_s)


def track_row(folder: Path, seconds: float, repeat: int) -> Row:
    """A 20 s song (an mp3 a user uploads) decoded, checked, looped and levelled to `seconds`."""
    song = folder / "song.wav"
    NumpyMusic(-18.0).compose(MusicInput(mood=Mood.HAPPY, duration_s=20.0, output_key="s.wav"), song)
    limits = track.TrackLimits(max_bytes=100_000_000, crossfade_s=3.0, level_dbfs=-20.0, timeout_s=120)
    output = folder / "track.wav"
    audio_s, wall_s = best_of(repeat, lambda: track.prepare(song, "song.wav", seconds, output, limits).duration_s)
    return Row("user track", "music", audio_s, wall_s)


def _shot(lines: list[str], language: Language) -> SpeakInput:
    return SpeakInput(shot_id="b", lines=[Line(text=text, language=language) for text in lines], output_key="b.wav")


def _espeak() -> EspeakSpeech:
    return EspeakSpeech("espeak-ng", 0.3, -20.0, 120)


def _piper() -> SpeechEngine:
    from services.audio.backends.piper import PiperSpeech

    return PiperSpeech(_espeak(), None)


def _parler(folder: Path, line_s: float) -> SpeechEngine:
    from services.audio import tiny
    from services.audio.backends.parler import ParlerOptions, ParlerSpeech

    model = tiny.build_parler(folder / "tiny-parler")
    return ParlerSpeech(_espeak(), ParlerOptions(str(model), "auto", True, max_line_s=line_s))


def _musicgen(folder: Path) -> MusicEngine:
    from services.audio import tiny
    from services.audio.backends.musicgen import MusicgenOptions, TransformersMusicgen

    model = tiny.build_musicgen(folder / "tiny-musicgen")
    return TransformersMusicgen(MusicgenOptions(str(model), "auto", 30.0, 10.0, -20.0))


def _optional(make: Callable[[], T]) -> Callable[[], T]:
    """An engine whose library may be missing: ImportError becomes the BackendError rows report."""

    def made() -> T:
        try:
            return make()
        except ImportError as error:
            raise BackendError(f"not installed ({error.name})") from None

    return made


def run(args: argparse.Namespace, folder: Path) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the tiny models are built here; nothing to download
    rows = speech_rows("espeak-ng", _espeak, folder, args.repeat)
    rows += speech_rows("piper", _optional(_piper), folder, args.repeat)
    rows += speech_rows("parler-tiny", _optional(lambda: _parler(folder, args.parler_line_s)), folder, args.repeat)
    fluidsynth = FluidsynthMusic("fluidsynth", SOUNDFONT, -20.0, 600)
    rows.append(music_row("fluidsynth", lambda: fluidsynth, folder, args.music_s, args.repeat))
    rows.append(music_row("numpy", lambda: NumpyMusic(-20.0), folder, args.music_s, args.repeat))
    rows.append(music_row("musicgen-tiny", _optional(lambda: _musicgen(folder)), folder, args.music_s, args.repeat))
    rows.append(track_row(folder, args.music_s, args.repeat))
    return rows


def report(rows: list[Row]) -> str:
    return "\n".join([HEADER, *(row.line() for row in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--music-s", type=float, default=30.0, help="length of each music cue")
    parser.add_argument("--repeat", type=int, default=2, help="runs per row; the fastest counts")
    parser.add_argument(
        "--parler-line-s", type=float, default=6.0, help="longest line the tiny Parler-TTS makes (it never stops early)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audio-bench-") as folder:
        print(report(run(args, Path(folder))))
    print(f"\n{os.cpu_count()} cores; the tiny models measure the backends' overhead, not a real model's speed")


if __name__ == "__main__":
    main()
