"""Weather drawn over the finished scene: rain streaks, snowflakes, fog, a bolt of lightning."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from services.visual.backends.animatic.finish import over
from services.visual.backends.animatic.palette import RGB
from services.visual.backends.animatic.sky import Pixels, add_glow
from storyreel.domain import Weather

RAIN_PER_MEGAPIXEL = {Weather.RAIN: 450, Weather.STORM: 750}
SNOW_PER_MEGAPIXEL = 380


def precipitation(width: int, height: int, weather: Weather, rng: random.Random) -> Image.Image | None:
    """A layer of rain streaks or snowflakes, or None when nothing falls."""
    if weather in RAIN_PER_MEGAPIXEL:
        return _rain(width, height, RAIN_PER_MEGAPIXEL[weather], rng)
    if weather == Weather.SNOW:
        return _snow(width, height, rng)
    return None


def _rain(width: int, height: int, per_megapixel: int, rng: random.Random) -> Image.Image:
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    slant = math.tan(math.radians(12))
    for _ in range(int(per_megapixel * width * height / 1e6)):
        x, y = rng.random() * width * 1.1, rng.random() * height
        length = height * (0.03 + 0.05 * rng.random())
        draw.line(
            (x, y, x - length * slant, y + length),
            fill=(200, 210, 230, 70 + rng.randrange(70)),
            width=max(1, round(height / 700)),
        )
    return layer


def _snow(width: int, height: int, rng: random.Random) -> Image.Image:
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(int(SNOW_PER_MEGAPIXEL * width * height / 1e6)):
        x, y = rng.random() * width, rng.random() * height
        radius = height * (0.0015 + 0.004 * rng.random() ** 2)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(248, 250, 255, 150 + rng.randrange(100)))
    return layer


def fog(pixels: Pixels, horizon: float, colour: RGB, thickness: float = 0.7) -> None:
    """A bank of fog, thickest just above the horizon and thinning upwards and towards the viewer."""
    height = pixels.shape[0]
    ys = np.arange(height, dtype=np.float32)
    spread = np.where(ys < horizon, height * 0.25, height * 0.45)
    amount = thickness * np.exp(-(((ys - horizon) / spread) ** 2)) + 0.15 * thickness
    amount = np.minimum(amount, 0.9)[:, None, None]
    pixels *= 1.0 - amount
    pixels += amount * (np.array(colour, dtype=np.float32) / 255.0)


def lightning(pixels: Pixels, horizon: float, rng: random.Random) -> None:
    """A jagged bolt from the clouds towards the horizon, with the glare it throws."""
    height, width = pixels.shape[:2]
    x, y = width * (0.15 + 0.7 * rng.random()), height * 0.05
    points = [(x, y)]
    while y < horizon * 0.9:
        x += height * 0.04 * (rng.random() - 0.5)
        y += height * (0.03 + 0.04 * rng.random())
        points.append((x, y))
    bolt = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(bolt).line(points, fill=(250, 250, 255, 255), width=max(2, round(height / 300)))
    over(pixels, bolt)
    add_glow(pixels, points[0][0], horizon * 0.4, height * 0.5, (200, 210, 255), 0.25)
