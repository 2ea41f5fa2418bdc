"""The planner frames for the frame's shape: at 9:16 fewer wide shots and tilts instead of pans
(pans on close-ups only), at 1:1 pans on establishing shots and close-ups only, and at 16:9 the
very storyboard it always made (so jobs planned before plan, speak and render the same)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.planner.backends.llm import LlmPlanner
from services.planner.backends.rules import RulesPlanner
from services.planner.plan import Plan
from storyreel.convert import to_proto
from storyreel.domain import CameraMove, Shot, ShotType
from storyreel.planner.v1 import planner_service_pb2 as pb
from storyreel.profiles import Aspect
from tests.conftest import SAMPLES, shared_story
from tests.planner_llm import scripted_server as scripted
from tests.planner_llm.scripted_server import Script
from tests.unit.test_planner_llm import settings

LANTERN = SAMPLES / "the_lantern_keeper.txt"
PANS = {CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT}
WIDE_TYPES = {ShotType.ESTABLISHING, ShotType.WIDE}
# The Lantern Keeper's framing at 16:9 as the planner made it before it knew the frame's shape.
LANTERN_16_9 = [
    ("establishing", "pan_right"), ("medium", "push_in"), ("establishing", "pan_left"), ("close_up", "push_in"),
    ("close_up", "static"), ("establishing", "pan_right"), ("wide", "pan_left"), ("establishing", "pan_left"),
    ("medium", "static"), ("medium", "push_in"), ("close_up", "push_in"),
]


def rules_plan(path: Path, aspect: Aspect | None = None) -> Plan:
    planner = RulesPlanner()
    text = path.read_text(encoding="utf-8")
    return planner.plan(text, "", None, 0) if aspect is None else planner.plan(text, "", None, 0, aspect)


def stories() -> list[Any]:
    return [LANTERN, pytest.param("en_gift_of_the_magi.txt", id="gift_of_the_magi")]


def story_path(story: Path | str) -> Path:
    return story if isinstance(story, Path) else shared_story(story)


def wide_share(shots: list[Shot]) -> float:
    return sum(shot.shot_type in WIDE_TYPES for shot in shots) / len(shots)


@pytest.mark.parametrize("story", stories())
def test_a_tall_frame_gets_fewer_wide_shots_and_no_pans_but_on_close_ups(story: Path | str) -> None:
    path = story_path(story)
    wide, tall = (rules_plan(path, aspect).storyboard.shots() for aspect in (Aspect.WIDE, Aspect.TALL))
    assert [s.lines for s in wide] == [s.lines for s in tall], "the shape changes framing, not what is said"
    assert [(s.id, s.duration_s, s.seed) for s in wide] == [(s.id, s.duration_s, s.seed) for s in tall]
    assert wide_share(tall) < wide_share(wide)
    assert not any(s.shot_type is ShotType.WIDE for s in tall), "a wide shot in a tall frame is sky and ground"
    assert all(s.shot_type is ShotType.CLOSE_UP for s in tall if s.camera in PANS)
    assert any(s.camera in PANS for s in wide) and any(s.camera is CameraMove.TILT_UP for s in tall)
    medium_or_closer = Counter(s.shot_type in (ShotType.MEDIUM, ShotType.CLOSE_UP) for s in tall)[True]
    assert medium_or_closer > Counter(s.shot_type in (ShotType.MEDIUM, ShotType.CLOSE_UP) for s in wide)[True]


@pytest.mark.parametrize("story", stories())
def test_a_square_frame_pans_only_on_establishing_shots_and_close_ups(story: Path | str) -> None:
    path = story_path(story)
    wide, square = (rules_plan(path, aspect).storyboard.shots() for aspect in (Aspect.WIDE, Aspect.SQUARE))
    assert [s.shot_type for s in square] == [s.shot_type for s in wide], "1:1 keeps the shot types"
    assert all(s.shot_type in (ShotType.ESTABLISHING, ShotType.CLOSE_UP) for s in square if s.camera in PANS)
    assert sum(s.camera in PANS for s in square) < sum(s.camera in PANS for s in wide)


def test_a_wide_frame_plans_byte_for_byte_as_before() -> None:
    plan = rules_plan(LANTERN, Aspect.WIDE)
    assert [(s.shot_type.value, s.camera.value) for s in plan.storyboard.shots()] == LANTERN_16_9
    unshaped = to_proto(rules_plan(LANTERN), pb.PlanResponse).SerializeToString(deterministic=True)
    assert to_proto(plan, pb.PlanResponse).SerializeToString(deterministic=True) == unshaped


def test_the_llm_is_told_the_shape_and_its_pans_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The prompt names the frame; a pan the model gives a wide shot at 9:16 becomes a tilt up."""

    def wide_pan(first: int, characters: list[str]) -> dict[str, Any]:
        return {"first": first, "shot_type": "wide", "camera": "pan_left", "characters": characters,
                "action": scripted.GOOD_ACTION}

    monkeypatch.setattr(scripted, "_shot", wide_pan)
    script = Script()
    text = LANTERN.read_text(encoding="utf-8")
    with scripted.serve(script) as server:
        planner = LlmPlanner(settings(server.url))
        tall = planner.plan(text, "", None, 0, Aspect.TALL).storyboard.shots()
        wide = planner.plan(text, "", None, 0, Aspect.WIDE).storyboard.shots()
    assert {(s.shot_type, s.camera) for s in tall} == {(ShotType.WIDE, CameraMove.TILT_UP)}
    assert {(s.shot_type, s.camera) for s in wide} == {(ShotType.WIDE, CameraMove.PAN_LEFT)}
    prompts = [message["content"] for body in script.requests for message in body["messages"]]
    assert any("Frame: 9:16, tall" in prompt for prompt in prompts)
    assert any("Frame: 16:9, wide" in prompt for prompt in prompts)
