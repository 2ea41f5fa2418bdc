"""The animatic's cast sheet: each character's full-length portrait, and the look its shots take from it.

`draw_portrait` draws the figure `look_of` gives the character, standing on a plain backdrop, and
writes that Look into the PNG (a text chunk), so every shot given the portrait as the character's
reference draws exactly the cast sheet's figure. A reference without that chunk is a picture from
elsewhere (a user's drawing or photo): `look_from_picture` takes the figure's colours from its
dominant colours (clothing, accent, hair), keeping the build the character's words give. So a
user's picture visibly recolours that character, and only that character, in every shot.
A setting's reference is the scene's place drawn as an empty establishing shot.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
from pathlib import Path
from typing import cast

import numpy as np
from PIL import Image, PngImagePlugin

from services.visual.backends.animatic.figures import Look, Pose, draw_figure, look_of
from services.visual.backends.animatic.finish import over, to_image, vignette
from services.visual.backends.animatic.keyframe import draw_keyframe
from services.visual.backends.animatic.paint import Painter
from services.visual.backends.animatic.palette import RGB, mix
from services.visual.backends.base import RenderSpec
from storyreel.domain import Character, Scene, Shot, ShotType

log = logging.getLogger(__name__)

LOOK_CHUNK = "storyreel-look"
"""The PNG text chunk holding the portrait's Look as JSON."""
BACKDROP_TOP: RGB = (226, 222, 214)
BACKDROP_FLOOR: RGB = (188, 182, 172)
FLOOR_AT = 0.9
"""Where the figure's feet stand, as a fraction of the height."""
FIGURE_HEIGHT = 0.8
"""An adult's height as a fraction of the portrait's height (a child is drawn smaller: full length, to scale)."""
NEAR = 48.0
"""RGB distance under which two colours count as the same (a backdrop, a shade of one cloth)."""
MIN_SHARE = 0.02
"""A colour covering less of the picture's middle than this is an edge or a speck, not the subject's."""


def draw_portrait(character: Character, width: int, height: int, seed: int) -> Image.Image:
    """The character standing full length on a plain backdrop, its Look kept in the PNG's text."""
    look = look_of(character)
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    top, floor = np.array(BACKDROP_TOP, np.float32) / 255, np.array(BACKDROP_FLOOR, np.float32) / 255
    pixels = np.where(rows < FLOOR_AT, top + (floor - top) * rows * 0.3, floor)
    pixels = np.ascontiguousarray(np.broadcast_to(pixels, (height, width, 3)), dtype=np.float32)
    plate = Painter(width, height, BACKDROP_TOP, random.Random(seed))
    feet = height * FLOOR_AT
    plate.ellipse(width / 2, feet, height * 0.12, height * 0.015, mix(BACKDROP_FLOOR, (0, 0, 0), 0.3))
    draw_figure(plate, look, Pose(width / 2, feet, height * FIGURE_HEIGHT, 1 if seed % 2 else -1))
    over(pixels, plate.surface)
    vignette(pixels, 0.25)
    image = to_image(pixels)
    image.info[LOOK_CHUNK] = json.dumps(dataclasses.asdict(look))
    return image


def save_portrait(image: Image.Image, path: Path) -> None:
    text = PngImagePlugin.PngInfo()
    if LOOK_CHUNK in image.info:
        text.add_text(LOOK_CHUNK, image.info[LOOK_CHUNK])
    image.save(path, format="PNG", pnginfo=text)


def draw_setting(scene: Scene, width: int, height: int, seed: int, vignetted: bool) -> Image.Image:
    """The scene's place, light and weather as an establishing shot with nobody in it."""
    empty = Shot(id=f"{scene.id}-setting", shot_type=ShotType.ESTABLISHING, seed=seed, visual_prompt=scene.setting)
    return draw_keyframe(empty, scene, [], width, height, vignetted).image


