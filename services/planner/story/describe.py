"""What a character looks like and sounds like, from the words around their name.

Gender and age first from the kinship and age words the grammar ties to the name (kinship.py:
"her grandson Arjun" is a boy, "Arjun's grandmother, Meera" an old woman and says nothing of
Arjun's own age but that he is young), then from a given name (names.py lists), pronouns and
words near the name (he/his/boy vs she/her/girl; Hindi verb agreement: बोला vs बोली; old,
little, बूढ़ी). A look never contradicts the age and gender: no "old" or grey hair on a child
or a young adult (the animatic draws any "old" as grey and stooped), no "boy" in a woman's. The visual description
is an appositive when the text gives one ("Arjun, a thin boy of ten in a red scarf, ran"),
otherwise it is put together from age, build, hair and clothes words. It is in English, because
image models read English, and it is repeated word for word in every prompt with the character.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from services.planner.story import kinship, lexicon
from services.planner.story.characters import Cast, CastMember
from services.planner.story.kinship import CHILD, FEMALE, MALE, OLD, Evidence
from services.planner.story.lexicon import wordset
from services.planner.story.model import WORD_RE

__all__ = ["CHILD", "FEMALE", "MALE", "OLD", "Profile", "profiles"]

_APPOSITIVE = re.compile(r"^\s*,\s*((?:a|an)\s[^,.;:!?”\"]{3,90}?)\s*[,.;]")
_OLD_WORDS = wordset("old aged elderly grandmother grandfather grandma grandpa granny widow")
_CHILD_WORDS = wordset("boy girl child little young baby lad lass maiden son daughter grandson granddaughter")
_HINDI_OLD = wordset("बूढ़ी बूढ़ा बूढ़े बुढ़िया दादी दादा नानी नाना काकी")
_HINDI_CHILD = wordset("छोटी छोटा नन्ही नन्हा बालक बालिका लड़का लड़की पोती पोता बच्चा बच्ची")
_DESCRIPTIVE_NOUNS = lexicon.ANIMALS_EN | wordset(
    "man woman boy girl child baby lad lass maiden son daughter grandson granddaughter grandmother "
    "grandfather grandma grandpa granny widow king queen witch giant fairy princess prince"
)
_HINDI_AGE_NOUNS = wordset("लड़का लड़की बालक बालिका बच्चा बच्ची बूढ़ा बूढ़ी बुढ़िया")
_CONTEXTS_PER_CHARACTER = 16
_PARAGRAPH_END_CHARS = 3
"""A mention this close to its paragraph's end (a full stop, a quote) ends the paragraph."""
_OPENING_PRONOUNS = wordset("he she वह वो")
_YEARS_HI, _OF_HI = wordset("साल वर्ष बरस"), wordset("का की के")
_CHILD_UNDER_YEARS, _OLD_FROM_YEARS = 14, 60
_OLD_LOOK = wordset("old elderly aged grandmother grandfather grandma grandpa granny grey gray white silver wrinkled")
_CHILD_LOOK = wordset("boy girl child kid son daughter grandson granddaughter baby lad lass")
_FEMALE_LOOK = wordset(
    "woman girl lady mother grandmother grandma granny daughter granddaughter wife sister aunt queen "
    "princess maiden dress frock skirt gown sari"
)
_MALE_LOOK = wordset(
    "man boy gentleman father grandfather grandpa son grandson husband brother uncle king prince lad "
    "beard bearded moustache mustache"
)
_OPEN_POSSESSIVES = wordset("his her their")
_NAME_WEIGHT = 4
_PERSON_NOUNS = wordset(
    "man woman boy girl child king queen doctor captain squire cook sailor stranger witch mother father wife "
    "husband lady gentleman farmer merchant soldier giant fairy princess prince"
)


@dataclass(frozen=True)
class Profile:
    gender: str
    age: str
    description: str


