"""ComposerService over gRPC: proto -> domain, the blocking backend in a worker thread (a bounded
number at once), domain -> proto."""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

import grpc

from services.composer.backends import Composer
from services.composer.models import ComposedFilm, ComposeRequest, Film, FinishRequest, Prepared, PrepareRequest
from storyreel.artifacts import ArtifactStore
from storyreel.composer.v1 import composer_service_pb2, composer_service_pb2_grpc
from storyreel.convert import from_proto, proto_enum_value, to_proto
from storyreel.profiles import ProfileName
from storyreel.storyboard.v1 import finish_pb2

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Film)
_PROFILE_PREFIX = "PROFILE_NAME_"


def profile_name_from_proto(number: int) -> ProfileName | None:
    """PROFILE_NAME_HD720 -> ProfileName.HD720; unspecified -> None. (storyreel.convert matches
    enums with the shared domain's, which does not hold the composer's own.)"""
    name = composer_service_pb2.ProfileName.Name(number).removeprefix(_PROFILE_PREFIX)
    return None if name == "UNSPECIFIED" else ProfileName[name]


def request_from_proto(message: composer_service_pb2.ComposeRequest) -> ComposeRequest:
    """The validated request; the profile name (an enum member by construction) is set apart."""
    return _film_from_proto(message, ComposeRequest)


def prepare_from_proto(message: composer_service_pb2.PrepareRequest) -> PrepareRequest:
    """The validated Prepare request (its film's outputs are not read)."""
    return PrepareRequest(film=_film_from_proto(message.film, Film), sound_complete=message.sound_complete)


def finish_from_proto(message: composer_service_pb2.FinishRequest) -> FinishRequest:
    """The validated Finish request (its film's clips, speech, music and outputs are not read)."""
    return FinishRequest(film=_film_from_proto(message.film, Film))


def _film_from_proto(message: composer_service_pb2.ComposeRequest, model: type[F]) -> F:
    plain = composer_service_pb2.ComposeRequest()
    plain.CopyFrom(message)
    plain.ClearField("profile_name")
    request = from_proto(plain, model)
    return request.model_copy(update={"profile_name": profile_name_from_proto(message.profile_name)})


class ComposerServicer(composer_service_pb2_grpc.ComposerServiceServicer):  # type: ignore[misc]
    def __init__(self, backend: Composer, store: ArtifactStore, concurrency: int) -> None:
        self.backend = backend
        self.store = store
        self.slots = asyncio.Semaphore(concurrency)

    async def Compose(
        self, request: composer_service_pb2.ComposeRequest, context: grpc.aio.ServicerContext
    ) -> composer_service_pb2.ComposeResponse:
        compose_request = request_from_proto(request)
        log.info("compose", extra={"shots": len(compose_request.shots), "music_cues": len(compose_request.music)})
        async with self.slots:
            film = await asyncio.to_thread(self.backend.compose, compose_request)
        return await asyncio.to_thread(self._response, film)

    async def Prepare(
        self, request: composer_service_pb2.PrepareRequest, context: grpc.aio.ServicerContext
    ) -> composer_service_pb2.PrepareResponse:
        prepare_request = prepare_from_proto(request)
        async with self.slots:
            prepared: Prepared = await asyncio.to_thread(self.backend.prepare, prepare_request)
        log.info(
            "prepared",
            extra={
                "segments": prepared.segments,
                "segments_ready": prepared.segments_ready,
                "segments_made": prepared.segments_made,
                "sound_ready": prepared.sound_ready,
            },
        )
        return composer_service_pb2.PrepareResponse(
            segments=prepared.segments,
            segments_ready=prepared.segments_ready,
            segments_made=prepared.segments_made,
            sound_ready=prepared.sound_ready,
        )

    async def Finish(
        self, request: composer_service_pb2.FinishRequest, context: grpc.aio.ServicerContext
    ) -> composer_service_pb2.FinishResponse:
        finish_request = finish_from_proto(request)
        # No slot: it reads no file and runs no tool (a few ms per hundred shots).
        finishes = await asyncio.to_thread(self.backend.finish, finish_request)
        return composer_service_pb2.FinishResponse(
            shots=[
                composer_service_pb2.ShotFinish(shot_id=shot_id, finish=to_proto(finish, finish_pb2.ClipFinish))
                for shot_id, finish in finishes
            ]
        )

    def _response(self, film: ComposedFilm) -> composer_service_pb2.ComposeResponse:
        """References (size and sha256: reads every byte, so off the event loop) to the outputs."""
        return composer_service_pb2.ComposeResponse(
            video=self.store.ref(film.video_key),
            srt=self.store.ref(film.srt_key),
            vtt=self.store.ref(film.vtt_key) if film.vtt_key else None,
            duration_s=film.duration_s,
            profile=to_proto(film.profile, composer_service_pb2.OutputProfile),
            subtitles=proto_enum_value(film.subtitles, composer_service_pb2.SubtitleMode),
        )
