"""Who is in the story: names found in the text, merged with their aliases, with stable ids.

English names are found by capitals (names_en.py), Hindi names by grammar (names_hi.py). Both
finders run on every story: each finds nothing in the other's script, and a mixed story needs
both. A story with no named character but a title that names one ("The Little Match Girl")
has that one.
"""

from __future__ import annotations

import re

from services.planner.story.cast import Cast, CastMember, Mention
from services.planner.story.names_en import find_english, title_character
from services.planner.story.names_hi import find_hindi
from services.planner.story.translit import transliterate

__all__ = ["Cast", "CastMember", "Mention", "find_cast"]


def find_cast(
    paragraphs: list[str], clauses: list[str], title: str = "", cues: list[tuple[int, str]] | None = None
) -> Cast:
    """Characters in order of first appearance, from paragraph texts, attribution clauses and a
    screenplay's cues ((paragraph index, name) for each dialogue paragraph)."""
    total_words = sum(len(text.split()) for text in paragraphs)
    english = find_english(paragraphs, clauses, total_words, cues or [])
    members = english + find_hindi(paragraphs, clauses, total_words)
    if not members:
        members = title_character(title, paragraphs)
    members.sort(key=lambda m: (m.first_paragraph, -m.mentions))
    _assign_ids(members)
    return Cast(members)


def _assign_ids(members: list[CastMember]) -> None:
    """c_arjun, c_gudiya (transliterated), c_the_woman; c_2 style only when nothing ASCII is left."""
    taken: set[str] = set()
    for number, member in enumerate(members, start=1):
        slug = re.sub(r"[^a-z0-9]+", "_", transliterate(_id_source(member)).lower()).strip("_") or str(number)
        candidate_id = f"c_{slug}"
        suffix = 2
        while candidate_id in taken:
            candidate_id, suffix = f"c_{slug}_{suffix}", suffix + 1
        taken.add(candidate_id)
        member.id = candidate_id


def _id_source(member: CastMember) -> str:
    """The name without a Hindi relation prefix (दादी सरला -> सरला)."""
    return member.forms[1] if member.relation and len(member.forms) > 2 else member.name
