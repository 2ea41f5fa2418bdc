"""Runs a third-party HTTP server (a real ComfyUI, a llama.cpp server) as a process for tests and
benchmarks: start it, wait until it answers, stop it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

POLL_S = 0.25
LOG_TAIL_CHARS = 3000


def log_tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]


def launch(
    argv: list[str], *, log_path: Path, ready_url: str, what: str, timeout_s: float, cwd: Path | None = None
) -> tuple[subprocess.Popen[bytes], float]:
    """Start the server and wait until ready_url answers 200; the process and its start time.
    RuntimeError with the log's tail when it exits or does not answer in time."""
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    while time.monotonic() < started + timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log_tail(log_path)}")
        try:
            if httpx.get(ready_url, timeout=1.0).status_code == 200:
                return process, time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(POLL_S)
    terminate(process)
    raise RuntimeError(f"{what} did not answer within {timeout_s:.0f} s:\n{log_tail(log_path)}")


def terminate(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
