"""Subtitle text: wrapping, SRT, WebVTT and ASS formatting, and escaping so user text shows literally."""

from __future__ import annotations

import itertools
import re

import pytest

from services.composer.models import OutputProfile
from services.composer.subtitles import (
    WORD_JOINER,
    SubtitleEvent,
    ass_document,
    ass_escape,
    ass_time,
    clean_text,
    layout,
    pages,
    soft_track_srt,
    srt_document,
    srt_time,
    track_language,
    vtt_document,
    wrap_lines,
)
from services.composer.timeline import TimedCue
from storyreel.domain import Language
from storyreel.profiles import SubtitlePosition, SubtitleSize

LONG_EN = (
    "The keeper climbed the ninety-nine steps of the lighthouse every evening, lit the great lamp,"
    " and watched the ships pass safely through the narrow channel below the cliffs."
)
LONG_HI = "किसान हर सुबह कुएँ के पास जाता, बाल्टी से पानी खींचता और अपने खेत की ओर चल पड़ता, जहाँ धूप पहले ही फैल चुकी होती।"


def test_wrap_keeps_every_line_within_the_limit_and_every_word() -> None:
    lines = wrap_lines(LONG_EN, 42)
    assert all(len(line) <= 42 for line in lines)
    assert " ".join(lines) == LONG_EN


def test_wrap_keeps_a_word_longer_than_a_line_whole() -> None:
    assert wrap_lines("see https://example.com/a/very/long/path/that/does/not/fit ok", 20) == [
        "see",
        "https://example.com/a/very/long/path/that/does/not/fit",
        "ok",
    ]


def test_pages_have_at_most_two_balanced_lines() -> None:
    for text in (LONG_EN, LONG_HI):
        for page in pages(text, 42):
            assert 1 <= len(page) <= 2
            assert all(len(line) <= 42 for line in page)
    first, second = pages("one two three four five six seven eight nine ten", 42)[0]
    assert abs(len(first) - len(second)) <= 6


def test_devanagari_wraps_at_spaces_and_keeps_its_characters() -> None:
    lines = wrap_lines(LONG_HI, 42)
    assert len(lines) > 1
    assert " ".join(lines) == LONG_HI


def test_clean_text_flattens_control_characters_but_keeps_joiners() -> None:
    assert clean_text("a\nb\r\n\tc\x00d") == "a b c d"
    assert clean_text("क्\u200dष") == "क्\u200dष"  # ZWJ shapes a half form: it must survive


def test_a_long_cue_is_split_into_screens_that_share_its_time() -> None:
    cue = TimedCue(LONG_EN, Language.EN, 10.0, 20.0)
    events = layout([cue], 42)
    assert len(events) >= 2
    assert events[0].start_s == 10.0
    assert abs(events[-1].end_s - 20.0) < 1e-9
    for before, after in itertools.pairwise(events):
        assert abs(before.end_s - after.start_s) < 1e-9
    assert " ".join(" ".join(event.lines) for event in events) == LONG_EN


def test_a_blank_cue_makes_no_event() -> None:
    assert layout([TimedCue(" \n ", Language.EN, 0, 1)], 42) == []


def test_srt_times() -> None:
    assert srt_time(0) == "00:00:00,000"
    assert srt_time(3661.2345) == "01:01:01,234"
    assert srt_time(59.9996) == "00:01:00,000"


def test_srt_document_is_numbered_blocks_separated_by_blank_lines() -> None:
    events = [
        SubtitleEvent(0.5, 2.0, ("Hello there,", "keeper."), Language.EN),
        SubtitleEvent(2.0, 4.25, ("किसान कुएँ के पास गया।",), Language.HI),
    ]
    assert srt_document(events) == (
        "1\n00:00:00,500 --> 00:00:02,000\nHello there,\nkeeper.\n"
        "\n"
        "2\n00:00:02,000 --> 00:00:04,250\nकिसान कुएँ के पास गया।\n"
    )


def test_srt_keeps_user_text_literal() -> None:
    text = 'He said: "50% {off}" \\n C:\\path'
    assert text in srt_document([SubtitleEvent(0, 1, (text,), Language.EN)])


def test_vtt_document_has_the_header_and_cues_with_dotted_millisecond_times() -> None:
    events = [
        SubtitleEvent(0.5, 2.0, ("Hello there,", "keeper."), Language.EN),
        SubtitleEvent(3661.2345, 3663.0, ("किसान कुएँ के पास गया।",), Language.HI),
    ]
    assert vtt_document(events) == (
        "WEBVTT\n"
        "\n"
        "00:00:00.500 --> 00:00:02.000\nHello there,\nkeeper.\n"
        "\n"
        "01:01:01.234 --> 01:01:03.000\nकिसान कुएँ के पास गया।\n"
    )


def test_vtt_shows_markup_and_arrows_literally() -> None:
    document = vtt_document([SubtitleEvent(0, 1, ("<b>bold</b> & --> {x} \\n",), Language.EN)])
    assert document.endswith("\n&lt;b&gt;bold&lt;/b&gt; &amp; --&gt; {x} \\n\n")
    assert document.count("-->") == 1  # only the timing line's


