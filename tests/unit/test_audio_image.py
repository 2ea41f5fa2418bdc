"""What the audio GPU image installs can run together: torch and torchaudio of one release that
suits transformers 4.46.1 (parler-tts 0.2.3's pin), and no engine whose library cannot install
beside them (audiocraft pins torch 2.1). Read from the files, so no image has to be built."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from services.audio.settings import AudioSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO_ROOT / "services" / "audio" / "Dockerfile").read_text()
EXTRAS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
TRANSFORMERS_4_46_TORCH = Version("2.5.1")
"""The newest torch when transformers 4.46.1 came out (both on 29 October 2024)."""


def _requirement(extra: str, name: str) -> Requirement:
    return next(req for req in map(Requirement, EXTRAS[extra]) if req.name == name)


def _torch_version() -> Version:
    match = re.search(r"^ARG TORCH_VERSION=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert match, "the audio Dockerfile pins no torch version (ARG TORCH_VERSION=...)"
    return Version(match.group(1))


def _pip_installs() -> list[str]:
    """Every `pip install ...` of the Dockerfile, its continuation lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [" ".join(part.split()) for part in re.split(r"&&|;;|\bthen\b", joined) if "pip install" in part]


def test_the_gpu_image_pins_torch_and_torchaudio_to_one_release() -> None:
    # torchaudio X.Y.Z requires torch==X.Y.Z: both are pinned from the one version...
    assert 'printf \'torch==%s\\ntorchaudio==%s\\n\' "$TORCH_VERSION" "$TORCH_VERSION"' in DOCKERFILE
    # ...and every install runs under those pins; none without them installs torch or torchaudio.
    installs = _pip_installs()
    assert len(installs) >= 3
    unpinned = [line for line in installs if "-c /tmp/torch-pins.txt" not in line]
    assert unpinned and not [line for line in unpinned if re.search(r"\btorch(audio)?\b", line)], unpinned
    assert _torch_version() == TRANSFORMERS_4_46_TORCH


def test_the_pinned_torch_meets_what_the_python_extras_ask_for() -> None:
    version = _torch_version()
    assert version in _requirement("tts-gpu", "torch").specifier
    assert str(_requirement("tts-gpu", "transformers").specifier) == "==4.46.1"
    assert "parler-tts==0.2.3" in DOCKERFILE


def test_musicgen_has_one_engine_and_no_extra_that_cannot_install() -> None:
    assert "audiocraft" not in EXTRAS
    assert importlib.util.find_spec("services.audio.backends.musicgen_audiocraft") is None
    assert "musicgen_engine" not in AudioSettings.model_fields
