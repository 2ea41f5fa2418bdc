"""Starts the four services and the gateway as local processes on free loopback ports.

Each process is the same entry point a container runs (`python -m services.planner`, ...),
configured through the environment, logging JSON lines into <work dir>/logs/<name>.log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from storyreel.grpckit import wait_serving

SERVICES = ("planner", "audio", "visual", "composer")
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


class StackError(RuntimeError):
    """A local process did not start; the message names it and its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def log_tail(self, lines: int = 8) -> str:
        self.log_file.flush()
        text = self.log_path.read_text("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:])


@dataclass
class LocalStack:
    """The whole system as local processes. `visual_replicas` > 1 starts that many visual
    services, which the gateway balances over; `extra_env` adds settings for every process."""

    work_dir: Path
    host: str = "127.0.0.1"
    gateway_port: int = 0
    visual_replicas: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[_Process] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)
    """Address of every service process, by process name ("visual-2" for a second replica)."""

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def _process_names(self, service: str) -> list[str]:
        if service == "visual" and self.visual_replicas > 1:
            return [f"visual-{index}" for index in range(1, self.visual_replicas + 1)]
        return [service]

    def start(self) -> None:
        """Start every process and wait until each one answers its health check; on failure,
        stop what did start."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        (self.work_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.addresses = {name: f"127.0.0.1:{free_port()}" for s in SERVICES for name in self._process_names(s)}
        self.gateway_port = self.gateway_port or free_port(self.host)
        for name in self.addresses:
            self._spawn(name, _module(name), self._environment(name))
        asyncio.run(self._wait_services())
        self._spawn("gateway", "gateway", self._environment("gateway"))
        self._wait_gateway()

    def _target(self, service: str) -> str:
        """What the gateway dials for a service: one address, or all replicas for round_robin."""
        addresses = [self.addresses[name] for name in self._process_names(service)]
        return addresses[0] if len(addresses) == 1 else "ipv4:" + ",".join(addresses)

    def _environment(self, name: str) -> dict[str, str]:
        env = dict(os.environ)  # children need PATH and the like; our keys override the rest
        env.update({
            "STORYREEL_ARTIFACT_ROOT": str((self.work_dir / "artifacts").resolve()),
            "STORYREEL_GATEWAY_HOST": self.host,
            "STORYREEL_GATEWAY_PORT": str(self.gateway_port),
            "STORYREEL_GATEWAY_DATABASE_URL": f"sqlite:///{(self.work_dir / 'jobs.sqlite3').resolve()}",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        })
        for service in SERVICES:
            env[f"STORYREEL_GATEWAY_{service.upper()}_ADDRESS"] = self._target(service)
        if name in self.addresses:
            env[f"STORYREEL_{_service(name).upper()}_ADDRESS"] = self.addresses[name]
        return env

    def _spawn(self, name: str, module: str, env: dict[str, str]) -> None:
        log_path = self.work_dir / "logs" / f"{name}.log"
        log_file = log_path.open("ab")
        popen = subprocess.Popen(
            [sys.executable, "-m", module], env=env, stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,  # Ctrl-C reaches us, and we stop them in order
        )
        self.processes.append(_Process(name, popen, log_path, log_file))

    def _check_alive(self) -> None:
        for process in self.processes:
            if process.popen.poll() is not None:
                raise StackError(
                    f"the {process.name} process exited at start (code {process.popen.returncode}); "
                    f"see {process.log_path}:\n{process.log_tail()}"
                )

    async def _wait_services(self) -> None:
        async def wait_one(name: str) -> None:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                self._check_alive()
                try:
                    await wait_serving(self.addresses[name], timeout_s=1.0)
                    return
                except TimeoutError:
                    if time.monotonic() > deadline:
                        raise StackError(f"the {name} service did not start within {STARTUP_TIMEOUT_S:.0f} s") from None

        await asyncio.gather(*(wait_one(name) for name in self.addresses))

    def _wait_gateway(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            self._check_alive()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.gateway_url}/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise StackError(f"the gateway did not start within {STARTUP_TIMEOUT_S:.0f} s")

    def restart(self, name: str, kill: bool = False) -> None:
        """Stop one process (SIGKILL when kill, as a crash would) and start it again."""
        process = next(p for p in self.processes if p.name == name)
        if kill:
            process.popen.kill()
        else:
            process.popen.send_signal(signal.SIGTERM)
        process.popen.wait(STOP_TIMEOUT_S)
        process.log_file.close()
        self.processes.remove(process)
        self._spawn(name, _module(name), self._environment(name))
        if name == "gateway":
            self._wait_gateway()
        else:
            asyncio.run(wait_serving(self.addresses[name], timeout_s=STARTUP_TIMEOUT_S))

    def stop(self) -> None:
        """SIGTERM every process (gateway first), then wait; kill what does not stop."""
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in reversed(self.processes):
            try:
                process.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
            process.log_file.close()
        self.processes.clear()


def _service(process_name: str) -> str:
    return process_name.split("-")[0]


def _module(process_name: str) -> str:
    return "gateway" if process_name == "gateway" else f"services.{_service(process_name)}"


@contextlib.contextmanager
def running_stack(work_dir: Path, host: str = "127.0.0.1", gateway_port: int = 0) -> Iterator[LocalStack]:
    stack = LocalStack(work_dir=work_dir, host=host, gateway_port=gateway_port)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
