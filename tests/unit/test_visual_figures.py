"""How a character looks follows from its description, and stays the same in every shot."""

from __future__ import annotations

from services.visual.backends.animatic.figures import DARK_HAIR, GREY_HAIR, look_of
from services.visual.backends.animatic.palette import COLOUR_WORDS
from storyreel.domain import Character


def test_a_red_scarf_is_drawn_red_and_a_boy_is_small() -> None:
    look = look_of(Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf"))
    assert (look.accessory, look.accent) == ("scarf", COLOUR_WORDS["red"])
    assert look.height < 1.0 and not look.dress


def test_an_old_woman_in_a_white_sari_has_grey_hair_a_dress_and_a_stoop() -> None:
    look = look_of(Character(id="meera", name="Meera", description="an old woman in a white sari"))
    assert look.clothing == COLOUR_WORDS["white"]
    assert (look.hair, look.dress, look.stooped, look.height) == (GREY_HAIR, True, True, 1.0)


def test_hindi_descriptions_are_read_too() -> None:
    look = look_of(Character(id="gudiya", name="गुड़िया", description="पोती, नीली फ्रॉक पहने"))
    assert look.clothing == COLOUR_WORDS["नील"]
    assert look.dress and look.height < 1.0
    grandmother = look_of(Character(id="sarla", name="सरला", description="बूढ़ी दादी"))
    assert grandmother.stooped and grandmother.hair == GREY_HAIR


def test_the_colour_next_to_a_garment_wins_over_other_colours() -> None:
    look = look_of(Character(id="ram", name="Ram", description="a man with white hair in a green kurta"))
    assert look.clothing == COLOUR_WORDS["green"]
    assert look.hair == COLOUR_WORDS["white"]


def test_what_the_words_leave_open_is_stable_per_character_and_varies_between_characters() -> None:
    looks = [look_of(Character(id=f"villager{index}", name="Villager")) for index in range(12)]
    again = [look_of(Character(id=f"villager{index}", name="Villager")) for index in range(12)]
    assert looks == again
    assert len({look.clothing for look in looks}) >= 4
    assert len({look.skin for look in looks}) >= 3
    assert all(look.hair == DARK_HAIR for look in looks)
