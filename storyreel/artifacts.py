"""The artifact store: every file a job makes lives under one root, named by a relative key.

Messages carry keys, never paths. Resolving a key can never leave the root, whatever the key
says ("../", absolute paths, symlinks pointing out).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from storyreel.errors import DiskFull, MissingArtifact, UnsafeArtifactKey, is_disk_full
from storyreel.settings import CommonSettings
from storyreel.storyboard.v1.artifact_pb2 import ArtifactRef

__all__ = ["MIB", "ArtifactStore"]

MIB = 1024 * 1024


class ArtifactStore:
    def __init__(self, root: Path | str, min_free_mb: float = 0) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.min_free_bytes = int(min_free_mb * MIB)
        """Below this much free space, writing is refused before it starts (DiskFull)."""

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> ArtifactStore:
        return cls(settings.artifact_root, settings.min_free_mb)

    def check_room(self) -> None:
        """DiskFull when the disk holding the root has less free space than the floor: work that
        would end in a write is better refused at once than after a long render."""
        free = shutil.disk_usage(self.root).free
        if free < self.min_free_bytes:
            raise DiskFull(
                f"the artifact disk ({self.root}) has {free / MIB:.0f} MiB free, under the "
                f"{self.min_free_bytes / MIB:.0f} MiB floor (STORYREEL_MIN_FREE_MB); free some space, then ask again"
            )

    def _full(self, key: str) -> DiskFull:
        free = shutil.disk_usage(self.root).free
        return DiskFull(
            f"the artifact disk ({self.root}) ran out of space writing {key!r} "
            f"({free / MIB:.1f} MiB free); free some space, then ask again"
        )

    def path(self, key: str) -> Path:
        """The file a key names; UnsafeArtifactKey when it would resolve outside the root."""
        if not key or "\x00" in key or "\\" in key:
            raise UnsafeArtifactKey(f"artifact key {key!r} is empty or has forbidden characters")
        pure = PurePosixPath(key)
        if pure.is_absolute() or ".." in pure.parts:
            raise UnsafeArtifactKey(f"artifact key {key!r} must be relative and must not contain '..'")
        resolved = (self.root / pure).resolve()
        if not resolved.is_relative_to(self.root):
            raise UnsafeArtifactKey(f"artifact key {key!r} resolves outside the artifact root")
        return resolved

    def existing(self, key: str, what: str = "artifact") -> Path:
        """The file a key names, which must exist and be non-empty."""
        path = self.path(key)
        if not path.is_file() or path.stat().st_size == 0:
            raise MissingArtifact(f"{what} {key!r} is missing or empty")
        return path

    def exists(self, key: str) -> bool:
        path = self.path(key)
        return path.is_file() and path.stat().st_size > 0

    @contextlib.contextmanager
    def writing(self, key: str) -> Iterator[Path]:
        """Yield a temporary path beside the target; on success it is renamed onto the key.

        A crash mid-write never leaves a half-written file under the final name, so a file
        that exists is a finished file (the resume logic relies on that).
        """
        final = self.path(key)
        self.check_room()
        tmp = final.with_name(f".{final.stem}.{uuid.uuid4().hex[:8]}.tmp{final.suffix}")
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            yield tmp
            os.replace(tmp, final)
        except (OSError, DiskFull) as error:  # DiskFull: a program writing the file ran out of room
            if isinstance(error, DiskFull) or is_disk_full(error):
                raise self._full(key) from error
            raise
        finally:
            tmp.unlink(missing_ok=True)

    def write_bytes(self, key: str, data: bytes) -> ArtifactRef:
        with self.writing(key) as tmp:
            tmp.write_bytes(data)
        return self.ref(key)

    def ref(self, key: str) -> ArtifactRef:
        path = self.existing(key)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return ArtifactRef(key=key, size_bytes=path.stat().st_size, sha256=digest.hexdigest())
