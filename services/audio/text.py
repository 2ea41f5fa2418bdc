"""Text on its way to espeak-ng: split by script, and rewritten so it reads aloud naturally.

A line may mix Latin and Devanagari ("He said नमस्ते and left"). Each script run is spoken by
the voice of its own language, so the line is cut into runs first; characters of neither
script (spaces, digits, punctuation, ₹) stay with the run they follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyreel.domain import Language

_DEVANAGARI = re.compile(r"[\u0900-\u097F\uA8E0-\uA8FF]")


@dataclass(frozen=True)
class Run:
    """A stretch of one line in one script, spoken in that script's language (EN or HI)."""

    text: str
    language: Language


def spoken_language(line_language: Language) -> Language:
    """The voice for text with no script of its own (digits, symbols): Hindi for Hindi lines, else English."""
    return Language.HI if line_language == Language.HI else Language.EN


def _script(char: str) -> Language | None:
    if _DEVANAGARI.match(char):
        return Language.HI
    return Language.EN if char.isalpha() else None


def split_runs(text: str, fallback: Language) -> list[Run]:
    """Cut text where the script changes; text with no letters at all is one run in `fallback`."""
    runs: list[Run] = []
    current: Language | None = None
    start = 0
    for index, char in enumerate(text):
        script = _script(char)
        if script is not None and current is not None and script != current:
            runs.append(Run(text[start:index].strip(), current))
            start = index
        current = script or current
    runs.append(Run(text[start:].strip(), current or fallback))
    return [run for run in runs if run.text]


def speakable(text: str) -> bool:
    """Whether espeak-ng would say anything: a line of only punctuation says nothing."""
    return any(char.isalnum() for char in text)


# --------------------------------------------------------------------------- reading aloud

_AMOUNT = r"(\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class _Currency:
    symbol: str
    """A regex for the symbol or code."""
    singular: str
    plural: str
    hindi: str

    def words(self, language: Language, amount: str | None = None) -> str:
        """Spoken amount first (500 rupees, 1 dollar, 500 रुपये); the unit alone when no amount follows."""
        unit = self.hindi if language == Language.HI else self.plural if amount != "1" else self.singular
        return f" {amount} {unit} " if amount else f" {unit} "


_CURRENCIES = (
    _Currency(r"₹|\bRs\.?|\bINR\b", "rupee", "rupees", "रुपये"),
    _Currency(r"\$|\bUSD\b", "dollar", "dollars", "डॉलर"),
    _Currency(r"£", "pound", "pounds", "पाउंड"),
    _Currency(r"€", "euro", "euros", "यूरो"),
)
_ENGLISH_ABBREVIATIONS = [
    (r"\bMr\.", "Mister"),
    (r"\bMrs\.", "Missus"),
    (r"\bMs\.", "Miz"),
    (r"\bDr\.", "Doctor"),
    (r"\bProf\.", "Professor"),
    (r"\bJr\.", "Junior"),
    (r"\bSr\.", "Senior"),
    (r"\bSt\.(?=\s+[A-Z])", "Saint"),  # "St. Paul"; "Main St." below
    (r"\bSt\.", "Street"),
    (r"\bNo\.(?=\s*\d)", "number"),
    (r"\be\.g\.", "for example"),
    (r"\bi\.e\.", "that is"),
    (r"\betc\.", "et cetera"),
    (r"\bvs\.", "versus"),
]
_HINDI_ABBREVIATIONS = [
    (r"डॉ\.", "डॉक्टर"),
    (r"श्री\.", "श्री"),
    (r"श्रीमती\.", "श्रीमती"),
]


def _spell_currency(text: str, language: Language) -> str:
    """Amount first, as it is said: espeak-ng reads "₹500" as "rupee five hundred" (English) or drops ₹ (Hindi)."""
    for currency in _CURRENCIES:

        def spoken(match: re.Match[str], currency: _Currency = currency) -> str:
            return currency.words(language, match.group(1))

        text = re.sub(rf"(?:{currency.symbol})\s?{_AMOUNT}", spoken, text)
        text = re.sub(currency.symbol, currency.words(language), text)
    return text


def prepare(text: str, language: Language) -> str:
    """Rewrite one run so espeak-ng reads it as a person would.

    "Dr. Rao" must not end a sentence after "Dr", "₹500" is "500 rupees" (espeak says "rupee
    500" or drops the symbol), Indian digit grouping "1,00,000" is one number, and "[[" (espeak's
    phoneme-input syntax) is never taken from user text.
    """
    text = text.replace("[[", "[ ")
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    text = _spell_currency(text, language)
    abbreviations = _HINDI_ABBREVIATIONS if language == Language.HI else _ENGLISH_ABBREVIATIONS
    for pattern, replacement in abbreviations:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"[ \t]+(?=[.,;:!?।])", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# --------------------------------------------------------------------------- long lines

_SENTENCE_END = re.compile(r"(?<=[.!?।॥…])[\"'”’)\]]*\s+")
"""After a full stop, !, ?, the danda । or ॥, or an ellipsis (and any closing quotes): a sentence ends."""
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+|\s+(?=[—–]\s)")
"""After a comma, semicolon, colon or dash: a clause ends."""


def _pack(parts: list[str], max_chars: int) -> list[str]:
    """Consecutive parts joined by spaces into as few pieces of at most max_chars as they fit in."""
    pieces: list[str] = []
    for part in parts:
        if pieces and len(pieces[-1]) + 1 + len(part) <= max_chars:
            pieces[-1] = f"{pieces[-1]} {part}"
        else:
            pieces.append(part)
    return pieces


def _split(text: str, max_chars: int, boundaries: list[re.Pattern[str]]) -> list[str]:
    """Pieces of at most max_chars: the text cut at the first kind of boundary, the parts that
    fit packed together; a part that does not fit is cut at the next kind of boundary on its
    own (its pieces never join a neighbouring part's). Words last; a single word longer than
    max_chars is cut where it must be."""
    if len(text) <= max_chars:
        return [text]
    if not boundaries:
        words = text.split()
        if len(words) == 1:
            return [text[start : start + max_chars] for start in range(0, len(text), max_chars)]
        return _pack([piece for word in words for piece in _split(word, max_chars, [])], max_chars)
    pieces: list[str] = []
    fitting: list[str] = []
    for part in (part.strip() for part in boundaries[0].split(text)):
        if not part:
            continue
        if len(part) <= max_chars:
            fitting.append(part)
            continue
        pieces += _pack(fitting, max_chars) + _split(part, max_chars, boundaries[1:])
        fitting = []
    return pieces + _pack(fitting, max_chars)


def split_for_speech(text: str, max_chars: int) -> list[str]:
    """A line in pieces short enough for a model that can only speak so much at once: whole
    sentences where they fit (several to a piece), else clauses, else words; never more than
    max_chars characters a piece. Nothing is dropped: joined with spaces, the pieces are the text
    with its whitespace collapsed (but for a word longer than max_chars, which is cut in two)."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    text = " ".join(text.split())
    if not text:
        return []
    return _split(text, max_chars, [_SENTENCE_END, _CLAUSE_END])
