"""Kinship and age words tied to the character they describe by grammar, not by nearness.

A word describes the name it is attached to:
- just before the name, as part of its noun phrase: "her grandson Arjun", "old Meera",
  "Arjun's grandmother, Meera"; Hindi "अपने पोते अर्जुन", "बूढ़ी काकी";
- as an appositive just after it: "Arjun, her grandson," "Meera, an old woman,"
  "Arjun, a thin boy of ten"; Hindi "हामिद, चार साल का लड़का,";
- as a predicate: "Arjun was a boy of ten", "Meera was old"; Hindi "अर्जुन मीरा का पोता था".
A possessive after a name describes someone else: in "Arjun's grandmother" and "अर्जुन की दादी"
the grandmother is not Arjun (possessed_length tells describe.py to leave those words out of
Arjun's context). Only a grand-relation says something of the possessor: a grandmother's
grandson is young, a grandson's grandmother old; that counts less than a word said of him.
A word that is itself another character's name or alias ("दादी अर्जुन को ...") never describes
the next name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.planner.story import lexicon
from services.planner.story.cast import Mention
from services.planner.story.lexicon import wordset
from services.planner.story.model import WORD_RE

MALE, FEMALE = "male", "female"
CHILD, OLD, ADULT = "child", "old", "adult"

ATTACHED_WEIGHT = 6.0
"""A word said of the character outweighs a handful of pronouns and words merely nearby."""
RECIPROCAL_WEIGHT = 2.0
_CHILD_UNDER_YEARS, _OLD_FROM_YEARS = 14, 60

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_EN_DETERMINERS = wordset("the a an her his their my our your its this that")
_EN_POSSESSIVE = re.compile(r"[A-Za-z]+[’']s$")
_EN_SKIPPED = lexicon.BUILD_WORDS_EN | lexicon.DESCRIPTION_ADJECTIVES_EN | wordset("very poor dear kind brave good")
_EN_NP_STOPS = wordset("of in with who whom whose which that from at on by for to near beside under wearing")
_EN_COPULA = re.compile(
    r"\s+(?:is|was|had\s+been|has\s+been|became|seemed|looked)\s+(?:only\s+|just\s+|still\s+|now\s+|then\s+|very\s+)?"
)
_EN_APPOSITIVE = re.compile(r"\s*,\s*([^,.;:!?”\"()—–]{1,90})")
_EN_PREDICATE_NP = re.compile(r"([^,.;:!?”\"()—–]{1,90})")
_EN_YEARS_OLD = re.compile(r"^([a-z]+(?:-[a-z]+)?|\d+)[\s-]+years?[\s-]+old\b")
_EN_CLITIC = re.compile(r"[’']s\b")
_EN_POSSESSED = re.compile(r"[’']s\s+((?:[A-Za-z-]+\s+){0,2}?)([A-Za-z]+)\b")
_HI_POSSESSIVE_PRONOUNS = wordset(
    "अपने अपनी अपना उसके उसकी उसका उनके उनकी उनका मेरे मेरी मेरा हमारे हमारी हमारा तुम्हारे तुम्हारी तुम्हारा "
    "इसके इसकी इसका आपके आपकी आपका"
)
_HI_OF = wordset("का की के")
_HI_PARTICLES = wordset("ने से को में पर का की के")
_HI_COPULA = wordset("है था थी थे हैं थीं")
_HI_CLAUSE_END = re.compile(r"[,।!?;:“”\"()—–]")
_HI_YEARS = wordset("साल वर्ष बरस")
_NP_WORDS = 7
_POSSESSIVE_PRONOUNS = wordset("her his their") | _HI_POSSESSIVE_PRONOUNS
_PRONOUN_GENDERS = {"her": FEMALE, "his": MALE}
PRONOUN_OWNER = ""
"""The target of a reciprocal said by a possessive pronoun: whoever it refers to."""


@dataclass(frozen=True)
class Kin:
    gender: str
    age: str
    sure: float
    """How surely the age follows from the word (son: 0.5, grandson: 1)."""
    grand: bool = False
    """A grand-relation: it says the opposite age of the one it is related to."""


@dataclass
class Evidence:
    """Weighted votes for a character's gender and age from the words attached to it."""

    male: float = 0.0
    female: float = 0.0
    child: float = 0.0
    old: float = 0.0
    adult: float = 0.0

    def add(self, kin: Kin, weight: float) -> None:
        self.male += weight * (kin.gender == MALE)
        self.female += weight * (kin.gender == FEMALE)
        self.add_age(kin.age, weight * kin.sure)

    def add_age(self, age: str, weight: float) -> None:
        self.child += weight * (age == CHILD)
        self.old += weight * (age == OLD)
        self.adult += weight * (age == ADULT)


