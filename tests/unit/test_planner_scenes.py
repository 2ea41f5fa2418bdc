"""Scenes: where they break, and their setting, time, weather and mood."""

from __future__ import annotations

from services.planner.story.dialogue import read_paragraph
from services.planner.story.scenes import SceneDraft, group_scenes, look, opens_with_break, summary_for, title_for
from services.planner.story.text import read_document
from storyreel.domain import Language, Mood, TimeOfDay, Weather


def scenes_of(story: str) -> list[SceneDraft]:
    document = read_document(story)
    paragraphs = [read_paragraph(text, False, Language.EN) for text in document.paragraphs()]
    return group_scenes(document.blocks, paragraphs)


def test_time_breaks_in_english_and_hindi_open_scenes() -> None:
    assert opens_with_break("Next morning the sky was clear.")
    assert opens_with_break("But that night the wind rose.")
    assert opens_with_break("अगले दिन सुबह राही आया।")
    assert opens_with_break("रात को तेज़ हवा चली।")
    assert not opens_with_break("Nightly the boats came home.")
    assert not opens_with_break("The next thing he knew, it was over.")


def test_headings_separators_and_breaks_start_scenes() -> None:
    story = (
        "# The Sea\n\n## Chapter One\n\nA boy lived by the sea.\n\nHe fished.\n\n***\n\n"
        "He slept.\n\nThat night it rained.\n"
    )
    scenes = scenes_of(story)
    assert [[p.text for p in scene.paragraphs] for scene in scenes] == [
        ["A boy lived by the sea.", "He fished."],
        ["He slept."],
        ["That night it rained."],
    ]
    assert [title_for(scene) for scene in scenes] == ["Chapter One", "He slept", "That night it rained"]


def test_long_runs_of_paragraphs_are_cut_into_scenes_of_at_most_eight_once_they_hold_40_s() -> None:
    story = "\n\n".join(f"Paragraph {n} has a few more words in it than one might think, truly." for n in range(20))
    sizes = [len(scene.paragraphs) for scene in scenes_of(story)]
    assert sum(sizes) == 20 and max(sizes) <= 8


def test_look_reads_place_time_weather_and_mood_and_carries_them_on() -> None:
    first, second, third = scenes_of(
        "Old Meera lived in a small stone cottage at the edge of the village, beside the river.\n\n"
        "That night the thunder rolled and the rain fell; she was afraid of the danger.\n\n"
        "Next morning the sky was clear and she laughed with joy."
    )
    opening = look(first, None, hindi=False)
    assert opening.setting == "small stone cottage, village, river"
    storm = look(second, opening, hindi=False)
    assert (storm.time_of_day, storm.weather, storm.mood) == (TimeOfDay.NIGHT, Weather.STORM, Mood.TENSE)
    assert storm.setting == opening.setting
    morning = look(third, storm, hindi=False)
    assert (morning.time_of_day, morning.weather, morning.mood) == (TimeOfDay.MORNING, Weather.CLEAR, Mood.HAPPY)


def test_hindi_settings_are_translated_to_english() -> None:
    document = read_document("गाँव के बाहर एक पुराना कुआँ था। उसके पास एक झोपड़ी थी। रात को बादल गरजे।")
    paragraphs = [read_paragraph(text, False, Language.HI) for text in document.paragraphs()]
    scene_look = look(group_scenes(document.blocks, paragraphs)[0], None, hindi=True)
    assert scene_look.setting == "village, old well, hut, India"
    assert (scene_look.time_of_day, scene_look.weather) == (TimeOfDay.NIGHT, Weather.STORM)


def test_the_summary_is_the_narrated_sentence_naming_most_characters() -> None:
    scene = scenes_of("The sea was grey. Arjun and Meera walked. “Hello Arjun and Meera,” said Tom.")[0]
    assert summary_for(scene, lambda text: text.count("Arjun") + text.count("Meera")) == "Arjun and Meera walked."
