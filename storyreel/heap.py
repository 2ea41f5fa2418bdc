"""Keep a service's memory the size of what it holds, not of the most it ever held.

Two services hold large numpy blocks for a while and free them, over and over: the visual service
(the animatic's keyframe plates) and the audio service (speech and music as float arrays). The
animatic draws each keyframe in numpy arrays of 8 to 33 MB (a 1920x1080 float RGB plate is
25 MB) in the worker threads of the servicer's executor. glibc's malloc serves a block that large
from its own mmap and gives it back to the system on free, but only until the first such block
is freed: from then on it raises its mmap threshold to that block's size (up to 32 MB), so the
next plates come from the malloc arenas, one arena per worker thread, and a freed plate stays in
its arena, fragmented, for good. Each arena keeps its high-water mark, and the longer the film,
the more of its shots have had their worst case in every thread: the process grew from 300 to
more than 500 MiB over 130 shots of Treasure Island at 720p (bench/visual_memory.py). The audio
service grew the same way with film length: its peak was 148, 242 and 295 MiB for Treasure Island
capped at 5, 20 and 60 minutes (bench/render_bench.py), and 146 MiB at 20 minutes with the
threshold fixed.

Setting the threshold explicitly (mallopt M_MMAP_THRESHOLD) turns that dynamic raise off: every
block over the threshold is mapped and unmapped on its own, and what is freed is returned at
once. It is process-wide, and only glibc has it; elsewhere (musl, macOS) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform

__all__ = ["DEFAULT_MMAP_THRESHOLD_KB", "MAX_MMAP_THRESHOLD_BYTES", "M_MMAP_THRESHOLD", "fix_mmap_threshold", "glibc"]

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (glibc malloc.h)."""
MAX_MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""glibc refuses a larger threshold on 64-bit systems (HEAP_MAX_SIZE / 2)."""
DEFAULT_MMAP_THRESHOLD_KB = 1024
"""The services' setting (STORYREEL_<SERVICE>_MMAP_THRESHOLD_KB): every block of 1 MiB or more on its own."""


def fix_mmap_threshold(threshold_bytes: int) -> bool:
    """Map every malloc block of at least threshold_bytes on its own, with glibc's dynamic raise
    of the threshold off. 0 leaves glibc's default (dynamic) behaviour. True when it was set."""
    if threshold_bytes <= 0:
        return False
    if not 0 < threshold_bytes <= MAX_MMAP_THRESHOLD_BYTES:
        raise ValueError(f"the mmap threshold must be at most {MAX_MMAP_THRESHOLD_BYTES} bytes, not {threshold_bytes}")
    libc = glibc()
    if libc is None:
        log.info("not glibc: the malloc mmap threshold is left as it is")
        return False
    if not libc.mallopt(M_MMAP_THRESHOLD, threshold_bytes):  # mallopt returns 1 on success
        log.warning("glibc refused an mmap threshold of %d bytes", threshold_bytes)
        return False
    return True


def glibc() -> ctypes.CDLL | None:
    """The C library, when it is glibc (it has mallopt with M_MMAP_THRESHOLD); else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    return libc
