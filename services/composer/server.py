"""The composer process: `python -m services.composer` serves ComposerService on settings.address."""

from __future__ import annotations

import logging

import grpc

from services.composer.backends import make_backend
from services.composer.scratch import sweep
from services.composer.servicer import ComposerServicer
from services.composer.settings import ComposerSettings
from storyreel.artifacts import ArtifactStore
from storyreel.composer.v1 import composer_service_pb2, composer_service_pb2_grpc
from storyreel.grpckit import ServiceSpec, run_service
from storyreel.logs import configure_logging

log = logging.getLogger(__name__)
SERVICE_NAME = composer_service_pb2.DESCRIPTOR.services_by_name["ComposerService"].full_name


def build_specs(settings: ComposerSettings) -> list[ServiceSpec]:
    servicer = ComposerServicer(make_backend(settings), ArtifactStore.from_settings(settings), settings.concurrency)

    def register(server: grpc.aio.Server) -> None:
        composer_service_pb2_grpc.add_ComposerServiceServicer_to_server(servicer, server)

    return [ServiceSpec(SERVICE_NAME, register)]


def main() -> None:
    settings = ComposerSettings()
    configure_logging("composer", settings.log_level)
    freed = sweep(settings.scratch_root(), settings.scratch_unowned_after_s)  # a dead composer's, mid-film
    log.info("swept stale scratch", extra={"bytes": freed})
    run_service("composer", settings, build_specs(settings))
