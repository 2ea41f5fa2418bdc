"""Kinship and age words describe the character the grammar ties them to, not whoever is near.

The names here are in no list of given names, so only the sentences decide."""

from __future__ import annotations

from services.planner.story.characters import find_cast
from services.planner.story.describe import CHILD, FEMALE, MALE, OLD, Profile, profiles


def cast_of(paragraphs: list[str], clauses: list[str]) -> dict[str, Profile]:
    cast = find_cast(paragraphs, clauses)
    people = profiles(cast, paragraphs)
    return {member.name: people[member.id] for member in cast.members}


def test_an_appositive_after_the_name_describes_that_name() -> None:
    people = cast_of(
        [
            "Marga lived at the edge of the village. Tobin, her grandson, ran up the path behind her.",
            "“The storm is coming,” said Tobin. “Stay inside,” said Marga.",
        ],
        ["said Tobin.", "said Marga."],
    )
    assert (people["Tobin"].gender, people["Tobin"].age) == (MALE, CHILD)
    assert (people["Marga"].gender, people["Marga"].age) == (FEMALE, OLD)  # her grandson: she is a grandmother


def test_her_grandson_in_the_next_paragraph_makes_the_woman_before_a_grandmother() -> None:
    people = cast_of(
        [
            "Marga lived in a stone cottage by the river. Every evening she climbed the hill.",
            "One evening the rain came down. Her grandson Tobin ran up the path behind her.",
            "“The storm is too strong,” said Tobin. “Hold the lantern high,” Marga said.",
        ],
        ["said Tobin.", "Marga said."],
    )
    assert (people["Marga"].gender, people["Marga"].age) == (FEMALE, OLD)
    assert (people["Tobin"].gender, people["Tobin"].age) == (MALE, CHILD)
    assert people["Tobin"].description == "a boy"


def test_a_kinship_word_before_the_name_and_an_age_word_before_another_in_one_sentence() -> None:
    people = cast_of(
        [
            "Old Marga took her grandson Tobin by the hand and climbed the hill.",
            "“Hold it high,” said Marga. “I will,” said Tobin.",
        ],
        ["said Marga.", "said Tobin."],
    )
    assert people["Marga"].age == OLD
    assert (people["Tobin"].gender, people["Tobin"].age) == (MALE, CHILD)
    assert "old" not in people["Tobin"].description.split()
    assert "boy" in people["Tobin"].description.split()


def test_a_possessive_describes_the_one_possessed_not_the_possessor() -> None:
    people = cast_of(
        [
            "Tobin's grandmother, Marga, waited at the door of the cottage.",
            "“You are late,” said Marga. “The wind was strong,” said Tobin.",
        ],
        ["said Marga.", "said Tobin."],
    )
    assert (people["Marga"].gender, people["Marga"].age) == (FEMALE, OLD)
    assert people["Tobin"].age == CHILD  # a grandmother's grandson is young, never old
    assert "grandmother" not in people["Tobin"].description and "old" not in people["Tobin"].description


def test_a_granddaughter_and_her_old_grandfather_in_one_sentence() -> None:
    people = cast_of(
        [
            "Wren walked beside Barnaby, her grandfather, and Barnaby carried his granddaughter Wren over the stream.",
            "“Is it cold?” said Wren. “Not for long,” said Barnaby.",
        ],
        ["said Wren.", "said Barnaby."],
    )
    assert (people["Barnaby"].gender, people["Barnaby"].age) == (MALE, OLD)
    assert (people["Wren"].gender, people["Wren"].age) == (FEMALE, CHILD)
    assert "girl" in people["Wren"].description


def test_a_predicate_describes_the_subject() -> None:
    people = cast_of(
        ["Tobin was a boy of ten. Marga was an old woman with a brass lantern.", "Tobin laughed. Marga smiled."],
        [],
    )
    assert (people["Tobin"].gender, people["Tobin"].age) == (MALE, CHILD)
    assert (people["Marga"].gender, people["Marga"].age) == (FEMALE, OLD)


def test_a_mother_is_an_adult_even_beside_her_little_son() -> None:
    people = cast_of(
        [
            "Tobin's mother, Marga, lifted her little son Tobin onto the cart.",
            "“Hold on,” said Marga. “I am holding,” said Tobin.",
        ],
        ["said Marga.", "said Tobin."],
    )
    assert (people["Marga"].gender, people["Marga"].age) == (FEMALE, "")
    assert (people["Tobin"].gender, people["Tobin"].age) == (MALE, CHILD)


def test_hindi_a_relation_word_before_the_name_describes_it() -> None:
    people = cast_of(
        [
            "दादी ने अपने पोते चंदू से कहा – दीपक जलाओ।",
            "चंदू बोला – अभी जलाता हूँ। चंदू ने दीपक जलाया।",
            "दादी ने कहा – शाबाश।",
        ],
        ["दादी ने अपने पोते चंदू से कहा –", "चंदू बोला –", "दादी ने कहा –"],
    )
    assert (people["चंदू"].gender, people["चंदू"].age) == (MALE, CHILD)
    assert (people["दादी"].gender, people["दादी"].age) == (FEMALE, OLD)
    assert "boy" in people["चंदू"].description


def test_hindi_a_possessive_describes_the_one_possessed() -> None:
    people = cast_of(
        [
            "चंदू की दादी सरला आँगन में बैठी थीं।",
            "सरला ने कहा – पानी लाओ। चंदू बोला – लाता हूँ।",
            "चंदू ने लोटा उठाया।",
        ],
        ["सरला ने कहा –", "चंदू बोला –"],
    )
    sarla = next(profile for name, profile in people.items() if "सरला" in name)
    assert (sarla.gender, sarla.age) == (FEMALE, OLD)
    assert people["चंदू"].age != OLD
    assert "elderly" not in people["चंदू"].description and "old" not in people["चंदू"].description.split()


def test_hindi_an_appositive_and_a_predicate() -> None:
    people = cast_of(
        [
            "कुंदन, एक दुबला लड़का, दौड़ता हुआ आया। कुंदन बोला – चलो।",
            "रत्ती बूढ़ी थी। रत्ती बोली – धीरे चलो। रत्ती ने लाठी उठाई।",
        ],
        ["कुंदन बोला –", "रत्ती बोली –"],
    )
    assert (people["कुंदन"].gender, people["कुंदन"].age) == (MALE, CHILD)
    assert (people["रत्ती"].gender, people["रत्ती"].age) == (FEMALE, OLD)


def test_a_childs_look_says_nothing_old_even_when_the_words_near_him_do() -> None:
    people = cast_of(
        [
            "Her grandson Tobin, a boy with his grandmother's old lantern, ran up the path in an old coat.",
            "“Wait,” said Tobin. Tobin waited.",
        ],
        ["said Tobin."],
    )
    look = people["Tobin"].description
    assert people["Tobin"].age == CHILD
    assert "boy" in look.split()
    assert not {"old", "grandmother's", "grey", "elderly"} & set(look.split()), look