@dataclass(frozen=True)
class _Context:
    before: list[str]
    after: str


def profiles(cast: Cast, paragraphs: list[str]) -> dict[str, Profile]:
    """A profile per character id."""
    contexts, evidence = _contexts(cast, paragraphs)
    return {
        member.id: _profile(member, contexts.get(member.id, []), evidence.get(member.id, Evidence()))
        for member in cast.members
    }


def _contexts(cast: Cast, paragraphs: list[str]) -> tuple[dict[str, list[_Context]], dict[str, Evidence]]:
    """For each character, the words just before and the text just after its first mentions,
    and the kinship and age words tied to those mentions. A mention that ends its paragraph
    reads on into the next one when that opens with a pronoun ('...है हामिद।' then 'वह
    चार-पाँच साल का ... लड़का': he is Hamid). A possessive after a name ("Arjun's grandmother",
    "अर्जुन की दादी") is someone else, so it is left out of the text after it."""
    found: dict[str, list[_Context]] = defaultdict(list)
    evidence: dict[str, Evidence] = defaultdict(Evidence)
    others: list[str] = []
    """Who was mentioned lately, last last: 'her' in 'her grandson Arjun' is the last one but Arjun."""
    for number, text in enumerate(paragraphs):
        mentions = cast.mentions(text)
        for index, mention in enumerate(mentions):
            if len(found[mention.character_id]) >= _CONTEXTS_PER_CHARACTER:
                others.append(mention.character_id)
                continue
            hindi = "\u0900" <= text[mention.start] <= "\u097f"
            for character_id, kin, weight in kinship.attached(text, mentions, index, hindi):
                if character_id == kinship.PRONOUN_OWNER:
                    character_id = next((o for o in reversed(others[-4:]) if o != mention.character_id), "")
                if character_id:
                    evidence[character_id].add(kin, weight)
            others.append(mention.character_id)
            last = index + 1 == len(mentions)
            until = len(text) if last else mentions[index + 1].start
            before = WORD_RE.findall(text[max(0, mention.start - 40) : mention.start])[-2:]
            after = text[mention.end : min(until, mention.end + 200)]
            after = after[kinship.possessed_length(after, hindi) :]
            if last and len(after.strip()) <= _PARAGRAPH_END_CHARS and number + 1 < len(paragraphs):
                after += " " + _pronoun_opening(cast, paragraphs[number + 1])
            found[mention.character_id].append(_Context(before, after))
    return found, evidence


def _pronoun_opening(cast: Cast, paragraph: str) -> str:
    """The start of a paragraph that opens with a pronoun, up to its first name; else ''."""
    words = WORD_RE.findall(paragraph[:20])
    if not words or words[0].lower() not in _OPENING_PRONOUNS:
        return ""
    mentions = cast.mentions(paragraph)
    return paragraph[: min(mentions[0].start if mentions else len(paragraph), 200)]


def _profile(member: CastMember, contexts: list[_Context], evidence: Evidence) -> Profile:
    for word in _descriptive_name_words(member):  # "the woman" is a grown woman, "the old woman" old
        kin = kinship.kin_of_word(word, member.hindi)
        if kin:
            evidence.add(kin, kinship.ATTACHED_WEIGHT)
    gender = (_hindi_gender if member.hindi else _english_gender)(member, contexts, evidence)
    age = _age(member, contexts, evidence)
    describe = _hindi_description if member.hindi else _english_description
    return Profile(gender, age, describe(member, contexts, gender, age))


# --------------------------------------------------------------------------- gender and age


