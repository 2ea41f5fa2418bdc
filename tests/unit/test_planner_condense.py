"""Condensing to a time limit by whole sentences."""

from __future__ import annotations

import pytest

from services.planner.story.condense import condense
from services.planner.story.dialogue import read_paragraph
from services.planner.story.scenes import SceneDraft
from storyreel.domain import Language


def scene(*texts: str) -> SceneDraft:
    return SceneDraft(paragraphs=[read_paragraph(text, False, Language.EN) for text in texts])


def sentences(draft: SceneDraft) -> list[str]:
    return [sentence.text for paragraph in draft.paragraphs for sentence in paragraph.sentences]


def test_condensing_drops_plain_narration_first_and_keeps_first_and_last() -> None:
    draft = scene(
        "The first sentence opens it. A long plain sentence about the weather that goes on and on.",
        '"We must go," said Ann. Ann walked.',
        "The last sentence closes it.",
    )
    result = condense([draft], budget_s=9.0, words_per_second=2.5, count_names=lambda text: text.count("Ann"))
    assert sentences(draft) == [
        "The first sentence opens it.",
        "We must go, said Ann.",
        "Ann walked.",
        "The last sentence closes it.",
    ]
    assert (result.sentences_before, result.sentences_after) == (5, 4)
    assert result.seconds_after < result.seconds_before


def test_first_and_last_sentences_survive_any_budget_and_empty_paragraphs_go() -> None:
    draft = scene("Opening line here.", "Middle one.", "Another middle.", "Closing line here.")
    result = condense([draft], budget_s=0.0, words_per_second=2.5, count_names=lambda text: 0)
    assert sentences(draft) == ["Opening line here.", "Closing line here."]
    assert len(draft.paragraphs) == 2
    assert result.sentences_after == 2


# ---------------------------------------------------------------------- the fit: an upper bound

from pathlib import Path  # noqa: E402

from services.planner.backends.rules import RulesPlanner  # noqa: E402
from services.planner.story.fitting import film_estimate_s  # noqa: E402

COAT = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    'At night a storm came over the water. "Hold the lantern high," she said, and the boats came home.\n\n'
    'The boy found his coat by the door. "Is this yours?" Meera asked him. "It is my father\'s coat," he said.\n'
)
TREASURE = Path(__file__).resolve().parents[3] / "shared" / "stories" / "en_long_treasure_island.txt"


def spoken(story: str, max_minutes: float) -> list[str]:
    board = RulesPlanner().plan(story, "", None, max_minutes).storyboard
    return [line.text for shot in board.shots() for line in shot.lines]


def test_an_exchange_of_dialogue_stays_whole_with_the_sentence_that_introduces_it() -> None:
    for max_minutes in (0.2, 0.3, 0.4, 0.5):
        lines = spoken(COAT, max_minutes)
        exchange = ["The boy found his coat by the door.", "Is this yours?", "Meera asked him.",
                    "It is my father's coat,", "he said."]
        assert all(line in lines for line in exchange) or not any(line in lines for line in exchange), lines
        assert ("Hold the lantern high," in lines) == ("At night a storm came over the water." in lines), lines


def test_the_planned_film_fits_a_cap_below_any_scenes_opening_and_closing() -> None:
    plan = RulesPlanner().plan(COAT, "", None, 0.2)
    assert plan.storyboard.total_duration_s() <= 12
    assert plan.condensing.sentences_kept < plan.condensing.sentences_before
    assert plan.report.notes and "to fit 0.2 min" in plan.report.notes[0]


def test_scenes_are_dropped_whole_when_the_cap_needs_it_and_the_report_names_them() -> None:
    if not TREASURE.is_file():
        pytest.skip(f"{TREASURE} is not here")
    story = TREASURE.read_text(encoding="utf-8")
    plan = RulesPlanner().plan(story, "", None, 10)
    board = plan.storyboard
    assert board.total_duration_s() <= 600
    assert 1 < len(board.scenes) < 189
    note = plan.report.notes[0]
    assert "of 189 scenes, dropping" in note and "Black Dog Appears and Disappears" in note, note
    first = spoken(story, 0)[0]
    assert board.shots()[0].lines[0].text == first, "the story still opens as it does"


def test_the_estimate_counts_each_shots_floor_and_air() -> None:
    short = scene("One.", "Two.", "Three.")  # three tiny paragraphs: one shot of 3 s, not 1.2 s of words
    assert film_estimate_s([short], 2.5) >= 3.0


def test_the_plan_says_the_film_it_expects_for_the_gateway_to_hold_the_cap() -> None:
    story = " ".join(f"Meera walked down to the river number {n} with the old lantern." for n in range(20))
    capped = RulesPlanner().plan(story, "", None, 0.5)
    assert 0 < capped.condensing.expected_film_s <= 30
    assert f"expected film {capped.condensing.expected_film_s:.0f} s" in capped.report.notes[0]
    assert RulesPlanner().plan(story, "", None, 0).condensing.expected_film_s == 0
