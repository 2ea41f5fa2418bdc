"""The shot planner agent: one scene outline cut into shots by the model.

The scene's sentences are numbered and sent in windows that fit the model's context; the model
answers where each shot starts, its framing, who is in frame and what is seen. The lines come
from the outline, so every sentence lands in exactly one shot, in order, whatever the model says.
A shot longer than 12 s of speech is split by the rules packer (each part keeps the model's
framing); a scene that would still hold more than 40 shots, or that the model keeps failing on,
raises AgentFailed, and the caller has the rules cut it. The prompt names the frame's shape, and
the rules' camera check for it (story/shots.py suited) applies after: a pan the shape does not
suit becomes a tilt up (the model's shot type stands).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from services.planner.backends.llm.agent import REPROMPT_TOKENS, Agent, AgentFailed
from services.planner.backends.llm.answers import ShotChoice, ShotsAnswer, bound, english, schema_of
from services.planner.backends.llm.chunks import chunk, estimate_tokens, numbered
from services.planner.backends.llm.client import Tally
from services.planner.plan import OutlineSentence, SceneOutline
from services.planner.story.outlines import MAX_SHOTS_PER_SCENE, paragraphs_of
from services.planner.story.shotlist import Ensemble, ensemble_of, make_shot
from services.planner.story.shots import MAX_SHOT_S, ShotDraft, duration, pack_shots, suited
from storyreel.domain import Character, Scene, Shot
from storyreel.profiles import Aspect

PLACEHOLDERS = {"scene", "setting", "frame", "characters", "sentences", "first", "last", "max_shots", "character_ids"}
_ANSWER_TOKENS_PER_SENTENCE = 30
"""What one sentence adds to the answer, at most (a shot of JSON is about 60 tokens, two sentences)."""
_CHARACTERS_SHOWN = 12
_SCHEMA = schema_of(ShotsAnswer)
_FIRST = ["properties", "shots", "items", "properties", "first"]
_IDS = ["properties", "shots", "items", "properties", "characters"]
_FRAMES = {
    Aspect.WIDE: "16:9, wide (landscape)",
    Aspect.TALL: (
        "9:16, tall (a phone held upright): a wide landscape shows mostly sky and ground, so prefer medium shots "
        "and close-ups; tilt rather than pan, and pan only on close-ups"
    ),
    Aspect.SQUARE: "1:1, square: pan only on establishing shots and close-ups; tilt on the others",
}
"""The frame's shape in the prompt's words."""


@dataclass(frozen=True)
class _Window:
    start: int
    end: int
    max_shots: int


class ShotPlanner:
    def __init__(
        self, agent: Agent[ShotsAnswer], context_tokens: int, answer_tokens: int, words_per_second: float
    ) -> None:
        self.agent = agent
        self.context_tokens = context_tokens
        self.answer_tokens = answer_tokens
        self.words_per_second = words_per_second

    def plan(
        self,
        outline: SceneOutline,
        characters: list[Character],
        seed_key: str,
        tally: Tally,
        aspect: Aspect = Aspect.WIDE,
    ) -> Scene:
        ensemble = ensemble_of(characters)
        ids = _in_scene(outline, ensemble)
        sentences = outline.sentences
        choices: list[tuple[list[OutlineSentence], ShotChoice]] = []
        for window in self._windows(outline, characters, ids):
            answer = self.agent.ask(
                _values(outline, characters, ids, window, aspect=aspect),
                _bounded_schema(window, ids),
                functools.partial(_check, window=window, ids=ids),
                self.answer_tokens,
                tally,
            )
            firsts = [shot.first - 1 for shot in answer.shots]
            for shot, (start, end) in zip(answer.shots, itertools.pairwise([*firsts, window.end]), strict=True):
                choices.append((sentences[start:end], shot))
        shots = self._shots(outline.scene, choices, ensemble, seed_key, aspect)
        if len(shots) > MAX_SHOTS_PER_SCENE:
            raise AgentFailed(f"the model's shots, split to 12 s at most, are {len(shots)}: more than 40")
        return outline.scene.model_copy(update={"shots": shots})

    def _windows(self, outline: SceneOutline, characters: list[Character], ids: list[str]) -> list[_Window]:
        """Runs of sentences whose prompt fits the context (with the answer and a re-prompt) and
        whose answer fits max_tokens, each allowed its share of the 40 shots."""
        costs = [estimate_tokens(_line(i, sentence)) for i, sentence in enumerate(outline.sentences)]
        # the longest frame words, so a window fits the context whatever the shape
        empty = _values(outline, characters, ids, _Window(0, 0, 1), shown=False, aspect=Aspect.TALL)
        overhead = sum(estimate_tokens(message["content"]) for message in self.agent.template.messages(empty))
        budget = max(64, self.context_tokens - self.answer_tokens - REPROMPT_TOKENS - overhead)
        most = max(1, self.answer_tokens // _ANSWER_TOKENS_PER_SENTENCE)
        total = len(outline.sentences)
        windows, start = [], 0
        while start < total:
            end = min(chunk(costs, budget, start), start + most)
            share = max(1, min(end - start, MAX_SHOTS_PER_SCENE * (end - start) // total))
            windows.append(_Window(start, end, share))
            start = end
        return windows

    def _shots(
        self,
        scene: Scene,
        choices: list[tuple[list[OutlineSentence], ShotChoice]],
        ensemble: Ensemble,
        seed_key: str,
        aspect: Aspect,
    ) -> list[Shot]:
        shots: list[Shot] = []
        for sentences, choice in choices:
            for draft in _drafts(sentences, self.words_per_second):
                draft.shot_type, draft.camera = choice.shot_type, suited(choice.shot_type, choice.camera, aspect)
                character_ids = list(dict.fromkeys(choice.characters))
                shot_id = f"{scene.id}_{len(shots) + 1:02d}"
                shots.append(make_shot(shot_id, draft, character_ids, scene, ensemble, seed_key, choice.action))
        return shots


# --------------------------------------------------------------------------- asking


def _in_scene(outline: SceneOutline, ensemble: Ensemble) -> list[str]:
    """Who may be in frame: the scene's speakers and the characters it names."""
    speakers = [item.line.speaker_id for s in outline.sentences for item in s.lines if item.line.speaker_id]
    named = ensemble.cast.ids_in(" ".join(sentence.text for sentence in outline.sentences))
    return [cid for cid in dict.fromkeys([*speakers, *named]) if ensemble.known(cid)][:_CHARACTERS_SHOWN]


