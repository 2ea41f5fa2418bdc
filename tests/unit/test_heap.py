"""The visual and audio services' large blocks go back to the system when freed (storyreel/heap.py).

Checked with glibc's own counter of mmapped blocks (mallinfo2().hblks), not with RSS: a block
over the mmap threshold is one more mapping while it is held; a block under it comes from the
heap and adds none. Each case runs in a fresh interpreter, so no other test's allocations (or
an earlier fix of the threshold) are in the way.
"""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from storyreel.heap import MAX_MMAP_THRESHOLD_BYTES, fix_mmap_threshold

REPO_ROOT = Path(__file__).resolve().parents[2]

# Builds a service's engine with the settings the environment gives, frees one plate-sized block
# (glibc's dynamic threshold would rise past its size here), then holds another: is it mapped?
BUILD = {
    "visual": "from services.visual.backends.animatic.backend import AnimaticRenderer\n"
              "from services.visual.settings import VisualSettings\n"
              "AnimaticRenderer(VisualSettings())",
    "audio": "from services.audio.server import build_specs\n"
             "from services.audio.settings import AudioSettings\n"
             "build_specs(AudioSettings())",
}
MAPPED_AFTER_A_FREE = """
import ctypes

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Mallinfo2
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
PLATE = 1920 * 1080 * 3 * 4  # a 720p clip's keyframe as float RGB (a minute of 48 kHz stereo float is 23 MB)

{build}
libc.free(libc.malloc(PLATE))
before = libc.mallinfo2().hblks
held = libc.malloc(PLATE)
print(libc.mallinfo2().hblks - before)
libc.free(held)
"""


def has_mallinfo2() -> bool:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    return hasattr(ctypes.CDLL("libc.so.6"), "mallinfo2")  # glibc 2.33 and later


needs_glibc = pytest.mark.skipif(not has_mallinfo2(), reason="glibc's mallopt and mallinfo2 only")


def mappings_of_a_plate(tmp_path: Path, service: str, **settings: str) -> int:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MALLOC_", "STORYREEL_VISUAL_", "STORYREEL_AUDIO_"))}  # fmt: skip
    env.update(settings, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-c", MAPPED_AFTER_A_FREE.replace("{build}", BUILD[service])],
        cwd=tmp_path,  # no .env of the checkout
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip())


@needs_glibc
@pytest.mark.parametrize("service", sorted(BUILD))
def test_a_plate_is_mapped_on_its_own_after_another_was_freed(tmp_path: Path, service: str) -> None:
    """With the default settings a freed plate never lowers the bar for the next: it is mapped
    (and unmapped when freed), so plates cannot pile up in the per-thread arenas."""
    assert mappings_of_a_plate(tmp_path, service) == 1


@needs_glibc
@pytest.mark.parametrize("service", sorted(BUILD))
def test_glibcs_own_threshold_puts_the_next_plate_in_the_heap(tmp_path: Path, service: str) -> None:
    """0 keeps glibc's dynamic threshold: after one free, the next plate comes from the heap
    (what made the service grow with film length; the case above tells the two apart)."""
    setting = f"STORYREEL_{service.upper()}_MMAP_THRESHOLD_KB"
    assert mappings_of_a_plate(tmp_path, service, **{setting: "0"}) == 0


def test_no_threshold_leaves_malloc_alone() -> None:
    assert fix_mmap_threshold(0) is False


def test_a_threshold_glibc_would_refuse_is_an_error() -> None:
    with pytest.raises(ValueError, match="at most"):
        fix_mmap_threshold(MAX_MMAP_THRESHOLD_BYTES + 1)
