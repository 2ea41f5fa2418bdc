"""A screenplay read as one: sluglines start scenes with setting and time, cues make dialogue,
parentheticals and transitions are not spoken, the title page is not narrated."""

from __future__ import annotations

from services.planner.backends.rules import RulesPlanner
from services.planner.story.screenplay import cue_name, is_screenplay, parse_slug
from services.planner.story.text import BlockKind, read_document
from storyreel.domain import NARRATOR, Storyboard, TimeOfDay
from tests.unit.test_planner_rules import assert_every_sentence_spoken_once_in_order, assert_sound_storyboard

SCRIPT = """THE LANTERN

Written by A. Writer

FADE IN:

INT. MEERA'S COTTAGE - NIGHT

Wind howls outside. MEERA, an old woman in a grey shawl, trims the lantern's wick.

ARJUN, a thin boy of ten, bursts in.

                    ARJUN
          (breathless)
     Grandmother, the storm is too strong.
     Stay at home tonight.

                    MEERA
     Hold the lantern high, Arjun.

CUT TO:

EXT. LIGHTHOUSE GALLERY - CONTINUOUS

Arjun climbs the iron stairs. Rain lashes the glass.

MEERA (V.O.)
Do not let it go out.

EXT. VILLAGE BEACH - DAWN

The boats come home, one by one.

FADE OUT.
"""


def plan(story: str) -> Storyboard:
    return RulesPlanner().plan(story, "", None, 0).storyboard


def test_a_screenplay_is_recognised_and_prose_is_not() -> None:
    assert is_screenplay(SCRIPT)
    assert not is_screenplay("It was night. INT. was written on the door.\n\nShe read it twice.")
    assert not is_screenplay("The Lantern\n\nMEERA\nlived by the sea.\n")


def test_sluglines_start_scenes_with_their_setting_and_time() -> None:
    board = plan(SCRIPT)
    assert board.title == "The Lantern"
    assert [scene.setting for scene in board.scenes] == [
        "interior of meera's cottage",
        "exterior of lighthouse gallery",
        "exterior of village beach",
    ]
    times = [scene.time_of_day for scene in board.scenes]
    assert times == [TimeOfDay.NIGHT, TimeOfDay.NIGHT, TimeOfDay.DAWN], "CONTINUOUS keeps the time before it"


def test_cues_make_dialogue_and_directions_are_not_spoken() -> None:
    board = plan(SCRIPT)
    spoken = [(line.speaker_id, line.text) for shot in board.shots() for line in shot.lines]
    assert ("c_arjun", "Grandmother, the storm is too strong.") in spoken
    assert ("c_arjun", "Stay at home tonight.") in spoken
    assert ("c_meera", "Hold the lantern high, Arjun.") in spoken
    assert ("c_meera", "Do not let it go out.") in spoken, "a voice-over is the character's line"
    words = " ".join(text for _, text in spoken)
    for direction in ("breathless", "CUT TO", "FADE", "V.O.", "Written by", "INT.", "EXT."):
        assert direction not in words
    assert (NARRATOR, "Wind howls outside.") in spoken, "action is narrated"


def test_the_screenplay_plan_is_sound_and_covers_every_line() -> None:
    board = plan(SCRIPT)
    assert_sound_storyboard(board)
    names = {character.id: character for character in board.characters}
    assert set(names) == {"c_meera", "c_arjun"}
    assert names["c_meera"].description == "an old woman in a grey shawl"
    shots_with_meera = [shot for shot in board.shots() if "c_meera" in shot.character_ids]
    assert shots_with_meera and all("an old woman in a grey shawl" in s.visual_prompt for s in shots_with_meera)


def test_a_screenplay_without_a_title_page_keeps_every_spoken_line() -> None:
    script = SCRIPT.split("FADE IN:\n", 1)[1]
    board = plan(script)
    directions = ("(breathless)", "(V.O.)", "CUT TO:", "FADE OUT.")
    spoken_text = script
    for direction in directions:
        spoken_text = spoken_text.replace(direction, "")
    assert_every_sentence_spoken_once_in_order(spoken_text, board)


def test_slugs_and_cues_are_parsed() -> None:
    slug = parse_slug("MEERA'S COTTAGE - KITCHEN - NIGHT", interior=True)
    assert (slug.setting, slug.time_of_day) == ("interior of meera's cottage, kitchen", TimeOfDay.NIGHT)
    assert parse_slug("THE PIER -- LATER", interior=False).time_of_day is None
    assert cue_name("ARJUN (V.O.)") == "Arjun"
    assert cue_name("OLD MAN (CONT'D)") == "Old Man"
    blocks = read_document(SCRIPT).blocks
    assert blocks[0].kind is BlockKind.HEADING and blocks[0].slug is not None
    assert [b.cue for b in blocks if b.cue] == ["Arjun", "Meera", "Meera"]
