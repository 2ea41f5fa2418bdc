"""Hindi names: Devanagari has no capitals, so names are found by grammar.

The subject before "ने" (हल्कू ने कहा), the speaker before a verb of saying (गुड़िया बोली), and a
name after a relation word (पोती गुड़िया, दादी सरला); spellings that differ only by a nukta are one.
"""

from __future__ import annotations

import re

from services.planner.story import lexicon
from services.planner.story.cast import Candidate, CastMember, member_of
from services.planner.story.lexicon import wordset

_HINDI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097F]+")
_HINDI_NOT_NAMES = wordset(
    "किसी किसने सबने सब लोगों दोनों एक कोई इस उस जिस तुम आप हम मैं वह वे यह ये उन्होंने उसने इन्होंने जिसने "
    "मैंने तुमने हमने आपने किन्हीं सभी बच्चे बच्चों लड़के लड़कों आदमी औरत स्त्री पुरुष मनुष्य लोग ईश्वर भगवान "
    "अल्लाह ख़ुदा खुदा और फिर तब अब जब तो भी ही न नहीं कुछ बहुत बड़े छोटे किसान कहा बोला बोली ने से को का की के "
    "में पर था थी थे है हैं हुआ हुई गया गई आया आई दिया लिया कर करके उसकी उसके उनकी उनके अपने अपनी अपना सो अभी "
    "मेरी मेरा मेरे इतना इतनी इतने जरूर ज़रूर देर मर कौन क्या कहाँ यहाँ वहाँ जहाँ साहब बेचारी बेचारा पेट "
    "बाप"
)
_HINDI_NON_NAME_ENDINGS = ("ों", "ाओं", "कर", "ते", "ने", "कि", "ो", "ाओ", "िए", "िये", "ें", "ीं", "ां", "ाँ")


def find_hindi(paragraphs: list[str], clauses: list[str], total_words: int) -> list[CastMember]:
    candidates = _hindi_candidates(paragraphs, clauses).values()
    return _merge_hindi_relations([c for c in candidates if _is_character(c, total_words)])


def _hindi_candidates(paragraphs: list[str], clauses: list[str]) -> dict[str, Candidate]:
    candidates: dict[str, Candidate] = {}
    for index, text in enumerate(paragraphs):
        words = _HINDI_WORD.findall(text)
        for position, word in enumerate(words):
            if not _could_be_hindi_name(word):
                continue
            candidate = candidates.setdefault(word, Candidate(word, index))
            candidate.count += 1
            following = words[position + 1] if position + 1 < len(words) else ""
            previous = words[position - 1] if position > 0 else ""
            candidate.person += following == "ने"
            if previous in lexicon.RELATIONS_HI and word not in lexicon.RELATIONS_HI:
                candidate.titles[previous] += 1
    for clause in clauses:
        speaker = _hindi_speaker_word(clause)
        if speaker in candidates:
            candidates[speaker].speaks += 1
    return candidates


def _could_be_hindi_name(word: str) -> bool:
    if len(word) < 2 or word in _HINDI_NOT_NAMES or word.endswith(_HINDI_NON_NAME_ENDINGS):
        return False
    lexicons = (lexicon.PLACES_HI, lexicon.OBJECTS_HI, lexicon.TIME_HI, lexicon.WEATHER_HI, lexicon.MOOD_HI)
    return all(lexicon.stem_lookup(word, words) is None for words in lexicons)


def _hindi_speaker_word(clause: str) -> str:
    """The word before "ने", else the word just before the verb of saying (गुड़िया बोली)."""
    words = _HINDI_WORD.findall(clause)
    if "ने" in words:
        position = words.index("ने")
        return words[position - 1] if position > 0 else ""
    verb = next((i for i, word in enumerate(words) if word in lexicon.SPEECH_VERBS_HI), 0)
    return words[verb - 1] if verb > 0 and _could_be_hindi_name(words[verb - 1]) else ""


def _merge_hindi_relations(candidates: list[Candidate]) -> list[CastMember]:
    """'दादी सरला': the relation word that is also used alone (दादी ने कहा) is the name's alias."""
    merged, spellings = _merge_spellings(candidates)
    members = {c.name: member_of(c, hindi=True, forms=spellings[c.name]) for c in merged}
    for candidate in merged:
        member = members.get(candidate.name)
        if member is None or not candidate.titles or candidate.name not in members:
            continue
        relation = candidate.titles.most_common(1)[0][0]
        member.relation = relation
        alias = members.pop(relation, None)
        if alias is not None:
            member.forms = [f"{relation} {candidate.name}", *member.forms, relation]
            member.name = member.forms[0]
            member.mentions += alias.mentions
            member.speaks += alias.speaks
            member.first_paragraph = min(member.first_paragraph, alias.first_paragraph)
    return list(members.values())


def _merge_spellings(candidates: list[Candidate]) -> tuple[list[Candidate], dict[str, list[str]]]:
    """लाडली and लाड़ली are one name: spellings that differ only by the nukta merge."""
    by_key: dict[str, Candidate] = {}
    spellings: dict[str, list[str]] = {}
    for candidate in sorted(candidates, key=lambda c: -c.count):
        key = candidate.name.replace("\u093c", "")
        kept = by_key.setdefault(key, candidate)
        spellings.setdefault(key, []).append(candidate.name)
        if kept is not candidate:
            kept.count += candidate.count
            kept.speaks += candidate.speaks
            kept.person += candidate.person
            kept.first_paragraph = min(kept.first_paragraph, candidate.first_paragraph)
    return list(by_key.values()), {by_key[key].name: names for key, names in spellings.items()}


def _is_character(candidate: Candidate, total_words: int) -> bool:
    least = 2 if total_words < 20_000 else 3
    if candidate.speaks and candidate.count >= 2:
        return True
    introduced = sum(candidate.titles.values()) >= 2
    named = candidate.person >= 2 or (candidate.person == 1 and candidate.count >= 3)
    return candidate.count >= least and (named or introduced)
