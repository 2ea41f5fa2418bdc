"""The gRPC server and client kit every service and the gateway use.

Server: health (grpc.health.v1, per service and ""), reflection, JSON logs with the caller's
job id, StoryreelError -> status code, graceful shutdown on SIGTERM (NOT_SERVING first, then
stop with a grace period). Client: channels whose service config retries UNAVAILABLE with
backoff; callers put a deadline on every call.

Security (both optional, see Security): a shared token that every call carries in its metadata
(the server refuses calls without it, UNAUTHENTICATED, but answers health checks so probes
still work), and TLS, mutual when the server is given a CA to check client certificates with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pydantic
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from storyreel.errors import DiskFull, StoryreelError, is_disk_full
from storyreel.logs import configure_logging, job_id_var, log_context, scene_id_var, shot_id_var
from storyreel.metrics import RPC_IN_FLIGHT, record_rpc, serve_metrics
from storyreel.settings import CommonSettings, ServiceSettings

__all__ = [
    "CONTEXT_METADATA",
    "MAX_MESSAGE_BYTES",
    "TOKEN_METADATA",
    "RunningServer",
    "Security",
    "ServiceSpec",
    "context_metadata",
    "make_channel",
    "open_channel",
    "retry_service_config",
    "run_service",
    "serve_until_signalled",
    "start_server",
    "validation_words",
    "wait_serving",
]

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


TOKEN_METADATA = "authorization"
"""Call metadata that carries the shared service token, as 'Bearer <token>'."""
_OPEN_METHODS = (f"/{health.SERVICE_NAME}/",)
"""Methods any caller may use without the token: health checks (load balancers, probes)."""


@dataclass(frozen=True)
class Security:
    """Who may call a service, and how a client proves it: a shared token (empty: none), and TLS
    files. A server with a certificate and key listens with TLS, and with a CA it requires a
    client certificate signed by it. A client with a CA (or a certificate) connects with TLS,
    checking the server against the CA and presenting its certificate when it has one."""

    token: str = ""
    cert_file: Path | None = None
    key_file: Path | None = None
    ca_file: Path | None = None

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> Security:
        return cls(settings.service_token, settings.tls_cert_file, settings.tls_key_file, settings.tls_ca_file)

    def server_credentials(self) -> grpc.ServerCredentials | None:
        if self.cert_file is None or self.key_file is None:
            return None
        ca = _read(self.ca_file)
        return grpc.ssl_server_credentials(
            [(self.key_file.read_bytes(), self.cert_file.read_bytes())],
            root_certificates=ca, require_client_auth=ca is not None,
        )

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        if self.ca_file is None and self.cert_file is None:
            return None
        return grpc.ssl_channel_credentials(
            root_certificates=_read(self.ca_file), private_key=_read(self.key_file),
            certificate_chain=_read(self.cert_file),
        )


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None else None


@dataclass(frozen=True)
class ServiceSpec:
    """One gRPC service a process hosts."""

    full_name: str
    register: Callable[[grpc.aio.Server], None]


# --------------------------------------------------------------------------- server


class _CallScope:
    """What every RPC gets, unary or streaming: the caller's log context, a log line and metrics
    at the end, and StoryreelError / ValidationError / crashes turned into status codes."""

    def __init__(self, method: str, metadata: dict[str, Any]) -> None:
        self.method = method
        self.ids = {key: value for key, value in metadata.items() if key in CONTEXT_METADATA and isinstance(value, str)}
        self.code = grpc.StatusCode.OK

    def context(self) -> contextlib.AbstractContextManager[None]:
        return log_context(
            job_id=self.ids.get("storyreel-job-id"),
            scene_id=self.ids.get("storyreel-scene-id"),
            shot_id=self.ids.get("storyreel-shot-id"),
        )

    async def fail(self, error: BaseException, context: grpc.aio.ServicerContext) -> None:
        """Abort the call with the status code the error stands for (re-raises cancellation)."""
        if isinstance(error, asyncio.CancelledError | grpc.aio.AbortError | GeneratorExit):
            self.code = grpc.StatusCode.CANCELLED
            raise error
        if is_disk_full(error):  # a write outside the artifact store (scratch, temp files)
            error = _disk_full(self.method, error)
        if isinstance(error, StoryreelError):
            self.code, message = error.grpc_code, str(error)
        elif isinstance(error, pydantic.ValidationError):
            self.code, message = grpc.StatusCode.INVALID_ARGUMENT, validation_words(error)
        else:
            self.code = grpc.StatusCode.INTERNAL
            log.exception("unexpected error in %s", self.method)
            message = f"internal error in {self.method}: {type(error).__name__}: {error}"
        await context.abort(self.code, message)

    def finish(self, started: float) -> None:
        seconds = time.perf_counter() - started
        record_rpc(self.method, self.code.name, seconds)
        log.info("rpc %s %s", self.method, self.code.name,
                 extra={"rpc": self.method, "code": self.code.name, "ms": round(seconds * 1000)})


def validation_words(error: pydantic.ValidationError) -> str:
    """A request pydantic refused, as a sentence: what is wrong and where, never the raw dump
    ("invalid ComposeRequest: shots[2].cues[0]: subtitle cue ends at 5.1 s, not after its start")."""
    problems = error.errors(include_url=False, include_context=False, include_input=False)
    first = problems[0]
    place = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    what = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    more = len(problems) - 1
    rest = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"invalid {error.title}: {place + ': ' if place else ''}{what}{rest}"


def _disk_full(method: str, error: BaseException) -> DiskFull:
    """An OSError saying the disk is full, as a DiskFull naming the call and the file."""
    strerror, filename = getattr(error, "strerror", None), getattr(error, "filename", None)
    where = f" writing {filename}" if filename else ""
    name = method.rsplit("/", 1)[-1]
    return DiskFull(f"{name} ran out of disk space{where}: {strerror}; free some space, then ask again")


class _ContextAndErrors(grpc.aio.ServerInterceptor):  # type: ignore[misc]  # grpc ships no types
    """Wraps every unary and server-streaming handler in a _CallScope."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        metadata = dict(handler_call_details.invocation_metadata or ())
        if handler is not None and handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                _guard_unary(handler.unary_unary, method, metadata),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler is not None and handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                _guard_stream(handler.unary_stream, method, metadata),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler


