"""The stories' common nouns the animatic learned (props.py): each word draws its prop where such
a thing stands (birds in the sky, a dog on the ground...), in English and Hindi, the same pixels
every time; a word the animatic has no drawing for leaves the keyframe as it was."""

from __future__ import annotations

import numpy as np
import pytest

from services.visual.backends.animatic.keyframe import BackdropCache, draw_keyframe
from storyreel.domain import Scene, Shot, ShotType, TimeOfDay

WIDTH, HEIGHT = 320, 180
SHORE = Scene(id="s01", setting="the sea shore", time_of_day=TimeOfDay.EVENING)
MEADOW = Scene(id="s01", setting="a meadow", time_of_day=TimeOfDay.NOON)


def keyframe(scene: Scene, prompt: str) -> np.ndarray:
    shot = Shot(id="s01_01", shot_type=ShotType.WIDE, visual_prompt=prompt, seed=5)
    image = draw_keyframe(shot, scene, [], WIDTH, HEIGHT, backdrops=BackdropCache(2)).image
    return np.asarray(image, dtype=np.int16)


def changed_rows(scene: Scene, prompt: str) -> np.ndarray:
    """The rows (as fractions of the height) where the prompt's keyframe differs from a plain one."""
    difference = np.abs(keyframe(scene, prompt) - keyframe(scene, "a quiet view")).max(axis=2)
    return np.nonzero((difference > 24).any(axis=1))[0] / HEIGHT


@pytest.mark.parametrize(
    ("scene", "prompt", "top", "bottom"),
    [
        (MEADOW, "birds overhead", 0.0, 0.6),  # in the sky, above the horizon
        (MEADOW, "a house", 0.35, 0.75),
        (MEADOW, "the door of the inn", 0.35, 0.75),  # a door or window: the house it belongs to
        (MEADOW, "a road", 0.55, 1.0),
        (MEADOW, "a cave", 0.5, 0.75),
        (MEADOW, "an elephant", 0.5, 0.85),
        (MEADOW, "a horse", 0.5, 0.85),
        (MEADOW, "a bed", 0.7, 1.0),
        (MEADOW, "a table", 0.75, 1.0),
        (MEADOW, "a rock", 0.8, 1.0),
        (MEADOW, "a dog", 0.8, 1.0),
        (MEADOW, "two cats", 0.8, 1.0),
        (MEADOW, "कुत्ते", 0.8, 1.0),  # Hindi: the stem कुत्त inflected
        (MEADOW, "हाथी", 0.5, 0.85),
        (SHORE, "a lighthouse", 0.1, 0.65),  # on the shore, rising above the horizon
        (SHORE, "an island", 0.55, 0.75),  # on the water
    ],
)
def test_each_new_prop_changes_the_keyframe_where_such_a_thing_stands(
    scene: Scene, prompt: str, top: float, bottom: float
) -> None:
    rows = changed_rows(scene, prompt)
    assert rows.size, f"{prompt!r} drew nothing"
    assert top <= rows.min() and rows.max() <= bottom, (prompt, rows.min(), rows.max())


def test_an_island_needs_water() -> None:
    assert not changed_rows(MEADOW, "an island").size


@pytest.mark.parametrize("prompt", ["a windmill", "a pumpkin cart"])  # no drawing for these
def test_a_word_with_no_drawing_changes_nothing(prompt: str) -> None:
    assert not changed_rows(MEADOW, prompt).size


def test_the_new_props_draw_the_same_pixels_every_time() -> None:
    prompt = "a lighthouse, an island, birds, a dog and a cat by a rock"
    assert np.array_equal(keyframe(SHORE, prompt), keyframe(SHORE, prompt))
