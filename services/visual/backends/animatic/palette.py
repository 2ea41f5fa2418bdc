"""Colours: the light of each time of day, the grade of each mood, and colour words.

Colours are 0-255 RGB tuples; a Light's tint multiplies every lit surface, so one drawing of a
village reads as dawn, noon or night depending on the light it is shown in.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyreel.domain import Mood, TimeOfDay, Weather

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Light:
    zenith: RGB
    upper: RGB
    horizon: RGB
    tint: tuple[float, float, float]
    """Multiplier of lit surfaces (1, 1, 1 is plain daylight)."""
    body: str
    """"sun" or "moon"."""
    body_xy: tuple[float, float]
    """Where the sun or moon stands, as fractions of width and height."""
    body_colour: RGB
    stars: float
    """0 (none) to 1 (a full night sky)."""
    lamps_lit: bool


LIGHTS: dict[TimeOfDay, Light] = {
    TimeOfDay.DAWN: Light(
        (74, 82, 150),
        (232, 150, 160),
        (255, 196, 130),
        (1.0, 0.82, 0.80),
        "sun",
        (0.22, 0.55),
        (255, 214, 160),
        0.15,
        True,
    ),
    TimeOfDay.MORNING: Light(
        (96, 158, 226),
        (166, 206, 240),
        (236, 232, 214),
        (1.0, 0.97, 0.92),
        "sun",
        (0.28, 0.22),
        (255, 246, 220),
        0.0,
        False,
    ),
    TimeOfDay.NOON: Light(
        (34, 106, 212),
        (88, 160, 236),
        (186, 220, 246),
        (1.0, 1.0, 1.0),
        "sun",
        (0.62, 0.1),
        (255, 252, 236),
        0.0,
        False,
    ),
    TimeOfDay.AFTERNOON: Light(
        (62, 132, 212),
        (136, 186, 232),
        (240, 222, 186),
        (1.0, 0.95, 0.86),
        "sun",
        (0.74, 0.22),
        (255, 240, 200),
        0.0,
        False,
    ),
    TimeOfDay.EVENING: Light(
        (58, 50, 112),
        (214, 108, 76),
        (255, 184, 88),
        (1.0, 0.72, 0.52),
        "sun",
        (0.76, 0.52),
        (255, 180, 90),
        0.2,
        True,
    ),
    TimeOfDay.NIGHT: Light(
        (6, 9, 28),
        (16, 28, 66),
        (38, 54, 100),
        (0.34, 0.4, 0.62),
        "moon",
        (0.72, 0.17),
        (240, 240, 222),
        1.0,
        True,
    ),
}


@dataclass(frozen=True)
class Grade:
    """A mood's colour grade: applied to the finished picture."""

    saturation: float
    warmth: float
    """Added to red and taken from blue (negative: cooler)."""
    contrast: float
    brightness: float


GRADES: dict[Mood, Grade] = {
    Mood.CALM: Grade(0.9, 0.0, 0.95, 0.0),
    Mood.HAPPY: Grade(1.15, 0.04, 1.02, 0.03),
    Mood.SAD: Grade(0.55, -0.05, 0.9, -0.05),
    Mood.TENSE: Grade(0.8, -0.03, 1.18, -0.05),
    Mood.MYSTERIOUS: Grade(0.7, -0.07, 1.05, -0.06),
    Mood.ROMANTIC: Grade(1.05, 0.07, 0.95, 0.02),
    Mood.EPIC: Grade(1.1, 0.03, 1.2, 0.0),
    Mood.PLAYFUL: Grade(1.25, 0.03, 1.0, 0.04),
}


@dataclass(frozen=True)
class Overcast:
    """How weather dims and greys the light."""

    sky_grey: float
    """0 keeps the sky's colours, 1 makes it flat grey."""
    dim: float
    """Multiplier of the light's brightness."""


OVERCAST: dict[Weather, Overcast] = {
    Weather.CLEAR: Overcast(0.0, 1.0),
    Weather.CLOUDY: Overcast(0.35, 0.9),
    Weather.RAIN: Overcast(0.6, 0.72),
    Weather.SNOW: Overcast(0.5, 0.95),
    Weather.FOG: Overcast(0.55, 0.9),
    Weather.STORM: Overcast(0.75, 0.5),
}

COLOUR_WORDS: dict[str, RGB] = {
    "red": (196, 42, 40),
    "crimson": (170, 20, 50),
    "maroon": (118, 30, 40),
    "scarlet": (210, 36, 30),
    "orange": (232, 122, 34),
    "saffron": (242, 140, 28),
    "yellow": (236, 200, 52),
    "gold": (212, 166, 58),
    "golden": (212, 166, 58),
    "brass": (196, 156, 64),
    "green": (58, 138, 70),
    "blue": (46, 92, 182),
    "indigo": (52, 50, 128),
    "navy": (36, 48, 104),
    "purple": (118, 60, 150),
    "violet": (130, 84, 180),
    "pink": (230, 122, 162),
    "white": (236, 234, 226),
    "black": (36, 36, 42),
    "grey": (130, 130, 136),
    "gray": (130, 130, 136),
    "silver": (192, 196, 204),
    "brown": (118, 78, 48),
    "turquoise": (56, 178, 176),
    # Hindi stems (a stem must start the word): लाल नीला हरा पीला सफ़ेद काला भूरा गुलाबी नारंगी केसरिया ...
    "लाल": (196, 42, 40),
    "नील": (46, 92, 182),
    "हरा": (58, 138, 70),
    "हरी": (58, 138, 70),
    "हरे": (58, 138, 70),
    "पील": (236, 200, 52),
    "सफ़ेद": (236, 234, 226),
    "सफेद": (236, 234, 226),
    "काला": (36, 36, 42),
    "काली": (36, 36, 42),
    "काले": (36, 36, 42),
    "भूर": (118, 78, 48),
    "गुलाबी": (230, 122, 162),
    "नारंगी": (232, 122, 34),
    "केसरिया": (242, 140, 28),
    "बैंगनी": (118, 60, 150),
    "सुनहर": (212, 166, 58),
    "पीतल": (196, 156, 64),
    "चांदी": (192, 196, 204),
    "चाँदी": (192, 196, 204),
}


def mix(a: RGB, b: RGB, amount: float) -> RGB:
    """a moved `amount` (0..1) of the way towards b."""
    return (
        round(a[0] + (b[0] - a[0]) * amount),
        round(a[1] + (b[1] - a[1]) * amount),
        round(a[2] + (b[2] - a[2]) * amount),
    )


def lit_by(colour: RGB, tint: tuple[float, float, float]) -> RGB:
    """A colour as a light of this tint shows it."""
    return (round(colour[0] * tint[0]), round(colour[1] * tint[1]), round(colour[2] * tint[2]))


def shade(colour: RGB, factor: float) -> RGB:
    """Darker (factor < 1) or lighter (factor > 1), clipped to 0-255."""
    return (
        min(255, round(colour[0] * factor)),
        min(255, round(colour[1] * factor)),
        min(255, round(colour[2] * factor)),
    )
