"""The planner process: `python -m services.planner` serves PlannerService on its configured address."""

from __future__ import annotations

import grpc

from services.planner.backends import make_backend
from services.planner.servicer import PlannerServicer
from services.planner.settings import PlannerSettings
from storyreel.grpckit import ServiceSpec, run_service
from storyreel.planner.v1 import planner_service_pb2, planner_service_pb2_grpc

SERVICE_NAME = planner_service_pb2.DESCRIPTOR.services_by_name["PlannerService"].full_name


def build_specs(settings: PlannerSettings) -> list[ServiceSpec]:
    servicer = PlannerServicer(make_backend(settings), settings)

    def register(server: grpc.aio.Server) -> None:
        planner_service_pb2_grpc.add_PlannerServiceServicer_to_server(servicer, server)

    return [ServiceSpec(SERVICE_NAME, register)]


def main() -> None:
    settings = PlannerSettings()
    run_service("planner", settings, build_specs(settings))
