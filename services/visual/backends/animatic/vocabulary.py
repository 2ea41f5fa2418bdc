"""The words the animatic draws from a prompt, and which of a prompt's words it will draw.

The animatic is not a model: it draws a place and a few props only when their words occur
(places.KEYWORDS, props.PROP_WORDS). A user re-rolling a shot with "a lighthouse" needs to know
that no lighthouse will appear, so DescribeBackend lists these words and checks a prompt with the
same matching the keyframe uses (words.py: plurals, case, Hindi stems), not a copy of it.
Weather and the time of day are not here: they come from the scene (the planner), not the prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from services.visual.backends.animatic.places import KEYWORDS
from services.visual.backends.animatic.props import PROP_WORDS
from services.visual.backends.animatic.words import matches, normalise


class Group(StrEnum):
    PLACE = "place"
    PROP = "prop"


@dataclass(frozen=True)
class Entry:
    group: Group
    drawn_as: str
    """What appears: the place or the prop's name ("boat" for "ship")."""
    words: tuple[str, ...]


ENTRIES: tuple[Entry, ...] = (
    *(Entry(Group.PLACE, place.value, words) for place, words in KEYWORDS.items() if words),
    *(Entry(Group.PROP, name, words) for name, words in PROP_WORDS.items()),
)


def vocabulary() -> dict[Group, list[str]]:
    """Every word each group understands, English then Hindi, in a stable order."""
    groups: dict[Group, list[str]] = {group: [] for group in Group}
    for entry in ENTRIES:
        groups[entry.group].extend(word for word in entry.words if word not in groups[entry.group])
    return groups


@dataclass(frozen=True)
class DrawnWord:
    word: str
    """As the prompt writes it ("boats", "नावें")."""
    group: Group
    drawn_as: str


@dataclass(frozen=True)
class Check:
    drawn: list[DrawnWord]
    not_drawn: list[str]


_TOKEN = re.compile(r"[\w\u0900-\u0963\u0966-\u097F]+")
"""A word: letters, digits and Devanagari, but not the danda (।) that ends a Hindi sentence."""
_SMALL_WORDS = """a an the and or but of in on at to from by with without into onto over under near by for as is are was
    were be been being it its this that these those there here his her their our my your he she they we you i
    me him them us some any all each every no not very so too then than just only also while where when who
    what which how up down out off away again still one two three four five six few many more most other such own same
    stands standing stand sits sitting walks walking looks looking holds holding goes going comes coming
    is big small old new little large tall long dark light bright deep high low wide close far behind front
    और या का की के में पर से को है हैं था थी थे एक वह यह वे ये भी तो ही ने लिए साथ"""
IGNORED = frozenset(_SMALL_WORDS.split())
"""Words a reader does not miss when they are not drawn (articles, pronouns, common verbs and
adjectives): leaving them out of not_drawn keeps the nouns that did not appear in view."""


def check(prompt: str) -> Check:
    """Which of the prompt's words the animatic draws (with what it draws for each) and which of
    the rest it cannot; a word is drawn when a keyword's match falls within it, as draw_keyframe
    would find it. Each word once, in the prompt's order."""
    text = normalise(prompt)
    covered: dict[int, Entry] = {}
    for entry in ENTRIES:
        for start, end in matches(text, entry.words):
            for position in range(start, end):
                covered.setdefault(position, entry)
    drawn: list[DrawnWord] = []
    not_drawn: list[str] = []
    for token in _TOKEN.finditer(text):
        word = token.group()
        if word in IGNORED or word.isdigit():
            continue  # "a" of the keyword "a well" is no word a user asked to be drawn
        found = next((covered[i] for i in range(token.start(), token.end()) if i in covered), None)
        if found is not None:
            if all(seen.word != word for seen in drawn):
                drawn.append(DrawnWord(word, found.group, found.drawn_as))
        elif word not in not_drawn:
            not_drawn.append(word)
    return Check(drawn, not_drawn)
