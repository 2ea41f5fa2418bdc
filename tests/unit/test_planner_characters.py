"""Finding characters: names that recur or speak, their aliases, ids, descriptions and voices."""

from __future__ import annotations

from services.planner.story.characters import Cast, find_cast
from services.planner.story.describe import CHILD, FEMALE, MALE, OLD, Profile, profiles
from services.planner.story.translit import transliterate
from services.planner.story.voices import NARRATOR_VOICE, SLOTS, assign_voices

LANTERN = [
    "Old Meera lived in a small stone cottage. Every evening she climbed the hill.",
    "Her grandson Arjun, a thin boy of ten in a red scarf, ran up the path behind her.",
    "“The storm is too strong,” said Arjun.",
    "“Hold the lantern high,” Meera said.",
]
LANTERN_CLAUSES = ["said Arjun.", "Meera said."]


def names(cast: Cast) -> list[tuple[str, str, list[str]]]:
    return [(member.id, member.name, member.aliases) for member in cast.members]


def test_names_that_speak_or_recur_are_characters_in_order_of_appearance() -> None:
    assert names(find_cast(LANTERN, LANTERN_CLAUSES)) == [("c_meera", "Meera", []), ("c_arjun", "Arjun", [])]


def test_words_that_merely_start_a_sentence_are_not_characters() -> None:
    cast = find_cast(["Then the wind rose. Every boat came home. Then it rained. Every man slept."], [])
    assert cast.members == []


def test_short_forms_and_nicknames_are_aliases_of_the_full_name() -> None:
    paragraphs = [
        "A card bore the name Mr. James Dillingham Young, and Mr. James Dillingham Young came home.",
        "Jim was never late. Della waited for Jim. Della cried.",
        "Mr. Sherlock Holmes was standing. Holmes smiled. Then Holmes said nothing.",
    ]
    cast = find_cast(paragraphs, ["said Holmes", "Della said"])
    assert ("c_james_dillingham_young", "James Dillingham Young", ["Jim"]) in names(cast)
    assert ("c_sherlock_holmes", "Sherlock Holmes", ["Holmes"]) in names(cast)
    assert [m.character_id for m in cast.mentions("Jim and Holmes met Della.")] == [
        "c_james_dillingham_young",
        "c_sherlock_holmes",
        "c_della",
    ]


def test_places_are_not_characters() -> None:
    paragraphs = ["We sailed to Bristol. At Bristol we waited. From Bristol the ship left for Spain."]
    assert find_cast(paragraphs, []).members == []


def test_unnamed_speakers_who_speak_twice_become_characters() -> None:
    clauses = ["answered the woman", "said the woman", "said the man"]
    cast = find_cast(["The woman spoke. Then the woman left.", "the man sat."], clauses)
    assert names(cast) == [("c_the_woman", "the woman", [])]


def test_hindi_names_come_from_speech_and_relation_words() -> None:
    paragraphs = [
        "बूढ़ी दादी कुएँ पर दीपक जलाती थीं। उनकी पोती गुड़िया, नीली फ्रॉक पहने, आई।",
        "“दादी, आप दीपक क्यों जलाती हैं?” गुड़िया बोली।",
        "“कोई राही न भटके,” दादी ने कहा। गुड़िया ने दीपक ढक लिया।",
    ]
    cast = find_cast(paragraphs, ["गुड़िया बोली।", "दादी ने कहा।"])
    assert names(cast) == [("c_dadi", "दादी", []), ("c_gudiya", "गुड़िया", [])]


def test_a_title_names_the_only_character_of_a_story_without_names() -> None:
    cast = find_cast(["The little girl walked on. The little girl was cold."], [], title="The Little Match Girl")
    assert names(cast) == [("c_little_match_girl", "Little Match Girl", ["the little girl"])]


def test_devanagari_transliterates_to_plain_ascii() -> None:
    assert [transliterate(word) for word in ("गुड़िया", "दादी", "हल्कू", "हामिद", "ठाकुर")] == [
        "gudiya",
        "dadi",
        "halku",
        "hamid",
        "thakur",
    ]


def test_descriptions_come_from_the_text_and_gender_from_pronouns() -> None:
    cast = find_cast(LANTERN, LANTERN_CLAUSES)
    people = profiles(cast, LANTERN)
    assert people["c_arjun"].description == "a thin boy of ten in a red scarf"
    assert people["c_arjun"].gender == MALE
    assert people["c_meera"].gender == FEMALE
    assert people["c_meera"].description == "an old woman"


def test_hindi_descriptions_are_english_with_clothes_translated() -> None:
    paragraphs = ["उनकी पोती गुड़िया, नीली फ्रॉक पहने, दौड़ती हुई आई। गुड़िया बोली।", "गुड़िया ने दीपक ढका।"]
    cast = find_cast(paragraphs, ["गुड़िया बोली।"])
    people = profiles(cast, paragraphs)
    assert people["c_gudiya"].description == "a little Indian girl wearing a blue frock"
    assert people["c_gudiya"].gender == FEMALE


