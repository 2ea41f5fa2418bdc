"""Choosing what to draw from a shot's words: the place, the water beside it, the props."""

from __future__ import annotations

import pytest

from services.visual.backends.animatic.places import Place, choose_place, water_nearby
from services.visual.backends.animatic.props import props_in
from services.visual.backends.animatic.words import mentions


@pytest.mark.parametrize(
    ("setting", "place"),
    [
        ("a small village at the edge of the hills", Place.VILLAGE),
        ("the banks of the river", Place.RIVER),
        ("a quiet lake", Place.LAKE),
        ("the sea shore at low tide", Place.SEA),
        ("deep in the forest", Place.FOREST),
        ("a snowy mountain pass", Place.MOUNTAINS),
        ("on the grassy hillside", Place.HILLS),
        ("a busy city street", Place.CITY),
        ("inside the kitchen", Place.INTERIOR),
        ("the desert dunes", Place.DESERT),
        ("a wheat field", Place.FIELD),
        ("the maharaja's palace", Place.PALACE),
        ("the bazaar at noon", Place.MARKET),
        ("गाँव के बाहर", Place.VILLAGE),
        ("घना जंगल", Place.FOREST),
        ("नदी का किनारा", Place.RIVER),
        ("somewhere", Place.COUNTRYSIDE),
        ("", Place.COUNTRYSIDE),
    ],
)
def test_the_setting_names_the_place(setting: str, place: Place) -> None:
    assert choose_place([(setting, 3)]) == place


def test_the_setting_outweighs_the_narration() -> None:
    texts = [("the old mill by the river", 3), ("he walked to town and the town was busy", 1)]
    assert choose_place(texts) == Place.RIVER


def test_a_tie_goes_to_the_more_specific_place() -> None:
    assert choose_place([("a village by the river", 3)]) == Place.VILLAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hills and valleys", 1),  # hill -> hills; valley is not a hill word
        ("chilly hillside", 0),  # whole words only ("hillside" is another keyword)
        ("Hills HILL", 2),
    ],
)
def test_english_keywords_match_whole_words_with_plurals(text: str, expected: int) -> None:
    assert mentions(text, ["hill"]) == expected


def test_hindi_stems_match_at_the_start_of_a_word_only() -> None:
    assert mentions("नीली फ्रॉक", ["नील"]) == 1
    assert mentions("वह ठहरा", ["हरा"]) == 0
    assert mentions("हरा पेड़", ["हरा"]) == 1


def test_water_beside_a_land_scene() -> None:
    assert water_nearby("a cottage beside the river") == Place.RIVER
    assert water_nearby("a cottage on the hill") is None


@pytest.mark.parametrize(
    ("text", "props"),
    [
        ("She climbed the hill with her brass lantern", {"lantern"}),
        ("the fishing boats found their way home", {"boat"}),
        ("an old well outside the village", {"well"}),
        ("she sang as well as she could", set()),
        ("a banyan tree under the moon", {"tree", "moon"}),
        ("कुएँ की मुँडेर पर मिट्टी का दीपक", {"well", "lamp"}),
        ("they sat around the campfire", {"fire"}),
    ],
)
def test_props_come_from_the_words(text: str, props: set[str]) -> None:
    assert props_in(text) == props


def test_a_bare_well_in_a_setting_is_the_noun() -> None:
    assert props_in("Dadi smiled", setting="well, India") == {"well"}
    assert props_in("well, India") == set()
