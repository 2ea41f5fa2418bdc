"""The two backend interfaces of the audio service: espeak-ng, piper and Parler-TTS speak;
fluidsynth, numpy and MusicGen compose. The servicer only knows these two methods. (A user's
own track is not an engine: services.audio.track prepares it for PrepareTrack.)"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from services.audio.models import MusicInput, SpeakInput, SpokenClip
from storyreel.domain import Character, Voice


class SpeechEngine(Protocol):
    def speak(self, request: SpeakInput, output: Path) -> SpokenClip:
        """Speak every line of one shot, in order, into one WAV at `output` (blocking)."""
        ...

    def cast_voices(self, characters: list[Character], narrator: Voice) -> dict[str, str]:
        """Each speaker's voice (the narrator under NARRATOR) as this engine will speak it, in
        words; InvalidInput for a voice id it lacks. Speaks nothing and loads no model."""
        ...


class MusicEngine(Protocol):
    def compose(self, request: MusicInput, output: Path) -> float:
        """Write a cue of exactly request.duration_s to `output` (blocking); return its real length."""
        ...
