"""Which language a line is in, judged by its script: Devanagari is Hindi, Latin is English."""

from __future__ import annotations

import re

from storyreel.domain import Language

_DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097F]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
MIXED_SHARE = 0.2
"""A line is mixed when the smaller script has at least this share of its words."""


def detect(text: str, default: Language = Language.EN) -> Language:
    hindi = len(_DEVANAGARI_WORD.findall(text))
    english = len(_LATIN_WORD.findall(text))
    total = hindi + english
    if total == 0:
        return default
    if min(hindi, english) / total >= MIXED_SHARE:
        return Language.MIXED
    return Language.HI if hindi > english else Language.EN


def is_devanagari(text: str) -> bool:
    return bool(_DEVANAGARI_WORD.search(text))


_SILENT_TOKEN = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")
"""A whitespace-separated token with no letter or digit in it: '—', '।', '...'."""


def count_words(text: str) -> int:
    """Spoken words: whitespace-separated tokens that hold a letter or digit (not a lone । or —)."""
    return len(text.split()) - len(_SILENT_TOKEN.findall(text))
