"""The few places where a string meets ffmpeg syntax, each escaped by the rules in FFmpeg's
doc/filters.texi ("Notes on filtergraph escaping") and doc/demuxers.texi (concat, ffmetadata).

User text never passes through here into a filter string: filter strings hold numbers and
server-made file paths only; user text goes into files (SRT, ASS, ffmetadata).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from services.composer.subtitles import clean_text

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _backslash(text: str, special: str) -> str:
    return "".join("\\" + char if char in special else char for char in text)


def file_url(path: Path) -> str:
    """An input or output for ffmpeg's argv that can only mean a local file (never a protocol)."""
    return f"file:{path}"


def concat_list(names: Sequence[str], durations_s: Sequence[float] | None = None) -> str:
    """An ffconcat script naming files beside it. Names are server-made, so the demuxer's safe mode
    stays on and no quoting is needed; anything else is a programming error.

    `durations_s`, one per file, sets where each next file starts. Stream copy needs it: without
    it the demuxer places a file after the previous one's last packet as the container times it,
    and H.264 with B-frames came out some 0.4 ms long per clip (0.14 s over a 406-shot film, which
    then failed its duration check)."""
    for name in names:
        if not _SAFE_NAME.match(name):
            raise ValueError(f"concat entry {name!r} is not a plain file name")
    if durations_s is None:
        return "ffconcat version 1.0\n" + "".join(f"file {name}\n" for name in names)
    entries = zip(names, durations_s, strict=True)
    return "ffconcat version 1.0\n" + "".join(f"file {name}\nduration {seconds:.6f}\n" for name, seconds in entries)


def metadata_value(text: str) -> str:
    """A value for an ;FFMETADATA1 file: one line, with = ; # and backslash escaped."""
    one_line = clean_text(text)
    return _backslash(one_line, "=;#\\")
