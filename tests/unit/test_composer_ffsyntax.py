"""Escaping where strings meet ffmpeg: filter paths, concat lists, ffmetadata. The escapes are
checked against ffmpeg itself, not only against expected strings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from services.composer.ffsyntax import concat_list, file_url, metadata_value
from services.composer.metadata import ffmetadata_document
from services.composer.models import OutputProfile
from services.composer.subtitles import SubtitleEvent, ass_document
from services.composer.timeline import Chapter
from storyreel.domain import Language
from storyreel.media import SAFE_PROTOCOLS, ffmpeg, filter_path

NASTY_DIR = "it's [a]; b,c: d\\e"


def test_filter_path_escapes_both_levels_as_ffmpegs_docs_show() -> None:
    # doc/filters.texi: this is a 'string': ... -> this is a \\\'string\\\'\\: ...
    assert filter_path(Path("this is a 'string': may, ok")) == "this is a \\\\\\'string\\\\\\'\\\\: may\\, ok"


def test_the_ass_filter_opens_a_file_at_a_path_full_of_filter_syntax(tmp_path: Path) -> None:
    folder = tmp_path / NASTY_DIR
    folder.mkdir()
    ass = folder / "subs.ass"
    events = [SubtitleEvent(0, 1, ("hello",), Language.EN)]
    ass.write_text(ass_document(events, OutputProfile(width=64, height=36, fps=1), "Noto Sans"), "utf-8")
    out = tmp_path / "frame.png"
    graph = f"ass=filename={filter_path(ass)}"
    ffmpeg(["-f", "lavfi", "-i", "color=size=64x36", "-vf", graph, "-frames:v", "1", file_url(out)], 30)
    assert out.stat().st_size > 0


def test_concat_list_names_plain_files_only() -> None:
    assert concat_list(["a.mp4", "seg_0001.mp4"]) == "ffconcat version 1.0\nfile a.mp4\nfile seg_0001.mp4\n"
    for bad in ("../x.mp4", "a b.mp4", "x'\nfile /etc/passwd", "/abs.mp4", "-x.mp4"):
        with pytest.raises(ValueError, match="plain file name"):
            concat_list([bad])


def test_metadata_values_are_escaped_and_on_one_line() -> None:
    assert metadata_value("a=b;c#d\\e\nnext") == "a\\=b\\;c\\#d\\\\e next"


def test_chapters_and_title_survive_a_round_trip_through_ffmpeg(tmp_path: Path) -> None:
    titles = ["Dawn; = # \\ {x}", "कुएँ का दीपक"]
    chapters = [Chapter(titles[0], 0, 12), Chapter(titles[1], 12, 24)]
    metadata = tmp_path / "chapters.ffmeta"
    metadata.write_text(ffmetadata_document("My [film]\nsecond line", chapters, fps=12), "utf-8")
    out = tmp_path / "film.mp4"
    ffmpeg(
        ["-f", "lavfi", "-i", "color=size=64x36:rate=12:duration=2", *SAFE_PROTOCOLS, "-f", "ffmetadata",
         "-i", file_url(metadata), "-map", "0:v", "-map_metadata", "1", "-map_chapters", "1", file_url(out)],
        30,
    )  # fmt: skip
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_chapters", "-show_format", str(out)],
        capture_output=True,
        check=True,
    )
    info = json.loads(probe.stdout)
    assert [c["tags"]["title"] for c in info["chapters"]] == titles
    assert [float(c["start_time"]) for c in info["chapters"]] == [0.0, 1.0]
    assert info["format"]["tags"]["title"] == "My [film] second line"