def _kin(table: dict[str, lexicon.Kinship], word: str) -> Kin | None:
    found = table.get(word)
    return Kin(*found, grand=word in lexicon.GRAND_WORDS) if found else None


def _en_kin(word: str) -> Kin | None:
    word = word.lower()
    kin = _kin(lexicon.KIN_EN, word)
    if kin:
        return kin
    age = lexicon.AGE_ADJECTIVES_EN.get(word)
    return Kin("", age[0], age[1]) if age else None


def kin_of_word(word: str, hindi: bool) -> Kin | None:
    """What one kinship, person or age word says ('grandson', 'old', 'पोते'); None for others."""
    return _kin(lexicon.KIN_HI, word) if hindi else _en_kin(word)


def _age_of_years(years: int) -> str:
    return CHILD if years < _CHILD_UNDER_YEARS else OLD if years >= _OLD_FROM_YEARS else ADULT


def _en_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    parts = [lexicon.NUMBERS_EN.get(part) for part in word.lower().split("-")]
    return sum(part for part in parts if part is not None) if parts and None not in parts else None


# --------------------------------------------------------------------------- what a mention says


def attached(text: str, mentions: list[Mention], index: int, hindi: bool) -> list[tuple[str, Kin, float]]:
    """(character id, word, weight) for every kinship or age word the grammar ties to
    mentions[index], and for a grand-relation its possessor's reciprocal: the character before
    "’s" / "की", or PRONOUN_OWNER for a possessive pronoun ("her grandson Arjun", "अपने पोते
    अर्जुन"), whom the caller resolves to the character mentioned last before."""
    mention = mentions[index]
    earlier_end = mentions[index - 1].end if index else 0
    before, opener = (_hindi_before if hindi else _english_before)(text, mention.start, earlier_end)
    after = text[mention.end : mention.end + 160]
    appended, appended_opener = (_hindi_after if hindi else _english_after)(after)
    found = [(mention.character_id, kin, ATTACHED_WEIGHT) for kin in before + appended]
    for words, first in ((before, opener), (appended, appended_opener)):
        if first in _POSSESSIVE_PRONOUNS and words:
            found += [(PRONOUN_OWNER, _reciprocal(kin), RECIPROCAL_WEIGHT) for kin in words if kin.grand]
            if first in _PRONOUN_GENDERS:  # "her grandson": she is a woman
                found.append((PRONOUN_OWNER, Kin(_PRONOUN_GENDERS[first], "", 0.0), RECIPROCAL_WEIGHT))
    possessed = _possessed_kin(after, hindi)
    if possessed is not None and possessed[0].grand:
        found.append((mention.character_id, _reciprocal(possessed[0]), RECIPROCAL_WEIGHT))
    return found


def _reciprocal(kin: Kin) -> Kin:
    return Kin("", lexicon.GRAND_RECIPROCAL.get(kin.age, ""), 1.0)


def possessed_length(after: str, hindi: bool) -> int:
    """How much of the text after a name is a possessive that describes someone else
    ("’s grandmother", " की दादी"); 0 when it is not one."""
    possessed = _possessed_kin(after, hindi)
    return possessed[1] if possessed else 0


def _possessed_kin(after: str, hindi: bool) -> tuple[Kin, int] | None:
    if hindi:
        tokens = list(WORD_RE.finditer(after[:60]))
        if len(tokens) < 2 or tokens[0].group() not in _HI_OF or after[: tokens[0].start()].strip():
            return None
        for token in tokens[1:3]:
            kin = _kin(lexicon.KIN_HI, token.group())
            if kin:
                return kin, token.end()
        return None
    match = _EN_POSSESSED.match(after)
    if not match:
        return None
    kin = _kin(lexicon.KIN_EN, match.group(2).lower())
    return (kin, match.end()) if kin else None


# --------------------------------------------------------------------------- English


def _english_before(text: str, start: int, earlier_end: int) -> tuple[list[Kin], str]:
    """'her grandson Arjun', 'old Meera', 'Arjun's grandmother, Meera': the noun phrase that
    ends at the name (through a comma only when a determiner or possessive opens it), and the
    word that opens it."""
    window = text[max(earlier_end, start - 80) : start]
    if _EN_CLITIC.match(window):
        window = "Someone" + window  # right after the previous name: "Arjun’s grandmother, Meera"
    tokens = list(re.finditer(r"[A-Za-z][A-Za-z’'-]*|[^\sA-Za-z]", window))
    comma = bool(tokens) and tokens[-1].group() == ","
    if comma:
        tokens.pop()
    found: list[Kin] = []
    opener = ""
    for token in reversed(tokens[-5:]):
        word = token.group()
        lower = word.lower()
        kin = _en_kin(lower)
        if kin:
            found.append(kin)
        elif lower in _EN_DETERMINERS or _EN_POSSESSIVE.search(word):
            opener = lower
            break
        elif lower not in _EN_SKIPPED:
            break
    if comma and not (opener and any(kin.gender or kin.age for kin in found)):
        return [], ""
    return found, opener


