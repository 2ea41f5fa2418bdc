"""Subtitle text: wrapping, SRT and WebVTT for players, ASS for burning in with libass.

User text only ever lands in these files, never in an ffmpeg filter string. In ASS, braces
open override tags and a backslash starts an escape (\\N, \\h...), so both are neutralised and
the text renders literally; in WebVTT, < starts a tag and & an entity, so they become entities.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.composer.models import OutputProfile
from services.composer.timeline import TimedCue
from storyreel.domain import Language
from storyreel.profiles import SubtitlePosition, SubtitleSize

MAX_LINES = 2
_BREAKING = {"Cc", "Zl", "Zp"}
WORD_JOINER = "\u2060"
"""Invisible and zero-width: after a backslash it stops libass reading an escape like \\N."""


@dataclass(frozen=True)
class SubtitleEvent:
    """One subtitle on screen: at most MAX_LINES lines, absolute times."""

    start_s: float
    end_s: float
    lines: tuple[str, ...]
    language: Language


# --------------------------------------------------------------------------- wrapping


def clean_text(text: str) -> str:
    """One line of text: control characters, line breaks and runs of whitespace become one space.
    Format characters stay: ZWJ and ZWNJ change how Devanagari conjuncts are drawn."""
    spaced = "".join(" " if unicodedata.category(char) in _BREAKING else char for char in text)
    return " ".join(spaced.split())


def wrap_lines(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; a word longer than a line keeps a line to itself."""
    lines: list[str] = []
    for word in clean_text(text).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        elif word:
            lines.append(word)
    return lines


def balance(line_pair: Sequence[str]) -> tuple[str, ...]:
    """Re-split two lines where the longer of them is shortest, so a page reads evenly."""
    words = " ".join(line_pair).split(" ")
    splits = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
    return min(splits, key=lambda pair: (max(len(pair[0]), len(pair[1])), len(pair[0])))


def split_evenly(words: Sequence[str], count: int) -> list[list[str]]:
    """Cut words into at most `count` runs of about equal length (each word goes to the run its
    middle falls in), so a long line never leaves a lone word on a screen of its own."""
    total = len(" ".join(words))
    runs: list[list[str]] = [[] for _ in range(count)]
    position = 0
    for word in words:
        middle = position + len(word) / 2
        runs[min(count - 1, int(middle * count / total))].append(word)
        position += len(word) + 1
    return [run for run in runs if run]


def pages(text: str, max_chars: int) -> list[tuple[str, ...]]:
    """The text cut into the fewest screenfuls of at most MAX_LINES lines, of even length."""
    words = clean_text(text).split()
    if not words:
        return []
    count = max(1, math.ceil(len(wrap_lines(text, max_chars)) / MAX_LINES))
    while True:  # ends: with one word per screen every screen wraps to a single line
        wrapped = [wrap_lines(" ".join(run), max_chars) for run in split_evenly(words, count)]
        if all(len(lines) <= MAX_LINES for lines in wrapped):
            return [balance(lines) if len(lines) == MAX_LINES else tuple(lines) for lines in wrapped]
        count += 1


def layout(cues: Iterable[TimedCue], max_chars: int) -> list[SubtitleEvent]:
    """Cues as on-screen events; a cue too long for one screen shares its time among its pages
    in proportion to their length."""
    events: list[SubtitleEvent] = []
    for cue in cues:
        cue_pages = pages(cue.text, max_chars)
        total_chars = sum(len(" ".join(page)) for page in cue_pages)
        start = cue.start_s
        for page in cue_pages:
            share = len(" ".join(page)) / total_chars
            end = start + share * (cue.end_s - cue.start_s)
            events.append(SubtitleEvent(start, end, page, cue.language))
            start = end
    return events


# --------------------------------------------------------------------------- SRT


