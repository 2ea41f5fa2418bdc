"""The animatic's cast sheet: each character's portrait, and what a reference picture changes in its shots.

What an upload changes, said plainly: the character's clothing takes the picture's main colour
(of its middle, less its border's backdrop), the hair its darkest colour, the scarf, turban or hat
the next colour; the build (child or adult, dress, stoop, beard) stays what the words say. Only
that character's figure changes; the place, the sky and the other people stay as they were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from services.visual.backends.animatic import AnimaticRenderer
from services.visual.backends.animatic.figures import look_of
from services.visual.backends.animatic.portrait import (
    LOOK_CHUNK,
    dominant_colours,
    draw_portrait,
    look_from_picture,
    save_portrait,
)
from services.visual.backends.base import ReferenceSpec, RenderSpec
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot, ShotType

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari")
ARJUN = Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf")
SCENE = Scene(id="s01", setting="the village well")
BLUE, YELLOW, BLACK = (30, 90, 200), (240, 200, 0), (20, 20, 20)


def upload(path: Path) -> Path:
    """A user's drawing of a figure: black hair, a yellow scarf, a blue coat, on a white backdrop."""
    image = Image.new("RGB", (300, 400), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 120, 200, 380), fill=BLUE)
    draw.ellipse((115, 30, 185, 110), fill=BLACK)
    draw.rectangle((95, 110, 205, 140), fill=YELLOW)
    image.save(path, quality=90)
    return path


def near(one: tuple[int, int, int], other: tuple[int, int, int], within: int = 30) -> bool:
    return max(abs(a - b) for a, b in zip(one, other, strict=True)) <= within


def render(tmp_path: Path, shot: Shot, references: tuple[tuple[str, Path], ...], name: str) -> np.ndarray:
    spec = RenderSpec(320, 180, 12, 0.5, tmp_path / f"{name}.mp4", tmp_path / f"{name}.png",
                      character_references=references)  # fmt: skip
    AnimaticRenderer(VisualSettings()).render(shot, SCENE, [MEERA, ARJUN], spec)
    with Image.open(spec.keyframe_path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int32)


def test_a_portrait_is_the_characters_figure_full_length_and_keeps_its_look(tmp_path: Path) -> None:
    path = tmp_path / "arjun.png"
    AnimaticRenderer(VisualSettings()).render_reference(ARJUN, ReferenceSpec(256, 384, 5, path))
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (256, 384)) and LOOK_CHUNK in image.info
        pixels = np.asarray(image.convert("RGB"), dtype=np.int32)
    assert look_from_picture(path, look_of(MEERA)) == look_of(ARJUN)  # the portrait's look, not the words given
    scarf = np.array(look_of(ARJUN).accent)
    rows = np.where((np.abs(pixels - scarf).sum(axis=-1) < 30).any(axis=1))[0]
    assert rows.size and rows.min() > 0.1 * 384 and rows.max() < 0.6 * 384  # the red scarf, at the neck
    figure_rows = np.where((np.abs(pixels - pixels[5, 5]).sum(axis=-1) > 60).any(axis=1))[0]
    assert figure_rows.max() - figure_rows.min() > 0.45 * 384  # head to feet (a child: 0.68 of an adult)


def test_a_users_picture_gives_the_figure_its_dominant_colours(tmp_path: Path) -> None:
    picture = upload(tmp_path / "arjun.jpg")
    with Image.open(picture) as image:
        colours = dominant_colours(image.convert("RGB"))
    assert near(colours[0], BLUE) and not any(near(colour, (250, 250, 250)) for colour in colours)  # no backdrop
    look = look_from_picture(picture, look_of(ARJUN))
    assert near(look.clothing, BLUE) and near(look.hair, BLACK) and near(look.accent, YELLOW, 45)  # JPEG's yellow
    words = look_of(ARJUN)
    assert (look.height, look.accessory, look.dress, look.skin) == (words.height, words.accessory, words.dress,
                                                                    words.skin)  # fmt: skip


def test_an_upload_changes_that_characters_shots_and_nothing_else(tmp_path: Path) -> None:
    picture = upload(tmp_path / "arjun.jpg")
    portrait = tmp_path / "arjun_cast.png"
    save_portrait(draw_portrait(ARJUN, 256, 384, 5), portrait)
    both = Shot(id="s01_02", shot_type=ShotType.MEDIUM, character_ids=["meera", "arjun"], seed=4)
    meera_alone = Shot(id="s01_03", shot_type=ShotType.MEDIUM, character_ids=["meera"], seed=4)

    plain = render(tmp_path, both, (), "plain")
    cast = render(tmp_path, both, (("arjun", portrait),), "cast")
    uploaded = render(tmp_path, both, (("arjun", picture),), "uploaded")
    assert np.array_equal(plain, cast)  # the cast sheet's figure is the one every shot already drew

    changed = np.abs(uploaded - plain).sum(axis=-1) > 30
    columns = np.where(changed.any(axis=0))[0]
    assert changed.sum() > 500 and columns.max() - columns.min() < 0.35 * plain.shape[1]  # one figure, not the scene
    red, _, blue = uploaded[changed].mean(axis=0)
    was_red, _, was_blue = plain[changed].mean(axis=0)
    assert blue > red + 40 and was_red > was_blue  # his red clothes have turned blue (in the scene's light)

    alone_plain = render(tmp_path, meera_alone, (), "alone_plain")
    alone = render(tmp_path, meera_alone, (("arjun", picture),), "alone")  # Arjun's picture, Meera's shot
    assert np.array_equal(alone_plain, alone)
