"""scripts/gpu_check.sh is what runs on a GPU when one is lent: it must pass on the CPU first, so
a GPU run fails only for GPU reasons. The comfyui line is left to tests/comfyui (same code path)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT

pytest.importorskip("parler_tts", reason="the `tts-gpu` extra is not installed (scripts/install_audio_models.sh)")

CHECKS = ["torch", "parler-en", "parler-indic", "musicgen"]
if importlib.util.find_spec("diffusers") is not None:  # the `visual-gpu` extra (scripts/install_visual_models.sh)
    CHECKS += ["diffusers-svd", "diffusers-wan", "diffusers-ltx"]  # diffusers-offload needs CUDA: a SKIPPED line


def test_every_torch_backend_passes_the_gpu_check_on_the_cpu() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/gpu_check.py", *CHECKS],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert [line.split()[0] for line in lines[:-1]] == CHECKS
    assert all(line.split()[1] == "cpu" and " ok " in line for line in lines[:-1]), result.stdout
    assert lines[-1] == f"gpu_check: {len(CHECKS)} of {len(CHECKS)} ok on cpu"


def _gpu_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gpu_check", REPO_ROOT / "scripts" / "gpu_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failing_check_is_one_failed_line_a_skip_is_not_a_failure_and_the_exit_is_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gpu_check = _gpu_check()

    def broken(where: str, work: Path) -> str:
        raise OSError("no model at /nowhere")

    def absent(where: str, work: Path) -> str:
        raise gpu_check.Skipped("ComfyUI is not installed: run scripts/setup_comfyui.sh")

    monkeypatch.setattr(gpu_check, "CHECKS", {"torch": gpu_check.check_torch, "musicgen": broken, "comfyui": absent})
    assert gpu_check.main([]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("musicgen") and lines[1].endswith("FAILED: OSError: no model at /nowhere")
    assert "SKIPPED: ComfyUI is not installed" in lines[2]
    assert lines[-1] == "gpu_check: 2 of 3 ok on cpu"
