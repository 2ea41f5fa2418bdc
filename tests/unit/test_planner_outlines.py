"""Scene outlines (what PlanScenes answers and PlanShots reads), condensing figures, and the
planner's own models kept in step with planner_service.proto."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from services.planner import plan as plan_models
from services.planner.backends.rules import RulesPlanner
from services.planner.story.dialogue import read_paragraph
from services.planner.story.model import Paragraph
from services.planner.story.outlines import (
    MAX_LINES_PER_SENTENCE,
    MAX_SHOTS_PER_SCENE,
    fit_in_scenes,
    outline_sentences,
    paragraphs_of,
)
from services.planner.story.shots import MAX_SHOT_S, pack_shots
from storyreel.convert import from_proto, to_proto
from storyreel.domain import NARRATOR, Language
from storyreel.planner.v1 import planner_service_pb2 as pb
from tests.conftest import SAMPLES

WPS = 2.5
LANTERN = (SAMPLES / "the_lantern_keeper.txt").read_text(encoding="utf-8")


def paragraphs(*texts: str) -> list[Paragraph]:
    return [read_paragraph(text, False, Language.EN) for text in texts]


def test_outline_sentences_keep_speakers_quotes_and_paragraph_starts() -> None:
    sentences = outline_sentences(paragraphs('"Stay," said Ann. She left.', "Rain fell."), WPS)
    assert [(s.text, s.starts_paragraph) for s in sentences] == [
        ("Stay, said Ann.", True),
        ("She left.", False),
        ("Rain fell.", True),
    ]
    assert [item.quoted for item in sentences[0].lines] == [True, False]
    assert all(item.line.speaker_id == NARRATOR for s in sentences for item in s.lines)


def test_a_sentence_longer_than_a_shot_comes_split_and_a_giant_one_as_several() -> None:
    giant = " ".join(["word"] * 2000) + "."
    sentences = outline_sentences(paragraphs(giant), WPS)
    assert all(len(s.lines) <= MAX_LINES_PER_SENTENCE for s in sentences)
    assert all(len(item.line.text.split()) <= MAX_SHOT_S * WPS for s in sentences for item in s.lines)
    assert " ".join(s.text for s in sentences) == giant
    assert [s.starts_paragraph for s in sentences][:2] == [True, False]


def test_outlines_round_trip_to_the_paragraphs_the_packer_reads() -> None:
    original = paragraphs("One. Two three.", '"Four," she said.')
    again = paragraphs_of(outline_sentences(original, WPS))
    assert [[s.text for s in p.sentences] for p in again] == [[s.text for s in p.sentences] for p in original]
    assert [[piece.dialogue for piece in p.pieces()] for p in again] == [[False, False], [True, False]]


def test_scenes_are_cut_to_at_most_forty_shots_at_sentence_boundaries() -> None:
    story = paragraphs(*[f"Sentence number {n} walks along a road by the sea." for n in range(150)])
    sentences = outline_sentences(story, WPS)
    parts = fit_in_scenes(sentences, WPS)
    assert len(parts) > 1
    assert [s.text for part in parts for s in part] == [s.text for s in sentences]
    for part in parts:
        assert len(pack_shots(paragraphs_of(part), WPS)) <= MAX_SHOTS_PER_SCENE
    assert all(part[0].starts_paragraph for part in parts)


def test_one_giant_paragraph_becomes_scenes_of_at_most_forty_shots() -> None:
    board = RulesPlanner().plan(" ".join(["The sea rose and fell."] * 600), "", None, 0).storyboard
    assert len(board.scenes) > 1 and all(1 <= len(scene.shots) <= 40 for scene in board.scenes)
    assert board.scenes[1].title.endswith("(2)")


def test_condensing_says_how_much_it_cut() -> None:
    full = RulesPlanner().plan(LANTERN, "", None, 0).condensing
    assert full.fraction_cut == 0 and full.sentences_kept == full.sentences_before == 16
    short = RulesPlanner().plan(LANTERN, "", None, 0.75).condensing
    assert short.sentences_before == 16 and 0 < short.sentences_kept < 16
    assert short.fraction_cut == pytest.approx(1 - short.sentences_kept / 16, abs=1e-4)
    assert short.seconds_kept < short.seconds_before == full.seconds_before


def test_plan_scenes_then_plan_shots_is_plan() -> None:
    planner = RulesPlanner()
    scenes = planner.plan_scenes(LANTERN, "", None, 0)
    assert scenes.storyboard.scenes == [] and scenes.outlines and scenes.report.backend == "rules"
    shots = [planner.plan_shots(o, scenes.storyboard.characters, scenes.seed_key) for o in scenes.outlines]
    assert plan_models.assemble(scenes, shots) == planner.plan(LANTERN, "", None, 0)


TWINS: dict[type[BaseModel], Any] = {
    plan_models.OutlineLine: pb.OutlineLine,
    plan_models.OutlineSentence: pb.OutlineSentence,
    plan_models.SceneOutline: pb.SceneOutline,
    plan_models.Condensing: pb.Condensing,
    plan_models.PlanReport: pb.PlanReport,
    plan_models.ScenesPlan: pb.PlanScenesResponse,
    plan_models.ShotsPlan: pb.PlanShotsResponse,
    plan_models.Plan: pb.PlanResponse,
}


@pytest.mark.parametrize("model", list(TWINS), ids=lambda m: m.__name__)
def test_the_planners_models_match_their_messages(model: type[BaseModel]) -> None:
    assert set(model.model_fields) == {field.name for field in TWINS[model].DESCRIPTOR.fields}


def test_a_scenes_plan_survives_the_wire() -> None:
    scenes = RulesPlanner().plan_scenes(LANTERN, "", None, 0.75)
    wire = pb.PlanScenesResponse.FromString(to_proto(scenes, pb.PlanScenesResponse).SerializeToString())
    assert from_proto(wire, plan_models.ScenesPlan) == scenes
