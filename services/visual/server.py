"""Process entry point of the visual service: `python -m services.visual`."""

from __future__ import annotations

from services.visual.backends import make_backend
from services.visual.servicer import VisualServicer
from services.visual.settings import VisualSettings
from storyreel.artifacts import ArtifactStore
from storyreel.grpckit import ServiceSpec, run_service
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc

SERVICE_NAME = visual_service_pb2.DESCRIPTOR.services_by_name["VisualService"].full_name


def build_specs(settings: VisualSettings) -> list[ServiceSpec]:
    servicer = VisualServicer(settings, make_backend(settings), ArtifactStore.from_settings(settings))
    return [
        ServiceSpec(
            SERVICE_NAME, lambda server: visual_service_pb2_grpc.add_VisualServiceServicer_to_server(servicer, server)
        )
    ]


def main() -> None:
    settings = VisualSettings()
    run_service("visual", settings, build_specs(settings))