def _guard_unary(behavior: Any, method: str, metadata: dict[str, Any]) -> Any:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
        scope = _CallScope(method, metadata)
        with scope.context():
            started = time.perf_counter()
            RPC_IN_FLIGHT.labels(method).inc()
            try:
                return await behavior(request, context)
            except BaseException as error:
                await scope.fail(error, context)
            finally:
                RPC_IN_FLIGHT.labels(method).dec()
                scope.finish(started)

    return guarded


def _guard_stream(behavior: Any, method: str, metadata: dict[str, Any]) -> Any:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        scope = _CallScope(method, metadata)
        with scope.context():
            started = time.perf_counter()
            RPC_IN_FLIGHT.labels(method).inc()
            try:
                async for reply in behavior(request, context):
                    yield reply
            except BaseException as error:
                await scope.fail(error, context)
            finally:
                RPC_IN_FLIGHT.labels(method).dec()
                scope.finish(started)

    return guarded


class _RequireToken(grpc.aio.ServerInterceptor):  # type: ignore[misc]  # grpc ships no types
    """Refuses, UNAUTHENTICATED, every call without the shared token, except health checks."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method: str = handler_call_details.method
        if handler is None or method.startswith(_OPEN_METHODS) or self._allowed(handler_call_details):
            return handler
        return _refused(handler, method)

    def _allowed(self, details: grpc.HandlerCallDetails) -> bool:
        given = dict(details.invocation_metadata or ()).get(TOKEN_METADATA)
        return isinstance(given, str) and secrets.compare_digest(given.encode(), self._expected)


def _refused(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
    """A handler of the same kind that only says UNAUTHENTICATED."""
    message = ("this service takes calls only with the shared service token: set STORYREEL_SERVICE_TOKEN "
               "to the same value for the caller (the gateway) and the service")

    async def refuse(context: grpc.aio.ServicerContext) -> None:
        record_rpc(method, grpc.StatusCode.UNAUTHENTICATED.name, 0.0)
        log.warning("refused %s: no valid service token", method, extra={"rpc": method, "code": "UNAUTHENTICATED"})
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    async def single(_: Any, context: grpc.aio.ServicerContext) -> None:
        await refuse(context)

    async def stream(_: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        await refuse(context)
        yield None  # never reached: abort raises

    codec = {"request_deserializer": handler.request_deserializer,
             "response_serializer": handler.response_serializer}
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(single, **codec)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(stream, **codec)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(single, **codec)
    return grpc.stream_stream_rpc_method_handler(stream, **codec)


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


async def start_server(
    specs: Sequence[ServiceSpec], address: str, security: Security | None = None
) -> RunningServer:
    """Start a server hosting these services on address ("host:0" picks a free port); with a
    token it refuses calls without it, with a certificate it listens with TLS."""
    security = security or Security()
    guards = [_RequireToken(security.token)] if security.token else []
    server = grpc.aio.server(interceptors=[*guards, _ContextAndErrors()], options=_MESSAGE_OPTIONS)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for spec in specs:
        spec.register(server)
    names = tuple(spec.full_name for spec in specs)
    reflection.enable_server_reflection((*names, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    credentials = security.server_credentials()
    port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    await server.start()
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, port, health_servicer, names)


async def serve_until_signalled(
    specs: Sequence[ServiceSpec], address: str, grace_s: float, security: Security | None = None
) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    security = security or Security()
    running = await start_server(specs, address, security)
    log.info("listening on %s", address, extra={
        "port": running.port, "services": list(running.service_names), "token": bool(security.token),
        "tls": security.server_credentials() is not None, "client_certificates": security.ca_file is not None,
    })
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down", extra={"grace_s": grace_s})
    await running.stop(grace_s)


# --------------------------------------------------------------------------- client


def retry_service_config(service_full_name: str, max_attempts: int = 4) -> str:
    """gRPC service config: spread calls over every address the target resolves to (several
    replicas behind one DNS name, or "ipv4:host:a,host:b"), and retry UNAVAILABLE with
    exponential backoff for every method."""
    return json.dumps(
        {
            "loadBalancingConfig": [{"round_robin": {}}],
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


def _with_token(details: grpc.aio.ClientCallDetails, token: str) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*tuple(details.metadata or ()), (TOKEN_METADATA, f"Bearer {token}"))
    return grpc.aio.ClientCallDetails(details.method, details.timeout, metadata, details.credentials,
                                      details.wait_for_ready)


# One class per kind of call: a channel files each interceptor under the first kind it is.
class _SendTokenUnary(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Adds the shared service token to every unary call's metadata."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def intercept_unary_unary(self, continuation: Any, details: grpc.aio.ClientCallDetails, request: Any) -> Any:
        return await continuation(_with_token(details, self._token), request)


class _SendTokenStream(grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Adds the shared service token to every server-streaming call's metadata."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def intercept_unary_stream(self, continuation: Any, details: grpc.aio.ClientCallDetails, request: Any) -> Any:
        return await continuation(_with_token(details, self._token), request)


def open_channel(target: str, security: Security | None = None, options: Sequence[tuple[str, Any]] = ()) -> Any:
    """A channel with the security given: TLS when it has TLS files, the token on every call."""
    security = security or Security()
    interceptors = [_SendTokenUnary(security.token), _SendTokenStream(security.token)] if security.token else None
    credentials = security.channel_credentials()
    if credentials is not None:
        return grpc.aio.secure_channel(target, credentials, options=list(options), interceptors=interceptors)
    return grpc.aio.insecure_channel(target, options=list(options), interceptors=interceptors)


def make_channel(target: str, service_full_name: str, security: Security | None = None) -> grpc.aio.Channel:
    """A channel to one service, with retries and large-message limits (and the security given)."""
    options = [
        *_MESSAGE_OPTIONS,
        ("grpc.enable_retries", 1),
        ("grpc.service_config", retry_service_config(service_full_name)),
    ]
    channel: grpc.aio.Channel = open_channel(target, security, options)
    # Connect now, not at the first call: with several replicas, round_robin only spreads calls
    # over the ones already connected, so a first burst of calls would all land on the first.
    channel.get_state(try_to_connect=True)
    return channel


def context_metadata() -> tuple[tuple[str, str], ...]:
    """Call metadata naming the job, scene and shot of the current log context."""
    return tuple((key, value) for key, var in CONTEXT_METADATA.items() if (value := var.get()) is not None)


async def wait_serving(
    target: str, service_full_name: str = "", timeout_s: float = 20.0, security: Security | None = None
) -> None:
    """Wait until the server at target reports SERVING, or raise TimeoutError."""
    deadline = time.monotonic() + timeout_s
    async with open_channel(target, security) as channel:
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
    serve_metrics(settings.address.rpartition(":")[0].strip("[]"), settings.metrics_port)
    security = Security.from_settings(settings)
    asyncio.run(serve_until_signalled(specs, settings.address, settings.shutdown_grace_s, security))
