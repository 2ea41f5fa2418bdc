"""Starts the four services and the gateway as local processes on free loopback ports, and keeps
them up.

Each process is the same entry point a container runs (`python -m services.planner`, ...),
configured through the environment, logging JSON lines into <work dir>/logs/<name>.log.

A supervisor thread watches them: a process that exits (a crash, kill -9, the OOM killer) is
reaped and started again on the same address, so the gateway, which keeps dialling that address,
finds it back and its retries carry the jobs in flight on. Restarts back off (LauncherSettings);
a process that keeps exiting is left down and reported loudly (on_give_up). What the supervisor
does is said on stderr and kept in <work dir>/logs/launcher.log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from cli.settings import LauncherSettings
from gateway.settings import GatewaySettings
from storyreel.grpckit import wait_serving

SERVICES = ("planner", "audio", "visual", "composer")
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
WATCH_S = 0.2


class StackError(RuntimeError):
    """A local process did not start; the message names it and its log."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class RestartPolicy:
    """When to start an exited process again: after a backoff that doubles with each restart in
    the last window_s, and not at all once `limit` restarts fall in that window."""

    limit: int
    window_s: float
    backoff_s: float
    backoff_max_s: float

    @classmethod
    def from_settings(cls, settings: LauncherSettings) -> RestartPolicy:
        return cls(settings.restart_limit, settings.restart_window_s, settings.restart_backoff_s,
                   settings.restart_backoff_max_s)

    def delay_s(self, restarts: deque[float], now: float) -> float | None:
        """Seconds to wait before the next restart, or None: give up. `restarts` (monotonic
        times of earlier restarts) loses the ones older than the window."""
        while restarts and now - restarts[0] >= self.window_s:
            restarts.popleft()
        if len(restarts) >= self.limit:
            return None
        return float(min(self.backoff_max_s, self.backoff_s * 2 ** len(restarts)))


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]
    restarts: deque[float] = field(default_factory=deque)
    restart_at: float | None = None
    """When the supervisor starts it again (it exited and waits out its backoff)."""
    held: bool = False
    """Kept down on purpose (stopping, a restart by hand, given up): the supervisor leaves it be."""

    def log_tail(self, lines: int = 8) -> str:
        self.log_file.flush()
        text = self.log_path.read_text("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:])


def _say_on_stderr(message: str) -> None:
    print(f"storyreel: {message}", file=sys.stderr, flush=True)


@dataclass
class LocalStack:
    """The whole system as local processes. `visual_replicas` > 1 starts that many visual
    services, which the gateway balances over; `extra_env` adds settings for every process.
    `on_give_up(name)` is called (from the supervisor's thread) when a process is left down."""

    work_dir: Path
    host: str = "127.0.0.1"
    gateway_port: int = 0
    visual_replicas: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    settings: LauncherSettings = field(default_factory=LauncherSettings)
    on_give_up: Callable[[str], None] | None = None
    say: Callable[[str], None] = _say_on_stderr
    processes: list[_Process] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)
    """Address of every service process, by process name ("visual-2" for a second replica)."""
    _gateway_env: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _watcher: threading.Thread | None = field(default=None, repr=False)

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def _process_names(self, service: str) -> list[str]:
        if service == "visual" and self.visual_replicas > 1:
            return [f"visual-{index}" for index in range(1, self.visual_replicas + 1)]
        return [service]

    def start(self) -> None:
        """Start every process and wait until each one answers its health check, then supervise
        them; on failure, stop what did start."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self._stopping.clear()
        self._watcher = threading.Thread(target=self._watch, name="storyreel-supervisor", daemon=True)
        self._watcher.start()

    def _start(self) -> None:
        (self.work_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.addresses = {name: f"127.0.0.1:{free_port()}" for s in SERVICES for name in self._process_names(s)}
        self.gateway_port = self.gateway_port or free_port(self.host)
        self._gateway_env = self._gateway_defaults()
        for name in self.addresses:
            self._spawn(name)
        asyncio.run(self._wait_services())
        self._spawn("gateway")
        self._wait_gateway()

    def _target(self, service: str) -> str:
        """What the gateway dials for a service: one address, or all replicas for round_robin."""
        addresses = [self.addresses[name] for name in self._process_names(service)]
        return addresses[0] if len(addresses) == 1 else "ipv4:" + ",".join(addresses)

    def _gateway_defaults(self) -> dict[str, str]:
        """The launcher's choices for the gateway, each only where the user (environment or .env)
        made none: a SQLite job store in the work dir. (The gateway's own retries outlast a
        supervised restart, so a job in flight carries on.)"""
        env = {**os.environ, **self.extra_env}
        chosen = {key.removeprefix("STORYREEL_GATEWAY_").lower() for key in env if key.startswith("STORYREEL_GATEWAY_")}
        try:
            gateway = GatewaySettings()
        except ValueError as error:  # pydantic's ValidationError: the gateway would refuse to start
            raise StackError(f"the gateway's settings are not valid: {error}") from None
        chosen |= gateway.model_fields_set  # .env counts as a choice too
        defaults = {"database_url": f"sqlite:///{(self.work_dir / 'jobs.sqlite3').resolve()}"}
        return {f"STORYREEL_GATEWAY_{name.upper()}": value for name, value in defaults.items() if name not in chosen}

    def _environment(self, name: str) -> dict[str, str]:
        env = dict(os.environ)  # children need PATH and the like; our keys override the rest
        env.update({
            "STORYREEL_ARTIFACT_ROOT": str((self.work_dir / "artifacts").resolve()),
            "STORYREEL_GATEWAY_HOST": self.host,
            "STORYREEL_GATEWAY_PORT": str(self.gateway_port),
            **self._gateway_env,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        })
        for service in SERVICES:
            env[f"STORYREEL_GATEWAY_{service.upper()}_ADDRESS"] = self._target(service)
        if name in self.addresses:
            env[f"STORYREEL_{_service(name).upper()}_ADDRESS"] = self.addresses[name]
        return env

    def _spawn(self, name: str) -> _Process:
        """Start the process `name` (again: its restart history and log carry over)."""
        with self._lock:
            log_path = self.work_dir / "logs" / f"{name}.log"
            log_file = log_path.open("ab")
            popen = subprocess.Popen(
                [sys.executable, "-m", _module(name)], env=self._environment(name), stdout=log_file,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us, and we stop them in order
            )
            old = self._find(name)
            process = _Process(name, popen, log_path, log_file)
            if old is not None:
                old.log_file.close()
                process.restarts = old.restarts
                self.processes[self.processes.index(old)] = process
            else:
                self.processes.append(process)
            return process

    def _find(self, name: str) -> _Process | None:
        return next((p for p in self.processes if p.name == name), None)

    def _get(self, name: str) -> _Process:
        process = self._find(name)
        if process is None:
            raise KeyError(f"no process named {name!r}; there are {[p.name for p in self.processes]}")
        return process

    def pid(self, name: str) -> int:
        """The process id of `name` now (a restart gives a new one)."""
        return int(self._get(name).popen.pid)

    def _check_alive(self, only: str | None = None) -> None:
        for process in self.processes:
            if (only is None or process.name == only) and process.popen.poll() is not None:
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

    def _wait_gateway(self, alone: bool = False) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            self._check_alive("gateway" if alone else None)
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.gateway_url}/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise StackError(f"the gateway did not start within {STARTUP_TIMEOUT_S:.0f} s")

    # ------------------------------------------------------------------ supervision

    def _watch(self) -> None:
        policy = RestartPolicy.from_settings(self.settings)
        while not self._stopping.wait(WATCH_S):
            with self._lock:
                if self._stopping.is_set():
                    return
                for process in list(self.processes):
                    self._look_after(process, policy, time.monotonic())

    def _look_after(self, process: _Process, policy: RestartPolicy, now: float) -> None:
        if process.held or process.popen.poll() is None:  # poll() also reaps it: no zombie
            return
        if process.restart_at is None:
            delay = policy.delay_s(process.restarts, now)
            code = process.popen.returncode
            if delay is None:
                process.held = True
                self._note(f"error: the {process.name} process exited (code {code}) and was restarted "
                           f"{policy.limit} times within {policy.window_s:.0f} s: leaving it down. "
                           f"Its log, {process.log_path}:\n{process.log_tail()}")
                if self.on_give_up is not None:
                    self.on_give_up(process.name)
                return
            process.restart_at = now + delay
            self._note(f"the {process.name} process exited (code {code}); starting it again in {delay:.1f} s "
                       f"(restart {len(process.restarts) + 1} of at most {policy.limit} "
                       f"within {policy.window_s:.0f} s)")
        elif now >= process.restart_at:
            process.restarts.append(now)
            started = self._spawn(process.name)  # the same address: the gateway keeps dialling it
            where = f" on {self.addresses[process.name]}" if process.name in self.addresses else ""
            self._note(f"started the {process.name} process again{where} (pid {started.popen.pid})")

    def _note(self, message: str) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with (self.work_dir / "logs" / "launcher.log").open("a", encoding="utf-8") as log:
            log.write(f"{stamp} {message}\n")
        self.say(message)

    def kill(self, name: str, keep_down: bool = False) -> None:
        """SIGKILL one process, as a crash would; the supervisor starts it again unless keep_down
        (then bring_back starts it)."""
        with self._lock:
            process = self._get(name)
            process.held = keep_down
            process.popen.kill()
            process.popen.wait(STOP_TIMEOUT_S)

    def bring_back(self, name: str) -> None:
        """Start a process kept down (killed with keep_down, or given up on) with a fresh restart count."""
        with self._lock:
            process = self._get(name)
            if process.popen.poll() is None:
                raise StackError(f"the {name} process is running")
            process.restarts.clear()
            self._spawn(name)
        self._wait_ready(name)

    def restart(self, name: str, kill: bool = False) -> None:
        """Stop one process (SIGKILL when kill, as a crash would) and start it again now."""
        with self._lock:
            process = self._get(name)
            process.held = True
            if kill:
                process.popen.kill()
            else:
                process.popen.send_signal(signal.SIGTERM)
            process.popen.wait(STOP_TIMEOUT_S)
            self._spawn(name)
        self._wait_ready(name)

    def _wait_ready(self, name: str) -> None:
        if name == "gateway":
            self._wait_gateway(alone=True)
        else:
            asyncio.run(wait_serving(self.addresses[name], timeout_s=STARTUP_TIMEOUT_S))

    def stop(self) -> None:
        """Stop supervising, then SIGTERM every process (gateway first) and wait; kill what does not stop."""
        self._stopping.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join()
        with self._lock:
            for process in reversed(self.processes):
                process.held = True
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
def running_stack(
    work_dir: Path, host: str = "127.0.0.1", gateway_port: int = 0, on_give_up: Callable[[str], None] | None = None
) -> Iterator[LocalStack]:
    stack = LocalStack(work_dir=work_dir, host=host, gateway_port=gateway_port, on_give_up=on_give_up)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