def _line(index: int, sentence: OutlineSentence) -> str:
    speakers = [item.line.speaker_id for item in sentence.lines if item.quoted and item.line.speaker_id]
    return numbered(index + 1, sentence.text, speakers[0] if speakers else "")


def _values(
    outline: SceneOutline,
    characters: list[Character],
    ids: list[str],
    window: _Window,
    shown: bool = True,
    aspect: Aspect = Aspect.WIDE,
) -> dict[str, str]:
    by_id = {character.id: character for character in characters}
    scene = outline.scene
    lines = [_line(i, outline.sentences[i]) for i in range(window.start, window.end)] if shown else []
    return {
        "scene": scene.title or scene.id,
        "setting": f"{scene.setting}; {scene.time_of_day.value}, {scene.weather.value}, {scene.mood.value}",
        "frame": _FRAMES[aspect],
        "characters": "\n".join(f"{cid}: {by_id[cid].name}, {by_id[cid].description}" for cid in ids) or "(none)",
        "sentences": "\n".join(lines),
        "first": str(window.start + 1),
        "last": str(window.end),
        "max_shots": str(window.max_shots),
        "character_ids": ", ".join(ids) or "(none)",
    }


def _bounded_schema(window: _Window, ids: list[str]) -> dict[str, object]:
    schema = bound(_SCHEMA, _FIRST, minimum=window.start + 1, maximum=window.end)
    schema = bound(schema, ["properties", "shots"], maxItems=window.max_shots)
    return bound(schema, [*_IDS, "items"], enum=ids) if ids else bound(schema, _IDS, maxItems=0)


def _check(answer: ShotsAnswer, window: _Window, ids: list[str]) -> None:
    """Shots open at increasing sentence numbers from the window's first; known characters; English."""
    firsts = [shot.first for shot in answer.shots]
    if firsts[0] != window.start + 1:
        raise ValueError(f"the first shot must open at sentence {window.start + 1}, not {firsts[0]}")
    for before, after in itertools.pairwise(firsts):
        if after <= before:
            raise ValueError(f"each shot must open after the one before: sentence {after} comes after {before}")
    if firsts[-1] > window.end:
        raise ValueError(f"sentence {firsts[-1]} is past the last sentence given, {window.end}")
    if len(firsts) > window.max_shots:
        raise ValueError(f"{len(firsts)} shots are too many: at most {window.max_shots}")
    for shot in answer.shots:
        unknown = sorted(set(shot.characters) - set(ids))
        if unknown:
            raise ValueError(f"{unknown} are not character ids of this scene (those are: {', '.join(ids) or 'none'})")
        english(shot.action, "the action")


# --------------------------------------------------------------------------- shots


def _drafts(sentences: list[OutlineSentence], words_per_second: float) -> list[ShotDraft]:
    """The model's shot as one draft, or, over 12 s of speech, cut by the rules packer."""
    paragraphs = paragraphs_of(sentences)
    pieces = [piece for paragraph in paragraphs for piece in paragraph.pieces()]
    words = sum(piece.words for piece in pieces)
    if words <= MAX_SHOT_S * words_per_second:
        return [ShotDraft(pieces, duration(words, words_per_second))]
    return pack_shots(paragraphs, words_per_second)