def clock(seconds: float, decimal_mark: str) -> str:
    """HH:MM:SS<mark>mmm, as SRT (mark ",") and WebVTT (mark ".") write times."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{millis:03d}"


def srt_time(seconds: float) -> str:
    return clock(seconds, ",")


def srt_document(events: Sequence[SubtitleEvent]) -> str:
    """SubRip: numbered blocks, `start --> end`, text lines, a blank line between blocks."""
    blocks = [
        f"{number}\n{srt_time(event.start_s)} --> {srt_time(event.end_s)}\n" + "\n".join(event.lines) + "\n"
        for number, event in enumerate(events, start=1)
    ]
    return "\n".join(blocks)


def soft_track_srt(events: Sequence[SubtitleEvent]) -> str:
    """The SRT that ffmpeg turns into the MP4's text track. ffmpeg's SRT reader treats \\n and \\N
    as line breaks, so a word joiner after each backslash keeps the text literal there too."""
    return srt_document(
        [
            SubtitleEvent(
                e.start_s, e.end_s, tuple(line.replace("\\", "\\" + WORD_JOINER) for line in e.lines), e.language
            )
            for e in events
        ]
    )


# --------------------------------------------------------------------------- WebVTT

_VTT_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def vtt_escape(line: str) -> str:
    """Literal text for a WebVTT cue: & < > as entities (so no tag, entity or --> can form)."""
    return "".join(_VTT_ENTITIES.get(char, char) for char in line)


def vtt_document(events: Sequence[SubtitleEvent]) -> str:
    """WebVTT, as browsers' <track> wants it: the header, then `start --> end` and text per cue."""
    cues = [
        f"{clock(event.start_s, '.')} --> {clock(event.end_s, '.')}\n" + "\n".join(map(vtt_escape, event.lines)) + "\n"
        for event in events
    ]
    return "\n".join(["WEBVTT\n", *cues])


def track_language(events: Sequence[SubtitleEvent]) -> str:
    """ISO 639-2 code for the subtitle track: eng, hin, or mul when the film mixes them."""
    languages = {event.language for event in events}
    if languages == {Language.EN}:
        return "eng"
    if languages == {Language.HI}:
        return "hin"
    return "mul"


# --------------------------------------------------------------------------- ASS

_ASS_SPECIAL = re.compile(r"[\\{}]")


def ass_escape(text: str) -> str:
    """Literal text for an ASS Dialogue line: braces escaped, backslashes defused."""

    def neutralise(match: re.Match[str]) -> str:
        char = match.group(0)
        return "\\" + WORD_JOINER if char == "\\" else "\\" + char

    return _ASS_SPECIAL.sub(neutralise, clean_text(text))


def ass_time(seconds: float) -> str:
    centis = max(0, round(seconds * 100))
    hours, rest = divmod(centis, 360_000)
    minutes, rest = divmod(rest, 6000)
    secs, centis = divmod(rest, 100)
    return f"{hours:d}:{minutes:02d}:{secs:02d}.{centis:02d}"


FONT_HEIGHT = {SubtitleSize.SMALL: 0.042, SubtitleSize.MEDIUM: 0.055, SubtitleSize.LARGE: 0.075}
"""Letter size as a fraction of the frame's height: medium is the size films always had (40 px
at 720p); small and large are about three quarters and four thirds of it."""
ASS_ALIGNMENT = {SubtitlePosition.BOTTOM: 2, SubtitlePosition.TOP: 8}
"""ASS numpad alignment: 2 is bottom centre, 8 top centre; MarginV is then the gap to that edge."""


def _ass_header(
    profile: OutputProfile, font: str, size: SubtitleSize = SubtitleSize.MEDIUM,
    position: SubtitlePosition = SubtitlePosition.BOTTOM,
) -> str:
    scale = FONT_HEIGHT[size] / FONT_HEIGHT[SubtitleSize.MEDIUM]
    font_size = round(profile.height * FONT_HEIGHT[size])
    outline = max(1.0, round(profile.height / 300 * scale, 1))  # the outline grows with the letters
    margin_v = round(profile.height * 0.05)
    margin_h = round(profile.width * 0.05)
    # The font name comes from settings, not from users; commas would break the Style line.
    font = font.replace(",", " ")
    return (
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {profile.width}\nPlayResY: {profile.height}\n"
        "WrapStyle: 0\nScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic,"
        " Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment,"
        " MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Default,{font},{font_size},&H00FFFFFF,&H000000FF,&H00101010,&H80000000,0,0,0,0,100,100,0,0,1,"
        f"{outline},{outline / 2:.1f},{ASS_ALIGNMENT[position]},{margin_h},{margin_h},{margin_v},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )


def ass_document(
    events: Iterable[SubtitleEvent], profile: OutputProfile, font: str, offset_s: float = 0.0,
    size: SubtitleSize = SubtitleSize.MEDIUM, position: SubtitlePosition = SubtitlePosition.BOTTOM,
) -> str:
    """An ASS script for libass at the given letter size and edge; times are shifted by -offset_s
    (a segment's start on the film)."""
    dialogue = [
        f"Dialogue: 0,{ass_time(event.start_s - offset_s)},{ass_time(event.end_s - offset_s)},Default,,0,0,0,,"
        + "\\N".join(ass_escape(line) for line in event.lines)
        + "\n"
        for event in events
    ]
    return _ass_header(profile, font, size, position) + "".join(dialogue)
