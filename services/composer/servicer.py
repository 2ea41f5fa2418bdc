"""ComposerService over gRPC: proto -> domain, the blocking backend in a worker thread (a bounded
number at once), domain -> proto."""

from __future__ import annotations

import asyncio
import logging

import grpc

from services.composer.backends import Composer
from services.composer.models import ComposeRequest
from storyreel.artifacts import ArtifactStore
from storyreel.composer.v1 import composer_service_pb2, composer_service_pb2_grpc
from storyreel.convert import from_proto

log = logging.getLogger(__name__)


class ComposerServicer(composer_service_pb2_grpc.ComposerServiceServicer):  # type: ignore[misc]
    def __init__(self, backend: Composer, store: ArtifactStore, concurrency: int) -> None:
        self.backend = backend
        self.store = store
        self.slots = asyncio.Semaphore(concurrency)

    async def Compose(
        self, request: composer_service_pb2.ComposeRequest, context: grpc.aio.ServicerContext
    ) -> composer_service_pb2.ComposeResponse:
        compose_request = from_proto(request, ComposeRequest)
        log.info("compose", extra={"shots": len(compose_request.shots), "music_cues": len(compose_request.music)})
        async with self.slots:
            film = await asyncio.to_thread(self.backend.compose, compose_request)
        video, srt = await asyncio.to_thread(lambda: (self.store.ref(film.video_key), self.store.ref(film.srt_key)))
        return composer_service_pb2.ComposeResponse(video=video, srt=srt, duration_s=film.duration_s)
