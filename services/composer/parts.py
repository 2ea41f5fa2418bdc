"""A film's parts kept between calls: each encoded segment and the mixed sound, stored under the
film's parts_prefix and named by a digest of everything that decides their bytes.

So a Prepare made while shots still render, and every earlier Compose of the same film, leave
parts that the next Compose reuses instead of encoding again: a re-rolled shot re-encodes only
the segment it sits in, and a film whose scenes were encoded as they finished is a join and a mux
away once its last shot is done.

A digest covers the inputs by identity (artifact key, size, modification time), not by reading
their bytes: a clip or speech file written again under the same key gets a new modification time,
and the gateway names new renders by their request's hash anyway.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from storyreel.artifacts import ArtifactStore

log = logging.getLogger(__name__)

PARTS_VERSION = 1
"""Part of every digest: raise it when a part's bytes change in a way its inputs do not show."""
SEGMENT = "segment-"
SOUND = "sound-"


def file_identity(key: str, path: Path) -> list[object]:
    """What stands for a file's bytes in a digest."""
    stat = path.stat()
    return [key, stat.st_size, stat.st_mtime_ns]


def digest(kind: str, inputs: object) -> str:
    """A short, stable name for a part made from `inputs` (JSON-able)."""
    text = json.dumps({"version": PARTS_VERSION, "kind": kind, "inputs": inputs}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Parts:
    """The parts folder of one film."""

    store: ArtifactStore
    prefix: str

    def segment_key(self, name: str) -> str:
        return f"{self.prefix.rstrip('/')}/{SEGMENT}{name}.mp4"

    def sound_key(self, name: str) -> str:
        return f"{self.prefix.rstrip('/')}/{SOUND}{name}.m4a"

    def ready(self, key: str) -> bool:
        return self.store.exists(key)

    def link(self, key: str, into: Path) -> None:
        """Put a stored part into a work folder under `into`'s name. A hard link where the work
        folder shares the disk, so the part stays readable even if another call prunes it
        meanwhile; a symbolic link otherwise. Its time is touched: it was just used."""
        part = self.store.path(key)
        os.utime(part)
        try:
            os.link(part, into)
        except OSError:
            os.symlink(part, into)

    def prune(self, keep: Iterable[str], older_than: float) -> int:
        """Remove the parts not in `keep` that nobody made or used since `older_than` (a
        time.time()): those of an older take of the film. A part another call made or reused
        meanwhile is newer, so it stays. Returns how many were removed."""
        kept = {self.store.path(key) for key in keep}
        folder = self.store.path(self.prefix)
        if not folder.is_dir():
            return 0
        removed = 0
        for part in folder.iterdir():
            if not part.name.startswith((SEGMENT, SOUND)) or part in kept:
                continue  # hidden names are other calls' parts being written
            try:
                if part.stat().st_mtime < older_than:
                    part.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        if removed:
            log.info("removed unused parts", extra={"parts": removed, "prefix": self.prefix})
        return removed

