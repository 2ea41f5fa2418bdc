"""Devanagari to plain Latin letters, for ASCII ids and English prompts ("गुड़िया" -> "gudiya").

A simple scheme, not a standard (long and short vowels are written alike, as in names:
"Gudiya", "Hamid"): each consonant carries an inherent "a" unless a vowel sign or
virama follows it, and the inherent "a" at the end of a word is dropped (as Hindi speech does).
"""

from __future__ import annotations

import re


def _letters(text: str) -> list[str]:
    return text.split()


_CONSONANTS = dict(
    zip(
        "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
        _letters("k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h l"),
        strict=True,
    )
)
_NUKTA_CONSONANTS = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "d", "ढ": "dh", "फ": "f"}
_PRECOMPOSED = {"क़": "क़", "ख़": "ख़", "ग़": "ग़", "ज़": "ज़", "ड़": "ड़", "ढ़": "ढ़", "फ़": "फ़"}
_VOWELS = dict(zip("अआइईउऊऋएऐओऔ", _letters("a a i i u u ri e ai o au"), strict=True))
_VOWEL_SIGNS = dict(zip("ािीुूृेैोौ", _letters("a i i u u ri e ai o au"), strict=True))
_MARKS = {"ं": "n", "ँ": "n", "ः": "h"}
_VIRAMA, _NUKTA = "्", "़"


def transliterate(text: str) -> str:
    for precomposed, decomposed in _PRECOMPOSED.items():
        text = text.replace(precomposed, decomposed)
    return re.sub(r"[\u0900-\u097F]+", lambda match: _word(match.group()), text)


def _word(word: str) -> str:
    out: list[str] = []
    for index, char in enumerate(word):
        following = word[index + 1] if index + 1 < len(word) else ""
        if char in _CONSONANTS:
            nukta = following == _NUKTA
            out.append(_NUKTA_CONSONANTS.get(char, _CONSONANTS[char]) if nukta else _CONSONANTS[char])
            after = word[index + 2] if nukta and index + 2 < len(word) else following
            if after not in _VOWEL_SIGNS and after != _VIRAMA:
                out.append("a")
        elif char in _VOWELS:
            out.append(_VOWELS[char])
        elif char in _VOWEL_SIGNS:
            out.append(_VOWEL_SIGNS[char])
        elif char in _MARKS:
            out.append(_MARKS[char])
    latin = "".join(out)
    return latin[:-1] if len(latin) > 2 and latin.endswith("a") and word[-1] in _CONSONANTS else latin
