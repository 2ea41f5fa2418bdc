"""Starts and stops the real ComfyUI that scripts/setup_comfyui.sh installed, on a free loopback port.

The server runs on CPU with a base directory of its own (models/, input/, output/ under a temp
folder), an empty front-end folder and no API nodes: exactly as the FACTS recipe measured it.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from cli.stack import free_port

SETUP_SCRIPT = "scripts/setup_comfyui.sh"
DEFAULT_HOME = Path.home() / ".cache" / "storyreel" / "comfyui-2.22.2"
START_TIMEOUT_S = 120.0


def comfy_home() -> Path:
    return Path(os.environ.get("STORYREEL_COMFYUI_HOME", DEFAULT_HOME))


def missing_install() -> str | None:
    """Why the real ComfyUI cannot be started (None when it can)."""
    home = comfy_home()
    if not (home / ".complete").is_file():
        return f"the real ComfyUI is not installed in {home}: run `bash {SETUP_SCRIPT}` (once; the test command does)"
    return None


@dataclass
class RealComfy:
    url: str
    base: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    started_in_s: float

    @property
    def models(self) -> Path:
        return self.base / "models"

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def start(base: Path) -> RealComfy:
    """Start ComfyUI on 127.0.0.1:<free port> and wait until it answers."""
    home = comfy_home()
    (base / "custom_nodes").mkdir(parents=True, exist_ok=True)
    front_end = base / "empty-front-end"
    front_end.mkdir(exist_ok=True)
    port = free_port()
    log_path = base / "comfyui.log"
    argv = [
        str(home / "venv" / "bin" / "python"),
        "main.py",
        "--cpu",
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--base-directory",
        str(base),
        "--front-end-root",
        str(front_end),
        "--disable-api-nodes",
    ]
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, cwd=home / "comfyui", stdout=log, stderr=subprocess.STDOUT)
    server = RealComfy(f"http://127.0.0.1:{port}", base, process, log_path, 0.0)
    _wait_ready(server)
    server.started_in_s = time.monotonic() - started
    return server


def _wait_ready(server: RealComfy) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"ComfyUI exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/queue", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    stop(server)
    raise RuntimeError(f"ComfyUI did not answer within {START_TIMEOUT_S:.0f} s:\n{server.log_tail()}")


def stop(server: RealComfy) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(10)
