"""Who speaks each quote: the name in its attribution clause, else a pronoun resolved to the last
character of that gender, else the same speaker as before (a speech that goes on, or two people
taking turns). A clause that names nobody we know ("said the oldest of them") and "said I" in a
first-person story are the narrator's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.planner.story.characters import Cast, Mention
from services.planner.story.describe import FEMALE, MALE
from services.planner.story.language import is_devanagari
from services.planner.story.lexicon import wordset
from services.planner.story.model import Paragraph, Quote
from storyreel.domain import NARRATOR

_EN_PRONOUNS = {"he": MALE, "she": FEMALE}
_EN_FIRST_PERSON = wordset("i we")
_HI_FEMININE_VERB = re.compile(r"(?<!\S)(?:बोली|बोलीं|कही|पूछी|चिल्लाई|पुकारी|बोलती|कहती|पूछती)(?![\u0900-\u0963])")
_HI_MASCULINE_VERB = re.compile(r"(?<!\S)(?:बोला|बोलता|कहता|पूछता|चिल्लाया)(?![\u0900-\u0963])")
_HI_NOT_SPEAKER_AFTER = ("से", "को", "की", "के", "का")
_EN_NOT_SPEAKER_BEFORE = ("to", "at", "of", "with", "for")
_RECENT_PARAGRAPHS = 3


@dataclass
class _Memory:
    """What has been said so far: who was mentioned lately, who spoke in each paragraph."""

    recent: list[tuple[int, str]] = field(default_factory=list)
    speakers_by_paragraph: dict[int, str] = field(default_factory=dict)
    open_quote_speaker: str = NARRATOR


def assign_speakers(paragraphs: list[Paragraph], cast: Cast, genders: dict[str, str]) -> None:
    """Set speaker_id on every dialogue piece, in place."""
    memory = _Memory()
    for index, paragraph in enumerate(paragraphs):
        if paragraph.cue:
            _cued(paragraph, index, cast, memory)
            continue
        quote_of = {id(quote.pieces[0]): quote for quote in paragraph.quotes}
        speaker_here = NARRATOR
        for piece in paragraph.pieces():
            quote = quote_of.get(id(piece))
            if quote is None:
                if not piece.dialogue:
                    memory.recent.extend((index, m.character_id) for m in cast.mentions(piece.text))
                continue
            speaker = _speaker(quote, index, speaker_here, cast, genders, memory)
            for spoken in quote.pieces:
                spoken.speaker_id = speaker
            speaker_here = speaker or speaker_here
            if speaker:
                memory.recent.append((index, speaker))
        if paragraph.quotes:
            memory.speakers_by_paragraph[index] = speaker_here
        memory.open_quote_speaker = speaker_here if paragraph.ends_open else NARRATOR


def _cued(paragraph: Paragraph, index: int, cast: Cast, memory: _Memory) -> None:
    """A screenplay's dialogue: the cue names the speaker."""
    speaker = next(iter(cast.ids_in(paragraph.cue)), NARRATOR)
    for piece in paragraph.pieces():
        piece.speaker_id = speaker
    if speaker:
        memory.recent.append((index, speaker))
    memory.speakers_by_paragraph[index] = speaker
    memory.open_quote_speaker = NARRATOR


def _speaker(
    quote: Quote, paragraph: int, speaker_here: str, cast: Cast, genders: dict[str, str], memory: _Memory
) -> str:
    if quote.clause:
        return _from_clause(quote.clause, paragraph, cast, genders, memory)
    if quote.continued and memory.open_quote_speaker:
        return memory.open_quote_speaker
    return speaker_here or _taking_turns(paragraph, memory)


def _from_clause(clause: str, paragraph: int, cast: Cast, genders: dict[str, str], memory: _Memory) -> str:
    hindi = is_devanagari(clause)
    named = [m for m in cast.mentions(clause) if _may_speak(clause, m, hindi)]
    if named:
        return named[0].character_id
    gender = _hindi_gender(clause) if hindi else _english_pronoun_gender(clause)
    if gender is None:
        return NARRATOR
    return _last_mentioned(gender, paragraph, genders, memory)


def _may_speak(clause: str, mention: Mention, hindi: bool) -> bool:
    """'दादी से बोला' and 'he said to Meera' name the one spoken to, not the speaker."""
    if hindi:
        following = clause[mention.end :].split()[:1]
        return not following or following[0] not in _HI_NOT_SPEAKER_AFTER
    preceding = clause[: mention.start].split()[-1:]
    return not preceding or preceding[0].lower() not in _EN_NOT_SPEAKER_BEFORE


def _english_pronoun_gender(clause: str) -> str | None:
    """'he' -> male, 'she' -> female; None for 'I' (the narrator) or no pronoun."""
    for word in re.findall(r"[A-Za-z]+", clause.lower()):
        if word in _EN_FIRST_PERSON:
            return None
        if word in _EN_PRONOUNS:
            return _EN_PRONOUNS[word]
    return None


def _hindi_gender(clause: str) -> str:
    """Hindi drops the subject ('पीछे फिरकर बोली'): the verb's ending tells the speaker's gender."""
    if _HI_FEMININE_VERB.search(clause):
        return FEMALE
    if _HI_MASCULINE_VERB.search(clause):
        return MALE
    return ""


def _last_mentioned(gender: str, paragraph: int, genders: dict[str, str], memory: _Memory) -> str:
    for seen_in, character_id in reversed(memory.recent):
        if paragraph - seen_in > _RECENT_PARAGRAPHS:
            break
        if not gender or genders.get(character_id, "") in (gender, ""):
            return character_id
    return NARRATOR


def _taking_turns(paragraph: int, memory: _Memory) -> str:
    """A quote with no clause, after two paragraphs of two people talking: the other one's turn."""
    previous = memory.speakers_by_paragraph.get(paragraph - 1, NARRATOR)
    before = memory.speakers_by_paragraph.get(paragraph - 2, NARRATOR)
    return before if previous and before and previous != before else NARRATOR
