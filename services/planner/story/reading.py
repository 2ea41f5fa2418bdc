"""Reading a story: text -> paragraphs of sentences and quotes -> characters, who speaks, voices.

Both backends start here: the rules planner groups what it reads into scenes itself, the LLM
planner asks a model to. Either way every line's text comes from this reading of the story.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.planner.speakable import speakable_paragraph
from services.planner.story import language as lang
from services.planner.story.characters import Cast, find_cast
from services.planner.story.describe import Profile, profiles
from services.planner.story.dialogue import read_paragraph, screenplay_paragraph
from services.planner.story.model import Paragraph
from services.planner.story.speakers import assign_speakers
from services.planner.story.text import Block, BlockKind, Document, normalise, read_document
from services.planner.story.voices import NARRATOR_VOICE, assign_voices
from storyreel.domain import Character, Language, Storyboard
from storyreel.errors import InvalidInput
from storyreel.storytext import speakable

_DETECT_PARAGRAPHS = 200
_TITLE_FALLBACK_WORDS = 6


@dataclass
class Reading:
    document: Document
    language: Language
    paragraphs: list[Paragraph]
    """One per PARAGRAPH block of the document, in order, speakers resolved."""
    cast: Cast
    people: dict[str, Profile]
    characters: list[Character]

    @property
    def hindi(self) -> bool:
        return self.language is not Language.EN

    @property
    def title(self) -> str:
        return self.document.title or _first_words(self.paragraphs)

    def storyboard(self) -> Storyboard:
        """The storyboard's head: title, language, characters, narrator; no scenes yet."""
        return Storyboard(
            title=self.title,
            language=self.language,
            characters=self.characters,
            narrator_voice=NARRATOR_VOICE,
        )


def read_story(story: str, title: str, language: Language | None) -> Reading:
    """Read a story (already checked for size). InvalidInput when it holds nothing to narrate."""
    document = _with_words(read_document(story, title), story)
    story_language = language or lang.detect(" ".join(document.paragraphs()[:_DETECT_PARAGRAPHS]))
    paragraphs = _read_paragraphs(document, story_language)
    if not any(paragraph.sentences for paragraph in paragraphs):
        raise InvalidInput("the story has no words to narrate (only punctuation, symbols or markup)")

    texts = [paragraph.text for paragraph in paragraphs]
    clauses = [quote.clause for paragraph in paragraphs for quote in paragraph.quotes if quote.clause]
    cues = [(index, paragraph.cue) for index, paragraph in enumerate(paragraphs) if paragraph.cue]
    cast = find_cast(texts, clauses, title=document.title, cues=cues)
    people = profiles(cast, texts)
    assign_speakers(paragraphs, cast, {cid: profile.gender for cid, profile in people.items()})
    voices = assign_voices([member.id for member in cast.members], people)
    characters = [
        Character(
            id=member.id,
            name=member.name,
            aliases=member.aliases,
            description=people[member.id].description,
            voice=voices[member.id],
        )
        for member in cast.members
    ]
    return Reading(document, story_language, paragraphs, cast, people, characters)


def _with_words(document: Document, story: str) -> Document:
    """The document, or, when its paragraphs hold nothing a voice can say (the words were all in
    headings, markup or front matter), its headings as paragraphs, else the plain text: a story
    the door accepted always has something to narrate."""
    if any(speakable(text) for text in document.paragraphs()):
        return document
    headings = [Block(BlockKind.PARAGRAPH, block.text) for block in document.blocks if block.kind is BlockKind.HEADING]
    title = [Block(BlockKind.PARAGRAPH, document.title)] if speakable(document.title) else []
    if any(speakable(block.text) for block in headings):
        return Document(document.title, [*title, *headings])
    plain = [" ".join(part.split()) for part in normalise(story).split("\n\n")]
    return Document(document.title, [Block(BlockKind.PARAGRAPH, text) for text in plain if speakable(text)])


def _read_paragraphs(document: Document, default: Language) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    open_quote = False
    for block in document.blocks:
        if block.kind is not BlockKind.PARAGRAPH:
            continue
        if block.cue:
            paragraph = screenplay_paragraph(block.text, block.cue, default)
        else:
            paragraph = read_paragraph(block.text, open_quote, default)
        open_quote = paragraph.ends_open
        speakable_paragraph(paragraph)
        paragraphs.append(paragraph)
    return paragraphs


def _first_words(paragraphs: list[Paragraph]) -> str:
    words = next((p.text.split() for p in paragraphs if p.words), [])
    title = " ".join(words[:_TITLE_FALLBACK_WORDS]).rstrip(",;:—–-.!?।\"”’'")
    return title + ("…" if len(words) > _TITLE_FALLBACK_WORDS else "")
