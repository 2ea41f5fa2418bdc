"""Container health probe: exit 0 when a gRPC server reports SERVING, 1 otherwise.

    python -m storyreel.healthcheck 127.0.0.1:50051 [service.full.Name]

Used by the services' Dockerfile HEALTHCHECK and Kubernetes probes (no grpc_health_probe binary
to download).
"""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

TIMEOUT_S = 3.0


def is_serving(target: str, service: str = "") -> bool:
    with grpc.insecure_channel(target) as channel:
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
    return 0 if is_serving(*argv) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
