"""AudioService over gRPC: proto in, validated domain request, blocking backend in a worker
thread (at most `concurrency` at once), proto out. Files are written through the artifact
store, so a WAV under its final key is always complete."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

import grpc

from services.audio import track
from services.audio.backends import MusicEngine, SpeechEngine
from services.audio.models import MusicInput, PreparedTrack, SpeakInput, SpokenClip, TrackInput
from services.audio.settings import AudioSettings
from storyreel.artifacts import ArtifactStore
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.convert import from_proto
from storyreel.errors import InvalidInput
from storyreel.logs import log_context

log = logging.getLogger(__name__)
T = TypeVar("T")


class AudioServicer(audio_service_pb2_grpc.AudioServiceServicer):  # type: ignore[misc]  # stubs untyped
    def __init__(self, settings: AudioSettings, speech: SpeechEngine, music: MusicEngine) -> None:
        self.store = ArtifactStore.from_settings(settings)
        self.speech = speech
        self.music = music
        self.max_music_s = settings.max_music_s
        self.track_limits = track.TrackLimits(
            settings.max_track_bytes, settings.track_crossfade_s, settings.music_level_dbfs, settings.tool_timeout_s
        )
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def _in_worker(self, work: Callable[[], T]) -> T:
        async with self._slots:
            return await asyncio.to_thread(work)

    async def Speak(
        self, request: audio_service_pb2.SpeakRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.SpeakResponse:
        job = from_proto(request, SpeakInput)
        with log_context(shot_id=job.shot_id):
            clip = await self._in_worker(lambda: self._speak(job))
            log.info("spoke the shot", extra={"lines": len(job.lines), "duration_s": round(clip.duration_s, 3)})
        timings = [
            audio_service_pb2.LineTiming(line_index=index, start_s=span.start_s, end_s=span.end_s)
            for index, span in enumerate(clip.spans)
        ]
        return audio_service_pb2.SpeakResponse(
            audio=self.store.ref(job.output_key), duration_s=clip.duration_s, timings=timings
        )

    def _speak(self, job: SpeakInput) -> SpokenClip:
        with self.store.writing(job.output_key) as tmp:
            return self.speech.speak(job, tmp)

    async def ComposeMusic(
        self, request: audio_service_pb2.ComposeMusicRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.ComposeMusicResponse:
        job = from_proto(request, MusicInput)
        if job.duration_s > self.max_music_s:
            raise InvalidInput(f"duration_s {job.duration_s:.1f} is over the {self.max_music_s:.0f} s limit of one cue")
        with log_context(scene_id=job.scene_id or None):
            duration = await self._in_worker(lambda: self._compose(job))
            log.info("scored %s music", job.mood.value, extra={"duration_s": round(duration, 3)})
        return audio_service_pb2.ComposeMusicResponse(audio=self.store.ref(job.output_key), duration_s=duration)

    def _compose(self, job: MusicInput) -> float:
        with self.store.writing(job.output_key) as tmp:
            return self.music.compose(job, tmp)

    async def PrepareTrack(
        self, request: audio_service_pb2.PrepareTrackRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.PrepareTrackResponse:
        job = from_proto(request, TrackInput)
        if job.duration_s > self.max_music_s:
            raise InvalidInput(f"duration_s {job.duration_s:.1f} is over the {self.max_music_s:.0f} s limit of one cue")
        upload = self.store.existing(job.input_key, "uploaded music file")
        prepared = await self._in_worker(lambda: self._prepare(job, upload))
        return audio_service_pb2.PrepareTrackResponse(
            audio=self.store.ref(job.output_key),
            duration_s=prepared.duration_s,
            source_duration_s=prepared.source_duration_s,
            plays=prepared.plays,
        )

    def _prepare(self, job: TrackInput, upload: Path) -> PreparedTrack:
        with self.store.writing(job.output_key) as tmp:
            return track.prepare(upload, PurePosixPath(job.input_key).name, job.duration_s, tmp, self.track_limits)
