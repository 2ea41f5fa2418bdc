"""The cast as the rules planner keeps it: candidates while reading, members once found, and a
matcher that finds every name and alias in a line."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass
class Candidate:
    """A name while the story is read, with the evidence that it is a character."""

    name: str
    first_paragraph: int
    count: int = 0
    strong: int = 0
    speaks: int = 0
    person: int = 0
    place: int = 0
    titles: Counter[str] = field(default_factory=Counter)


class Mention(NamedTuple):
    start: int
    end: int
    character_id: str


@dataclass
class CastMember:
    """A character before it becomes a domain Character: forms are what the text calls them."""

    id: str
    name: str
    forms: list[str]
    first_paragraph: int
    mentions: int
    speaks: int
    hindi: bool
    titles: Counter[str] = field(default_factory=Counter)
    relation: str = ""
    """Hindi relation word that introduced the name (पोती गुड़िया -> पोती), for the description."""

    @property
    def aliases(self) -> list[str]:
        return [form for form in self.forms if form != self.name]


class Cast:
    """The characters, and a matcher that finds them in any text."""

    def __init__(self, members: list[CastMember]) -> None:
        self.members = members
        self._by_form: dict[str, str] = {}
        for member in sorted(members, key=lambda m: m.mentions):
            for form in member.forms:
                self._by_form[form] = member.id
                if form.startswith("the "):
                    self._by_form["T" + form[1:]] = member.id
        forms = sorted(self._by_form, key=len, reverse=True)
        pattern = "|".join(re.escape(form) for form in forms) or r"(?!x)x"
        self._matcher = re.compile(rf"(?<![\w\u0900-\u097F’'])(?:{pattern})(?![\w\u0900-\u0963\u0966-\u097F])")

    def mentions(self, text: str) -> list[Mention]:
        """Every name or alias in text, in order."""
        return [Mention(m.start(), m.end(), self._by_form[m.group()]) for m in self._matcher.finditer(text)]

    def ids_in(self, text: str) -> list[str]:
        return list(dict.fromkeys(mention.character_id for mention in self.mentions(text)))

    def member(self, character_id: str) -> CastMember | None:
        return next((m for m in self.members if m.id == character_id), None)


def member_of(candidate: Candidate, hindi: bool, forms: list[str] | None = None) -> CastMember:
    return CastMember(
        id="",
        name=candidate.name,
        forms=forms or [candidate.name],
        first_paragraph=candidate.first_paragraph,
        mentions=candidate.count,
        speaks=candidate.speaks,
        hindi=hindi,
        titles=Counter(candidate.titles),
    )
