"""The rules planner: the embedded default, plain Python, no model, a few seconds for a novel.

It reads top to bottom: text -> paragraphs, sentences and quotes -> characters and who speaks ->
voices -> scenes -> (condense) -> shots with framing, prompts and seeds -> the storyboard. The
steps live in services/planner/rules/, one small module each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from services.planner.rules import language as lang
from services.planner.rules.characters import Cast, find_cast
from services.planner.rules.condense import condense
from services.planner.rules.describe import Profile, profiles
from services.planner.rules.dialogue import read_paragraph
from services.planner.rules.lexicon import wordset
from services.planner.rules.model import Paragraph
from services.planner.rules.prompts import NEGATIVE_PROMPT, Figure, seed, story_digest, visual_prompt
from services.planner.rules.scenes import SceneDraft, SceneLook, group_scenes, look, summary_for, title_for
from services.planner.rules.shots import ShotDraft, frame, pack_shots
from services.planner.rules.speakers import assign_speakers
from services.planner.rules.text import Document, read_document
from services.planner.rules.voices import NARRATOR_VOICE, assign_voices
from storyreel.domain import Character, Language, Line, Scene, Shot, Storyboard, Voice
from storyreel.errors import InvalidInput
from storyreel.logs import log_context

log = logging.getLogger(__name__)

MAX_SHOTS_PER_SCENE = 40
_FIT_ATTEMPTS = 3
_TITLE_FALLBACK_WORDS = 6
_PRONOUNS = wordset("he she him her his hers they them their वह उसने उसे उसको उन्होंने वे")
_PLURAL_PRONOUNS = wordset("they them their उन्होंने वे")


class RulesPlanner:
    def __init__(self, words_per_second: float = 2.5) -> None:
        self.words_per_second = words_per_second

    def plan(self, story: str, title: str, language: Language | None, max_minutes: float) -> Storyboard:
        document = read_document(story, title)
        story_language = language or lang.detect(" ".join(document.paragraphs()[:200]))
        paragraphs = _read_paragraphs(document, story_language)
        if not any(paragraph.words for paragraph in paragraphs):
            raise InvalidInput("the story has no words to narrate (only punctuation or markup)")

        texts = [paragraph.text for paragraph in paragraphs]
        clauses = [quote.clause for paragraph in paragraphs for quote in paragraph.quotes if quote.clause]
        cast = find_cast(texts, clauses, title=document.title)
        people = profiles(cast, texts)
        assign_speakers(paragraphs, cast, {cid: profile.gender for cid, profile in people.items()})
        voices = assign_voices([member.id for member in cast.members], people)

        drafts = group_scenes(document.blocks, paragraphs)
        if max_minutes > 0:
            self._fit(drafts, max_minutes * 60, cast)

        context = _Story(cast, people, story_digest(story), hindi=story_language is not Language.EN)
        scenes = self._scenes(drafts, context)
        characters = [_character(member.id, cast, people, voices) for member in cast.members]
        return Storyboard(
            title=document.title or _first_words(paragraphs),
            language=story_language,
            characters=characters,
            scenes=scenes,
            narrator_voice=NARRATOR_VOICE,
        )

    def _fit(self, drafts: list[SceneDraft], budget_s: float, cast: Cast) -> None:
        """Condense until the shots fit: short shots are padded to 3 s, so aim lower and retry."""
        target = budget_s
        sentences = sum(len(p.sentences) for d in drafts for p in d.paragraphs)
        for _ in range(_FIT_ATTEMPTS):
            result = condense(drafts, target, self.words_per_second, lambda text: len(cast.mentions(text)))
            film_s = sum(shot.seconds for d in drafts for shot in pack_shots(d.paragraphs, self.words_per_second))
            if film_s <= budget_s or result.sentences_after == result.sentences_before:
                break
            target -= film_s - budget_s
        log.log(
            logging.INFO if film_s <= budget_s else logging.WARNING,
            "condensed to fit %.0f s: kept %d of %d sentences, cut %.0f%%; the film is %.0f s",
            budget_s,
            result.sentences_after,
            sentences,
            100 * (1 - result.sentences_after / max(1, sentences)),
            film_s,
            extra={"film_s": round(film_s, 1), "cut_sentences": sentences - result.sentences_after},
        )

    def _scenes(self, drafts: list[SceneDraft], story: _Story) -> list[Scene]:
        scenes: list[Scene] = []
        previous: SceneLook | None = None
        for draft in drafts:
            scene_look = look(draft, previous, story.hindi)
            shots = pack_shots(draft.paragraphs, self.words_per_second)
            for part, chunk in enumerate(_chunks(shots, MAX_SHOTS_PER_SCENE)):
                scene_id = f"s{len(scenes) + 1:02d}"
                title = title_for(draft) if part == 0 else f"{title_for(draft)} ({part + 1})"
                with log_context(scene_id=scene_id):
                    scenes.append(_scene(scene_id, title, draft, chunk, scene_look, story))
            previous = scene_look
        return scenes


@dataclass
class _Story:
    """What every scene and shot of one story needs to know."""

    cast: Cast
    people: dict[str, Profile]
    digest: str
    hindi: bool
    last_seen: list[str] = field(default_factory=list)
    """Characters in frame so far, for shots that only say 'he', 'she' or 'they'."""


def _scene(
    scene_id: str, title: str, draft: SceneDraft, shots: list[ShotDraft], scene_look: SceneLook, story: _Story
) -> Scene:
    in_frame = [_characters_in_frame(shot, story) for shot in shots]
    frame(shots, int(scene_id[1:]), in_frame)
    return Scene(
        id=scene_id,
        title=title,
        setting=scene_look.setting,
        time_of_day=scene_look.time_of_day,
        weather=scene_look.weather,
        mood=scene_look.mood,
        summary=summary_for(draft, lambda text: len(story.cast.mentions(text))),
        shots=[
            _shot(f"{scene_id}_{number:02d}", shot, ids, scene_look, story)
            for number, (shot, ids) in enumerate(zip(shots, in_frame, strict=True), start=1)
        ],
    )


# --------------------------------------------------------------------------- helpers


def _read_paragraphs(document: Document, default: Language) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    open_quote = False
    for text in document.paragraphs():
        paragraph = read_paragraph(text, open_quote, default)
        open_quote = paragraph.ends_open
        paragraphs.append(paragraph)
    return paragraphs


def _chunks(shots: list[ShotDraft], size: int) -> list[list[ShotDraft]]:
    """A scene of more than `size` shots (one giant paragraph) goes on as a scene of its own."""
    return [shots[start : start + size] for start in range(0, len(shots), size)] or [[]]


def _characters_in_frame(shot: ShotDraft, story: _Story) -> list[str]:
    """Speakers and named characters (at most three); a shot that only says 'he', 'she' or 'they'
    shows the last character(s) of that kind in frame before it."""
    text = " ".join(piece.text for piece in shot.pieces)
    named = list(dict.fromkeys([*shot.speakers(), *story.cast.ids_in(text)]))[:3]
    if not named:
        named = _by_pronoun(text, story)
    story.last_seen.extend(named)
    return named


def _by_pronoun(text: str, story: _Story) -> list[str]:
    pronouns = {word.lower().strip(",.;:!?\"”’'") for word in text.split()} & _PRONOUNS
    if not pronouns:
        return []
    if pronouns & _PLURAL_PRONOUNS:
        return list(dict.fromkeys(reversed(story.last_seen)))[:2]
    wanted = "female" if pronouns & {"she", "her", "hers"} else "male" if pronouns & {"he", "him", "his"} else ""
    for character_id in reversed(story.last_seen):
        if not wanted or story.people[character_id].gender in (wanted, ""):
            return [character_id]
    return []


def _shot(shot_id: str, shot: ShotDraft, character_ids: list[str], scene_look: SceneLook, story: _Story) -> Shot:
    figures = [Figure(_name(story.cast, cid), story.people[cid].description) for cid in character_ids]
    return Shot(
        id=shot_id,
        lines=[Line(text=p.text, language=p.language, speaker_id=p.speaker_id) for p in shot.pieces],
        visual_prompt=visual_prompt(shot, figures, scene_look),
        negative_prompt=NEGATIVE_PROMPT,
        shot_type=shot.shot_type,
        camera=shot.camera,
        character_ids=character_ids,
        duration_s=shot.seconds,
        seed=seed(story.digest, shot_id),
    )


def _name(cast: Cast, character_id: str) -> str:
    member = cast.member(character_id)
    return member.name if member else character_id


def _character(character_id: str, cast: Cast, people: dict[str, Profile], voices: dict[str, Voice]) -> Character:
    member = cast.member(character_id)
    assert member is not None
    return Character(
        id=member.id,
        name=member.name,
        aliases=member.aliases,
        description=people[member.id].description,
        voice=voices[member.id],
    )


def _first_words(paragraphs: list[Paragraph]) -> str:
    words = next((p.text.split() for p in paragraphs if p.words), [])
    title = " ".join(words[:_TITLE_FALLBACK_WORDS]).rstrip(",;:—–-.!?।\"”’'")
    return title + ("…" if len(words) > _TITLE_FALLBACK_WORDS else "")
