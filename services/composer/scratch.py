"""The composer's scratch folders: one per composition, removed when it ends, and swept at start
when a composer died mid-film (kill -9, the OOM killer, a lost node) and left one behind.

Several composer replicas may share one artifact root, so a folder is only removed when its
owner is provably gone. The owner holds an exclusive flock(2) on the folder's lock file for as
long as it works in it; the kernel drops that lock the moment the process ends, however it ends.
So a sweeper that can take the lock knows nobody works there any more, and one that cannot
leaves the folder alone. This holds across containers on one host (one kernel) and, on NFS,
through its lock manager (a dead client's locks lapse with its lease). A pid + hostname marker
would not: replicas in containers often all run as pid 1, and their hostnames mean nothing to
each other.

A folder is set up under a hidden name (SETTING_UP), locked, and only then renamed to its
PREFIX name, so a sweeper never sees one unlocked in between. A folder without a lock file (left
by an older composer that took none) and a hidden one (its owner died within those microseconds)
are removed once they have been left untouched for unowned_after_s.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "compose-"
SETTING_UP = ".setting-up-"
LOCK_NAME = ".owner.lock"
UNOWNED_AFTER_S = 3600.0


@contextlib.contextmanager
def scratch_folder(root: Path) -> Iterator[Path]:
    """A fresh folder under root, locked as ours while the block runs, then removed."""
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=SETTING_UP, dir=root))
    lock = os.open(folder / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a fresh file: nobody else holds it
        named = root / (PREFIX + folder.name.removeprefix(SETTING_UP))
        folder.rename(named)  # the lock is the inode's: it comes along
        folder = named
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # still locked: no sweeper removes it under us
        os.close(lock)


def sweep(root: Path, unowned_after_s: float = UNOWNED_AFTER_S) -> int:
    """Remove the scratch folders under root whose owner is gone; the bytes freed."""
    if not root.is_dir():
        return 0
    freed = 0
    for folder in sorted([*root.glob(f"{PREFIX}*"), *root.glob(f"{SETTING_UP}*")]):
        if folder.is_dir() and _abandoned(folder, unowned_after_s):
            size = _size(folder)
            shutil.rmtree(folder, ignore_errors=True)  # another sweeper may be at it too
            freed += size
            log.info("removed stale scratch", extra={"folder": folder.name, "bytes": size})
    return freed


def _abandoned(folder: Path, unowned_after_s: float) -> bool:
    if folder.name.startswith(SETTING_UP):
        return _untouched_for(folder, unowned_after_s)
    try:
        lock = os.open(folder / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        return _untouched_for(folder, unowned_after_s)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its owner is alive and at work
    finally:
        os.close(lock)  # drops our lock too, if we got it
    return True


def _untouched_for(folder: Path, seconds: float) -> bool:
    try:
        return time.time() - folder.stat().st_mtime > seconds
    except FileNotFoundError:
        return False  # gone meanwhile


def _size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
    return total