def cast_looks(characters: list[Character], spec: RenderSpec) -> dict[str, Look]:
    """The look of each character the shot has a reference picture for."""
    known = {character.id: character for character in characters}
    return {
        cid: look_from_picture(path, look_of(known.get(cid) or Character(id=cid, name=cid)))
        for cid, path in spec.character_references
    }


def look_from_picture(path: Path, words: Look) -> Look:
    """The look a reference picture gives: the cast sheet's own Look when the animatic drew it,
    else `words` (the look the character's description gives) in the picture's dominant colours."""
    with Image.open(path) as image:
        stored = image.info.get(LOOK_CHUNK)
        if stored:
            try:
                return _look_from_json(stored)
            except (ValueError, TypeError, KeyError):
                log.warning("the look stored in %s is unreadable; taking its colours instead", path.name)
        return recoloured(words, dominant_colours(image.convert("RGB")))


def _look_from_json(text: str) -> Look:
    raw = json.loads(text)
    colours = {name: _rgb(raw[name]) for name in ("clothing", "skin", "hair", "accent")}
    accessory = raw["accessory"]
    if accessory is not None and not isinstance(accessory, str):
        raise TypeError("accessory")
    return Look(
        **colours, accessory=accessory, height=float(raw["height"]),
        dress=bool(raw["dress"]), stooped=bool(raw["stooped"]), beard=bool(raw["beard"]),
    )  # fmt: skip


def _rgb(value: object) -> RGB:
    if not isinstance(value, list) or len(value) != 3 or not all(isinstance(v, int) and 0 <= v <= 255 for v in value):
        raise ValueError(f"not an RGB colour: {value!r}")
    return value[0], value[1], value[2]


def dominant_colours(image: Image.Image) -> list[RGB]:
    """The colours of the picture's subject, most common first: the middle of the picture, less
    the colours of its border (the backdrop), in at most 8 median-cut colours."""
    small = image.copy()
    small.thumbnail((96, 96))
    width, height = small.size
    pixels = np.asarray(small, dtype=np.int32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    middle = small.crop((width // 5, height // 12, width - width // 5, height - height // 20))
    counted = middle.quantize(colors=16, method=Image.Quantize.MEDIANCUT).convert("RGB").getcolors(1 << 16) or []
    clusters: list[tuple[int, RGB]] = []  # near colours (a cloth and its blurred edges) counted as one
    for count, colour in sorted(counted, key=lambda item: -item[0]):
        r, g, b = cast(tuple[int, int, int], colour)
        rgb: RGB = (int(r), int(g), int(b))
        at = next((index for index, (_, kept) in enumerate(clusters) if _near(rgb, kept)), None)
        if at is None:
            clusters.append((count, rgb))
        else:
            clusters[at] = (clusters[at][0] + count, clusters[at][1])
    ranked = [
        colour
        for count, colour in sorted(clusters, key=lambda item: -item[0])
        if count >= MIN_SHARE * middle.width * middle.height
    ]
    backdrop = [colour for colour in ranked if _share_near(border, colour) > 0.25]
    subject = [colour for colour in ranked if colour not in backdrop]
    return subject or ranked


def _share_near(pixels: np.ndarray, colour: RGB) -> float:
    distance = np.sqrt(((pixels - np.array(colour)) ** 2).sum(axis=-1))
    return float((distance < NEAR).mean())


def recoloured(words: Look, colours: list[RGB]) -> Look:
    """The look with clothing in the picture's main colour, hair its darkest, accent its next."""
    if not colours:
        return words
    dark = [colour for colour in colours if sum(colour) < 3 * 80]
    hair = dark[0] if dark else words.hair
    rest = [colour for colour in colours if colour != hair and not _near(colour, words.skin)] or colours
    clothing = rest[0]
    accent = next((colour for colour in rest[1:] if not _near(colour, clothing)), words.accent)
    return dataclasses.replace(words, clothing=clothing, hair=hair, accent=accent)


def _near(one: RGB, other: RGB) -> bool:
    return sum((a - b) ** 2 for a, b in zip(one, other, strict=True)) < NEAR**2
