"""What the planner answers, as Pydantic models: twins of planner_service.proto's messages (same
field names), so storyreel.convert moves them to and from the wire.

A plan is made in two halves. PlanScenes reads the story into characters and scene outlines:
each scene's sentences, with speakers resolved. PlanShots cuts one outline into shots. Plan is
both halves. The text of every line comes from the story; a backend only decides how to group
it and how to show it.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field

from storyreel.domain import Line, Scene, Storyboard


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutlineLine(_Model):
    line: Line
    quoted: bool = False
    """Quoted speech (possibly by an unknown speaker, then the narrator's voice says it)."""


class OutlineSentence(_Model):
    lines: list[OutlineLine] = Field(min_length=1)
    starts_paragraph: bool = False

    @property
    def text(self) -> str:
        return " ".join(item.line.text for item in self.lines)


class SceneOutline(_Model):
    scene: Scene
    """Id, title, setting, time of day, weather, mood, summary; no shots."""
    sentences: list[OutlineSentence] = Field(min_length=1)


class Condensing(_Model):
    sentences_before: int = 0
    sentences_kept: int = 0
    seconds_before: float = 0.0
    seconds_kept: float = 0.0
    fraction_cut: float = 0.0
    expected_film_s: float = 0.0


class PlanReport(_Model):
    backend: str = ""
    model: str = ""
    requests: int = 0
    retries: int = 0
    fallback_scene_ids: list[str] = []
    scenes_fell_back: bool = False
    notes: list[str] = []

    def merged(self, other: PlanReport) -> PlanReport:
        """This report and another one of the same plan (PlanScenes' and each PlanShots')."""
        return PlanReport(
            backend=self.backend or other.backend,
            model=self.model or other.model,
            requests=self.requests + other.requests,
            retries=self.retries + other.retries,
            fallback_scene_ids=[*self.fallback_scene_ids, *other.fallback_scene_ids],
            scenes_fell_back=self.scenes_fell_back or other.scenes_fell_back,
            notes=[*self.notes, *other.notes],
        )


class ScenesPlan(_Model):
    storyboard: Storyboard
    """Title, language, characters and narrator voice; no scenes."""
    outlines: list[SceneOutline]
    condensing: Condensing = Condensing()
    report: PlanReport = PlanReport()
    seed_key: str = ""


class ShotsPlan(_Model):
    scene: Scene
    report: PlanReport = PlanReport()


class Plan(_Model):
    storyboard: Storyboard
    condensing: Condensing = Condensing()
    report: PlanReport = PlanReport()


def seed_key_of(text: str) -> str:
    """A short stable key for a story (or a scene's text): the base of its shots' seeds."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def assemble(scenes_plan: ScenesPlan, shots_plans: list[ShotsPlan]) -> Plan:
    """Plan = PlanScenes + PlanShots for every outline, in order."""
    report = scenes_plan.report
    for shots_plan in shots_plans:
        report = report.merged(shots_plan.report)
    storyboard = scenes_plan.storyboard.model_copy(update={"scenes": [p.scene for p in shots_plans]})
    return Plan(storyboard=storyboard, condensing=scenes_plan.condensing, report=report)
