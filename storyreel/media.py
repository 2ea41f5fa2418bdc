"""Running ffmpeg, ffprobe and other media tools safely: argv lists (never a shell), a time
limit on every run, and the tail of stderr in the error when a run fails."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from storyreel.errors import NO_ROOM_MESSAGES, DiskFull, ToolFailed

__all__ = ["SAFE_PROTOCOLS", "STDERR_TAIL_CHARS", "duration_s", "ffmpeg", "filter_path", "probe", "run_tool"]

STDERR_TAIL_CHARS = 2000
SAFE_PROTOCOLS = ("-protocol_whitelist", "file,pipe")
"""Put before every -i so a crafted input cannot make ffmpeg open a URL or another protocol."""


# What a backslash escapes at each level of a -vf / -filter_complex string (FFmpeg's doc/filters.texi,
# "Notes on filtergraph escaping"): inside one option's value, then in the filtergraph around it.
_OPTION_VALUE_SPECIAL = "\\':"
_FILTERGRAPH_SPECIAL = "\\'[],;"


def run_tool(argv: list[str], timeout_s: float, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a program; ToolFailed (naming the program) when it fails or runs out of time."""
    name = Path(argv[0]).name
    try:
        result = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout_s, check=False)
    except FileNotFoundError:
        raise ToolFailed(f"{name} is not installed (run scripts/setup.sh)") from None
    except subprocess.TimeoutExpired as error:
        tail = (error.stderr or b"").decode("utf-8", "replace")[-STDERR_TAIL_CHARS:]
        raise ToolFailed(f"{name} ran over its {timeout_s:.0f} s time limit: {tail}") from None
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace")[-STDERR_TAIL_CHARS:].strip()
        if any(message in tail for message in NO_ROOM_MESSAGES):
            raise DiskFull(f"{name} ran out of disk space: {tail}; free some space, then ask again")
        raise ToolFailed(f"{name} exited with code {result.returncode}: {tail}")
    return result


def ffmpeg(args: list[str], timeout_s: float) -> None:
    """Run ffmpeg quietly, overwriting outputs, never reading the terminal."""
    run_tool(["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args], timeout_s)


def probe(path: Path, timeout_s: float = 30.0) -> dict[str, Any]:
    """ffprobe's JSON for a file: format, streams and chapters."""
    result = run_tool(
        [
            "ffprobe", "-v", "error", *SAFE_PROTOCOLS, "-print_format", "json",
            "-show_format", "-show_streams", "-show_chapters", str(path),
        ],
        timeout_s,
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def duration_s(path: Path) -> float:
    """Container duration in seconds."""
    return float(probe(path)["format"]["duration"])


def filter_path(path: Path) -> str:
    """A path as a filter option's value inside a filtergraph (ass=filename=...), escaped at both
    levels, so a folder named with a space, colon, quote or comma still means that file."""
    return _escaped(_escaped(str(path), _OPTION_VALUE_SPECIAL), _FILTERGRAPH_SPECIAL)


def _escaped(text: str, special: str) -> str:
    return "".join("\\" + char if char in special else char for char in text)
