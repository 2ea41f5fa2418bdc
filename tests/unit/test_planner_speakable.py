"""Issue 14: every line the planner makes can be spoken and cued, whatever the story's punctuation,
and the planner reads text in the one normal form (no control characters)."""

from __future__ import annotations

import json

import pytest

from services.planner.backends.llm import LlmPlanner
from services.planner.backends.rules import RulesPlanner
from services.planner.plan import OutlineLine, OutlineSentence, SceneOutline
from services.planner.speakable import glue, speakable_lines, speakable_outline
from storyreel.domain import Line, Scene, Storyboard
from storyreel.errors import InvalidInput
from storyreel.storytext import speakable
from tests.planner_llm import scripted_server as scripted
from tests.planner_llm.scripted_server import Script
from tests.unit.test_planner_llm import settings
from tests.unit.test_planner_rules import assert_every_sentence_spoken_once_in_order

QUOTES_IN_QUOTES = (
    "\"She told me 'run' and I ran,\" he said. 'He shouted \"stop!\" at us,' she replied.\n\n"
    "\"'\" was all that was written on the wall. \"'Tis nothing,\" said Meera."
)
JSON_STORY = json.dumps(
    {"title": "x", "story": "Once upon a time", "scenes": [{"a": 1}, {"b": "it's", "c": [None, True, {}]}]},
    indent=2,
)
ODD_PUNCTUATION = "— ... — !\n\nThe fox ran. « » “ ” ‘ ’ \" ' ( ) [ ] { } …\n\n😀 🦊 ✨ The end. 😀"


def lines_of(board: Storyboard) -> list[Line]:
    return [line for shot in board.shots() for line in shot.lines]


def plan(story: str) -> Storyboard:
    return RulesPlanner().plan(story, "", None, 0).storyboard


@pytest.mark.parametrize("story", [QUOTES_IN_QUOTES, JSON_STORY, ODD_PUNCTUATION], ids=["quotes", "json", "odd"])
def test_the_rules_planner_makes_only_lines_a_voice_can_say(story: str) -> None:
    lines = lines_of(plan(story))
    assert lines
    silent = [line.text for line in lines if not speakable(line.text)]
    assert not silent, f"lines with nothing to say: {silent}"


def test_punctuation_joins_its_neighbour_and_no_word_is_lost() -> None:
    board = plan(JSON_STORY)
    spoken = " ".join(line.text for line in lines_of(board))
    for word in ("title", "story", "Once upon a time", "scenes", "it's", "null", "true"):
        assert word in spoken
    assert_every_sentence_spoken_once_in_order(QUOTES_IN_QUOTES, plan(QUOTES_IN_QUOTES))


def test_the_llm_planner_makes_only_speakable_lines_too() -> None:
    with scripted.serve(Script()) as server:
        board = LlmPlanner(settings(server.url)).plan(JSON_STORY, "", None, 0).storyboard
    assert lines_of(board) and all(speakable(line.text) for line in lines_of(board))


def test_silent_lines_join_the_line_before_or_else_the_one_after() -> None:
    lines = [Line(text=text) for text in ["{", "title", ":", "x", "}", "😀"]]
    assert [line.text for line in speakable_lines(lines)] == ["{ title:", "x} 😀"]
    assert speakable_lines([Line(text="…"), Line(text="'")]) == []
    assert glue("Stop", "!") == "Stop!" and glue("{", "a") == "{ a" and glue("", "a") == "a"


def test_an_outline_keeps_only_speakable_lines_and_its_paragraph_starts() -> None:
    def sentence(*texts: str, starts: bool = False) -> OutlineSentence:
        return OutlineSentence(lines=[OutlineLine(line=Line(text=t)) for t in texts], starts_paragraph=starts)

    outline = SceneOutline(
        scene=Scene(id="s01"),
        sentences=[sentence("It rained."), sentence("—", starts=True), sentence("Then it stopped.")],
    )
    fixed = speakable_outline(outline)
    assert [s.text for s in fixed.sentences] == ["It rained. —", "Then it stopped."]
    assert [s.starts_paragraph for s in fixed.sentences] == [False, True]


@pytest.mark.parametrize(
    "story",
    [
        "Meera walked to the river.\x00\n\nShe lit the lantern. The boats came home.",
        "Meera\x00 walked to the river at dawn\x00.\n\nShe lit\x07 the lantern.\x1b The boats came home.",
        "The old king\x00\x00 ruled a small land.\r\n\r\nHe had three daughters.\x7f\x85",
    ],
)
def test_control_characters_are_dropped_and_every_sentence_is_spoken(story: str) -> None:
    board = plan(story)
    clean = "".join(char for char in story if char in "\n\t" or (char >= " " and not "\x7f" <= char <= "\x9f"))
    assert_every_sentence_spoken_once_in_order(clean, board)
    texts = [board.title] + [line.text for line in lines_of(board)]
    assert not any(char < " " or "\x7f" <= char <= "\x9f" for text in texts for char in text), texts


def test_a_story_whose_words_are_only_in_its_headings_is_narrated_from_them() -> None:
    board = plan("# The Fox\n\n😀 🦊")
    assert "Fox" in " ".join(line.text for line in lines_of(board))


def test_a_story_with_nothing_to_say_is_refused_by_the_planner() -> None:
    with pytest.raises(InvalidInput, match="no words"):
        RulesPlanner().plan("😀 🦊 …", "", None, 0)


async def test_plan_shots_refuses_an_outline_with_nothing_to_say() -> None:
    from services.planner.servicer import PlannerServicer
    from services.planner.settings import PlannerSettings
    from storyreel.convert import to_proto
    from storyreel.planner.v1 import planner_service_pb2 as pb

    outline = SceneOutline(scene=Scene(id="s01"), sentences=[OutlineSentence(lines=[OutlineLine(line=Line(text="…"))])])
    servicer = PlannerServicer(RulesPlanner(), PlannerSettings())
    request = pb.PlanShotsRequest(outline=to_proto(outline, pb.SceneOutline))
    with pytest.raises(InvalidInput, match="no words a voice can read"):
        await servicer.PlanShots(request, None)