def test_the_soft_track_defuses_backslashes_for_ffmpegs_srt_reader() -> None:
    document = soft_track_srt([SubtitleEvent(0, 1, ("C:\\new",), Language.EN)])
    assert f"C:\\{WORD_JOINER}new" in document


def test_ass_escape_neutralises_override_blocks_and_escapes() -> None:
    escaped = ass_escape('He said: "50% {off}" \\N C:\\path {\\i1}')
    assert "{" not in escaped.replace("\\{", "")  # every brace is escaped
    assert "}" not in escaped.replace("\\}", "")
    assert re.search(r"\\[Nnh]", escaped) is None  # no backslash escape survives
    assert escaped.replace(WORD_JOINER, "").replace("\\{", "{").replace("\\}", "}") == (
        'He said: "50% {off}" \\N C:\\path {\\i1}'
    )


def test_ass_times_are_centiseconds() -> None:
    assert ass_time(0) == "0:00:00.00"
    assert ass_time(3723.456) == "1:02:03.46"


def test_ass_document_sizes_to_the_profile_and_shifts_times() -> None:
    events = [SubtitleEvent(301.0, 303.5, ("first, with a comma", "second"), Language.EN)]
    document = ass_document(events, OutputProfile(width=1280, height=720, fps=24), "Noto Sans", offset_s=300.0)
    assert "PlayResX: 1280\nPlayResY: 720\n" in document
    assert "Style: Default,Noto Sans," in document
    assert document.endswith("Dialogue: 0,0:00:01.00,0:00:03.50,Default,,0,0,0,,first, with a comma\\Nsecond\n")


def test_track_language() -> None:
    def event(language: Language) -> SubtitleEvent:
        return SubtitleEvent(0, 1, ("x",), language)

    assert track_language([event(Language.EN)]) == "eng"
    assert track_language([event(Language.HI), event(Language.HI)]) == "hin"
    assert track_language([event(Language.EN), event(Language.HI)]) == "mul"


def test_a_long_line_never_leaves_a_lone_word_on_its_own_screen() -> None:
    text = (
        "Old Meera lived in a small stone cottage at the edge of the village, beside the river. "
        "Every evening she climbed the hill."
    )
    screens = pages(text, 42)
    lengths = [len(" ".join(screen)) for screen in screens]
    assert len(screens) == 2
    assert min(lengths) > 0.6 * max(lengths)
    assert " ".join(" ".join(screen) for screen in screens) == text


def style_line(document: str) -> dict[str, str]:
    """The Default style's fields by name, as libass reads them."""
    lines = document.split("\n")
    names = next(line for line in lines if line.startswith("Format: Name,")).removeprefix("Format: ").split(", ")
    values = next(line for line in lines if line.startswith("Style: Default,")).removeprefix("Style: ").split(",")
    return dict(zip(names, values, strict=True))


def test_the_default_ass_style_is_the_one_films_always_had() -> None:
    """Medium at the bottom: 5.5% of the height (40 px at 720p), bottom centre, 5% margin."""
    style = style_line(ass_document([], OutputProfile(width=1280, height=720, fps=24), "Noto Sans"))
    assert (style["Fontsize"], style["Alignment"], style["MarginV"], style["Outline"]) == ("40", "2", "36", "2.4")


@pytest.mark.parametrize(("size", "height", "font_px"), [
    (SubtitleSize.SMALL, 720, "30"), (SubtitleSize.MEDIUM, 720, "40"), (SubtitleSize.LARGE, 720, "54"),
    (SubtitleSize.LARGE, 360, "27"), (SubtitleSize.LARGE, 1920, "144"), (SubtitleSize.SMALL, 1080, "45"),
])
def test_the_letter_size_is_a_share_of_the_frames_height(size: SubtitleSize, height: int, font_px: str) -> None:
    profile = OutputProfile(width=height * 16 // 9 // 2 * 2, height=height, fps=24)
    style = style_line(ass_document([], profile, "Noto Sans", size=size))
    assert style["Fontsize"] == font_px
    assert style["MarginV"] == str(round(height * 0.05))


def test_the_outline_grows_with_the_letters() -> None:
    profile = OutputProfile(width=1280, height=720, fps=24)
    outlines = [float(style_line(ass_document([], profile, "Noto Sans", size=size))["Outline"]) for size in
                (SubtitleSize.SMALL, SubtitleSize.MEDIUM, SubtitleSize.LARGE)]
    assert outlines == sorted(outlines) and outlines[0] < outlines[2]


def test_top_subtitles_are_top_centre_with_the_same_margin_from_the_top_edge() -> None:
    profile = OutputProfile(width=1280, height=720, fps=24)
    top = style_line(ass_document([], profile, "Noto Sans", position=SubtitlePosition.TOP))
    bottom = style_line(ass_document([], profile, "Noto Sans", position=SubtitlePosition.BOTTOM))
    assert (top["Alignment"], bottom["Alignment"]) == ("8", "2")  # numpad: 8 top centre, 2 bottom centre
    assert top["MarginV"] == bottom["MarginV"] == "36"
