"""Sentences: split at . ! ? … and the Devanagari danda । ॥, but not after Mr. Dr. St. or initials."""

from __future__ import annotations

import re

from services.planner.story.lexicon import wordset

_ABBREVIATIONS = wordset(
    "mr mrs ms dr st jr sr prof capt col gen lt sgt mt rev hon vs etc e.g i.e no vol fig esq messrs mme mlle"
)
# Terminal punctuation, any closing quotes or brackets after it, then the space before the next sentence.
# The danda needs no space after it: it cannot end an abbreviation.
_BOUNDARY = re.compile(r"(?:[.!?…]+|\.\.\.)[\"”’')\]]*\s+|[।॥]+[\"”’')\]]*\s*")
_WORD_BEFORE = re.compile(r"(\S+)$")


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph (or one quoted span), in order, whitespace trimmed."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end >= len(text) or not _splits_here(text, match.start(), end):
            continue
        sentences.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [sentence for sentence in sentences if sentence]


def _splits_here(text: str, punctuation_at: int, next_at: int) -> bool:
    following = text[next_at]
    if following.islower() and following.isascii():
        return False  # "etc. and", "Oh! what a night": the sentence goes on
    if text[punctuation_at] != ".":
        return True
    word = _WORD_BEFORE.search(text, 0, punctuation_at)
    if word is None:
        return True
    token = word.group(1).lstrip("\"“‘'(").lower()
    return not (token in _ABBREVIATIONS or _is_initial(token))


def _is_initial(token: str) -> bool:
    """ "O" in "O. Henry", "S.L.O" in "S.L.O.", "E.S.E" in a compass bearing."""
    letters = token.replace(".", "")
    return len(letters) <= 3 and letters.isalpha() and (len(letters) == 1 or "." in token)