def _english_after(after: str) -> tuple[list[Kin], str]:
    """The appositive or predicate after a name, and its first word."""
    appositive = _EN_APPOSITIVE.match(after)
    phrase = appositive.group(1) if appositive else ""
    if not appositive:
        copula = _EN_COPULA.match(after)
        predicate = _EN_PREDICATE_NP.match(after, copula.end()) if copula else None
        phrase = predicate.group(1) if predicate else ""
    if not phrase:
        return [], ""
    first = phrase.split()[0].lower() if phrase.split() else ""
    return _english_phrase(phrase, opener_needed=bool(appositive)), first


def _english_phrase(phrase: str, opener_needed: bool) -> list[Kin]:
    """The kinship and age words of a noun phrase up to its first preposition or relative word;
    'of ten' and 'ten years old' give an age in years."""
    years = _EN_YEARS_OLD.match(phrase.strip().lower())
    if years:
        number = _en_number(years.group(1))
        return [Kin("", _age_of_years(number), 1.0)] if number is not None else []
    words = _EN_WORD.findall(phrase)[:_NP_WORDS]
    if not words:
        return []
    first = words[0].lower()
    opens = first in _EN_DETERMINERS or _EN_POSSESSIVE.search(words[0]) or _en_kin(first) is not None
    if opener_needed and not opens:
        return []
    if not opens and first not in lexicon.AGE_ADJECTIVES_EN:
        return []
    found: list[Kin] = []
    for position, word in enumerate(words):
        lower = word.lower()
        if lower in _EN_NP_STOPS:
            following = words[position + 1].lower() if position + 1 < len(words) else ""
            number = _en_number(following) if lower == "of" and following else None
            if number is not None:
                found.append(Kin("", _age_of_years(number), 1.0))
            break
        kin = _en_kin(lower)
        if kin:
            found.append(kin)
    return found


# --------------------------------------------------------------------------- Hindi


def _hindi_before(text: str, start: int, earlier_end: int) -> tuple[list[Kin], str]:
    """'अपने पोते अर्जुन', 'बूढ़ी काकी', 'अर्जुन की दादी मीरा': kinship words just before the name."""
    window = text[max(earlier_end, start - 60) : start]
    tokens = list(WORD_RE.finditer(window))
    found: list[Kin] = []
    end = len(window)
    for token in reversed(tokens[-3:]):
        if window[token.end() : end].strip():
            break  # punctuation between: another clause
        word = token.group()
        kin = _kin(lexicon.KIN_HI, word)
        if kin is None:
            return found, word
        found.append(kin)
        end = token.start()
    return found, ""


def _hindi_after(after: str) -> tuple[list[Kin], str]:
    """'हामिद, चार साल का लड़का,' (appositive) and 'अर्जुन मीरा का पोता था' (predicate)."""
    stripped = after.lstrip()
    appositive = stripped.startswith(",")
    clause = _HI_CLAUSE_END.split(stripped[1:] if appositive else stripped, maxsplit=1)[0]
    words = WORD_RE.findall(clause)[:_NP_WORDS]
    if not words or (not appositive and words[0] in _HI_PARTICLES):
        return [], ""
    if not appositive:
        copula = next((i for i, word in enumerate(words) if word in _HI_COPULA), -1)
        if copula < 1:
            return [], ""
        last = _kin(lexicon.KIN_HI, words[copula - 1])
        return ([last, *_hindi_years(words[:copula])] if last else []), words[0]
    kins = [kin for kin in (_kin(lexicon.KIN_HI, word) for word in words) if kin]
    return kins + _hindi_years(words), words[0]


def _hindi_years(words: list[str]) -> list[Kin]:
    """'चार-पाँच साल का' is four; 'सत्तर बरस की' seventy."""
    for index in range(1, len(words) - 1):
        if words[index] in _HI_YEARS and words[index + 1] in _HI_OF:
            numbers = [_hindi_number(word) for word in words[max(0, index - 2) : index]]
            known = [number for number in numbers if number is not None]
            if known:
                return [Kin("", _age_of_years(min(known)), 1.0)]
    return []


def _hindi_number(word: str) -> int | None:
    if word.isdigit():  # Devanagari digits too
        return int(word)
    return lexicon.NUMBERS_HI.get(word)
