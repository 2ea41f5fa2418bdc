"""A composer killed mid-film leaves its scratch folder behind; the next one to start removes it,
but never a folder a live composer (another replica on the same artifact root) works in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from services.composer.scratch import LOCK_NAME, PREFIX, scratch_folder, sweep
from tests.conftest import REPO_ROOT

HOLDER = """
import sys
from pathlib import Path
from services.composer.scratch import scratch_folder
with scratch_folder(Path(sys.argv[1])) as folder:
    (folder / "seg_0000.mp4").write_bytes(b"x" * 1000)
    print(folder, flush=True)
    sys.stdin.read()
"""


def _holder(root: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process working in a scratch folder of its own until its stdin closes (or it is killed)."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(root)], cwd=REPO_ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_only_the_scratch_of_a_dead_composer_is_swept(tmp_path: Path) -> None:
    root = tmp_path / ".scratch" / "composer"
    killed, left_behind = _holder(root)
    alive, in_use = _holder(root)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
        assert left_behind.is_dir(), "kill -9 leaves the folder behind"
        with scratch_folder(root) as ours:  # this process's own, too
            assert sweep(root) >= 1000
            assert not left_behind.exists()
            assert in_use.is_dir() and ours.is_dir(), "a live composer's folder is kept"
    finally:
        alive.communicate(timeout=30)  # closes its stdin: it finishes and removes its folder
        killed.kill()
        killed.communicate(timeout=30)
    assert not in_use.exists() and list(root.iterdir()) == [], "a composition removes its own folder"


def test_a_folder_without_a_lock_goes_only_once_it_is_old(tmp_path: Path) -> None:
    root = tmp_path / "scratch"
    young, old = root / f"{PREFIX}young", root / f"{PREFIX}old"
    for folder in (young, old):
        folder.mkdir(parents=True)
        (folder / "part.wav").write_bytes(b"y" * 10)
    an_hour_ago = time.time() - 3601
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert sweep(root, unowned_after_s=3600) == 10
    assert young.is_dir() and not old.exists()
    assert not (young / LOCK_NAME).exists()
