"""English names: capitalised words that recur or speak, their aliases, and unnamed speakers.

"Arjun", "Mr. James Dillingham Young" = "Jim", "the Crocodile"; "said the woman" twice makes
"the woman" a character. A word that only ever starts sentences ("Then", "Every") is not a name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from services.planner.story import lexicon
from services.planner.story.cast import Candidate, CastMember, member_of
from services.planner.story.dialogue import is_speech_verb
from services.planner.story.lexicon import wordset

_TITLES = (
    "Mr|Mrs|Ms|Miss|Dr|Doctor|Captain|Capt|Cap’n|Cap'n|Squire|Sir|Lady|Lord|Uncle|Aunt|Madame|Madam|King|Queen|Prince|"
    "Princess|Colonel|Major|Professor|Mister|Mistress"
)
_NAME_WORD = r"[A-Z][a-z]+(?:[’'-][A-Za-z]+)*"
_CAPITALISED = re.compile(rf"(?<![\w’'])(?:(?:{_TITLES})\.?\s+)?{_NAME_WORD}(?:[ ]+{_NAME_WORD})*")
_CONTRACTION = re.compile(r"[’'](?:ll|re|ve|d|m|t)$")
_LOWER_WORD = re.compile(r"(?<![\w’'])[a-z]+(?![\w’'])")
_TITLE_PREFIX = re.compile(rf"^(?:{_TITLES})\.?\s+")
_MALE_TITLES = wordset("Mr Sir Lord Uncle King Prince Captain Capt Cap’n Cap'n Squire Colonel Major Mister")
_FEMALE_TITLES = wordset("Mrs Ms Miss Lady Aunt Madame Madam Queen Princess Mistress")
_NOT_NAMES = wordset(
    "I I’m I'm I’ll I'll I’ve I've I’d I'd O Oh Ah Aye Ay Yes No Nay Well Now Then God Heaven Heavens Lord Christ "
    "Christmas Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
    "July August September October November December English French Spanish Dutch German Indian Hindi "
    "The A An And But So Or If When While What Why How Who Where Which There Here This That These Those "
    "It Its He She His Her Him They Them Their We Us Our You Your My Me Mine Every Each One Two Three All "
    "Some Any Many Most Such Once After Before At In On Of To For From By With Without Into As Yet Still "
    "Just Only Even Very Too Not Nothing Nobody Everybody Somebody Good Dear Poor Come Go Let Do Don’t Don't "
    "Please Thank Thanks Hallo Hello Hush Alas Amen Mrs Mr Dr Miss Sir Madam Captain Squire Doctor Lady Old "
    "Little Best Beloved Chapter Part Book Is Are Was Were Do Does Did Have Has Had Can Could Shall Should Might "
    "Must Would Will Yo Men Women People Bible Magic Fire Pieces Eight Next Last First Again Soon Later Never Always"
)
_PLACE_WORDS = wordset(
    "Island Street Road River Inn Hall House Town City Lane Bay Hill Castle Church Square Park Bridge Gate "
    "Cove Point Harbour Harbor Woods Wood Forest Sea Ocean Mountain Mountains Valley Lake Court Place Row "
    "England London Bristol Africa India America Europe Spain France Main"
)
_PLACE_PREPOSITIONS = wordset("in at to from into near towards toward across through of on over under")
_PERSON_VERBS = wordset(
    "was had came went looked took gave saw smiled ran thought knew felt sat stood turned told made would "
    "could did got put set kept began walked climbed shook nodded laughed wept seized caught sprang cried"
)
_PERSON_NOUNS = wordset(
    "man woman boy girl child old king queen doctor captain squire cook sailor stranger witch mother father "
    "wife husband lady gentleman farmer merchant soldier giant fairy princess prince"
)
_ROLE_TITLES = {
    "doctor": frozenset({"Dr", "Doctor"}),
    "captain": frozenset({"Captain", "Capt", "Cap’n", "Cap'n"}),
    "squire": frozenset({"Squire"}),
    "colonel": frozenset({"Colonel"}),
    "major": frozenset({"Major"}),
    "professor": frozenset({"Professor"}),
    "king": frozenset({"King"}),
    "queen": frozenset({"Queen"}),
}
"""'said the doctor' is the story's one doctor, when it has exactly one."""
_UNNAMED_SPEAKER = re.compile(
    r"\b(?:the|The)\s+((?:old|young|little|poor|other|tall)\s+)?([a-z]+)\b",
)
_NICKNAMES = {
    "jim": "james",
    "jimmy": "james",
    "bill": "william",
    "billy": "william",
    "will": "william",
    "bob": "robert",
    "rob": "robert",
    "tom": "thomas",
    "dick": "richard",
    "ben": "benjamin",
    "jack": "john",
    "johnny": "john",
    "ned": "edward",
    "ted": "edward",
    "harry": "henry",
    "kate": "katherine",
    "katie": "katherine",
    "peggy": "margaret",
    "meg": "margaret",
    "maggie": "margaret",
    "bess": "elizabeth",
    "betty": "elizabeth",
    "lizzie": "elizabeth",
    "sally": "sarah",
    "polly": "mary",
    "molly": "mary",
}


