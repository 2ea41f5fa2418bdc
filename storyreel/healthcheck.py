"""Container health probe: exit 0 when a gRPC server reports SERVING, 1 otherwise.

    python -m storyreel.healthcheck 127.0.0.1:50051 [service.full.Name]

Used by the services' Dockerfile HEALTHCHECK and Kubernetes probes (no grpc_health_probe binary
to download). It reads the shared settings, so with STORYREEL_TLS_* set it speaks TLS and shows
the client certificate a server that requires one asks for (health needs no token).
"""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from storyreel.grpckit import Security
from storyreel.settings import CommonSettings

__all__ = ["TIMEOUT_S", "is_serving", "main"]

TIMEOUT_S = 3.0


def _channel(target: str, security: Security) -> grpc.Channel:
    credentials = security.channel_credentials()
    if credentials is None:
        return grpc.insecure_channel(target)
    return grpc.secure_channel(target, credentials)


def is_serving(target: str, service: str = "", security: Security | None = None) -> bool:
    security = security if security is not None else Security.from_settings(CommonSettings())
    with _channel(target, security) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_S
            )
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    target, service = argv[0], argv[1] if len(argv) == 2 else ""
    return 0 if is_serving(target, service) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
