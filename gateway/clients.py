"""gRPC stubs for the four services, and the translation of their failures into words."""

from __future__ import annotations

from enum import StrEnum

import grpc

from gateway.settings import GatewaySettings
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.composer.v1 import composer_service_pb2, composer_service_pb2_grpc
from storyreel.grpckit import Security, make_channel
from storyreel.planner.v1 import planner_service_pb2, planner_service_pb2_grpc
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc


async def describe_visual_backend(
    stub: visual_service_pb2_grpc.VisualServiceStub, request: visual_service_pb2.DescribeBackendRequest,
    timeout_s: float, metadata: tuple[tuple[str, str], ...] = (),
) -> visual_service_pb2.DescribeBackendResponse:
    """DescribeBackend, or from a visual service older than that RPC (UNIMPLEMENTED) the empty
    answer: continues_from_previous_clip false, so the gateway renders as it did before the RPC
    (side by side, no previous clip) and such a service's clips keep their hashes."""
    try:
        reply: visual_service_pb2.DescribeBackendResponse = await stub.DescribeBackend(
            request, timeout=timeout_s, metadata=metadata
        )
    except grpc.aio.AioRpcError as error:
        if error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise
        return visual_service_pb2.DescribeBackendResponse()
    return reply


class ServiceName(StrEnum):
    PLANNER = "planner"
    AUDIO = "audio"
    VISUAL = "visual"
    COMPOSER = "composer"


def _full_name(module: object, service: str) -> str:
    return str(module.DESCRIPTOR.services_by_name[service].full_name)  # type: ignore[attr-defined]


class Services:
    """One channel per service, opened once per gateway process; each call carries the shared
    service token, and goes over TLS, when the settings give them (storyreel.grpckit.Security)."""

    def __init__(self, settings: GatewaySettings) -> None:
        security = Security.from_settings(settings)
        self.addresses = {
            ServiceName.PLANNER: settings.planner_address,
            ServiceName.AUDIO: settings.audio_address,
            ServiceName.VISUAL: settings.visual_address,
            ServiceName.COMPOSER: settings.composer_address,
        }
        self._channels = {
            ServiceName.PLANNER: make_channel(
                settings.planner_address, _full_name(planner_service_pb2, "PlannerService"), security
            ),
            ServiceName.AUDIO: make_channel(
                settings.audio_address, _full_name(audio_service_pb2, "AudioService"), security
            ),
            ServiceName.VISUAL: make_channel(
                settings.visual_address, _full_name(visual_service_pb2, "VisualService"), security
            ),
            ServiceName.COMPOSER: make_channel(
                settings.composer_address, _full_name(composer_service_pb2, "ComposerService"), security
            ),
        }
        self.planner = planner_service_pb2_grpc.PlannerServiceStub(self._channels[ServiceName.PLANNER])
        self.audio = audio_service_pb2_grpc.AudioServiceStub(self._channels[ServiceName.AUDIO])
        self.visual = visual_service_pb2_grpc.VisualServiceStub(self._channels[ServiceName.VISUAL])
        self.composer = composer_service_pb2_grpc.ComposerServiceStub(self._channels[ServiceName.COMPOSER])

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()

    def explain(self, service: ServiceName, error: grpc.aio.AioRpcError, timeout_s: float, job_id: str) -> str:
        """A failed call, in words that say what to do about it."""
        code, details = error.code(), error.details() or ""
        address = self.addresses[service]
        if code == grpc.StatusCode.UNAVAILABLE:
            return f"the {service} service at {address} is unreachable (is it running?): {details}"
        if code == grpc.StatusCode.UNAUTHENTICATED:
            return (f"the {service} service at {address} refused the gateway's call: {details} "
                    "(STORYREEL_SERVICE_TOKEN must be the same for the gateway and every service)")
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return f"the {service} service at {address} did not answer within {timeout_s:.0f} s"
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED:  # the service's disk is full (storyreel.errors.DiskFull)
            return (
                f"the {service} service at {address} is out of room: {details}. The job keeps everything it "
                f"finished: once there is room, POST /v1/jobs/{job_id}/render resumes it from there"
            )
        if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
            return details
        return f"the {service} service failed ({code.name}): {details}"