def find_english(
    paragraphs: list[str], clauses: list[str], total_words: int, cues: list[tuple[int, str]]
) -> list[CastMember]:
    candidates = _english_candidates(paragraphs, clauses)
    _add_cues(candidates, cues)
    merged = _merge_english_aliases([c for c in candidates.values() if c.strong or c.speaks])
    members = [member for candidate, member in merged if _is_character(candidate, total_words)]
    cued = {name for _, name in cues}
    for member in members:
        if cued & set(member.forms) and member.name.upper() not in member.forms:
            member.forms.append(member.name.upper())  # a screenplay's action names them in capitals
    return members


def _add_cues(candidates: dict[str, Candidate], cues: list[tuple[int, str]]) -> None:
    """Every cue of a screenplay is a line that character speaks."""
    for paragraph, name in cues:
        candidate = candidates.setdefault(name, Candidate(name, paragraph))
        candidate.first_paragraph = min(candidate.first_paragraph, paragraph)
        candidate.count += 1
        candidate.strong += 1
        candidate.speaks += 1
        candidate.person += 1


def _english_candidates(paragraphs: list[str], clauses: list[str]) -> dict[str, Candidate]:
    candidates: dict[str, Candidate] = {}
    weak: Counter[str] = Counter()
    weak_acts: Counter[str] = Counter()
    for index, text in enumerate(paragraphs):
        for match in _CAPITALISED.finditer(text):
            _note_english(candidates, (weak, weak_acts), text, match, index)
    lower_words = set(_LOWER_WORD.findall(" ".join(paragraphs)))
    for name, count in weak.items():
        if name in candidates:
            candidates[name].count += count
        elif count >= 2 and weak_acts[name] and name.split()[0].lower() not in lower_words:
            # "Meera smiled. Meera waved.": only ever capitalised and acting, so a name, not a common word
            candidates[name] = Candidate(name, first_paragraph=0, count=count, strong=count, person=weak_acts[name])
    for clause in clauses:
        for name in _english_speakers(clause):
            if name in candidates:
                candidates[name].speaks += 1
    _add_unnamed_speakers(candidates, paragraphs, clauses)
    return candidates


