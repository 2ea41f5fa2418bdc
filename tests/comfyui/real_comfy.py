"""Starts and stops the real ComfyUI that scripts/setup_comfyui.sh installed, on a free loopback port.

The server runs on CPU with a base directory of its own (models/, input/, output/ under a temp
folder), an empty front-end folder and no API nodes: exactly as the FACTS recipe measured it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cli.stack import free_port
from tests import http_process

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
        return http_process.log_tail(self.log_path)


def start(base: Path, cpu: bool = True) -> RealComfy:
    """Start ComfyUI on 127.0.0.1:<free port> and wait until it answers (cpu=False: on the GPU
    its torch finds, as scripts/gpu_check.sh runs it)."""
    home = comfy_home()
    (base / "custom_nodes").mkdir(parents=True, exist_ok=True)
    front_end = base / "empty-front-end"
    front_end.mkdir(exist_ok=True)
    port = free_port()
    log_path = base / "comfyui.log"
    argv = [
        str(home / "venv" / "bin" / "python"),
        "main.py",
        *(["--cpu"] if cpu else []),
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
    url = f"http://127.0.0.1:{port}"
    process, started_in_s = http_process.launch(
        argv, cwd=home / "comfyui", log_path=log_path, ready_url=f"{url}/queue", what="ComfyUI",
        timeout_s=START_TIMEOUT_S,
    )
    return RealComfy(url, base, process, log_path, started_in_s)


def stop(server: RealComfy) -> None:
    http_process.terminate(server.process)
