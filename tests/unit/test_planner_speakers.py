"""Who speaks each quote."""

from __future__ import annotations

from services.planner.story.characters import find_cast
from services.planner.story.describe import profiles
from services.planner.story.dialogue import read_paragraph
from services.planner.story.model import Paragraph
from services.planner.story.speakers import assign_speakers
from storyreel.domain import NARRATOR, Language


def speakers_of(texts: list[str], language: Language = Language.EN) -> list[list[str]]:
    paragraphs: list[Paragraph] = []
    open_quote = False
    for text in texts:
        paragraphs.append(read_paragraph(text, open_quote, language))
        open_quote = paragraphs[-1].ends_open
    clauses = [quote.clause for p in paragraphs for quote in p.quotes if quote.clause]
    cast = find_cast(texts, clauses)
    genders = {cid: profile.gender for cid, profile in profiles(cast, texts).items()}
    assign_speakers(paragraphs, cast, genders)
    return [[piece.speaker_id for piece in p.pieces() if piece.dialogue] for p in paragraphs]


STORY = [
    "Old Meera lived by the river. Her grandson Arjun, a boy of ten, ran up behind her.",
    '"Grandmother, the storm is too strong," said Arjun. "Stay at home tonight."',
    '"The boats are still out," Meera said. "Hold the lantern high."',
    '"Your light brought us home," said the oldest of them.',
    'Arjun smiled. "Tomorrow," he said, "I will carry it myself."',
]


def test_named_speakers_pronouns_and_unknown_speakers() -> None:
    assert speakers_of(STORY) == [
        [],
        ["c_arjun", "c_arjun"],
        ["c_meera", "c_meera"],
        [NARRATOR],
        ["c_arjun", "c_arjun"],
    ]


def test_she_is_the_last_woman_named_and_i_is_the_narrator() -> None:
    texts = [
        "Meera met Arjun at the gate. Meera smiled; Arjun waved.",
        "“Come in,” she said.",
        "“Thank you,” said I.",
    ]
    assert speakers_of(texts)[1:] == [["c_meera"], [NARRATOR]]


def test_two_people_take_turns_when_nobody_is_named() -> None:
    texts = [
        "Della met Jim. Della smiled and Jim frowned.",
        "“You cut your hair?” asked Jim.",
        "“Cut it off and sold it,” said Della.",
        "“But why?”",
    ]
    assert speakers_of(texts)[1:] == [["c_jim"], ["c_della"], ["c_jim"]]


def test_hindi_speakers_by_name_and_by_verb_agreement() -> None:
    texts = [
        "हल्कू ने आकर स्त्री से कहा – सहना आया है। लाओ, रुपये दे दूं।",
        "मुन्नी ने झाड़ू उठाई। मुन्नी ने देखा। पीछे फिरकर बोली – तीन ही रुपये हैं।",
        "हल्कू ने कहा – दे दे।",
    ]
    assert speakers_of(texts, Language.HI) == [["c_halku", "c_halku"], ["c_munni"], ["c_halku"]]


def test_the_person_spoken_to_is_not_the_speaker() -> None:
    texts = ["जोखू और गंगी घर में थे। जोखू ने पानी पिया। गंगी ने देखा।", "जोखू गंगी से बोला- यह कैसा पानी है?"]
    assert speakers_of(texts, Language.HI)[1] == ["c_jokhu"]