def _note_english(
    candidates: dict[str, Candidate],
    weak: tuple[Counter[str], Counter[str]],
    text: str,
    match: re.Match[str],
    paragraph: int,
) -> None:
    """Count one capitalised name; at the start of a sentence it counts only as weak evidence."""
    raw = match.group()
    title_match = _TITLE_PREFIX.match(raw)
    title = title_match.group().strip(" .") if title_match else ""
    words = raw[title_match.end() :].split() if title_match else raw.split()
    initial = not title and _is_sentence_initial(text, match.start())
    while words and (words[0] in _NOT_NAMES or _strip_possessive(words[0]) in _NOT_NAMES):
        words, initial = words[1:], False
    name = _strip_possessive(" ".join(words))
    if (
        not name
        or _CONTRACTION.search(name)
        or name in _NOT_NAMES
        or words[-1] in _PLACE_WORDS
        or words[-1].lower() in lexicon.PLACES_EN
    ):
        return
    if initial:
        weak[0][name] += 1
        weak[1][name] += _person_evidence(text, match.end())
        return
    candidate = candidates.setdefault(name, Candidate(name, paragraph))
    candidate.count += 1
    candidate.strong += 1
    if title:
        candidate.titles[title] += 1
        candidate.person += 1
    candidate.person += _person_evidence(text, match.end())
    candidate.place += _place_evidence(text, match.start(), words[-1].lower())


def _is_sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" “‘\"'(")
    return not before or before[-1] in ".!?…:;—\"”’'"


