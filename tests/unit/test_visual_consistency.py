"""Seeds and prompts that keep a film's generated pictures consistent."""

from __future__ import annotations

from services.visual.consistency import shot_prompt, shot_seed
from storyreel.domain import Character, Line, Mood, Scene, Shot, ShotType, TimeOfDay, Weather

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari")
ARJUN = Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf")
VILLAGE = Scene(id="s01", setting="the village well", time_of_day=TimeOfDay.DAWN, weather=Weather.FOG, mood=Mood.SAD)
MARKET = Scene(id="s02", setting="the market")


def test_one_seed_per_scene_and_main_character() -> None:
    first = Shot(id="s01_01", character_ids=["meera"], seed=1)
    later = Shot(id="s01_05", character_ids=["meera", "arjun"], seed=99)
    assert shot_seed(first, VILLAGE) == shot_seed(later, VILLAGE)
    assert shot_seed(first, VILLAGE) != shot_seed(first, MARKET)
    assert shot_seed(Shot(id="a", character_ids=["arjun"]), VILLAGE) != shot_seed(first, VILLAGE)
    assert shot_seed(Shot(id="a"), VILLAGE) == shot_seed(Shot(id="b", seed=7), VILLAGE)


def test_a_reroll_gets_a_new_seed_and_every_seed_fits_a_sampler() -> None:
    shot = Shot(id="s01_01", character_ids=["meera"])
    seeds = {shot_seed(shot, VILLAGE, attempt) for attempt in (1, 2, 3)}
    assert len(seeds) == 3 and all(0 <= seed < 2**63 for seed in seeds)


def test_the_prompt_describes_every_character_in_the_shot_and_the_scene() -> None:
    shot = Shot(
        id="s01_02", character_ids=["meera", "arjun"], shot_type=ShotType.CLOSE_UP, visual_prompt="they draw water"
    )
    prompt = shot_prompt(shot, VILLAGE, [MEERA, ARJUN])
    for words in (
        "they draw water",
        "Meera: an old woman in a white sari",
        "Arjun: a thin boy of ten in a red scarf",
        "the village well, dawn, fog, sad mood",
        "close-up",
    ):
        assert words in prompt


def test_without_a_visual_prompt_the_lines_say_what_is_shown() -> None:
    shot = Shot(id="s02_01", lines=[Line(text="The stalls opened at noon.")])
    prompt = shot_prompt(shot, MARKET, [])
    assert prompt.startswith("The stalls opened at noon") and "Meera" not in prompt
