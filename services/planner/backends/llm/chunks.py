"""Fitting text to a model's context: token estimates, numbered sentences, and chunks.

Tokens are estimated, not counted (no tokenizer of the server's model is at hand): about three
characters of English per token, and one token per character of other scripts (Devanagari
tokenizes much worse). Over-estimating only makes chunks smaller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_ASCII_CHARS_PER_TOKEN = 3.0
SHOWN_WORDS = 60
"""A sentence longer than this is shown cut ("…"): the model only needs to see where it goes."""


def estimate_tokens(text: str) -> int:
    ascii_chars = sum(1 for char in text if char.isascii())
    return math.ceil(ascii_chars / _ASCII_CHARS_PER_TOKEN + (len(text) - ascii_chars)) + 1


def numbered(number: int, text: str, label: str = "") -> str:
    """'12. [Meera] Hold the lantern high.' (the text cut at SHOWN_WORDS words)."""
    words = text.split()
    shown = " ".join(words[:SHOWN_WORDS]) + (" …" if len(words) > SHOWN_WORDS else "")
    return f"{number}. {f'[{label}] ' if label else ''}{shown}"


def chunk(costs: Sequence[int], budget: int, start: int = 0) -> int:
    """The end (exclusive) of the longest run from start whose costs fit the budget: at least one."""
    total = 0
    for index in range(start, len(costs)):
        total += costs[index]
        if total > budget and index > start:
            return index
    return len(costs)