def _strip_possessive(name: str) -> str:
    for suffix in ("’s", "'s", "’", "'"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _person_evidence(text: str, end: int) -> int:
    following = text[end : end + 30].split()
    if not following:
        return 0
    word = following[0].strip(",.;:!?”’\"'").lower()
    return 1 if word in _PERSON_VERBS or is_speech_verb(word) or (word.endswith("ed") and len(word) > 4) else 0


def _place_evidence(text: str, start: int, last_word: str) -> int:
    """'at Bristol', 'the Admiral Benbow' (but 'the Crocodile' is an animal, so a character)."""
    preceding = text[max(0, start - 12) : start].split()
    if not preceding:
        return 0
    word = preceding[-1].lower()
    creature = last_word in lexicon.ANIMALS_EN or last_word in _PERSON_NOUNS
    return 1 if word in _PLACE_PREPOSITIONS or (word == "the" and not creature) else 0


def _english_speakers(clause: str) -> list[str]:
    """Names right beside a verb of saying: 'said the Wolf', 'Meera said', 'said Dr. Livesey'."""
    names = []
    for match in _CAPITALISED.finditer(clause):
        before = [word.strip(",.;:") for word in clause[: match.start()].split()[-2:]]
        after = [word.strip(",.;:!?") for word in clause[match.end() :].split()[:2]]
        if not any(is_speech_verb(word) for word in before + after):
            continue
        words = [w for w in _TITLE_PREFIX.sub("", match.group()).split() if w not in _NOT_NAMES]
        if words:
            names.append(_strip_possessive(" ".join(words)))
    return names


def _add_unnamed_speakers(candidates: dict[str, Candidate], paragraphs: list[str], clauses: list[str]) -> None:
    """'said the woman' twice makes "the woman" a character (Hansel and Gretel's stepmother)."""
    speakers: Counter[str] = Counter()
    for clause in clauses:
        if any(is_speech_verb(word) for word in clause.split()):
            for match in _UNNAMED_SPEAKER.finditer(clause):
                noun = match.group(2)
                if noun in _PERSON_NOUNS or noun in lexicon.ANIMALS_EN:
                    speakers["the " + (match.group(1) or "") + noun] += 1
    for name, speaks in speakers.items():
        if speaks >= 2 and name not in candidates:
            count = sum(text.count(name) + text.count(name.capitalize()) for text in paragraphs)
            first = next((i for i, text in enumerate(paragraphs) if name in text.lower()), 0)
            candidates[name] = Candidate(name, first, count=count, strong=count, speaks=speaks, person=speaks)


def _merge_english_aliases(candidates: list[Candidate]) -> list[tuple[Candidate, CastMember]]:
    """Short forms join the fullest name they belong to: Holmes -> Sherlock Holmes, Jim -> James ...

    Returns each full name's candidate, its evidence summed over its forms, with its member."""
    names = {c.name for c in candidates}
    candidates = [c for c in candidates if not (c.name.endswith("s") and c.name[:-1] in names)]
    # Full names first, so short forms find them; "the doctor" last, so it finds Dr. Livesey.
    candidates = sorted(candidates, key=lambda c: (c.name.startswith("the "), -len(c.name.split()), -c.count))
    merged: list[tuple[Candidate, CastMember]] = []
    for candidate in candidates:
        owner = _english_owner(candidate, [member for _, member in merged], names)
        if owner is None:
            total = Candidate(candidate.name, candidate.first_paragraph)
            merged.append((total, member_of(candidate, hindi=False)))
            _add_evidence(total, candidate)
            continue
        owner.forms.append(candidate.name)
        owner.mentions += candidate.count
        owner.speaks += candidate.speaks
        owner.titles.update(candidate.titles)
        owner.first_paragraph = min(owner.first_paragraph, candidate.first_paragraph)
        _add_evidence(next(total for total, member in merged if member is owner), candidate)
    return merged


def _add_evidence(total: Candidate, part: Candidate) -> None:
    total.count += part.count
    total.strong += part.strong
    total.speaks += part.speaks
    total.person += part.person
    total.place += part.place


def _english_owner(candidate: Candidate, members: list[CastMember], names: set[str]) -> CastMember | None:
    """The character this name is a short form of, if any ("Madame" -> the one called Madame ...)."""
    words = candidate.name.split()
    if _TITLE_PREFIX.match(candidate.name + " "):
        owners = [m for m in members if candidate.name in m.titles]
    elif candidate.name.startswith("the "):
        titles = _ROLE_TITLES.get(words[-1], frozenset())
        owners = [m for m in members if titles & set(m.titles)]
        return owners[0] if len(owners) == 1 else None  # "the captain" of two captains is neither
    else:
        owners = [m for m in members if _is_short_form(words, m.name.split(), names) and _titles_agree(candidate, m)]
    return max(owners, key=lambda m: m.mentions) if owners else None


def _is_short_form(short: list[str], full: list[str], names: set[str]) -> bool:
    """Holmes of Sherlock Holmes, Jim of James ..., Dell of Della; but not Dick of Richard Joyce,
    who the story calls Joyce (then a Dick is someone else)."""
    if short[0].startswith("the") or short == full:
        return False
    if len(short) < len(full) and (short == full[: len(short)] or short == full[-len(short) :]):
        return True
    if len(short) != 1:
        return False
    first, nickname = full[0].lower(), short[0].lower()
    if len(full) > 1 and full[-1] in names:
        return False
    return _NICKNAMES.get(nickname) == first or (len(nickname) >= 3 and first.startswith(nickname))


def _titles_agree(candidate: Candidate, member: CastMember) -> bool:
    def gender(titles: Iterable[str]) -> set[str]:
        return {"m" if t in _MALE_TITLES else "f" for t in titles if t in _MALE_TITLES | _FEMALE_TITLES}

    mine, theirs = gender(candidate.titles), gender(member.titles)
    return not mine or not theirs or mine == theirs


def title_character(title: str, paragraphs: list[str]) -> list[CastMember]:
    """'The Little Match Girl' -> a character called so, found in the text as 'the little girl'."""
    words = title.split()
    noun = next((w.lower() for w in reversed(words) if w.lower() in _PERSON_NOUNS | lexicon.ANIMALS_EN), "")
    if not noun:
        return []
    name = " ".join(words[1:] if words[0].lower() == "the" else words)
    phrases = Counter(
        match.group().lower()
        for text in paragraphs
        for match in re.finditer(rf"\b[Tt]he (?:[a-z]+ ){{0,2}}{noun}\b", text)
    )
    first = next((i for i, text in enumerate(paragraphs) if noun in text.lower()), 0)
    candidate = Candidate(name, first, count=sum(phrases.values()))
    return [member_of(candidate, hindi=False, forms=[name, *phrases])]


def _is_character(candidate: Candidate, total_words: int) -> bool:
    least = 2 if total_words < 20_000 else 3
    if candidate.speaks:
        return True
    return candidate.strong >= 1 and candidate.count >= least and candidate.person > candidate.place
