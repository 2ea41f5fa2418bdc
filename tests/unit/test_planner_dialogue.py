"""Quoted speech: quotes of every kind, apostrophes, attribution clauses, Hindi dash speech."""

from __future__ import annotations

from services.planner.story.dialogue import read_paragraph
from services.planner.story.model import Paragraph
from storyreel.domain import Language


def read(text: str, continued: bool = False) -> Paragraph:
    return read_paragraph(text, continued, Language.EN)


def spoken(paragraph: Paragraph) -> list[tuple[bool, str]]:
    return [(piece.dialogue, piece.text) for piece in paragraph.pieces()]


def test_straight_quotes_with_the_attribution_after_and_between() -> None:
    paragraph = read('"Grandmother, the storm is too strong," said Arjun. "Stay at home tonight."')
    assert spoken(paragraph) == [
        (True, "Grandmother, the storm is too strong,"),
        (False, "said Arjun."),
        (True, "Stay at home tonight."),
    ]
    assert [quote.clause for quote in paragraph.quotes] == ["said Arjun.", ""]


def test_curly_quotes_with_the_attribution_before() -> None:
    paragraph = read("Then said the Wolf, “You feed in my pasture.”")
    assert spoken(paragraph) == [(False, "Then said the Wolf,"), (True, "You feed in my pasture.")]
    assert paragraph.quotes[0].clause == "Then said the Wolf,"


def test_apostrophes_and_elisions_are_not_quotes() -> None:
    paragraph = read("He didn’t see the Elephant’s Child, full of ‘satiable curtiosity, and they’d gone.")
    assert spoken(paragraph) == [(False, paragraph.text)]


def test_single_curly_quotes_are_speech() -> None:
    paragraph = read("She said, ‘Wipe your feet, dear, and now we’ll keep house.’")
    assert spoken(paragraph) == [(False, "She said,"), (True, "Wipe your feet, dear, and now we’ll keep house.")]


def test_nested_quotes_stay_inside_the_speech() -> None:
    paragraph = read("\"He said 'stop' to me,\" she cried.")
    assert spoken(paragraph)[0] == (True, "He said 'stop' to me,")
    assert paragraph.quotes[0].clause == "she cried."


def test_a_quote_left_open_goes_on_in_the_next_paragraph() -> None:
    first = read("“Fifteen men on the dead man’s chest—")
    second = read("“Yo-ho-ho, and a bottle of rum!”", continued=first.ends_open)
    assert first.ends_open and not second.ends_open
    assert second.quotes[0].continued


def test_sentences_group_a_quote_with_its_attribution() -> None:
    paragraph = read("“Where are we?” I asked. “Bristol,” said Tom. “Get down.”")
    assert [sentence.text for sentence in paragraph.sentences] == [
        "Where are we? I asked.",
        "Bristol, said Tom.",
        "Get down.",
    ]


def test_hindi_quotes_and_attribution() -> None:
    paragraph = read_paragraph("“दादी, आप दीपक क्यों जलाती हैं?” गुड़िया बोली।", False, Language.HI)
    assert spoken(paragraph) == [(True, "दादी, आप दीपक क्यों जलाती हैं?"), (False, "गुड़िया बोली।")]
    assert paragraph.quotes[0].clause == "गुड़िया बोली।"
    assert {piece.language for piece in paragraph.pieces()} == {Language.HI}


def test_hindi_speech_after_a_dash_runs_to_the_end_of_the_paragraph() -> None:
    paragraph = read_paragraph(
        "मुन्नी झाड़ू लगा रही थी। पीछे फिरकर बोली – तीन ही रुपये हैं, कंबल कहाँ से आवेगा? कैसे कटेगी?",
        False,
        Language.HI,
    )
    assert spoken(paragraph) == [
        (False, "मुन्नी झाड़ू लगा रही थी।"),
        (False, "पीछे फिरकर बोली –"),
        (True, "तीन ही रुपये हैं, कंबल कहाँ से आवेगा?"),
        (True, "कैसे कटेगी?"),
    ]
    assert paragraph.quotes[0].clause == "पीछे फिरकर बोली –"


def test_a_clause_ending_in_a_dash_introduces_the_next_quote_not_the_last() -> None:
    paragraph = read_paragraph("किसी ने कहा–‘भाट आया है।’ रूपा बोली—‘अभी नहीं।’", False, Language.HI)
    assert [quote.clause for quote in paragraph.quotes] == ["किसी ने कहा–", "रूपा बोली—"]
