"""Who may call the gRPC services (issue 14), over real gRPC on loopback: with a shared token set,
a call without it (or with another) is UNAUTHENTICATED, health checks still answer SERVING, and
the gateway's channels send it; with TLS and a CA, only clients holding a certificate the CA
signed get through. Certificates are made for each test run with the openssl CLI."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cli.stack import free_port
from gateway.clients import ServiceName, Services
from gateway.settings import GatewaySettings
from services.planner.server import SERVICE_NAME, build_specs
from services.planner.settings import PlannerSettings
from services.visual.server import build_specs as visual_specs
from services.visual.settings import VisualSettings
from storyreel import healthcheck
from storyreel.grpckit import RunningServer, Security, open_channel, start_server, wait_serving
from storyreel.planner.v1 import planner_service_pb2, planner_service_pb2_grpc
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from storyreel.visual.v1 import visual_service_pb2_grpc as visual_grpc
from tests.conftest import REPO_ROOT
from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait

TOKEN = "a-shared-service-token-for-tests"
STORY = "Meera lit the lantern. The boats came home."
DEADLINE_S = 20


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_cert: Path  # a client certificate another CA signed
    stranger_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def _ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             cwd=folder)


def _signed(folder: Path, name: str, ca: str, usage: str) -> None:
    (folder / f"{name}.ext").write_text(f"subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=folder)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is not installed")
    folder = tmp_path_factory.mktemp("tls")
    _ca(folder, "ca")
    _ca(folder, "other-ca")
    _signed(folder, "server", "ca", "serverAuth")
    _signed(folder, "client", "ca", "clientAuth")
    _signed(folder, "stranger", "other-ca", "clientAuth")
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "client.pem",
                        folder / "client.key", folder / "stranger.pem", folder / "stranger.key")


@pytest.fixture
async def planner_with_token() -> AsyncIterator[RunningServer]:
    running = await start_server(build_specs(PlannerSettings()), "127.0.0.1:0", Security(token=TOKEN))
    yield running
    await running.stop(0)


async def _plan(security: Security | None, port: int) -> planner_service_pb2.PlanResponse:
    async with open_channel(f"127.0.0.1:{port}", security) as channel:
        stub = planner_service_pb2_grpc.PlannerServiceStub(channel)
        reply: planner_service_pb2.PlanResponse = await stub.Plan(
            planner_service_pb2.PlanRequest(story=STORY), timeout=DEADLINE_S)
        return reply


async def _health(security: Security | None, port: int, service: str = "") -> int:
    async with open_channel(f"127.0.0.1:{port}", security) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=DEADLINE_S)
        return int(reply.status)


async def _code_of(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    code: grpc.StatusCode = failure.value.code()
    return code


async def test_without_the_token_a_call_is_unauthenticated(planner_with_token: RunningServer) -> None:
    port = planner_with_token.port
    assert await _code_of(_plan(None, port)) == grpc.StatusCode.UNAUTHENTICATED
    assert await _code_of(_plan(Security(token="another-token-of-enough-length"), port)) == (
        grpc.StatusCode.UNAUTHENTICATED)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await _plan(None, port)
    assert "STORYREEL_SERVICE_TOKEN" in (failure.value.details() or "")


async def test_with_the_token_a_call_works(planner_with_token: RunningServer) -> None:
    reply = await _plan(Security(token=TOKEN), planner_with_token.port)
    assert len(reply.storyboard.scenes) >= 1


async def test_streaming_calls_need_the_token_too(tmp_path: Path) -> None:
    running = await start_server(visual_specs(VisualSettings(artifact_root=tmp_path)), "127.0.0.1:0",
                                 Security(token=TOKEN))
    try:
        streams = [name for name, method in visual_pb.DESCRIPTOR.services_by_name["VisualService"]
                   .methods_by_name.items() if method.server_streaming]
        assert streams, "the visual service has a streaming RPC to try"
        for security, expected in ((None, True), (Security(token=TOKEN), False)):
            async with open_channel(f"127.0.0.1:{running.port}", security) as channel:
                stub = visual_grpc.VisualServiceStub(channel)
                for name in streams:  # an empty request: refused for the token, or else as invalid
                    call = getattr(stub, name)(getattr(visual_pb, f"{name}Request")(), timeout=DEADLINE_S)
                    with pytest.raises(grpc.aio.AioRpcError) as failure:
                        async for _ in call:
                            pass
                    refused = failure.value.code() == grpc.StatusCode.UNAUTHENTICATED
                    assert refused == expected, (name, failure.value.code(), failure.value.details())
    finally:
        await running.stop(0)


async def test_health_checks_need_no_token(planner_with_token: RunningServer) -> None:
    serving = health_pb2.HealthCheckResponse.SERVING
    assert await _health(None, planner_with_token.port) == serving
    assert await _health(None, planner_with_token.port, SERVICE_NAME) == serving
    await wait_serving(f"127.0.0.1:{planner_with_token.port}", SERVICE_NAME, timeout_s=DEADLINE_S)


async def test_the_gateway_sends_the_token(planner_with_token: RunningServer) -> None:
    address = f"127.0.0.1:{planner_with_token.port}"
    right = Services(GatewaySettings(planner_address=address, service_token=TOKEN))
    wrong = Services(GatewaySettings(planner_address=address, service_token="not-the-token-the-planner-has"))
    try:
        reply = await right.planner.Plan(planner_service_pb2.PlanRequest(story=STORY), timeout=DEADLINE_S)
        assert reply.storyboard.scenes
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await wrong.planner.Plan(planner_service_pb2.PlanRequest(story=STORY), timeout=DEADLINE_S)
        assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED
        explained = wrong.explain(ServiceName.PLANNER, failure.value, DEADLINE_S, "job1")
        assert "refused the gateway's call" in explained and "STORYREEL_SERVICE_TOKEN" in explained
    finally:
        await right.close()
        await wrong.close()


def test_a_short_or_placeholder_token_is_refused_at_start() -> None:
    for token in ("short", "changeme"):
        with pytest.raises(ValueError, match="STORYREEL_SERVICE_TOKEN must be at least 16 characters"):
            PlannerSettings(service_token=token)


async def test_mutual_tls_lets_only_clients_with_a_signed_certificate_in(certificates: Certificates) -> None:
    c = certificates
    server = Security(cert_file=c.server_cert, key_file=c.server_key, ca_file=c.ca)
    running = await start_server(build_specs(PlannerSettings()), "127.0.0.1:0", server)
    port = running.port
    try:
        gateway = Security(cert_file=c.client_cert, key_file=c.client_key, ca_file=c.ca)
        assert (await _plan(gateway, port)).storyboard.scenes
        assert await _health(gateway, port) == health_pb2.HealthCheckResponse.SERVING
        await wait_serving(f"127.0.0.1:{port}", timeout_s=DEADLINE_S, security=gateway)
        no_certificate = Security(ca_file=c.ca)
        stranger = Security(cert_file=c.stranger_cert, key_file=c.stranger_key, ca_file=c.ca)
        for refused in (no_certificate, stranger, None):  # None: plaintext
            assert await _code_of(_plan(refused, port)) == grpc.StatusCode.UNAVAILABLE
    finally:
        await running.stop(0)


async def test_the_container_health_probe_speaks_tls_from_the_shared_settings(
    certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = certificates
    server = Security(token=TOKEN, cert_file=c.server_cert, key_file=c.server_key, ca_file=c.ca)
    running = await start_server(build_specs(PlannerSettings()), "127.0.0.1:0", server)
    target = f"localhost:{running.port}"
    try:
        # plaintext, as the probe spoke before: a TLS server cannot answer it
        assert not await asyncio.to_thread(healthcheck.is_serving, target, "", Security())
        for name, path in (("CERT", c.client_cert), ("KEY", c.client_key), ("CA", c.ca)):
            monkeypatch.setenv(f"STORYREEL_TLS_{name}_FILE", str(path))
        assert await asyncio.to_thread(healthcheck.is_serving, target)  # settings from the environment
        assert await asyncio.to_thread(healthcheck.main, [target, SERVICE_NAME]) == 0
    finally:
        await running.stop(0)


async def test_tls_and_the_token_together_through_the_gateway_settings(certificates: Certificates) -> None:
    c = certificates
    server = Security(token=TOKEN, cert_file=c.server_cert, key_file=c.server_key, ca_file=c.ca)
    running = await start_server(build_specs(PlannerSettings()), "127.0.0.1:0", server)
    settings = GatewaySettings(planner_address=f"localhost:{running.port}", service_token=TOKEN,
                               tls_cert_file=c.client_cert, tls_key_file=c.client_key, tls_ca_file=c.ca)
    services = Services(settings)
    try:
        reply = await services.planner.Plan(planner_service_pb2.PlanRequest(story=STORY), timeout=DEADLINE_S)
        assert reply.storyboard.scenes
        assert await _code_of(_plan(Security(cert_file=c.client_cert, key_file=c.client_key, ca_file=c.ca),
                                    running.port)) == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await services.close()
        await running.stop(0)


def test_tls_settings_are_checked_at_start(certificates: Certificates, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="go together"):
        PlannerSettings(tls_cert_file=certificates.server_cert)
    with pytest.raises(ValueError, match="does not exist"):
        PlannerSettings(tls_ca_file=tmp_path / "nowhere.pem")


@pytest.fixture
def planner_process(tmp_path: Path) -> Iterator[str]:
    """The planner as its container runs it, with the token in its environment."""
    address = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "STORYREEL_PLANNER_ADDRESS": address, "STORYREEL_SERVICE_TOKEN": TOKEN,
           "STORYREEL_ARTIFACT_ROOT": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "services.planner"], cwd=REPO_ROOT, env=env,
                               stderr=subprocess.DEVNULL)
    try:
        yield address
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_a_service_process_reads_the_token_from_its_environment(planner_process: str) -> None:
    await wait_serving(planner_process, SERVICE_NAME, timeout_s=DEADLINE_S)  # health: no token needed
    port = int(planner_process.rpartition(":")[2])
    assert await _code_of(_plan(None, port)) == grpc.StatusCode.UNAUTHENTICATED
    assert (await _plan(Security(token=TOKEN), port)).storyboard.scenes


def test_compose_and_kubernetes_give_every_service_and_the_gateway_the_token() -> None:
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())["services"]
    for name in ("planner", "audio", "visual", "composer", "gateway", "audio-gpu"):
        assert "STORYREEL_SERVICE_TOKEN" in compose[name]["environment"], name
    for name in ("planner", "audio", "visual", "composer", "gateway"):
        documents = yaml.safe_load_all((REPO_ROOT / "deploy" / "k8s" / "base" / f"{name}.yaml").read_text())
        deployment = next(document for document in documents if document["kind"] == "Deployment")
        sources = deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        assert {"secretRef": {"name": "storyreel-service-token", "optional": True}} in sources, name


@pytest.fixture
def guarded_fakes(tmp_path: Path) -> Iterator[tuple[FakeServices, str]]:
    """The gateway's fake services, also listening on a second port that needs the token."""
    fakes = FakeServices(tmp_path / "artifacts").start()
    running: RunningServer = fakes._run(start_server(fakes._specs(), "127.0.0.1:0", Security(token=TOKEN)))
    yield fakes, f"127.0.0.1:{running.port}"
    fakes.release_renders()
    fakes._run(running.stop(0))
    fakes.stop()


def test_a_whole_job_runs_through_services_that_need_the_token(
    tmp_path: Path, guarded_fakes: tuple[FakeServices, str]
) -> None:
    fakes, address = guarded_fakes
    at = {f"{name}_address": address for name in ("planner", "audio", "visual", "composer")}
    with gateway(tmp_path, fakes, service_token=TOKEN, **at) as client:
        assert finished(client, submit(client))["state"] == "done"
        fakes.hold_renders()  # a streamed call cancelled through the token's interceptor
        job_id = submit(client)
        wait(client, job_id, lambda job: fakes.count("RenderShot") >= 2 and job["state"] == "rendering")
        assert client.delete(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"
    with gateway(tmp_path, fakes, **at) as client:  # no token: the planner refuses, and the job says so
        job = finished(client, submit(client))
    assert job["state"] == "failed" and job["error"]["service"] == "planner"
    assert "refused the gateway's call" in job["error"]["reason"]
    assert "STORYREEL_SERVICE_TOKEN" in job["error"]["reason"]
