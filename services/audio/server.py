"""The audio service process: `python -m services.audio`."""

from __future__ import annotations

import grpc

from services.audio.backends import MusicEngine, SpeechEngine, make_music_engine, make_speech_engine
from services.audio.servicer import AudioServicer
from services.audio.settings import AudioSettings
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.grpckit import ServiceSpec, run_service
from storyreel.heap import fix_mmap_threshold
from storyreel.logs import configure_logging

SERVICE_NAME = audio_service_pb2.DESCRIPTOR.services_by_name["AudioService"].full_name


def build_specs(
    settings: AudioSettings, speech: SpeechEngine | None = None, music: MusicEngine | None = None
) -> list[ServiceSpec]:
    """The service, with the engines the settings name (or the ones given: tests bring their own)."""
    # Speech and music arrays would otherwise pile up in malloc's per-thread arenas (storyreel/heap.py).
    fix_mmap_threshold(settings.mmap_threshold_kb * 1024)
    servicer = AudioServicer(settings, speech or make_speech_engine(settings), music or make_music_engine(settings))

    def register(server: grpc.aio.Server) -> None:
        audio_service_pb2_grpc.add_AudioServiceServicer_to_server(servicer, server)

    return [ServiceSpec(SERVICE_NAME, register)]


def main() -> None:
    settings = AudioSettings()
    configure_logging("audio", settings.log_level)  # so the backend choice made while building is logged
    run_service("audio", settings, build_specs(settings))
