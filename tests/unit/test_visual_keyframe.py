"""The keyframe: what the scene's fields and the shot's words do to the picture."""

from __future__ import annotations

import numpy as np
import pytest

from services.visual.backends.animatic.keyframe import BackdropCache, draw_keyframe
from services.visual.backends.animatic.places import Place
from storyreel.domain import Character, Mood, Scene, Shot, ShotType, TimeOfDay, Weather

WIDTH, HEIGHT = 384, 216
ARJUN = Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf")


def picture(shot: Shot | None = None, characters: tuple[Character, ...] = (), **scene_fields: object) -> np.ndarray:
    scene = Scene.model_validate({"id": "s01", "setting": "a village", **scene_fields})
    keyframe = draw_keyframe(shot or Shot(id="s01_01", seed=3), scene, list(characters), WIDTH, HEIGHT)
    assert keyframe.image.size == (WIDTH, HEIGHT) and keyframe.image.mode == "RGB"
    pixels: np.ndarray = np.asarray(keyframe.image, dtype=np.float64)
    return pixels


def top_of_sky(pixels: np.ndarray) -> np.ndarray:
    colour: np.ndarray = pixels[: HEIGHT // 5].reshape(-1, 3).mean(axis=0)
    return colour


def test_time_of_day_colours_the_sky() -> None:
    sky = {time: top_of_sky(picture(time_of_day=time)) for time in TimeOfDay}
    brightness = {time: colour.mean() for time, colour in sky.items()}
    assert brightness[TimeOfDay.NIGHT] < 40 < brightness[TimeOfDay.NOON] - 40
    assert brightness[TimeOfDay.NIGHT] == min(brightness.values())
    blueness = {time: colour[2] - colour[0] for time, colour in sky.items()}
    assert blueness[TimeOfDay.NOON] > 70
    assert blueness[TimeOfDay.NOON] > blueness[TimeOfDay.DAWN] + 30
    assert blueness[TimeOfDay.NOON] > blueness[TimeOfDay.EVENING] + 30
    low_sky = {
        time: picture(time_of_day=time)[HEIGHT // 3 : HEIGHT // 2].reshape(-1, 3).mean(axis=0)
        for time in (TimeOfDay.DAWN, TimeOfDay.NOON, TimeOfDay.EVENING)
    }
    for warm in (TimeOfDay.DAWN, TimeOfDay.EVENING):  # pink/orange and amber near the horizon
        assert low_sky[warm][0] - low_sky[warm][2] > low_sky[TimeOfDay.NOON][0] - low_sky[TimeOfDay.NOON][2] + 60
    assert len({tuple(np.round(colour)) for colour in sky.values()}) == len(TimeOfDay)


def test_night_is_darker_than_noon_everywhere_not_only_in_the_sky() -> None:
    night, noon = picture(time_of_day=TimeOfDay.NIGHT), picture(time_of_day=TimeOfDay.NOON)
    assert noon.mean() - night.mean() > 60
    assert noon[HEIGHT * 3 // 4 :].mean() - night[HEIGHT * 3 // 4 :].mean() > 40


def test_the_same_shot_gives_the_same_picture_and_another_seed_moves_the_people_under_the_scenes_sky() -> None:
    shot = Shot(id="s01_01", seed=11, character_ids=["arjun"], shot_type=ShotType.WIDE)
    first, again = picture(shot, (ARJUN,)), picture(shot, (ARJUN,))
    assert np.array_equal(first, again)
    other = picture(shot.model_copy(update={"seed": 12}), (ARJUN,))
    changed = np.abs(first - other).sum(axis=2) > 0
    assert changed.sum() > 50  # the boy (about 10x56 pixels) stands elsewhere...
    assert not changed[: HEIGHT // 3].any()  # ...under the same clouds: the sky is the scene's


def keyframe_pixels(shot: Shot, scene: Scene, cache: BackdropCache) -> np.ndarray:
    image = draw_keyframe(shot, scene, [ARJUN], WIDTH, HEIGHT, backdrops=cache).image
    return np.asarray(image, dtype=np.int16)


def test_a_scenes_shots_of_one_type_reuse_its_backdrop_and_get_the_picture_drawing_it_gives() -> None:
    scene = Scene(id="s01", setting="a village beside the river", time_of_day=TimeOfDay.NIGHT, weather=Weather.FOG)
    shots = [Shot(id=f"s01_0{n}", seed=n, character_ids=["arjun"], shot_type=ShotType.MEDIUM) for n in (1, 2, 3)]
    cache = BackdropCache(entries=3)
    cached = [keyframe_pixels(shot, scene, cache) for shot in shots]
    assert (cache.misses, cache.hits) == (1, 2)
    for shot, pixels in zip(shots, cached, strict=True):
        assert np.array_equal(pixels, keyframe_pixels(shot, scene, BackdropCache(entries=0)))  # drawn afresh
    assert np.array_equal(cached[0], keyframe_pixels(shots[0], scene, cache))  # a hit is a copy, not drawn on


@pytest.mark.parametrize(
    "change",
    [
        {"shot_type": ShotType.CLOSE_UP},
        {"visual_prompt": "the old well"},
        {"character_ids": []},
    ],
)
def test_a_shot_that_differs_in_what_its_backdrop_is_drawn_from_draws_its_own(change: dict[str, object]) -> None:
    scene = Scene(id="s01", setting="a village", time_of_day=TimeOfDay.NOON)
    shot = Shot(id="s01_01", seed=5, character_ids=["arjun"], shot_type=ShotType.MEDIUM)
    cache = BackdropCache(entries=3)
    keyframe_pixels(shot, scene, cache)
    keyframe_pixels(shot.model_copy(update=change), scene, cache)
    assert (cache.misses, cache.hits) == (2, 0)
    keyframe_pixels(shot, scene.model_copy(update={"id": "s02"}), cache)  # another scene: its own village
    keyframe_pixels(shot, scene.model_copy(update={"weather": Weather.RAIN}), cache)
    assert (cache.misses, cache.hits) == (4, 0)


def test_the_cache_keeps_only_its_entries() -> None:
    scene = Scene(id="s01", setting="a village", time_of_day=TimeOfDay.NOON)
    cache = BackdropCache(entries=1)
    medium, close = (Shot(id="s01_01", seed=5, shot_type=kind) for kind in (ShotType.MEDIUM, ShotType.CLOSE_UP))
    for shot in (medium, close, medium):
        keyframe_pixels(shot, scene, cache)
    assert (cache.misses, cache.hits) == (3, 0)
    keyframe_pixels(medium, scene, cache)
    assert cache.hits == 1


@pytest.mark.parametrize("time_of_day", [TimeOfDay.NOON, TimeOfDay.EVENING])
def test_each_place_draws_different_scenery(time_of_day: TimeOfDay) -> None:
    settings = {
        Place.VILLAGE: "a village",
        Place.RIVER: "the river",
        Place.SEA: "the sea shore",
        Place.FOREST: "the forest",
        Place.MOUNTAINS: "the mountains",
        Place.CITY: "a city street",
        Place.INTERIOR: "inside the kitchen",
        Place.DESERT: "the desert",
        Place.FIELD: "a wheat field",
        Place.PALACE: "the palace",
        Place.MARKET: "the bazaar",
        Place.HILLS: "a hillside",
        Place.LAKE: "a lake",
    }
    pictures = [picture(setting=setting, time_of_day=time_of_day)[HEIGHT // 3 :] for setting in settings.values()]
    for index, first in enumerate(pictures):
        for second in pictures[index + 1 :]:
            assert np.abs(first - second).mean() > 4


def test_weather_shows() -> None:
    clear = picture(time_of_day=TimeOfDay.NOON)
    for weather in (Weather.RAIN, Weather.SNOW, Weather.FOG, Weather.STORM, Weather.CLOUDY):
        assert np.abs(picture(time_of_day=TimeOfDay.NOON, weather=weather) - clear).mean() > 5, weather
    assert picture(time_of_day=TimeOfDay.NOON, weather=Weather.STORM).mean() < clear.mean() - 30
    assert picture(time_of_day=TimeOfDay.NOON, weather=Weather.FOG).std() < clear.std() * 0.8


def chroma(pixels: np.ndarray) -> float:
    return float((pixels.max(axis=2) - pixels.min(axis=2)).mean())


def test_mood_sets_the_palette() -> None:
    sad = picture(mood=Mood.SAD, time_of_day=TimeOfDay.NOON)
    happy = picture(mood=Mood.HAPPY, time_of_day=TimeOfDay.NOON)
    assert chroma(sad) < chroma(happy) * 0.75
    assert sad.mean() < happy.mean()


def red_pixels(pixels: np.ndarray) -> int:
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(((r > 150) & (g < 80) & (b < 80)).sum())


def test_characters_are_drawn_in_the_colours_of_their_description_and_bigger_in_close_up() -> None:
    def reds(shot_type: ShotType, characters: tuple[Character, ...]) -> int:
        shot = Shot(id="s01_01", seed=5, shot_type=shot_type, character_ids=[c.id for c in characters])
        return red_pixels(picture(shot, characters, time_of_day=TimeOfDay.NOON, setting="the desert"))

    assert reds(ShotType.WIDE, ()) == 0
    wide, close = reds(ShotType.WIDE, (ARJUN,)), reds(ShotType.CLOSE_UP, (ARJUN,))
    assert 0 < wide < close / 4


def test_a_character_the_request_does_not_describe_is_still_drawn() -> None:
    empty = picture(Shot(id="s01_01", seed=5), time_of_day=TimeOfDay.NOON)
    someone = picture(Shot(id="s01_01", seed=5, character_ids=["stranger"]), time_of_day=TimeOfDay.NOON)
    assert np.abs(empty - someone).mean() > 0.3


def test_props_the_words_mention_are_drawn() -> None:
    plain = picture(Shot(id="s01_01", seed=5), time_of_day=TimeOfDay.NIGHT)
    lantern = picture(Shot(id="s01_01", seed=5, visual_prompt="a lantern in the dark"), time_of_day=TimeOfDay.NIGHT)
    assert lantern.max(axis=2).mean() > plain.max(axis=2).mean() + 1  # its glow lights the night
    well = picture(Shot(id="s01_01", seed=5, visual_prompt="the old well"), time_of_day=TimeOfDay.NOON)
    assert np.abs(well - picture(Shot(id="s01_01", seed=5), time_of_day=TimeOfDay.NOON)).mean() > 0.3