def _english_gender(member: CastMember, contexts: list[_Context], evidence: Evidence) -> str:
    titles = member.titles
    male = evidence.male + sum(titles[t] * 3 for t in titles if t in ("Mr", "Sir", "Lord", "King", "Captain", "Squire"))
    female = evidence.female + sum(titles[t] * 3 for t in titles if t in ("Mrs", "Miss", "Lady", "Queen", "Madame"))
    for word in member.name.lower().split():
        male += 5 * (word in lexicon.MALE_WORDS_EN)
        female += 5 * (word in lexicon.FEMALE_WORDS_EN)
    first_name = _given_name(member)
    male += _NAME_WEIGHT * (first_name in lexicon.MALE_NAMES)
    female += _NAME_WEIGHT * (first_name in lexicon.FEMALE_NAMES)
    for context in contexts:
        words = _own_words([word.lower() for word in WORD_RE.findall(context.after)[:25]])
        previous = context.before[-1].lower() if context.before else ""
        male += sum(word in lexicon.MALE_WORDS_EN for word in words) + 3 * (previous in lexicon.MALE_WORDS_EN)
        female += sum(word in lexicon.FEMALE_WORDS_EN for word in words) + 3 * (previous in lexicon.FEMALE_WORDS_EN)
    return _decide(male, female)


def _given_name(member: CastMember) -> str:
    """The first word of the name that is not a title ('Mr. James Young' -> james)."""
    words = [word.strip(".").lower() for word in member.name.split()]
    words = [word for word in words if word not in ("mr", "mrs", "miss", "ms", "dr", "sir", "lady", "the")]
    return words[0] if words else ""


def _own_words(words: list[str]) -> list[str]:
    """The words after a name without the possessives of someone else's kin ('Arjun, her
    grandson': her is the grandmother, not Arjun)."""
    kept = []
    for index, word in enumerate(words):
        ahead = words[index + 1 : index + 3]
        if word in _OPEN_POSSESSIVES and any(w in lexicon.KIN_EN for w in ahead):
            continue
        kept.append(word)
    return kept


def _hindi_gender(member: CastMember, contexts: list[_Context], evidence: Evidence) -> str:
    male = 5 * sum(form in lexicon.MALE_WORDS_HI for form in [*member.forms, member.relation]) + evidence.male
    female = 5 * sum(form in lexicon.FEMALE_WORDS_HI for form in [*member.forms, member.relation]) + evidence.female
    names = {word for form in member.forms for word in form.split()}
    male += _NAME_WEIGHT * bool(names & lexicon.MALE_NAMES)
    female += _NAME_WEIGHT * bool(names & lexicon.FEMALE_NAMES)
    for context in contexts:
        words = WORD_RE.findall(context.after)[:6]
        if words and words[0] == "ने":
            continue  # after ने the verb agrees with the object, not the speaker
        male += sum(word in lexicon.MALE_WORDS_HI for word in words)
        female += sum(word in lexicon.FEMALE_WORDS_HI for word in words)
    return _decide(male, female)


def _decide(male: float, female: float) -> str:
    if male > female * 1.2:
        return MALE
    if female > male * 1.2:
        return FEMALE
    return ""


def _age(member: CastMember, contexts: list[_Context], evidence: Evidence) -> str:
    """Old or child by weighted votes; a word of adulthood ('mother', 'man') that outweighs both
    leaves the age unsaid (an adult). 'an old woman' is old: age words win a tie with nouns."""
    old_words, child_words = (_HINDI_OLD, _HINDI_CHILD) if member.hindi else (_OLD_WORDS, _CHILD_WORDS)
    name_words = [*_descriptive_name_words(member), member.relation]
    old = 5 * sum(word in old_words for word in name_words) + evidence.old
    child = 5 * sum(word in child_words for word in name_words) + evidence.child
    for context in contexts:
        before = [word.lower() for word in context.before]
        after = _hindi_age_nouns(context) if member.hindi else [w.lower() for w in WORD_RE.findall(context.after)[:5]]
        old += 2 * sum(word in old_words for word in before) + sum(word in old_words for word in after)
        child += 2 * sum(word in child_words for word in before) + sum(word in child_words for word in after)
        years = _hindi_years(context) if member.hindi else None
        if years is not None:
            child += 3 * (years < _CHILD_UNDER_YEARS)
            old += 3 * (years >= _OLD_FROM_YEARS)
    if max(old, child) < 2 or evidence.adult > max(old, child):
        return ""
    return OLD if old >= child else CHILD


