"""`.env.example` lists every setting of every process, with its default and meaning."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_env_example_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "gen_env_example.py"), "--check"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_key_is_documented() -> None:
    lines = (REPO_ROOT / ".env.example").read_text("utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("STORYREEL_"):
            assert lines[index - 1].startswith("# "), f"{line} has no comment above it"
