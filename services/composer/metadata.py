"""The film's title and one chapter per scene, as an ;FFMETADATA1 file for the final mux."""

from __future__ import annotations

from collections.abc import Sequence

from services.composer.ffsyntax import metadata_value
from services.composer.timeline import Chapter


def ffmetadata_document(title: str, chapters: Sequence[Chapter], fps: int) -> str:
    """Chapters are counted in frames (TIMEBASE=1/fps), so they sit exactly on scene cuts."""
    lines = [";FFMETADATA1"]
    if title.strip():
        lines.append(f"title={metadata_value(title)}")
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            f"TIMEBASE=1/{fps}",
            f"START={chapter.start_frame}",
            f"END={chapter.end_frame}",
            f"title={metadata_value(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"
