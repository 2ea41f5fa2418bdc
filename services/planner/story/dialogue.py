"""Quoted speech: which parts of a paragraph are spoken by someone, and the words that say who.

Quotes may be curly (“ ” ‘ ’), straight (" '), or guillemets; an apostrophe (don't, Elephant’s,
‘satiable) is not a quote. A quote left open at the end of a paragraph goes on in the next one
(the old convention for long speeches). Hindi also marks speech with a dash after the verb of
saying: "हल्कू ने कहा – सहना आया है।" Speakers are resolved later (speakers.py), once the cast is
known; this module only finds the attribution clause ("said Arjun", "दादी ने कहा").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.planner.story import language as lang
from services.planner.story.lexicon import SPEECH_VERBS_EN, SPEECH_VERBS_HI, wordset
from services.planner.story.model import WORD, Paragraph, Piece, Quote, Sentence
from services.planner.story.sentences import split_sentences
from storyreel.domain import Language

_CLOSING = {"“": "”", "„": "“", "«": "»", "‘": "’", '"': '"', "'": "'"}
_OPENERS = re.compile("[“„«‘\"']")
_OPEN_CONTEXT = set("([{—–-“‘\"'") | {""}
_ELISIONS = wordset("satiable em tis twas cause bout ere im er cept nuff")
_WORD_AFTER = re.compile(WORD + "+")
_SENTENCE_END = re.compile(r"[.!?;।॥…]")
_TERMINAL = tuple(".!?।॥…")
_HI_VERBS = "|".join(re.escape(verb) for verb in sorted(SPEECH_VERBS_HI, key=len, reverse=True))
_HI_DASH_SPEECH = re.compile(rf"(?<!\S)(?:{_HI_VERBS})(?:\s+(?:है|हैं|था|थी|थे|लगा|लगी|लगे|लगीं))?\s*[–—-]+\s*")
_HI_VERB = re.compile(rf"(?<!\S)(?:{_HI_VERBS})(?![\u0900-\u0963\u0966-\u097F])")
_EN_WORDS = re.compile(r"[A-Za-z’']+")


@dataclass
class _Segment:
    text: str
    dialogue: bool
    continued: bool = False


# --------------------------------------------------------------------------- public


def read_paragraph(text: str, continues_open_quote: bool, default: Language) -> Paragraph:
    """A paragraph as sentences of pieces, with its quotes and their attribution clauses."""
    segments, ends_open = _segments(text, continues_open_quote)
    paragraph = Paragraph(text=text, ends_open=ends_open)
    previous_piece: Piece | None = None
    for index, segment in enumerate(segments):
        pieces = [_piece(part, segment.dialogue, default) for part in split_sentences(segment.text)]
        if segment.dialogue and pieces:
            clause = _attribution(segments, index)
            paragraph.quotes.append(Quote(pieces, clause, segment.continued))
        for position, piece in enumerate(pieces):
            attribution_tail = position == 0 and not segment.dialogue and _is_attribution_after(segment.text)
            if previous_piece is None or (_ends_sentence(previous_piece) and not attribution_tail):
                paragraph.sentences.append(Sentence([]))
            paragraph.sentences[-1].pieces.append(piece)
            previous_piece = piece
    return paragraph


def screenplay_paragraph(text: str, cue: str, default: Language) -> Paragraph:
    """A screenplay's dialogue under a cue: every sentence is speech by the one the cue names."""
    pieces = [_piece(part, True, default) for part in split_sentences(text)]
    return Paragraph(text=text, sentences=[Sentence([piece]) for piece in pieces], quotes=[Quote(pieces)], cue=cue)


def is_speech_verb(word: str) -> bool:
    return word.lower().strip("’'") in SPEECH_VERBS_EN


# --------------------------------------------------------------------------- segments


def _segments(text: str, continues_open_quote: bool) -> tuple[list[_Segment], bool]:
    """Narration and quoted speech in order; and whether a quote is left open at the end."""
    segments: list[_Segment] = []
    position = 0
    ends_open = False
    for opened, start, end, closed in _quote_spans(text):
        segments.extend(_narration(text[position:opened]))
        continued = continues_open_quote and not text[:opened].strip()
        segments.append(_Segment(text[start:end], dialogue=True, continued=continued))
        position = end + 1 if closed else len(text)
        ends_open = not closed
    segments.extend(_narration(text[position:]))
    return [segment for segment in segments if segment.text.strip()], ends_open


