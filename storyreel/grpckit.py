"""The gRPC server and client kit every service and the gateway use.

Server: health (grpc.health.v1, per service and ""), reflection, JSON logs with the caller's
job id, StoryreelError -> status code, graceful shutdown on SIGTERM (NOT_SERVING first, then
stop with a grace period). Client: channels whose service config retries UNAVAILABLE with
backoff; callers put a deadline on every call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
import pydantic
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from storyreel.errors import StoryreelError
from storyreel.logs import configure_logging, job_id_var, log_context, scene_id_var, shot_id_var
from storyreel.settings import ServiceSettings

log = logging.getLogger("storyreel.grpc")

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""Stories up to the size limit and their storyboards fit; media never travels in messages."""

# Call metadata that carries the caller's log context, so a service's log lines name the same
# job, scene and shot as the gateway's.
CONTEXT_METADATA = {
    "storyreel-job-id": job_id_var,
    "storyreel-scene-id": scene_id_var,
    "storyreel-shot-id": shot_id_var,
}

_MESSAGE_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
]


@dataclass(frozen=True)
class ServiceSpec:
    """One gRPC service a process hosts."""

    full_name: str
    register: Callable[[grpc.aio.Server], None]


# --------------------------------------------------------------------------- server


class _ContextAndErrors(grpc.aio.ServerInterceptor):  # type: ignore[misc]  # grpc ships no types
    """Sets the log context from metadata, logs each call, and maps exceptions to status codes."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        metadata = dict(handler_call_details.invocation_metadata or ())
        ids = {key: value for key, value in metadata.items() if key in CONTEXT_METADATA and isinstance(value, str)}
        behavior = handler.unary_unary

        async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
            with log_context(
                job_id=ids.get("storyreel-job-id"),
                scene_id=ids.get("storyreel-scene-id"),
                shot_id=ids.get("storyreel-shot-id"),
            ):
                started = time.perf_counter()
                code = grpc.StatusCode.OK
                try:
                    return await behavior(request, context)
                except StoryreelError as error:
                    code = error.grpc_code
                    await context.abort(code, str(error))
                except pydantic.ValidationError as error:
                    code = grpc.StatusCode.INVALID_ARGUMENT
                    await context.abort(code, f"invalid request: {error}")
                except (asyncio.CancelledError, grpc.aio.AbortError):
                    code = grpc.StatusCode.CANCELLED
                    raise
                except Exception as error:
                    code = grpc.StatusCode.INTERNAL
                    log.exception("unexpected error in %s", method)
                    await context.abort(code, f"internal error in {method}: {type(error).__name__}: {error}")
                finally:
                    log.info(
                        "rpc %s %s",
                        method,
                        code.name,
                        extra={"rpc": method, "code": code.name, "ms": round((time.perf_counter() - started) * 1000)},
                    )

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


@dataclass
class RunningServer:
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    service_names: tuple[str, ...]

    async def stop(self, grace_s: float) -> None:
        """Say NOT_SERVING so balancers stop sending, then let in-flight calls finish."""
        for name in ("", *self.service_names):
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self.server.stop(grace_s)


async def start_server(specs: Sequence[ServiceSpec], address: str) -> RunningServer:
    """Start a server hosting these services on address ("host:0" picks a free port)."""
    server = grpc.aio.server(interceptors=[_ContextAndErrors()], options=_MESSAGE_OPTIONS)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for spec in specs:
        spec.register(server)
    names = tuple(spec.full_name for spec in specs)
    reflection.enable_server_reflection((*names, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    await server.start()
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, port, health_servicer, names)


async def serve_until_signalled(specs: Sequence[ServiceSpec], address: str, grace_s: float) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    running = await start_server(specs, address)
    log.info("listening on %s", address, extra={"port": running.port, "services": list(running.service_names)})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down", extra={"grace_s": grace_s})
    await running.stop(grace_s)


# --------------------------------------------------------------------------- client


def retry_service_config(service_full_name: str, max_attempts: int = 4) -> str:
    """gRPC service config: retry UNAVAILABLE with exponential backoff for every method."""
    return json.dumps(
        {
            "methodConfig": [
                {
                    "name": [{"service": service_full_name}],
                    "retryPolicy": {
                        "maxAttempts": max_attempts,
                        "initialBackoff": "0.2s",
                        "maxBackoff": "3s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                }
            ]
        }
    )


def make_channel(target: str, service_full_name: str) -> grpc.aio.Channel:
    """An insecure channel to one service, with retries and large-message limits."""
    options = [
        *_MESSAGE_OPTIONS,
        ("grpc.enable_retries", 1),
        ("grpc.service_config", retry_service_config(service_full_name)),
    ]
    return grpc.aio.insecure_channel(target, options=options)


def context_metadata() -> tuple[tuple[str, str], ...]:
    """Call metadata naming the job, scene and shot of the current log context."""
    return tuple((key, value) for key, var in CONTEXT_METADATA.items() if (value := var.get()) is not None)


async def wait_serving(target: str, service_full_name: str = "", timeout_s: float = 20.0) -> None:
    """Wait until the server at target reports SERVING, or raise TimeoutError."""
    deadline = time.monotonic() + timeout_s
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(service=service_full_name), timeout=1.0)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{target} did not become SERVING within {timeout_s:.0f} s")
            await asyncio.sleep(0.1)


def run_service(service: str, settings: ServiceSettings, specs: Sequence[ServiceSpec]) -> None:
    """Entry point body of every service process: JSON logs, serve, shut down on SIGTERM."""
    configure_logging(service, settings.log_level)
    asyncio.run(serve_until_signalled(specs, settings.address, settings.shutdown_grace_s))
