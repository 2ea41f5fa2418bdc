"""The server kit over real gRPC on loopback: health, reflection, error mapping, job-id logs."""

from __future__ import annotations

import errno
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from prometheus_client import REGISTRY

from storyreel.errors import InvalidInput, MissingArtifact
from storyreel.grpckit import ServiceSpec, context_metadata, make_channel, start_server
from storyreel.logs import job_id_var, log_context, shot_id_var

SERVICE = "storyreel.test.v1.EchoService"


def _echo_spec(seen_job_ids: list[str | None]) -> ServiceSpec:
    async def echo(request: bytes, context: Any) -> bytes:
        seen_job_ids.append(f"{job_id_var.get()}/{shot_id_var.get()}")
        if request == b"bad":
            raise InvalidInput("the story is empty")
        if request == b"missing":
            raise MissingArtifact("clip 'x' is missing")
        if request == b"boom":
            raise ZeroDivisionError("oops")
        if request == b"full":
            raise OSError(errno.ENOSPC, "No space left on device", "/scratch/segment_0003.mp4")
        return request

    async def count(request: bytes, context: Any) -> AsyncIterator[bytes]:
        for number in range(3):
            yield str(number).encode()
        if request == b"bad":
            raise InvalidInput("ran out of numbers")

    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {"Echo": grpc.unary_unary_rpc_method_handler(echo), "Count": grpc.unary_stream_rpc_method_handler(count)},
    )
    return ServiceSpec(SERVICE, lambda server: server.add_generic_rpc_handlers((handler,)))


@pytest.fixture
async def echo() -> Any:
    seen: list[str | None] = []
    running = await start_server([_echo_spec(seen)], "127.0.0.1:0")
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    yield channel, seen, running
    await channel.close()
    await running.stop(0)


async def test_health_reports_serving_then_not_serving_on_stop(echo: Any) -> None:
    channel, _, running = echo
    stub = health_pb2_grpc.HealthStub(channel)
    for name in ("", SERVICE):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    await running.health.set(SERVICE, health_pb2.HealthCheckResponse.NOT_SERVING)
    reply = await stub.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_reflection_lists_the_service(echo: Any) -> None:
    channel, _, _ = echo
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    async for reply in stub.ServerReflectionInfo(iter([request]), timeout=5):
        names = {s.name for s in reply.list_services_response.service}
        assert SERVICE in names
        assert "grpc.health.v1.Health" in names


@pytest.mark.parametrize(
    ("payload", "code", "words"),
    [
        (b"bad", grpc.StatusCode.INVALID_ARGUMENT, "the story is empty"),
        (b"missing", grpc.StatusCode.FAILED_PRECONDITION, "clip 'x' is missing"),
        (b"boom", grpc.StatusCode.INTERNAL, "ZeroDivisionError: oops"),
        (b"full", grpc.StatusCode.RESOURCE_EXHAUSTED,
         "Echo ran out of disk space writing /scratch/segment_0003.mp4: No space left on device; free some space"),
    ],
)
async def test_errors_become_status_codes(echo: Any, payload: bytes, code: grpc.StatusCode, words: str) -> None:
    channel, _, _ = echo
    call = channel.unary_unary(f"/{SERVICE}/Echo")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(payload, timeout=5)
    assert caught.value.code() == code
    assert words in (caught.value.details() or "")


async def test_the_callers_log_context_reaches_the_handler(echo: Any, caplog: pytest.LogCaptureFixture) -> None:
    channel, seen, _ = echo
    call = channel.unary_unary(f"/{SERVICE}/Echo")
    with caplog.at_level(logging.INFO, logger="storyreel.grpc"), log_context(job_id="job42", shot_id="s01_02"):
        assert await call(b"hi", timeout=5, metadata=context_metadata()) == b"hi"
    assert seen == ["job42/s01_02"]
    assert any("Echo OK" in record.getMessage() for record in caplog.records)


async def test_streaming_calls_get_the_same_error_mapping(echo: Any) -> None:
    channel, _, _ = echo
    count = channel.unary_stream(f"/{SERVICE}/Count")
    assert [reply async for reply in count(b"ok", timeout=5)] == [b"0", b"1", b"2"]
    received = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for reply in count(b"bad", timeout=5):
            received.append(reply)
    assert received == [b"0", b"1", b"2"]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ran out of numbers" in (caught.value.details() or "")


async def test_rpcs_are_counted_for_prometheus(echo: Any) -> None:
    channel, _, _ = echo
    before = REGISTRY.get_sample_value("storyreel_rpc_total", {"method": f"/{SERVICE}/Echo", "code": "OK"}) or 0
    await channel.unary_unary(f"/{SERVICE}/Echo")(b"hi", timeout=5)
    after = REGISTRY.get_sample_value("storyreel_rpc_total", {"method": f"/{SERVICE}/Echo", "code": "OK"})
    assert after == before + 1
    assert REGISTRY.get_sample_value("storyreel_rpc_in_flight", {"method": f"/{SERVICE}/Echo"}) == 0


async def test_a_channel_spreads_calls_over_every_replica() -> None:
    seen_a: list[str | None] = []
    seen_b: list[str | None] = []
    replicas = [await start_server([_echo_spec(seen)], "127.0.0.1:0") for seen in (seen_a, seen_b)]
    target = "ipv4:" + ",".join(f"127.0.0.1:{r.port}" for r in replicas)
    channel = make_channel(target, SERVICE)
    try:
        call = channel.unary_unary(f"/{SERVICE}/Echo")
        for _ in range(10):
            await call(b"hi", timeout=5)
    finally:
        await channel.close()
        for replica in replicas:
            await replica.stop(0)
    assert len(seen_a) + len(seen_b) == 10
    assert len(seen_a) >= 3 and len(seen_b) >= 3, (len(seen_a), len(seen_b))
