"""Visual prompts and seeds."""

from __future__ import annotations

from services.planner.story.dialogue import read_paragraph
from services.planner.story.prompts import Figure, seed, story_digest, visual_prompt
from services.planner.story.scenes import SceneLook
from services.planner.story.shots import pack_shots
from storyreel.domain import Language, Mood, ShotType, TimeOfDay, Weather

NIGHT_STORM = SceneLook("hill, dark river", TimeOfDay.NIGHT, Weather.STORM, Mood.TENSE)


def test_a_prompt_names_framing_subject_action_place_time_light_and_style() -> None:
    shot = pack_shots([read_paragraph("Arjun held the lantern high.", False, Language.EN)], 2.5)[0]
    shot.shot_type = ShotType.CLOSE_UP
    prompt = visual_prompt(shot, [Figure("Arjun", "a thin boy of ten in a red scarf")], NIGHT_STORM)
    assert prompt.startswith("Close-up of Arjun, a thin boy of ten in a red scarf. Arjun held the lantern high.")
    for words in ("hill, dark river", "at night", "lightning", "moonlight", "dramatic shadows", "storybook"):
        assert words in prompt


def test_a_hindi_shot_gets_an_english_prompt_with_translated_objects() -> None:
    text = "गुड़िया ने अपने छोटे हाथों से दीपक की लौ को ढक लिया।"
    shot = pack_shots([read_paragraph(text, False, Language.HI)], 2.5)[0]
    prompt = visual_prompt(shot, [Figure("गुड़िया", "a little Indian girl wearing a blue frock")], NIGHT_STORM)
    assert prompt.isascii(), "a Hindi shot's prompt is still all English"
    assert "Gudiya, a little Indian girl wearing a blue frock" in prompt
    assert "clay oil lamp, flame" in prompt


def test_seeds_are_stable_per_story_and_shot_and_differ_between_shots() -> None:
    digest = story_digest("Once upon a time.")
    assert seed(digest, "s01_01") == seed(story_digest("Once upon a time."), "s01_01")
    assert seed(digest, "s01_01") != seed(digest, "s01_02")
    assert seed(digest, "s01_01") != seed(story_digest("Another story."), "s01_01")
    assert 0 <= seed(digest, "s01_01") < 2**31
