"""The Painter: flat shapes on one depth plate of the picture.

A plate has two images. `surface` holds things the scene's light falls on (walls, hills,
people): the compositor tints it with the time of day. `lights` holds things that shine on
their own (a lit window, a lantern flame, the moon's face): they stay bright at night. A halo is a
soft glow added around a light. Coordinates are pixels; `unit` is the picture's height, so
sizes written as fractions of it keep their shape at any resolution.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from services.visual.backends.animatic.palette import RGB, mix

Point = tuple[float, float]
WHITE: RGB = (242, 244, 248)


@dataclass(frozen=True)
class Halo:
    x: float
    y: float
    radius: float
    colour: RGB
    strength: float


@dataclass
class Painter:
    width: int
    height: int
    haze: RGB
    """The colour far things fade into (the sky at the horizon)."""
    rng: random.Random
    snow: float = 0.0
    """0..1: how white the ground is."""
    haze_strength: float = 1.0
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    """The light the surface will be shown in (see untinted)."""
    reflection: tuple[RGB, RGB] = ((150, 190, 220), (70, 130, 190))
    """What water mirrors: the sky at the horizon and higher up."""
    surface: Image.Image = field(init=False)
    lights: Image.Image = field(init=False)
    halos: list[Halo] = field(default_factory=list)
    water: list[tuple[float, float]] = field(default_factory=list)
    """Top and bottom of each band of water drawn, where boats can float."""

    def __post_init__(self) -> None:
        self.surface = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        self.lights = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        self._surface_draw = ImageDraw.Draw(self.surface)
        self._lights_draw = ImageDraw.Draw(self.lights)

    @property
    def unit(self) -> float:
        return float(self.height)

    def tone(self, colour: RGB, depth: float = 0.0) -> RGB:
        """The colour as seen from `depth` away (0 near, 1 on the horizon): faded into the haze."""
        return mix(colour, self.haze, min(1.0, depth * self.haze_strength))

    def untinted(self, colour: RGB) -> RGB:
        """A surface colour that shows as `colour` once the light's tint falls on it (water mirroring the sky)."""
        r, g, b = (min(255, round(c / max(t, 0.05))) for c, t in zip(colour, self.tint, strict=True))
        return r, g, b

    def ground(self, colour: RGB, depth: float = 0.0) -> RGB:
        """A surface that faces the sky: under snow when it snows."""
        return self.tone(mix(colour, WHITE, self.snow * 0.85), depth)

    # ----------------------------------------------------------------- lit surfaces

    def polygon(self, points: Sequence[Point], colour: RGB, depth: float = 0.0) -> None:
        self._surface_draw.polygon(list(points), fill=(*self.tone(colour, depth), 255))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: RGB, depth: float = 0.0) -> None:
        self._surface_draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(*self.tone(colour, depth), 255))

    def rect(self, x0: float, y0: float, x1: float, y1: float, colour: RGB, depth: float = 0.0) -> None:
        self._surface_draw.rectangle(
            (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), fill=(*self.tone(colour, depth), 255)
        )

    def line(self, points: Sequence[Point], colour: RGB, width: float, depth: float = 0.0) -> None:
        self._surface_draw.line(
            list(points), fill=(*self.tone(colour, depth), 255), width=max(1, round(width)), joint="curve"
        )

    def cut(self, points: Sequence[Point]) -> None:
        """Clear a hole in the surface (a window that shows the sky behind it)."""
        self._surface_draw.polygon(list(points), fill=(0, 0, 0, 0))

    # ----------------------------------------------------------------- lights

    def glow_rect(self, x0: float, y0: float, x1: float, y1: float, colour: RGB) -> None:
        self._lights_draw.rectangle((x0, y0, x1, y1), fill=(*colour, 255))

    def glow_ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: RGB) -> None:
        self._lights_draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(*colour, 255))

    def glow_polygon(self, points: Sequence[Point], colour: RGB) -> None:
        self._lights_draw.polygon(list(points), fill=(*colour, 255))

    def halo(self, x: float, y: float, radius: float, colour: RGB, strength: float = 0.6) -> None:
        self.halos.append(Halo(x, y, radius, colour, strength))

    # ----------------------------------------------------------------- helpers

    def wavy_line(self, base_y: float, amplitude: float, waves: int, step: float = 6.0) -> list[Point]:
        """A smooth skyline: a sum of `waves` sines with random phases (points left to right)."""
        xs = np.arange(-step, self.width + 2 * step, step)
        ys = np.full_like(xs, base_y, dtype=np.float64)
        for k in range(1, waves + 1):
            frequency = (k + self.rng.random()) / self.width * 2 * np.pi
            ys += amplitude / k * np.sin(xs * frequency + self.rng.random() * 2 * np.pi)
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    def jagged_line(self, base_y: float, amplitude: float, peaks: int) -> list[Point]:
        """A mountain skyline: straight slopes between random peaks and saddles."""
        xs = np.linspace(-0.05 * self.width, 1.05 * self.width, 2 * peaks + 1)
        heights = [
            amplitude * (0.55 + 0.45 * self.rng.random()) if i % 2 else amplitude * 0.2 * self.rng.random()
            for i in range(len(xs))
        ]
        return [(x, base_y - h) for x, h in zip(xs.tolist(), heights, strict=True)]

    def fill_below(self, skyline: Sequence[Point], colour: RGB, depth: float = 0.0) -> None:
        """Fill everything under a skyline to the bottom of the picture."""
        outline = [*skyline, (self.width + 10, self.height + 10), (-10, self.height + 10)]
        self.polygon(outline, colour, depth)
