"""Subtitle text round-trips exactly, for any string: what a reader of the .srt, .vtt or .ass file
gets back (joining the screen lines with spaces) is the cue's text in its one-line form
(services.composer.subtitles.clean_text), and no character of it is read as markup: no ASS
override or escape, no WebVTT tag or entity, no SRT block break."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from services.composer.models import OutputProfile
from services.composer.subtitles import (
    WORD_JOINER,
    SubtitleEvent,
    ass_document,
    clean_text,
    layout,
    soft_track_srt,
    srt_document,
    vtt_document,
)
from services.composer.timeline import TimedCue
from storyreel.domain import Language

PROFILE = OutputProfile(width=640, height=360, fps=24)
_TRICKY = st.sampled_from([*"\\{}<>&-:'%[];,\n\r\t NnhH\u2060\u2028\x00\x85 abc", "-->", "\\N", "&amp;"])
TEXTS = st.one_of(st.text(), st.lists(_TRICKY, max_size=40).map("".join))
_SRT_TIME = re.compile(r"^\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}$")
_VTT_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$")


def events_of(text: str, max_chars: int) -> list[SubtitleEvent]:
    return layout([TimedCue(text, Language.EN, 1.0, 4.0)], max_chars)


def read_srt(document: str) -> list[list[str]]:
    """Each block's text lines; the number and time lines must be where SRT readers expect them."""
    blocks = []
    for number, block in enumerate(document.split("\n\n"), start=1):
        lines = block.strip("\n").split("\n")
        assert lines[0] == str(number) and _SRT_TIME.match(lines[1]), block
        assert all(line.strip() for line in lines[2:]), block
        blocks.append(lines[2:])
    return blocks


def unescape_ass(text: str) -> list[str]:
    """libass's reading of a Dialogue text: \\N breaks the line; the only other backslashes are
    the writer's \\{, \\} and backslash-word-joiner (a literal backslash); a bare { would open tags."""
    lines, current, index = [], "", 0
    while index < len(text):
        char = text[index]
        assert char != "{", f"an unescaped brace would open override tags: {text!r}"
        if char == "\\":
            following = text[index + 1 : index + 2]
            assert following in ("N", "{", "}", WORD_JOINER), f"a backslash libass would read as an escape: {text!r}"
            if following == "N":
                lines.append(current)
                current = ""
            else:
                current += "\\" if following == WORD_JOINER else following
            index += 2
            continue
        current += char
        index += 1
    return [*lines, current]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=TEXTS, max_chars=st.integers(min_value=8, max_value=60))
def test_srt_gives_back_the_text(text: str, max_chars: int) -> None:
    events = events_of(text, max_chars)
    if not events:
        assert clean_text(text) == ""
        return
    blocks = read_srt(srt_document(events))
    assert " ".join(line for block in blocks for line in block) == clean_text(text)
    soft = read_srt(soft_track_srt(events))
    joined = " ".join(line for block in soft for line in block).replace("\\" + WORD_JOINER, "\\")
    assert joined == clean_text(text)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=TEXTS, max_chars=st.integers(min_value=8, max_value=60))
def test_ass_gives_back_the_text_and_no_override_or_escape(text: str, max_chars: int) -> None:
    events = events_of(text, max_chars)
    dialogue = [line for line in ass_document(events, PROFILE, "Noto Sans").split("\n") if line.startswith("Dialogue:")]
    assert len(dialogue) == len(events)
    lines = [piece for line in dialogue for piece in unescape_ass(line.split(",", 9)[9])]
    assert " ".join(lines) == clean_text(text)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=TEXTS, max_chars=st.integers(min_value=8, max_value=60))
def test_vtt_gives_back_the_text_and_no_tag_or_entity(text: str, max_chars: int) -> None:
    events = events_of(text, max_chars)
    cues = vtt_document(events).split("\n\n")[1:]
    assert len(cues) == len(events)
    lines = []
    for cue in cues:
        timing, *texts = cue.strip("\n").split("\n")
        assert _VTT_TIME.match(timing), cue
        for line in texts:
            assert "<" not in line and ">" not in line and "-->" not in line
            assert not re.search(r"&(?!amp;|lt;|gt;)", line), line
            lines.append(line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    assert " ".join(lines) == clean_text(text)
