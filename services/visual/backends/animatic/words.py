"""Finding things in a shot's words, in English and Hindi.

English keywords match whole words (plural "s"/"es" allowed), case-insensitively, so "hill"
finds "hills" but not "chilly". Devanagari keywords are stems matched as substrings, because
Hindi inflects the end of a word (नीला, नीली, नीले all start with नील); a stem must start a
word, so हरा (green) is not found inside ठहरा.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache


def normalise(text: str) -> str:
    """NFC and lower case, so "Village" and a decomposed "गाँव" match their keywords."""
    return unicodedata.normalize("NFC", text).casefold()


_WORD_START = r"(?<![\w\u0900-\u097F])"
"""Nothing of the same word just before: Python's \\b breaks at Devanagari vowel signs, so it cannot be used."""


@lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern[str]:
    word = normalise(keyword)
    if word.isascii():
        return re.compile(rf"\b{re.escape(word)}(?:s|es)?\b")
    return re.compile(_WORD_START + re.escape(word))


def mentions(text: str, keywords: Iterable[str]) -> int:
    """How many times the keywords occur in the text."""
    plain = normalise(text)
    return sum(len(_pattern(keyword).findall(plain)) for keyword in keywords)


def matches(text: str, keywords: Iterable[str]) -> list[tuple[int, int]]:
    """Where the keywords occur in the normalised text (start, end), as mentions counts them."""
    plain = normalise(text)
    return [match.span() for keyword in keywords for match in _pattern(keyword).finditer(plain)]