def _quote_spans(text: str) -> list[tuple[int, int, int, bool]]:
    """(opening mark, first spoken char, end of speech, closed?) for each top-level quote."""
    spans: list[tuple[int, int, int, bool]] = []
    search_from = 0
    while match := _OPENERS.search(text, search_from):
        mark, at = match.group(), match.start()
        search_from = at + 1
        if not _can_open(text, at, mark):
            continue
        close = _find_close(text, at + 1, mark)
        if close is None and mark in "‘'":
            continue  # a single quote that never closes was an apostrophe
        if close is None:
            spans.append((at, at + 1, len(text), False))
            break
        spans.append((at, at + 1, close, True))
        search_from = close + 1
    return spans


def _can_open(text: str, at: int, mark: str) -> bool:
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    if not (before.isspace() or before in _OPEN_CONTEXT) or not after or after.isspace():
        return False
    if mark not in "‘'":
        return True
    word = _WORD_AFTER.match(text, at + 1)
    return word is not None and word.group().lower() not in _ELISIONS


def _find_close(text: str, start: int, mark: str) -> int | None:
    closing = _CLOSING[mark]
    position = text.find(closing, start)
    while position != -1:
        if mark not in "‘'" or _closes_single(text, position):
            return position
        position = text.find(closing, position + 1)
    return None


def _closes_single(text: str, at: int) -> bool:
    """’ closes a quote when it ends a word that is not a contraction (Elephant’s, don’t)."""
    before = text[at - 1]
    after = text[at + 1] if at + 1 < len(text) else ""
    return not before.isspace() and not after.isalnum()


def _narration(text: str) -> list[_Segment]:
    """Narration, with Hindi dash speech ("...बोली – तीन ही रुपये हैं") split out as dialogue."""
    segments: list[_Segment] = []
    matches = list(_HI_DASH_SPEECH.finditer(text))
    position = 0
    for index, match in enumerate(matches):
        if match.start() < position:
            continue
        speech_end = _speech_end(text, matches[index + 1].start()) if index + 1 < len(matches) else len(text)
        if not text[match.end() : speech_end].strip():
            continue
        segments.append(_Segment(text[position : match.end()], dialogue=False))
        segments.append(_Segment(text[match.end() : speech_end], dialogue=True))
        position = speech_end
    segments.append(_Segment(text[position:], dialogue=False))
    return segments


def _speech_end(text: str, next_verb_at: int) -> int:
    """Dash speech runs until the sentence in which the next speaker is introduced."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text, 0, next_verb_at)]
    return ends[-1] if ends else next_verb_at


# --------------------------------------------------------------------------- attribution


def _attribution(segments: list[_Segment], index: int) -> str:
    """The narration beside a quote that says who speaks: after it first, else before it."""
    after = segments[index + 1].text if index + 1 < len(segments) and not segments[index + 1].dialogue else ""
    before = segments[index - 1].text if index > 0 and not segments[index - 1].dialogue else ""
    head = _first_clause(after)
    introduces_next = head == after.strip() and head.endswith((":", "—", "–", "-")) and index + 2 < len(segments)
    if head and not introduces_next and _is_attribution_after(head):
        return head
    tail = _last_clause(before)
    if tail and _is_attribution_before(tail):
        return tail
    return ""


def _first_clause(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[0].split(";")[0].strip() if sentences else ""


def _last_clause(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[-1].split(";")[-1].strip() if sentences else ""


def _is_attribution_after(text: str) -> bool:
    """'said Arjun.', 'Meera said.', 'he cried, ...', 'गुड़िया बोली।', 'दादी ने कहा।'"""
    if lang.is_devanagari(text):
        return len(text.split()) <= 12 and bool(_HI_VERB.search(text))
    words = _EN_WORDS.findall(text)[:6]
    return any(is_speech_verb(word) for word in words)


def _is_attribution_before(text: str) -> bool:
    """'Then said the Wolf,', 'he groaned and said to his wife:', 'पीछे फिरकर बोली –'"""
    stripped = text.rstrip(" ,:;—–-")
    if stripped == text.rstrip():
        return False  # "He left." ends a sentence: the quote after it is not introduced by it
    if lang.is_devanagari(text):
        return bool(_HI_VERB.search(stripped))
    words = _EN_WORDS.findall(stripped)[-6:]
    return any(is_speech_verb(word) for word in words)


# --------------------------------------------------------------------------- pieces


def _piece(text: str, dialogue: bool, default: Language) -> Piece:
    return Piece(text=text, dialogue=dialogue, language=lang.detect(text, default), words=lang.count_words(text))


def _ends_sentence(piece: Piece) -> bool:
    return piece.text.rstrip("\"”’')] ").endswith(_TERMINAL)
