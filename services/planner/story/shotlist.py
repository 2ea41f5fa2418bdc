"""One scene outline cut into shots by rules, and the storyboard Shot that any backend's shot
becomes: lines, framing, who is in frame, prompt and seed.

Who is in frame: the shot's speakers and the characters it names (at most three); a shot that
only says 'he', 'she' or 'they' shows the last character(s) of that kind in frame before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.planner.plan import SceneOutline
from services.planner.speakable import speakable_lines
from services.planner.story.cast import Cast, CastMember
from services.planner.story.describe import FEMALE, MALE
from services.planner.story.language import is_devanagari
from services.planner.story.lexicon import FEMALE_WORDS_EN, MALE_WORDS_EN, wordset
from services.planner.story.outlines import paragraphs_of
from services.planner.story.prompts import NEGATIVE_PROMPT, Figure, seed, visual_prompt
from services.planner.story.scenes import SceneLook
from services.planner.story.shots import ShotDraft, frame, pack_shots
from storyreel.domain import Character, Line, Scene, Shot
from storyreel.profiles import Aspect

MAX_IN_FRAME = 3
_PRONOUNS = wordset("he she him her his hers they them their वह उसने उसे उसको उन्होंने वे")
_PLURAL_PRONOUNS = wordset("they them their उन्होंने वे")
_FEMALE_PRONOUNS = wordset("she her hers")
_MALE_PRONOUNS = wordset("he him his")


@dataclass
class Ensemble:
    """The characters as shots need them: found in text, their gender, how prompts show them."""

    cast: Cast
    genders: dict[str, str]
    figures: dict[str, Figure]
    last_seen: list[str] = field(default_factory=list)
    """Characters in frame so far in this scene, for shots that only say 'he', 'she' or 'they'."""

    def known(self, character_id: str) -> bool:
        return character_id in self.figures


def ensemble_of(characters: list[Character]) -> Ensemble:
    members = [CastMember(c.id, c.name, [c.name, *c.aliases], 0, 0, 0, hindi=is_devanagari(c.name)) for c in characters]
    return Ensemble(
        cast=Cast(members),
        genders={c.id: gender_of(c) for c in characters},
        figures={c.id: Figure(c.name, c.description) for c in characters},
    )


def gender_of(character: Character) -> str:
    """What the planner wrote about the character ('a thin boy', 'A woman's clear voice')."""
    words = {
        word.removesuffix("'s")
        for word in re.findall(r"[a-z']+", f"{character.description} {character.voice.description}".lower())
    }
    male, female = bool(words & MALE_WORDS_EN), bool(words & FEMALE_WORDS_EN)
    return MALE if male and not female else FEMALE if female and not male else ""


def rules_scene(
    outline: SceneOutline,
    characters: list[Character],
    seed_key: str,
    words_per_second: float,
    aspect: Aspect = Aspect.WIDE,
) -> Scene:
    """The outline's sentences packed into 3-12 s shots, framed for the frame's shape, with prompts and seeds."""
    ensemble = ensemble_of(characters)
    drafts = pack_shots(paragraphs_of(outline.sentences), words_per_second)
    in_frame = [characters_in_frame(draft, ensemble) for draft in drafts]
    frame(drafts, scene_number(outline.scene.id), in_frame, aspect)
    shots = [
        make_shot(f"{outline.scene.id}_{number:02d}", draft, ids, outline.scene, ensemble, seed_key)
        for number, (draft, ids) in enumerate(zip(drafts, in_frame, strict=True), start=1)
    ]
    return outline.scene.model_copy(update={"shots": shots})


def make_shot(
    shot_id: str,
    draft: ShotDraft,
    character_ids: list[str],
    scene: Scene,
    ensemble: Ensemble,
    seed_key: str,
    action: str | None = None,
) -> Shot:
    """A storyboard shot; action (what is seen, in English) defaults to words from the shot's text."""
    figures = [ensemble.figures[cid] for cid in character_ids]
    scene_look = SceneLook(scene.setting, scene.time_of_day, scene.weather, scene.mood)
    return Shot(
        id=shot_id,
        lines=speakable_lines([Line(text=p.text, language=p.language, speaker_id=p.speaker_id) for p in draft.pieces]),
        visual_prompt=visual_prompt(draft, figures, scene_look, action),
        negative_prompt=NEGATIVE_PROMPT,
        shot_type=draft.shot_type,
        camera=draft.camera,
        character_ids=character_ids,
        duration_s=draft.seconds,
        seed=seed(seed_key, shot_id),
    )


def scene_number(scene_id: str) -> int:
    """'s07' -> 7 (any id: the digits in it, else 1); it alternates the direction of pans."""
    digits = re.sub(r"\D", "", scene_id)
    return int(digits[-6:]) if digits else 1


def characters_in_frame(shot: ShotDraft, ensemble: Ensemble) -> list[str]:
    text = " ".join(piece.text for piece in shot.pieces)
    speakers = [s for s in shot.speakers() if ensemble.known(s)]
    named = list(dict.fromkeys([*speakers, *ensemble.cast.ids_in(text)]))[:MAX_IN_FRAME]
    if not named:
        named = _by_pronoun(text, ensemble)
    ensemble.last_seen.extend(named)
    return named


def _by_pronoun(text: str, ensemble: Ensemble) -> list[str]:
    pronouns = {word.lower().strip(",.;:!?\"”’'") for word in text.split()} & _PRONOUNS
    if not pronouns:
        return []
    if pronouns & _PLURAL_PRONOUNS:
        return list(dict.fromkeys(reversed(ensemble.last_seen)))[:2]
    wanted = FEMALE if pronouns & _FEMALE_PRONOUNS else MALE if pronouns & _MALE_PRONOUNS else ""
    for character_id in reversed(ensemble.last_seen):
        if not wanted or ensemble.genders[character_id] in (wanted, ""):
            return [character_id]
    return []
