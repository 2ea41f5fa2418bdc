"""Settings of the audio service (env prefix STORYREEL_AUDIO_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class SpeechBackend(StrEnum):
    ESPEAK = "espeak"


class MusicBackend(StrEnum):
    AUTO = "auto"
    """fluidsynth when the program and the soundfont are present, numpy synthesis otherwise."""
    FLUIDSYNTH = "fluidsynth"
    NUMPY = "numpy"


class AudioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_AUDIO_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50052", description="host:port the gRPC server listens on.")
    speech_backend: SpeechBackend = Field(default=SpeechBackend.ESPEAK, description="Engine that speaks lines.")
    music_backend: MusicBackend = Field(
        default=MusicBackend.AUTO, description="auto, fluidsynth or numpy: how the procedural score is rendered."
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
    tool_timeout_s: float = Field(default=120.0, gt=0, description="Time limit of one espeak-ng or fluidsynth run.")