def _descriptive_name_words(member: CastMember) -> list[str]:
    """Words of a name that describe ('the old woman', 'Little Match Girl'); a surname does not
    ('James Dillingham Young' is not young)."""
    words = [word.lower().strip("’'s") for word in member.name.split()]
    return words if set(words) & (_DESCRIPTIVE_NOUNS | _HINDI_OLD | _HINDI_CHILD) else []


def _hindi_years(context: _Context) -> int | None:
    """The age 'N साल का' gives within the first words after a Hindi name (the lower of a range:
    चार-पाँच साल का is 4)."""
    words = WORD_RE.findall(context.after)[:7]
    for index in range(1, len(words) - 1):
        if words[index] in _YEARS_HI and words[index + 1] in _OF_HI:
            numbers = [_hindi_number(word) for word in words[max(0, index - 2) : index]]
            known = [number for number in numbers if number is not None]
            return min(known) if known else None
    return None


def _hindi_number(word: str) -> int | None:
    if word.isdigit():  # Devanagari digits too
        return int(word)
    return lexicon.NUMBERS_HI.get(word)


def _hindi_age_nouns(context: _Context) -> list[str]:
    """'हामिद, चार साल का लड़का': a noun of age just after a Hindi name describes it."""
    return [word for word in WORD_RE.findall(context.after)[:8] if word in _HINDI_AGE_NOUNS]


# --------------------------------------------------------------------------- English description


def _english_description(member: CastMember, contexts: list[_Context], gender: str, age: str) -> str:
    for context in contexts[:6]:
        appositive = _APPOSITIVE.match(context.after)
        if appositive and _describes_a_person(appositive.group(1)):
            phrase = " ".join(appositive.group(1).split()[:16])
            if _fits(phrase, gender, age):
                return phrase
    text = " ".join(context.after for context in contexts[:8])
    build = _first_word(text, lexicon.BUILD_WORDS_EN)
    noun = _english_noun(member, gender, age)
    parts = [_with_article(" ".join(word for word in (build, noun) if word))]
    hair = _phrase(text, lexicon.HAIR_WORDS_EN)
    clothes = _phrase(text, lexicon.CLOTHES_EN)
    if hair and _fits(hair, gender, age):
        parts.append(f"with {hair}")
    if clothes:
        parts.append(f"wearing {_with_article(_ageless(clothes, age))}")
    return " ".join(parts)


def _fits(phrase: str, gender: str, age: str) -> bool:
    """Whether a look agrees with the age and gender read from the story: a child's has no
    'old', 'grandmother' or grey in it, an old person's no 'boy', a man's no 'woman'."""
    words = {word.strip(",.;:!?’'").lower() for word in re.split(r"[\s-]+", phrase)}
    contrary = (
        (_OLD_LOOK if age != OLD else frozenset())
        | (_CHILD_LOOK if age == OLD or (age == "" and gender) else frozenset())
        | (_FEMALE_LOOK if gender == MALE else _MALE_LOOK if gender == FEMALE else frozenset())
    )
    return not words & contrary


def _ageless(phrase: str, age: str) -> str:
    """'an old coat' on a boy reads as an old boy to a picture model: say 'worn' instead."""
    return phrase if age == OLD else " ".join("worn" if word == "old" else word for word in phrase.split())


def _describes_a_person(phrase: str) -> bool:
    words = set(phrase.lower().split())
    vocabulary = (
        lexicon.BUILD_WORDS_EN | lexicon.CLOTHES_EN | lexicon.HAIR_WORDS_EN | _OLD_WORDS | _CHILD_WORDS
    ) | wordset("man woman person fellow creature")
    return bool(words & vocabulary)


