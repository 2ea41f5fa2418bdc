"""A screenplay read as one: sluglines start scenes, cues make dialogue, directions are narrated.

    INT. MEERA'S COTTAGE - NIGHT          a slugline: a new scene, its setting and time of day

    Meera lights the lantern.             action: narrated

                  ARJUN                   a cue: the lines under it are Arjun's dialogue
            (whispering)                  a parenthetical: a direction, not spoken
       The storm is too strong.

    CUT TO:                               a transition: not spoken

Works with indented scripts and with unindented ones (Fountain style). What comes before the
first slugline or FADE IN: is the title page: its first line is the title, the rest is not narrated.
"""

from __future__ import annotations

import re

from services.planner.story.blocks import Block, BlockKind, Slug
from storyreel.domain import TimeOfDay

_SLUGLINE = re.compile(r"^\s*\.?(?:INT\.?/EXT|EXT\.?/INT|I/E|INT|EXT|EST)[.\s]\s*(?P<rest>.*)$")
_TRANSITION = re.compile(r"^\s*(?:[A-Z][A-Z ]*TO:|FADE (?:IN|OUT|TO BLACK)[.:]?|THE END\.?|END\.?)\s*$")
_EXTENSION = re.compile(r"\s*\((?:V\.?O\.?|O\.?S\.?|O\.?C\.?|CONT['’]?D|CONTINUING|FILTERED)\)\s*", re.IGNORECASE)
_CUE = re.compile(r"^\s*(?P<name>[A-Z][A-Z0-9.'’\- ]{0,38}?)\s*(?:\([^)]*\)\s*)*\^?\s*$")
_PARENTHETICAL = re.compile(r"^\s*\(.*\)\s*$")
_PLACE_SEPARATOR = re.compile(r"\s+[-–—]+\s+|\s*[-–—]{2,}\s*")
_CUE_WORDS = 4
_TIMES = {
    "DAWN": TimeOfDay.DAWN,
    "SUNRISE": TimeOfDay.DAWN,
    "MORNING": TimeOfDay.MORNING,
    "DAY": TimeOfDay.AFTERNOON,
    "NOON": TimeOfDay.NOON,
    "MIDDAY": TimeOfDay.NOON,
    "AFTERNOON": TimeOfDay.AFTERNOON,
    "EVENING": TimeOfDay.EVENING,
    "DUSK": TimeOfDay.EVENING,
    "SUNSET": TimeOfDay.EVENING,
    "NIGHT": TimeOfDay.NIGHT,
    "MIDNIGHT": TimeOfDay.NIGHT,
}
_NO_TIME = frozenset({"CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME"})


def is_screenplay(text: str) -> bool:
    """Two sluglines, or one and a cue with its dialogue."""
    lines = text.split("\n")
    sluglines = sum(1 for line in lines if _SLUGLINE.match(line) and _is_caps(line))
    return sluglines >= 2 or (sluglines == 1 and any(_is_cue(lines, i) for i in range(len(lines))))


def read_screenplay(text: str) -> tuple[str, list[Block]]:
    """The title (from the title page, if any) and the script's blocks in order."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _SLUGLINE.match(line) or _TRANSITION.match(line)), 0)
    title = next((line.strip() for line in lines[:start] if line.strip()), "")
    blocks: list[Block] = []
    for group in _groups(lines[start:]):
        blocks.extend(_blocks_of(group))
    return title, blocks


def parse_slug(rest: str, interior: bool) -> Slug:
    """'MEERA'S COTTAGE - NIGHT' -> setting "interior of meera's cottage", time NIGHT."""
    parts = [part.strip(" .") for part in _PLACE_SEPARATOR.split(rest.strip()) if part.strip(" .")]
    time: TimeOfDay | None = None
    if parts and (parts[-1].upper() in _TIMES or parts[-1].upper() in _NO_TIME):
        time = _TIMES.get(parts.pop().upper())
    place = ", ".join(part.lower() for part in parts) or "a place"
    return Slug(f"{'interior' if interior else 'exterior'} of {place}", time)


# --------------------------------------------------------------------------- lines


def _groups(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def _blocks_of(group: list[str]) -> list[Block]:
    """One run of lines: sluglines, transitions, a cue with its dialogue, or action."""
    blocks: list[Block] = []
    action: list[str] = []
    index = 0
    while index < len(group):
        line = group[index]
        slug = _SLUGLINE.match(line)
        if (slug and _is_caps(line)) or _TRANSITION.match(line) or _is_cue(group, index):
            blocks.extend(_action(action))
            action = []
        if slug and _is_caps(line):
            interior = not line.strip().lstrip(".").upper().startswith(("EXT", "EST"))
            blocks.append(Block(BlockKind.HEADING, line.strip().lstrip("."), slug=parse_slug(slug["rest"], interior)))
        elif _TRANSITION.match(line):
            pass
        elif _is_cue(group, index):
            spoken, index = _dialogue(group, index + 1)
            if spoken:
                blocks.append(Block(BlockKind.PARAGRAPH, spoken, cue=cue_name(line)))
            continue
        else:
            action.append(line)
        index += 1
    return blocks + _action(action)


def _dialogue(group: list[str], index: int) -> tuple[str, int]:
    """The lines under a cue up to the next cue: spoken text without its parentheticals."""
    spoken: list[str] = []
    while index < len(group) and not _is_cue(group, index) and not _SLUGLINE.match(group[index]):
        if not _PARENTHETICAL.match(group[index]):
            spoken.append(re.sub(r"\([^)]*\)", " ", group[index]).strip())
        index += 1
    return " ".join(" ".join(spoken).split()), index


def _action(lines: list[str]) -> list[Block]:
    text = " ".join(line.strip() for line in lines)
    return [Block(BlockKind.PARAGRAPH, text)] if text.strip() else []


def _is_cue(lines: list[str], index: int) -> bool:
    """An all-capitals name of a few words, with a spoken line right under it."""
    line = lines[index]
    match = _CUE.match(line)
    if not match or _SLUGLINE.match(line) or _TRANSITION.match(line):
        return False
    name = match["name"].strip()
    if len(name.split()) > _CUE_WORDS or name.endswith((".", ",", ":", "-")) or index + 1 >= len(lines):
        return False
    following = lines[index + 1]
    return bool(following.strip()) and not _SLUGLINE.match(following) and not _TRANSITION.match(following)


def cue_name(line: str) -> str:
    """'ARJUN (V.O.)' -> 'Arjun'; "MEERA'S SON" -> "Meera's Son"."""
    name = _EXTENSION.sub(" ", line).strip().rstrip("^").strip()
    name = re.sub(r"\([^)]*\)", "", name).strip()
    return " ".join(word[:1] + word[1:].lower() for word in name.split())


def _is_caps(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters if char.isascii())
