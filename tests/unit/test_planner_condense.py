"""Condensing to a time limit by whole sentences."""

from __future__ import annotations

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