def _english_noun(member: CastMember, gender: str, age: str) -> str:
    name_words = [word.lower().rstrip("’'s") for word in re.split(r"[\s-]+", member.name)]
    animal = next((word for word in reversed(name_words) if word in lexicon.ANIMALS_EN), "")
    if animal:
        return f"young {animal}" if "child" in member.name.lower() or age == CHILD else animal
    if name_words[0] == "the" and name_words[-1] in _PERSON_NOUNS:
        return " ".join(name_words[1:])  # "the old woman" is an old woman, whatever words surround her
    nouns = {
        (MALE, CHILD): "boy",
        (MALE, OLD): "old man",
        (MALE, ""): "man",
        (FEMALE, CHILD): "girl",
        (FEMALE, OLD): "old woman",
        (FEMALE, ""): "woman",
        ("", CHILD): "child",
        ("", OLD): "old person",
    }
    return nouns.get((gender, age), "person")


def _first_word(text: str, vocabulary: frozenset[str]) -> str:
    return next((word.lower() for word in text.split()[:40] if word.lower().strip(",.;:") in vocabulary), "").strip(
        ",.;:"
    )


def _phrase(text: str, nouns: frozenset[str]) -> str:
    """'long fair hair', 'red scarf': a noun with one or two describing words before it."""
    words = [word.lower().strip(",.;:!?”’\"'") for word in text.split()[:60]]
    for index, word in enumerate(words):
        if word not in nouns:
            continue
        adjectives = [w for w in words[max(0, index - 2) : index] if w in lexicon.DESCRIPTION_ADJECTIVES_EN]
        if adjectives:
            return " ".join([*adjectives, word])
    return ""


def _with_article(phrase: str) -> str:
    if not phrase or (phrase.endswith("s") and not phrase.endswith("ss")):
        return phrase
    return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase


# --------------------------------------------------------------------------- Hindi description


def _hindi_description(member: CastMember, contexts: list[_Context], gender: str, age: str) -> str:
    animal = _hindi_animal(contexts)
    if animal:
        return _with_article(animal)
    base = lexicon.RELATIONS_HI.get(member.relation) or lexicon.RELATIONS_HI.get(member.name.split()[0])
    if not base:
        nouns = {MALE: "Indian man", FEMALE: "Indian woman"}
        base = nouns.get(gender, "Indian villager")
        if age == CHILD:
            base = {MALE: "Indian boy", FEMALE: "Indian girl"}.get(gender, "Indian child")
        elif age == OLD:
            base = "old " + base
    build = _hindi_build(contexts)
    if build:
        base = f"{build} {base}"
    clothes = _hindi_clothes(contexts)
    description = _with_article(base)
    return f"{description} wearing {_with_article(clothes)}" if clothes else description


def _hindi_build(contexts: list[_Context]) -> str:
    """'दुबला-पतला लड़का': a build word within the first words after one of the first mentions."""
    for context in contexts[:8]:
        for word in WORD_RE.findall(context.after)[:12]:
            build = lexicon.stem_lookup(word, lexicon.BUILD_HI)
            if build:
                return build
    return ""


def _hindi_animal(contexts: list[_Context]) -> str:
    """'कुत्ता जबरा': an animal word just before the name, in one of its first mentions."""
    found = [lexicon.stem_lookup(c.before[-1], lexicon.ANIMALS_HI) for c in contexts[:3] if c.before]
    return next((animal for animal in found if animal), "")


def _hindi_clothes(contexts: list[_Context]) -> str:
    for context in contexts[:8]:
        words = WORD_RE.findall(context.after)[:14]
        for index, word in enumerate(words):
            garment = lexicon.CLOTHES_HI.get(word)
            if garment is None:
                continue
            colour = lexicon.stem_lookup(words[index - 1], lexicon.COLOURS_HI) if index else None
            return f"{colour} {garment}" if colour else garment
    return ""