def test_voices_are_distinct_stable_and_fit_the_character() -> None:
    cast = find_cast(LANTERN, LANTERN_CLAUSES)
    people = profiles(cast, LANTERN)
    ids = [member.id for member in cast.members]
    voices = assign_voices(ids, people)
    assert voices == assign_voices(ids, people)
    assert voices["c_meera"].voice_id == "grandma"
    assert voices["c_arjun"].voice_id.startswith("m") and voices["c_arjun"].pitch > NARRATOR_VOICE.pitch
    heard = {(v.voice_id, v.pitch) for v in voices.values()} | {(NARRATOR_VOICE.voice_id, NARRATOR_VOICE.pitch)}
    assert len(heard) == len(voices) + 1


def test_a_cast_larger_than_its_group_borrows_the_nearest_age_but_never_an_elderly_voice_for_the_young() -> None:
    women = {f"c_{n}": Profile(FEMALE, "", "a woman") for n in range(len(SLOTS[(FEMALE, "")]) + 4)}
    voices = assign_voices(list(women), women)
    heard = [(v.voice_id, v.pitch) for v in voices.values()]
    assert len(set(heard)) == len(heard)
    assert heard[: len(SLOTS[(FEMALE, "")])] == list(SLOTS[(FEMALE, "")])
    assert set(heard[len(SLOTS[(FEMALE, "")]) :]) <= set(SLOTS[(FEMALE, OLD)]) | set(SLOTS[(FEMALE, CHILD)])
    assert not any(variant in ("grandma", "grandpa") for variant, _ in heard)
    assert {v.rate_wpm for v in voices.values()} == {160}


def test_a_large_cast_still_gets_distinct_voices() -> None:
    people = {f"c_{n}": profiles(find_cast(LANTERN, LANTERN_CLAUSES), LANTERN)["c_arjun"] for n in range(40)}
    voices = assign_voices(list(people), people)
    assert len({(v.voice_id, v.pitch) for v in voices.values()}) == 40


def test_a_nickname_is_not_merged_into_someone_the_story_calls_by_surname() -> None:
    """Treasure Island: Dick (Johnson) is not Richard Joyce, whom the story calls Joyce."""
    texts = [
        "Then Richard Joyce came in. Joyce looked at the door. Joyce sat down.",
        "Dick was gone. Dick returned with a rope. Dick laughed.",
    ]
    forms = {member.name: member.forms for member in find_cast(texts, ["said Joyce.", "said Dick."]).members}
    assert "Dick" not in forms["Richard Joyce"]
    assert "Dick" in forms


def test_the_doctor_is_the_storys_one_doctor() -> None:
    texts = ["Dr. Livesey came late. Livesey looked grave.", "“Come,” said the doctor.", "“Go,” said the doctor."]
    cast = find_cast(texts, ["said the doctor.", "said the doctor."])
    assert names(cast) == [("c_livesey", "Livesey", ["the doctor"])]


def test_a_surname_that_is_an_age_word_does_not_make_a_child() -> None:
    texts = [
        "Mr. James Dillingham Young came home. Jim was never late.",
        "Jim stopped inside the door. Jim looked about the room. He was only twenty-two.",
    ]
    cast = find_cast(texts, [])
    assert profiles(cast, texts)[cast.members[0].id].description == "a man"


def test_an_animal_word_before_a_hindi_name_makes_that_animal() -> None:
    texts = [
        "खाट के नीचे उसका संगी कुत्ता जबरा पेट में मुँह डाले सो रहा था।",
        "जबरा ने दुम हिलायी। जबरा भी उठ बैठा।",
        "हल्कू ने कहा – क्यों जबरा, जाड़ा लगता है?",
    ]
    cast = find_cast(texts, ["हल्कू ने कहा –"])
    jabra = next(member for member in cast.members if member.name == "जबरा")
    assert profiles(cast, texts)[jabra.id].description == "a dog"


def test_a_hindi_age_in_years_and_a_build_word_describe_the_person() -> None:
    # As in Idgah: the paragraph after the one that names him opens with वह (he) and describes him.
    texts = ["और सबसे ज्यादा प्रसन्न है गोपाल।", "वह चार-पाँच साल का गरीब सूरत, दुबला-पतला लड़का है।",
             "गोपाल बोला – मैं भी चलूँगा।"]
    cast = find_cast(texts, ["गोपाल बोला –"])
    assert profiles(cast, texts)[cast.members[0].id].description == "a thin Indian boy"

    elder = ["रामू, सत्तर बरस का कमज़ोर आदमी, खेत में बैठा था। रामू बोला – पानी लाओ।"]
    cast = find_cast(elder, ["रामू बोला –"])
    assert profiles(cast, elder)[cast.members[0].id].description == "a frail old Indian man"


def test_words_said_of_things_do_not_describe_a_hindi_character() -> None:
    texts = ["गंगी ने लंबी साँस ली और मोटी रस्सी उठाई। गंगी बोली – चलो।"]
    cast = find_cast(texts, ["गंगी बोली –"])
    assert profiles(cast, texts)[cast.members[0].id].description == "an Indian woman"
