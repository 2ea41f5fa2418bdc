"""Backend choice: the settings name an engine for speech and one for music."""

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


def make_speech_engine(settings: AudioSettings) -> SpeechEngine:
    match settings.speech_backend:
        case SpeechBackend.ESPEAK:
            return EspeakSpeech(
                settings.espeak_binary, settings.line_pause_s, settings.speech_level_dbfs, settings.tool_timeout_s
            )


def fluidsynth_available(settings: AudioSettings) -> bool:
    return shutil.which(settings.fluidsynth_binary) is not None and settings.soundfont.is_file()


def make_music_engine(settings: AudioSettings) -> MusicEngine:
    """fluidsynth or numpy; `auto` takes fluidsynth when both the program and the soundfont are there."""
    choice = settings.music_backend
    if choice == MusicBackend.AUTO:
        choice = MusicBackend.FLUIDSYNTH if fluidsynth_available(settings) else MusicBackend.NUMPY
        log.info("music backend auto: using %s", choice.value, extra={"soundfont": str(settings.soundfont)})
    if choice == MusicBackend.FLUIDSYNTH:
        return FluidsynthMusic(
            settings.fluidsynth_binary, settings.soundfont, settings.music_level_dbfs, settings.tool_timeout_s
        )
    return NumpyMusic(settings.music_level_dbfs)
