"""Sentence splitting in English and Hindi."""

from __future__ import annotations

from services.planner.story.language import count_words, detect
from services.planner.story.sentences import split_sentences
from storyreel.domain import Language


def test_titles_and_initials_do_not_end_sentences() -> None:
    text = "Mr. James Dillingham Young came home. Dr. Watson and St. John left! It was O. Henry. Was it?"
    assert split_sentences(text) == [
        "Mr. James Dillingham Young came home.",
        "Dr. Watson and St. John left!",
        "It was O. Henry.",
        "Was it?",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert split_sentences("“I was not born.” Then he ate. ‘Well!’ she said") == [
        "“I was not born.”",
        "Then he ate.",
        "‘Well!’ she said",
    ]


def test_a_lower_case_word_after_the_mark_continues_the_sentence() -> None:
    assert split_sentences("Oh! what a night it was. Yes.") == ["Oh! what a night it was.", "Yes."]


def test_danda_double_danda_and_spaced_question_marks_end_hindi_sentences() -> None:
    text = "गाँव के बाहर कुआँ था।उसके पास झोपड़ी थी॥ यह कैसा पानी है ? मारे बास के पिया नहीं जाता ।"
    assert split_sentences(text) == [
        "गाँव के बाहर कुआँ था।",
        "उसके पास झोपड़ी थी॥",
        "यह कैसा पानी है ?",
        "मारे बास के पिया नहीं जाता ।",
    ]


def test_ellipsis_ends_a_sentence() -> None:
    assert split_sentences("He waited… Then he went.") == ["He waited…", "Then he went."]


def test_language_is_judged_by_script() -> None:
    assert detect("The lamp burned.") is Language.EN
    assert detect("दीपक जल रहा था।") is Language.HI
    assert detect("मैंने laptop खोला and started typing") is Language.MIXED
    assert detect("…", default=Language.HI) is Language.HI


def test_words_are_counted_without_lone_punctuation() -> None:
    assert count_words("पानी में सख्त बदबू आयी ।") == 5
    assert count_words("wild — as wild") == 3
