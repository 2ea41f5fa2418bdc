"""Backend choice: the settings name an engine for speech and one for music.

Only the chosen engine's module does any heavy import (piper, torch, transformers, parler_tts),
and only when it is made or first used: the default install never needs them.

MusicGen runs through transformers only. An audiocraft engine was removed: audiocraft pins its own
torch (2.1), which cannot install beside the torch that Parler-TTS and transformers 4.46.1 run on,
so it could run in no image this project builds.
"""

from __future__ import annotations

import logging
import shutil

from services.audio.backends.base import MusicEngine, SpeechEngine
from services.audio.backends.espeak import EspeakSpeech
from services.audio.backends.fluidsynth import FluidsynthMusic
from services.audio.backends.numpy_synth import NumpyMusic
from services.audio.settings import AudioSettings, MusicBackend, SpeechBackend

log = logging.getLogger(__name__)

__all__ = ["MusicEngine", "SpeechEngine", "make_music_engine", "make_speech_engine"]


def make_espeak(settings: AudioSettings) -> EspeakSpeech:
    return EspeakSpeech(
        settings.espeak_binary, settings.line_pause_s, settings.speech_level_dbfs, settings.tool_timeout_s
    )


def make_speech_engine(settings: AudioSettings) -> SpeechEngine:
    espeak = make_espeak(settings)
    match settings.speech_backend:
        case SpeechBackend.ESPEAK:
            return espeak
        case SpeechBackend.PIPER:
            from services.audio.backends.piper import PiperSpeech  # imports piper

            return PiperSpeech(espeak, settings.piper_model)
        case SpeechBackend.PARLER:
            from services.audio.backends.parler import ParlerOptions, ParlerSpeech

            options = ParlerOptions(
                settings.parler_model, settings.device, settings.parler_speaks_hindi, settings.parler_max_s,
                settings.parler_dtype, settings.parler_attention, settings.parler_description_tokenizer,
                settings.parler_speakers, settings.parler_narrator,
            )  # fmt: skip
            return ParlerSpeech(espeak, options)


def fluidsynth_available(settings: AudioSettings) -> bool:
    return shutil.which(settings.fluidsynth_binary) is not None and settings.soundfont.is_file()


def make_musicgen(settings: AudioSettings) -> MusicEngine:
    from services.audio.backends.musicgen import MusicgenOptions, TransformersMusicgen

    options = MusicgenOptions(
        settings.musicgen_model, settings.device, settings.musicgen_window_s, settings.musicgen_context_s,
        settings.music_level_dbfs,
    )  # fmt: skip
    return TransformersMusicgen(options)


def make_music_engine(settings: AudioSettings) -> MusicEngine:
    """fluidsynth, numpy or MusicGen; `auto` takes fluidsynth when both the program and the soundfont are there."""
    choice = settings.music_backend
    if choice == MusicBackend.MUSICGEN:
        return make_musicgen(settings)
    if choice == MusicBackend.AUTO:
        choice = MusicBackend.FLUIDSYNTH if fluidsynth_available(settings) else MusicBackend.NUMPY
        log.info("music backend auto: using %s", choice.value, extra={"soundfont": str(settings.soundfont)})
    if choice == MusicBackend.FLUIDSYNTH:
        return FluidsynthMusic(
            settings.fluidsynth_binary, settings.soundfont, settings.music_level_dbfs, settings.tool_timeout_s
        )
    return NumpyMusic(settings.music_level_dbfs)
