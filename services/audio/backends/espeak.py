"""Speech with espeak-ng: every line of a shot in its speaker's voice, in one normalised WAV.

Each line is cut into script runs (services.audio.text); each run is one espeak-ng call with
the voice of its language, text on stdin (never an argv word), WAV on stdout. Runs are trimmed
of espeak's own leading and trailing silence, faded at the edges so joins do not click, and
joined with a short breath (speech.join_pieces); services.audio.speech levels the lines and joins them.
"""

from __future__ import annotations

from pathlib import Path

from services.audio import pcm, speech, text, voices
from services.audio.models import SpeakInput, SpokenClip
from storyreel.domain import Character, Line, Voice
from storyreel.errors import BackendError, ToolFailed
from storyreel.media import run_tool

SAMPLE_RATE = 22050
"""espeak-ng's own rate; every espeak-ng speech WAV is mono 16-bit at this rate."""


class EspeakSpeech:
    def __init__(self, binary: str, line_pause_s: float, level_dbfs: float, timeout_s: float) -> None:
        self.binary = binary
        self.line_pause_s = line_pause_s
        self.level_dbfs = level_dbfs
        self.timeout_s = timeout_s
        self._variants: frozenset[str] | None = None

    def known_variants(self) -> frozenset[str]:
        """The variants this espeak-ng installation has (asked once)."""
        if self._variants is None:
            listing = run_tool([self.binary, "--voices=variant"], self.timeout_s).stdout.decode("utf-8", "replace")
            self._variants = voices.parse_variant_list(listing)
        return self._variants

    def cast(self, request: SpeakInput) -> dict[str, voices.EspeakVoice]:
        """The voice of every speaker of the request's lines (InvalidInput for one with no character)."""
        speakers = {line.speaker_id for line in request.lines}
        return voices.voices_by_speaker(request.characters, request.narrator_voice, speakers, self.known_variants())

    def cast_voices(self, characters: list[Character], narrator: Voice) -> dict[str, str]:
        cast = voices.cast(characters, narrator, self.known_variants())
        return {speaker: label(voice) for speaker, voice in cast.items()}

    def speak(self, request: SpeakInput, output: Path) -> SpokenClip:
        cast = self.cast(request)
        lines = [self.voice_line(index, line, cast[line.speaker_id]) for index, line in enumerate(request.lines)]
        return speech.write_shot(lines, SAMPLE_RATE, self.line_pause_s, self.level_dbfs, output)

    def voice_line(self, index: int, line: Line, voice: voices.EspeakVoice) -> pcm.Samples:
        """One line at SAMPLE_RATE, every script run in its own language; empty when unspeakable."""
        runs = text.split_runs(line.text, text.spoken_language(line.language))
        pieces: list[pcm.Samples] = []
        for run in filter(lambda run: text.speakable(run.text), runs):
            try:
                pieces.append(self._synthesise(text.prepare(run.text, run.language), voice.name(run.language), voice))
            except ToolFailed as error:
                raise ToolFailed(f"espeak-ng could not speak line {index} ({run.language} run): {error}") from error
        return speech.join_pieces(pieces, SAMPLE_RATE)

    def _synthesise(self, words: str, voice_name: str, voice: voices.EspeakVoice) -> pcm.Samples:
        argv = [
            self.binary, "-v", voice_name, "-p", str(voice.pitch), "-s", str(voice.rate_wpm),
            "-b", "1", "--stdout", "--stdin",
        ]  # fmt: skip
        result = run_tool(argv, self.timeout_s, stdin=(words + "\n").encode("utf-8"))
        samples, rate = pcm.parse_wav_bytes(result.stdout)
        if rate != SAMPLE_RATE:
            raise BackendError(f"espeak-ng wrote {rate} Hz audio; this service expects {SAMPLE_RATE} Hz")
        return samples


def label(voice: voices.EspeakVoice) -> str:
    """A cast voice in words, as CheckVoices reports it."""
    return f"espeak-ng {voice.variant}, pitch {voice.pitch}, {voice.rate_wpm} wpm"
