"""Picture argv: fades at scene changes, the segment filter chain, and argv that only ever name
local files (protocol whitelist before every input) and carry no user text."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.composer.models import OutputProfile, TimelineShot
from services.composer.profiles import Encoding
from services.composer.timeline import place_shots, scene_changes_s, segments
from services.composer.video import (
    Fade,
    MuxInputs,
    encode_segment_argv,
    mux_argv,
    segment_fades,
    segment_filter,
)

PROFILE = OutputProfile(width=1280, height=720, fps=24)


def shots(*scenes: str) -> list[TimelineShot]:
    return [
        TimelineShot(shot_id=f"{scene}_{n}", scene_id=scene, clip_key="c.mp4", duration_s=4.0)
        for n, scene in enumerate(scenes)
    ]


def test_fades_dip_to_black_between_scenes_but_not_at_the_films_ends() -> None:
    timeline = place_shots(shots("a", "a", "b"), fps=24)  # the scene changes at 8 s
    (only,) = segments(timeline, 1)
    fades = segment_fades(only, timeline, scene_changes_s(timeline), 0.5)
    assert fades == [Fade("out", 7.5, 0.5), Fade("in", 8.0, 0.5)]


def test_a_scene_change_on_a_segment_boundary_fades_out_in_one_and_in_in_the_next() -> None:
    timeline = place_shots(shots("a", "a", "b", "b"), fps=24)
    first, second = segments(timeline, 2)
    changes = scene_changes_s(timeline)
    assert segment_fades(first, timeline, changes, 0.5) == [Fade("out", 7.5, 0.5)]
    assert segment_fades(second, timeline, changes, 0.5) == [Fade("in", 0.0, 0.5)]


def test_no_fades_when_they_are_switched_off() -> None:
    timeline = place_shots(shots("a", "b"), fps=24)
    assert segment_fades(segments(timeline, 1)[0], timeline, scene_changes_s(timeline), 0.0) == []


def test_a_fade_is_inert_outside_its_window() -> None:
    assert Fade("in", 8.0, 0.5).filter() == "fade=t=in:st=8.0000:d=0.5000:enable='between(t,8.0000,8.5000)'"


def test_the_segment_filter_normalises_then_burns_subtitles_then_fades(tmp_path: Path) -> None:
    graph = segment_filter(PROFILE, tmp_path / "seg_0000.ass", [Fade("out", 1.0, 0.3)])
    assert graph.startswith("scale=1280:720,setsar=1,fps=24,format=yuv420p,ass=filename=")
    assert graph.index("ass=") < graph.index("fade=")
    assert "ass=" not in segment_filter(PROFILE, None, [])


def assert_inputs_are_whitelisted_local_files(argv: list[str]) -> None:
    for position, arg in enumerate(argv):
        if arg == "-i":
            assert argv[position + 1].startswith("file:/")
            window = argv[max(0, position - 8) : position]
            assert "-protocol_whitelist" in window and window[window.index("-protocol_whitelist") + 1] == "file,pipe"
    assert argv[-1].startswith("file:/")


def test_segment_argv_reads_a_concat_list_strictly(tmp_path: Path) -> None:
    encoding = Encoding("superfast", 20, "mbtree=1:rc-lookahead=10")
    argv = encode_segment_argv(tmp_path / "seg.ffconcat", "null", [2.0, 5.5], encoding, 1, tmp_path / "s.mp4")
    assert_inputs_are_whitelisted_local_files(argv)
    assert argv[0] == "-xerror"
    assert argv[argv.index("-f") + 1 : argv.index("-f") + 4] == ["concat", "-safe", "1"]
    assert argv[argv.index("-preset") + 1] == "superfast" and argv[argv.index("-crf") + 1] == "20"
    assert argv[argv.index("-x264-params") + 1] == "mbtree=1:rc-lookahead=10"
    assert argv[argv.index("-force_key_frames") + 1] == "2.0000,5.5000"


def test_segment_argv_sets_the_threads_of_decoder_and_encoder(tmp_path: Path) -> None:
    argv = encode_segment_argv(tmp_path / "seg.ffconcat", "null", [], Encoding("ultrafast", 28), 3, tmp_path / "s.mp4")
    threads = [argv[n + 1] for n, arg in enumerate(argv) if arg == "-threads"]
    assert threads == ["3", "3"]
    assert argv.index("-threads") < argv.index("-i") < len(argv) - argv[::-1].index("-threads")
    assert "-x264-params" not in argv and "-force_key_frames" not in argv


@pytest.mark.parametrize("with_subtitles", [True, False])
def test_mux_argv_copies_picture_and_sound_and_adds_text_and_chapters(tmp_path: Path, with_subtitles: bool) -> None:
    inputs = MuxInputs(
        segment_list=tmp_path / "segments.ffconcat",
        audio=tmp_path / "mix.m4a",
        metadata=tmp_path / "chapters.ffmeta",
        subtitles=tmp_path / "soft.srt" if with_subtitles else None,
        subtitle_language="hin",
    )
    argv = mux_argv(inputs, tmp_path / "film.mp4")
    assert_inputs_are_whitelisted_local_files(argv)
    assert argv.count("-i") == (4 if with_subtitles else 3)
    assert argv[argv.index("-c:v") : argv.index("-c:v") + 4] == ["-c:v", "copy", "-c:a", "copy"]
    assert "+faststart" in argv
    assert ("mov_text" in argv) is with_subtitles
    metadata_index = argv[argv.index("-map_chapters") + 1]
    assert metadata_index == ("3" if with_subtitles else "2")
