"""The sky: a gradient from zenith to horizon, the sun or the moon, stars, and flat clouds.

Pixels are float32 RGB in 0..1, shape (height, width, 3); everything is vectorised over the
whole sky or over the box around one round thing.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from services.visual.backends.animatic.palette import RGB, Light, Overcast, mix, shade

Pixels = np.ndarray
STORM_GREY: RGB = (92, 96, 108)
STARS_PER_MEGAPIXEL = 260


def _grey(colour: RGB, amount: float) -> RGB:
    level = round(0.3 * colour[0] + 0.59 * colour[1] + 0.11 * colour[2])
    return mix(colour, (level, level, round(level * 1.04)), amount)


def horizon_colour(light: Light, overcast: Overcast) -> RGB:
    """The sky's colour at the horizon: what far hills fade into."""
    return shade(_grey(light.horizon, overcast.sky_grey), overcast.dim)


def reflected(light: Light, overcast: Overcast) -> tuple[RGB, RGB]:
    """What still water mirrors: the sky at the horizon and the sky above it."""
    return horizon_colour(light, overcast), shade(_grey(light.upper, overcast.sky_grey), overcast.dim)


def gradient(width: int, height: int, horizon: float, light: Light, overcast: Overcast) -> Pixels:
    """The bare sky, zenith at the top, the horizon colour from `horizon` down."""
    stops = [_grey(colour, overcast.sky_grey) for colour in (light.zenith, light.upper, light.horizon)]
    ys = np.arange(height, dtype=np.float32)
    at = [0.0, horizon * 0.55, horizon]
    column = np.stack([np.interp(ys, at, [stop[channel] for stop in stops]) for channel in range(3)], axis=1)
    column *= overcast.dim / 255.0
    return np.ascontiguousarray(np.broadcast_to(column[:, None, :].astype(np.float32), (height, width, 3)))


def _box(sky: Pixels, x: float, y: float, radius: float) -> tuple[slice, slice, Pixels]:
    """The rows and columns around (x, y), and each pixel's distance to it."""
    height, width = sky.shape[:2]
    top, bottom = max(0, int(y - radius)), min(height, int(y + radius) + 1)
    left, right = max(0, int(x - radius)), min(width, int(x + radius) + 1)
    ys, xs = np.ogrid[top:bottom, left:right]
    distance = np.sqrt((xs - x) ** 2 + (ys - y) ** 2).astype(np.float32)
    return slice(top, bottom), slice(left, right), distance


def add_glow(pixels: Pixels, x: float, y: float, radius: float, colour: RGB, strength: float) -> None:
    """Add light that falls off softly from (x, y) (a sun's glare, a lamp's halo)."""
    rows, cols, distance = _box(pixels, x, y, radius)
    if distance.size == 0:
        return
    falloff = np.exp(-((distance / (radius * 0.45)) ** 2)) * np.float32(strength)
    light = falloff[..., None] * (np.array(colour, dtype=np.float32) / 255.0)
    region = pixels[rows, cols]
    region += light * (np.float32(1.0) - np.minimum(region, np.float32(1.0)))  # screen: brightens, never tints cyan


def add_disc(pixels: Pixels, x: float, y: float, radius: float, colour: RGB, bite: float = 0.0) -> None:
    """A filled disc with a soft edge; `bite` > 0 takes a crescent's bite out of its right side."""
    rows, cols, distance = _box(pixels, x, y, radius + 2)
    if distance.size == 0:
        return
    cover = np.clip(radius - distance + 0.5, 0.0, 1.0)
    if bite:
        ys, xs = np.ogrid[rows, cols]
        shadow = np.sqrt((xs - x - radius * bite) ** 2 + (ys - y + radius * 0.2) ** 2)
        cover *= np.clip(shadow - radius * 0.9 + 0.5, 0.0, 1.0).astype(np.float32)
    target = np.array(colour, dtype=np.float32) / 255.0
    pixels[rows, cols] += cover[..., None] * (target - pixels[rows, cols])


def add_sun_or_moon(pixels: Pixels, light: Light, overcast: Overcast, unit: float, with_moon: bool) -> None:
    """The sun (hidden behind heavy cloud, leaving a glow) or a crescent moon with its halo."""
    height, width = pixels.shape[:2]
    x, y = light.body_xy[0] * width, light.body_xy[1] * height
    if light.body == "sun":
        add_glow(pixels, x, y, unit * 0.6, light.body_colour, 0.55 * (1 - overcast.sky_grey * 0.6))
        if overcast.sky_grey < 0.5:
            add_disc(pixels, x, y, unit * 0.045, light.body_colour)
        if with_moon:
            add_disc(pixels, width * 0.18, height * 0.16, unit * 0.03, (236, 236, 228), bite=0.45)
        return
    add_glow(pixels, x, y, unit * 0.35, (170, 190, 230), 0.35)
    if overcast.sky_grey < 0.7:
        add_disc(pixels, x, y, unit * 0.04, light.body_colour, bite=0.45)


def add_stars(pixels: Pixels, light: Light, overcast: Overcast, horizon: float, rng: random.Random) -> None:
    """Points of light above the horizon; fewer behind cloud, none by day."""
    height, width = pixels.shape[:2]
    count = int(STARS_PER_MEGAPIXEL * light.stars * (1 - overcast.sky_grey) * width * height / 1e6)
    if count == 0:
        return
    generator = np.random.default_rng(rng.getrandbits(32))
    xs = generator.integers(0, width, count)
    ys = (generator.random(count) ** 1.4 * horizon * 0.85).astype(int)
    brightness = (0.35 + 0.65 * generator.random(count) ** 3).astype(np.float32)[:, None]
    pixels[ys, xs] += (1.0 - pixels[ys, xs]) * brightness


def cloud_colour(light: Light, stormy: bool) -> RGB:
    if stormy:
        return STORM_GREY
    if light.body == "moon":
        return (54, 62, 92)
    return mix((250, 250, 252), light.horizon, 0.35)


def clouds(width: int, height: int, horizon: float, count: int, colour: RGB, rng: random.Random) -> Image.Image:
    """Flat cartoon clouds: a flat-bottomed row of round puffs, lighter on top."""
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    unit = float(height)
    for _ in range(count):
        x = width * (rng.random() * 1.2 - 0.1)
        base = horizon * (0.15 + 0.6 * rng.random())
        size = unit * (0.04 + 0.05 * rng.random())
        puffs = 3 + rng.randrange(3)
        for puff in range(puffs):
            px = x + size * 1.1 * (puff - (puffs - 1) / 2)
            radius = size * (0.7 + 0.6 * rng.random()) * (1.25 if puff == puffs // 2 else 1.0)
            draw.ellipse((px - radius, base - radius * 1.3, px + radius, base), fill=(*colour, 255))
        draw.rectangle(
            (x - size * 1.1 * (puffs - 1) / 2, base - size * 0.5, x + size * 1.1 * (puffs - 1) / 2, base),
            fill=(*colour, 255),
        )
    return layer
