"""The LLM planner: two agents on any OpenAI-compatible chat completions server.

It reads top to bottom: the rules read the story (sentences, quotes, characters, who speaks,
voices) -> the scene splitter agent groups the sentences into scenes, chunk by chunk, keeping a
character bible -> the rules condense to max_minutes -> the shot planner agent cuts each scene
into shots, several scenes at once. The model decides grouping, framing, settings, moods and
what is seen; every line's text comes from the story, so coverage cannot suffer. Whatever the
model keeps getting wrong (or a server that keeps failing), the rules plan instead, for that
chunk or scene only, and the response and the log say so.
"""

from __future__ import annotations

import contextvars
import logging
from concurrent.futures import ThreadPoolExecutor

import httpx

from services.planner.backends.llm import scene_splitter, shot_planner
from services.planner.backends.llm.agent import Agent, AgentFailed, load_template
from services.planner.backends.llm.answers import ScenesAnswer, ShotsAnswer
from services.planner.backends.llm.client import ChatClient, Tally
from services.planner.backends.llm.scene_splitter import SceneSplitter
from services.planner.backends.llm.shot_planner import ShotPlanner
from services.planner.plan import Plan, PlanReport, SceneOutline, ScenesPlan, ShotsPlan, assemble, seed_key_of
from services.planner.settings import PlannerSettings
from services.planner.story.fitting import condensing_of, cut_note, fit
from services.planner.story.outlines import outlines_of
from services.planner.story.reading import read_story
from services.planner.story.shotlist import rules_scene
from storyreel.domain import Character, Language
from storyreel.logs import log_context
from storyreel.profiles import Aspect

log = logging.getLogger(__name__)


class LlmPlanner:
    def __init__(self, settings: PlannerSettings, transport: httpx.BaseTransport | None = None) -> None:
        """transport: an httpx transport for tests; None talks to settings.llm_base_url."""
        self.settings = settings
        self.client = ChatClient(settings, transport)
        retries = settings.llm_retries
        scene_template = load_template(settings.llm_scene_prompt, "scene_splitter.txt", scene_splitter.PLACEHOLDERS)
        shot_template = load_template(settings.llm_shot_prompt, "shot_planner.txt", shot_planner.PLACEHOLDERS)
        context, answer = settings.llm_context_tokens, settings.llm_max_answer_tokens
        self.splitter = SceneSplitter(
            Agent("scene_splitter", scene_template, ScenesAnswer, self.client, retries), context, answer
        )
        self.shot_planner = ShotPlanner(
            Agent("shot_planner", shot_template, ShotsAnswer, self.client, retries),
            context,
            answer,
            settings.words_per_second,
        )

    def plan(
        self, story: str, title: str, language: Language | None, max_minutes: float, aspect: Aspect = Aspect.WIDE
    ) -> Plan:
        scenes = self.plan_scenes(story, title, language, max_minutes)
        characters = scenes.storyboard.characters
        with ThreadPoolExecutor(max_workers=self.settings.llm_parallel_scenes) as pool:
            seed_key = scenes.seed_key
            futures = [
                pool.submit(contextvars.copy_context().run, self.plan_shots, outline, characters, seed_key, aspect)
                for outline in scenes.outlines
            ]
            shots = [future.result() for future in futures]
        return assemble(scenes, shots)

    def plan_scenes(self, story: str, title: str, language: Language | None, max_minutes: float) -> ScenesPlan:
        tally = Tally()
        reading = read_story(story, title, language)
        split = self.splitter.split(reading, tally)
        condensed = fit(split.drafts, max_minutes * 60, self.settings.words_per_second, reading.cast)
        for note in cut_note(condensed, max_minutes * 60):
            tally.note(note)

        def count_names(text: str) -> int:
            return len(reading.cast.mentions(text))

        characters = [c.model_copy(update={"description": split.descriptions[c.id]}) for c in reading.characters]
        return ScenesPlan(
            storyboard=reading.storyboard().model_copy(update={"characters": characters}),
            outlines=outlines_of(split.drafts, split.heads, self.settings.words_per_second, count_names),
            condensing=condensing_of(condensed),
            report=self._report(tally, scenes_fell_back=split.fell_back),
            seed_key=seed_key_of(story),
        )

    def plan_shots(
        self, outline: SceneOutline, characters: list[Character], seed_key: str, aspect: Aspect = Aspect.WIDE
    ) -> ShotsPlan:
        tally = Tally()
        fallback: list[str] = []
        with log_context(scene_id=outline.scene.id):
            try:
                scene = self.shot_planner.plan(outline, characters, seed_key, tally, aspect)
            except AgentFailed as failure:
                note = f"scene {outline.scene.id}: the shot planner failed ({failure}); the rules cut it into shots"
                log.warning(note)
                tally.note(note)
                scene = rules_scene(outline, characters, seed_key, self.settings.words_per_second, aspect)
                fallback.append(outline.scene.id)
        return ShotsPlan(scene=scene, report=self._report(tally, fallback_scene_ids=fallback))

    def _report(self, tally: Tally, **fields: object) -> PlanReport:
        return PlanReport(
            backend="llm",
            model=self.client.model,
            requests=tally.requests,
            retries=tally.retries,
            notes=list(tally.notes),
            **fields,  # type: ignore[arg-type]
        )
