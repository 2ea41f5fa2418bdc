"""Starts and stops the real OpenAI-compatible server that scripts/setup_llm_server.sh installed:
llama-cpp-python's server running SmolLM2-135M-Instruct on CPU, on a free loopback port."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cli.stack import free_port
from tests import http_process

SETUP_SCRIPT = "scripts/setup_llm_server.sh"
DEFAULT_HOME = Path.home() / ".cache" / "storyreel" / "llama-cpp-0.3.36"
START_TIMEOUT_S = 120.0
THREADS = int(os.environ.get("STORYREEL_LLM_THREADS", "1"))
"""One thread: llama.cpp's threads spin at every barrier, which on a busy 2-core machine (CI runs
the other services' tests beside it) is slower than one thread alone."""
CONTEXT_TOKENS = 4096
"""SmolLM2 was trained on 8k; 4k keeps the server's memory small and is what the tests plan for."""


def llm_home() -> Path:
    return Path(os.environ.get("STORYREEL_LLM_HOME", DEFAULT_HOME))


def missing_install() -> str | None:
    """Why the real server cannot be started (None when it can)."""
    home = llm_home()
    if not (home / ".complete").is_file():
        return f"the LLM server is not installed in {home}: run `bash {SETUP_SCRIPT}` (once; the test command does)"
    return None


@dataclass
class RealLlm:
    url: str
    """The OpenAI-compatible base URL (…/v1)."""
    process: subprocess.Popen[bytes]
    log_path: Path
    started_in_s: float

    def log_tail(self) -> str:
        return http_process.log_tail(self.log_path)


def start(folder: Path) -> RealLlm:
    home = llm_home()
    port = free_port()
    log_path = folder / "llama_server.log"
    argv = [
        str(home / "venv" / "bin" / "python"),
        "-m",
        "llama_cpp.server",
        "--model",
        str(home / "model.gguf"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(CONTEXT_TOKENS),
        "--n_threads",
        str(THREADS),
    ]
    url = f"http://127.0.0.1:{port}/v1"
    process, started_in_s = http_process.launch(
        argv, log_path=log_path, ready_url=f"{url}/models", what="the LLM server", timeout_s=START_TIMEOUT_S
    )
    return RealLlm(url, process, log_path, started_in_s)


def stop(server: RealLlm) -> None:
    http_process.terminate(server.process)
