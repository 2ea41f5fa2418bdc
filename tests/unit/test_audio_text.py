"""Script runs and read-aloud rewriting of text on its way to espeak-ng."""

from __future__ import annotations

import pytest

from services.audio.text import Run, prepare, speakable, split_for_speech, split_runs, spoken_language
from storyreel.domain import Language

EN, HI = Language.EN, Language.HI


def test_a_mixed_line_splits_where_the_script_changes() -> None:
    assert split_runs("He said नमस्ते and left.", EN) == [
        Run("He said", EN),
        Run("नमस्ते", HI),
        Run("and left.", EN),
    ]


def test_symbols_and_digits_stay_with_the_run_they_follow_or_open() -> None:
    assert split_runs("₹500 दिए, then he went", EN) == [Run("₹500 दिए,", HI), Run("then he went", EN)]


def test_a_single_script_line_is_one_run_including_the_danda() -> None:
    assert split_runs("राम आया। श्याम गया।", EN) == [Run("राम आया। श्याम गया।", HI)]


@pytest.mark.parametrize(("line", "spoken"), [(Language.HI, HI), (Language.EN, EN), (Language.MIXED, EN)])
def test_text_without_letters_is_spoken_in_the_lines_language(line: Language, spoken: Language) -> None:
    assert split_runs("1999!", spoken_language(line)) == [Run("1999!", spoken)]


def test_punctuation_alone_is_not_speakable() -> None:
    assert not speakable("... — !?")
    assert not speakable("।")
    assert speakable("7")
    assert speakable("क")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Sharma met Dr. Rao.", "Mister Sharma met Doctor Rao."),
        ("Mrs. Das lives on Main St.", "Missus Das lives on Main Street"),
        ("St. Paul's bell rang.", "Saint Paul's bell rang."),
        ("It cost ₹500.", "It cost 500 rupees."),
        ("It cost Rs. 20 and $1.", "It cost 20 rupees and 1 dollar."),
        ("₹1,00,000 in the bank", "100000 rupees in the bank"),
        ("say [[h@'loU]]", "say [ h@'loU]]"),
    ],
)
def test_english_reads_abbreviations_and_money_as_spoken(text: str, expected: str) -> None:
    assert prepare(text, EN) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("डॉ. शर्मा ने ₹500 दिए।", "डॉक्टर शर्मा ने 500 रुपये दिए।"),
        ("₹ 20 और $5", "20 रुपये और 5 डॉलर"),
    ],
)
def test_hindi_reads_abbreviations_and_money_as_spoken(text: str, expected: str) -> None:
    assert prepare(text, HI) == expected


# --------------------------------------------------------------------------- long lines


def test_a_line_that_fits_is_one_piece() -> None:
    assert split_for_speech("The wind rose.  The rain fell.", 100) == ["The wind rose. The rain fell."]
    assert split_for_speech("   ", 100) == []


def test_a_long_line_is_cut_between_sentences_and_whole_sentences_are_packed() -> None:
    line = "The wind rose. The rain fell! Who is there? Nobody."
    assert split_for_speech(line, 30) == ["The wind rose. The rain fell!", "Who is there? Nobody."]


def test_hindi_sentences_end_at_the_danda() -> None:
    line = "गाँव के बाहर एक पुराना कुआँ था। दादी रोज़ वहाँ दीपक जलाती थीं। कोई नहीं जानता था क्यों॥"
    assert split_for_speech(line, 40) == [
        "गाँव के बाहर एक पुराना कुआँ था।",
        "दादी रोज़ वहाँ दीपक जलाती थीं।",
        "कोई नहीं जानता था क्यों॥",
    ]


def test_a_sentence_too_long_for_one_piece_is_cut_at_its_clauses_then_its_words() -> None:
    line = 'The river, swollen and brown, ran over the fields; nobody slept. "Hold it," she said.'
    pieces = split_for_speech(line, 30)
    assert pieces == ["The river, swollen and brown,", "ran over the fields;", "nobody slept.", '"Hold it," she said.']
    assert split_for_speech("one two three four five", 9) == ["one two", "three", "four five"]


@pytest.mark.parametrize("most", [8, 20, 45, 200])
def test_pieces_never_exceed_the_limit_and_lose_nothing(most: int) -> None:
    line = "Old Meera, who had lived by the river for eighty years — longer than anyone — said: wait. नदी भर गई।"
    pieces = split_for_speech(line, most)
    assert all(0 < len(piece) <= most for piece in pieces)
    assert " ".join(pieces) == line
