"""Story text as every service sees it: one normal form, and what the voices can read.

The gateway checks a story at the door and the planner checks it again with the same rules, so
what the door accepts the planner can narrate:

- normal_text: NFC; one newline convention; control characters out (tabs and newlines stay),
  and with them lone surrogates, bidirectional overrides and byte-order marks.
- speakable: a text holds at least one letter of a script a voice speaks, or a digit.
- check_scripts: a story (or one of its lines) mostly written in a script no voice speaks is
  refused with the languages that are spoken.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from storyreel.errors import InvalidInput

__all__ = [
    "SCRIPT_LANGUAGES",
    "SPOKEN_DIGITS",
    "check_scripts",
    "check_speakable",
    "letter_scripts",
    "normal_text",
    "script_of",
    "speakable",
    "supported_languages",
    "unspoken_script",
]

SCRIPT_LANGUAGES = {"Latin": "English", "Devanagari": "Hindi"}
"""The scripts the configured voices read (espeak-ng's en and hi voices; Parler and Piper alike)."""
SPOKEN_DIGITS = frozenset("0123456789०१२३४५६७८९")
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u202a-\u202e\u2066-\u2069]")
"""Control characters (Unicode category Cc) but tab and newline, lone surrogates, the byte-order
mark, and the bidirectional embeddings, overrides and isolates."""
_ASCII_SPEAKABLE = re.compile("[A-Za-z0-9]")
_SPOKEN_OR_NEUTRAL = re.compile("[\x00-\u024f\u0900-\u097f\u1e00-\u1eff\u2000-\u206f\ua8e0-\ua8ff]*")
"""Text of only Latin, Devanagari, punctuation and spaces: no letter of another script."""
_SCRIPT_NAMES = {"CJK": "Chinese/Japanese (CJK)", "HANGUL": "Korean (Hangul)"}
_CHUNK_END = re.compile(r"\n|(?<=[.!?।॥…])\s+")
_QUOTED = 60


def normal_text(text: str) -> str:
    """The text in NFC with newlines as \\n, without control characters other than \\n and \\t."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", _DROPPED.sub("", text))


@functools.lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """The script of a letter ("Latin", "Devanagari", "Arabic", ...); None for anything else.
    Compatibility forms count as their base letter (ﬁ, Ａ and 𝐀 are Latin)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    base = unicodedata.normalize("NFKD", char)[:1] or char
    name = unicodedata.name(base, "")
    if not name or name.startswith("MODIFIER LETTER"):
        return None
    word = name.split(" ", 1)[0]
    return word.title() if word in ("LATIN", "DEVANAGARI") else _SCRIPT_NAMES.get(word, word.title())


def letter_scripts(text: str) -> Counter[str]:
    """How many letters of each script the text holds."""
    return Counter(script for char in text if (script := script_of(char)) is not None)


def speakable(text: str) -> bool:
    """Whether a voice has anything to say: a letter of a spoken script, or a digit."""
    if _ASCII_SPEAKABLE.search(text):
        return True
    return any(char in SPOKEN_DIGITS or script_of(char) in SCRIPT_LANGUAGES for char in text if not char.isascii())


def supported_languages() -> str:
    """'English (Latin script) and Hindi (Devanagari script)'."""
    parts = [f"{language} ({script} script)" for script, language in SCRIPT_LANGUAGES.items()]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def unspoken_script(text: str) -> str | None:
    """The script most of the text's letters are in, when no voice speaks it; else None."""
    if _SPOKEN_OR_NEUTRAL.fullmatch(text):
        return None
    scripts = letter_scripts(text)
    spoken = sum(count for script, count in scripts.items() if script in SCRIPT_LANGUAGES)
    unspoken = Counter({script: count for script, count in scripts.items() if script not in SCRIPT_LANGUAGES})
    if not unspoken or unspoken.total() <= spoken:
        return None
    return unspoken.most_common(1)[0][0]


def check_scripts(text: str, what: str = "the story") -> None:
    """InvalidInput when the text, or one of its lines or sentences, is mostly in a script no voice speaks."""
    chunks = [chunk for chunk in _CHUNK_END.split(text) if chunk.strip()]
    for number, chunk in enumerate(chunks, start=1):
        script = unspoken_script(chunk)
        if script is not None:
            quoted = " ".join(chunk.split())
            quoted = quoted if len(quoted) <= _QUOTED else quoted[: _QUOTED - 1] + "…"
            where = f" (line {number}: {quoted!r})" if len(chunks) > 1 else ""
            raise InvalidInput(
                f"{what} is written in {script} script{where}, which no voice here speaks; "
                f"the voices speak {supported_languages()}"
            )


def check_speakable(text: str, what: str = "the story") -> None:
    """InvalidInput when the text holds nothing a voice can say (only emoji, symbols or punctuation)."""
    if not speakable(text):
        raise InvalidInput(
            f"{what} has no words a voice can read (only emoji, symbols or punctuation); "
            f"the voices speak {supported_languages()}"
        )
