"""AudioService over gRPC: proto in, validated domain request, blocking backend in a worker
thread (at most `concurrency` at once), proto out. Files are written through the artifact
store, so a WAV under its final key is always complete.

Speak and ComposeMusic have streamed twins (SpeakStream, ComposeMusicStream) that do the same
work through the same coroutine and send an AudioProgress at least every `heartbeat_s` while
the call waits for a worker or works (the first call of a model backend may load it for
minutes), then the result as the last message. Errors end either kind of call with the same
status code. A call that is cancelled while it waits for a worker stops waiting; work already
in a thread cannot be interrupted, so it finishes and only then frees its worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import grpc

from services.audio import track
from services.audio.backends import MusicEngine, SpeechEngine
from services.audio.models import CastInput, MusicInput, PreparedTrack, SpeakInput, SpokenClip, TrackInput
from services.audio.progress import Progress, reporting_to
from services.audio.settings import AudioSettings
from storyreel.artifacts import ArtifactStore
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.convert import from_proto
from storyreel.errors import InvalidInput
from storyreel.logs import log_context

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

STARTING = "starting"
WAITING = "waiting for a free worker"


class AudioServicer(audio_service_pb2_grpc.AudioServiceServicer):  # type: ignore[misc]  # stubs untyped
    def __init__(self, settings: AudioSettings, speech: SpeechEngine, music: MusicEngine) -> None:
        self.store = ArtifactStore.from_settings(settings)
        self.speech = speech
        self.music = music
        self.max_music_s = settings.max_music_s
        self.heartbeat_s = settings.heartbeat_s
        self.track_limits = track.TrackLimits(
            settings.max_track_bytes, settings.track_crossfade_s, settings.music_level_dbfs, settings.tool_timeout_s
        )
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def _in_worker(self, work: Callable[[], T], progress: Progress, doing: str) -> T:
        """Run `work` in a thread once a worker slot is free. Cancelled while waiting, it stops
        waiting; cancelled while working, the thread keeps its slot until it ends."""
        if self._slots.locked():
            progress.message = WAITING
        await self._slots.acquire()
        progress.message = doing
        with reporting_to(progress):  # the task, and the thread it starts, copy this context
            task = asyncio.ensure_future(asyncio.to_thread(work))
        task.add_done_callback(self._free_slot)
        return await asyncio.shield(task)

    def _free_slot(self, task: asyncio.Future[Any]) -> None:
        self._slots.release()
        if not task.cancelled():
            task.exception()  # marks an error as seen: the caller gets it, or has gone and does not want it

    async def _beating(self, call: Coroutine[Any, Any, R], progress: Progress) -> AsyncIterator[R | Progress]:
        """The progress now and then every heartbeat_s while `call` runs, then its result (or its error)."""
        task = asyncio.ensure_future(call)
        try:
            while True:
                yield progress
                done, _ = await asyncio.wait({task}, timeout=self.heartbeat_s)
                if done:
                    break
            yield task.result()
        finally:
            task.cancel()  # the caller went away (or the result is out): stop waiting for a worker

    @staticmethod
    def _progress_message(progress: Progress) -> audio_service_pb2.AudioProgress:
        return audio_service_pb2.AudioProgress(elapsed_s=progress.elapsed_s(), message=progress.message)

    # ------------------------------------------------------------------ speech

    async def Speak(
        self, request: audio_service_pb2.SpeakRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.SpeakResponse:
        return await self._speak_reply(request, Progress(STARTING))

    async def SpeakStream(
        self, request: audio_service_pb2.SpeakStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[audio_service_pb2.SpeakStreamResponse]:
        progress = Progress(STARTING)
        async for event in self._beating(self._speak_reply(request.speak, progress), progress):
            if isinstance(event, Progress):
                yield audio_service_pb2.SpeakStreamResponse(progress=self._progress_message(event))
            else:
                yield audio_service_pb2.SpeakStreamResponse(result=event)

    async def _speak_reply(
        self, request: audio_service_pb2.SpeakRequest, progress: Progress
    ) -> audio_service_pb2.SpeakResponse:
        job = from_proto(request, SpeakInput)
        with log_context(shot_id=job.shot_id):
            clip = await self._in_worker(lambda: self._speak(job), progress, "speaking")
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

    # ------------------------------------------------------------------ music

    async def ComposeMusic(
        self, request: audio_service_pb2.ComposeMusicRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.ComposeMusicResponse:
        return await self._compose_reply(request, Progress(STARTING))

    async def ComposeMusicStream(
        self, request: audio_service_pb2.ComposeMusicStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[audio_service_pb2.ComposeMusicStreamResponse]:
        progress = Progress(STARTING)
        async for event in self._beating(self._compose_reply(request.compose, progress), progress):
            if isinstance(event, Progress):
                yield audio_service_pb2.ComposeMusicStreamResponse(progress=self._progress_message(event))
            else:
                yield audio_service_pb2.ComposeMusicStreamResponse(result=event)

    async def _compose_reply(
        self, request: audio_service_pb2.ComposeMusicRequest, progress: Progress
    ) -> audio_service_pb2.ComposeMusicResponse:
        job = from_proto(request, MusicInput)
        if job.duration_s > self.max_music_s:
            raise InvalidInput(f"duration_s {job.duration_s:.1f} is over the {self.max_music_s:.0f} s limit of one cue")
        with log_context(scene_id=job.scene_id or None):
            duration = await self._in_worker(lambda: self._compose(job), progress, "composing the music")
            log.info("scored %s music", job.mood.value, extra={"duration_s": round(duration, 3)})
        return audio_service_pb2.ComposeMusicResponse(audio=self.store.ref(job.output_key), duration_s=duration)

    def _compose(self, job: MusicInput) -> float:
        with self.store.writing(job.output_key) as tmp:
            return self.music.compose(job, tmp)

    # ------------------------------------------------------------------ voices

    async def CheckVoices(
        self, request: audio_service_pb2.CheckVoicesRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.CheckVoicesResponse:
        """The cast as the engine will speak it, without a worker slot: casting is quick and
        loads no model (espeak-ng lists its variants once), so the door is never kept waiting."""
        job = from_proto(request, CastInput)
        cast = await asyncio.to_thread(self.speech.cast_voices, job.characters, job.narrator_voice)
        return audio_service_pb2.CheckVoicesResponse(
            voices=[audio_service_pb2.CastVoice(speaker_id=speaker, voice=voice) for speaker, voice in cast.items()]
        )

    # ------------------------------------------------------------------ a user's track

    async def PrepareTrack(
        self, request: audio_service_pb2.PrepareTrackRequest, context: grpc.aio.ServicerContext
    ) -> audio_service_pb2.PrepareTrackResponse:
        job = from_proto(request, TrackInput)
        if job.duration_s > self.max_music_s:
            raise InvalidInput(f"duration_s {job.duration_s:.1f} is over the {self.max_music_s:.0f} s limit of one cue")
        upload = self.store.existing(job.input_key, "uploaded music file")
        prepared = await self._in_worker(lambda: self._prepare(job, upload), Progress(STARTING), "preparing the track")
        return audio_service_pb2.PrepareTrackResponse(
            audio=self.store.ref(job.output_key),
            duration_s=prepared.duration_s,
            source_duration_s=prepared.source_duration_s,
            plays=prepared.plays,
        )

    def _prepare(self, job: TrackInput, upload: Path) -> PreparedTrack:
        with self.store.writing(job.output_key) as tmp:
            return track.prepare(upload, PurePosixPath(job.input_key).name, job.duration_s, tmp, self.track_limits)
