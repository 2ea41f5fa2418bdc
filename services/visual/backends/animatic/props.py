"""Things the words mention that are cheap to draw: a lantern, a lamp, boats, a well, a tree, a fire."""

from __future__ import annotations

from services.visual.backends.animatic import shapes
from services.visual.backends.animatic.paint import Painter
from services.visual.backends.animatic.palette import RGB, shade
from services.visual.backends.animatic.words import mentions

FLAME: RGB = (255, 200, 96)
BRASS: RGB = (184, 142, 60)

PROP_WORDS: dict[str, tuple[str, ...]] = {
    "lantern": ("lantern", "लालटेन", "कंदील"),
    "lamp": ("lamp", "diya", "candle", "दीपक", "दीया", "दिया", "दीये", "मोमबत्ती"),
    "boat": ("boat", "ship", "canoe", "fishermen", "fisherman", "नाव", "नौका", "मछुआरे", "मछुआरा"),
    "well": ("a well", "the well", "old well", "stone well", "village well", "कुआँ", "कुएँ", "कुआं", "कुएं"),
    "tree": ("tree", "banyan", "peepal", "पेड़", "वृक्ष", "बरगद", "पीपल"),
    "fire": ("fire", "campfire", "bonfire", "आग", "अलाव"),
    "moon": ("moon", "moonlight", "चाँद", "चांद", "चंद्रमा", "चन्द्रमा"),
}


SETTING_WORDS: dict[str, tuple[str, ...]] = {"well": ("well",)}
"""A setting is a list of nouns ("well, India"), so there a bare "well" is the noun, not the adverb."""


def props_in(text: str, setting: str = "") -> set[str]:
    """The props the words (and the scene's setting) mention."""
    found = {name for name, words in PROP_WORDS.items() if mentions(f"{setting} {text}", words)}
    return found | {name for name, words in SETTING_WORDS.items() if mentions(setting, words)}


def lantern(p: Painter, x: float, top: float, size: float, lit: bool) -> None:
    """A hand lantern hanging from (x, top): a handle, a brass cap and base, a glowing glass."""
    p.line([(x - size * 0.25, top + size * 0.25), (x, top), (x + size * 0.25, top + size * 0.25)], BRASS, size * 0.06)
    p.polygon(
        [
            (x - size * 0.3, top + size * 0.3),
            (x + size * 0.3, top + size * 0.3),
            (x + size * 0.2, top + size * 0.2),
            (x - size * 0.2, top + size * 0.2),
        ],
        BRASS,
    )
    p.glow_rect(x - size * 0.22, top + size * 0.3, x + size * 0.22, top + size * 0.8, FLAME)
    p.rect(x - size * 0.3, top + size * 0.8, x + size * 0.3, top + size * 0.9, BRASS)
    p.halo(x, top + size * 0.55, size * (4.5 if lit else 2.0), (255, 170, 70), 0.75 if lit else 0.3)


def lamp(p: Painter, x: float, base: float, size: float, lit: bool) -> None:
    """A clay oil lamp (diya) with its flame."""
    p.polygon(
        [
            (x - size * 0.5, base - size * 0.25),
            (x + size * 0.5, base - size * 0.25),
            (x + size * 0.3, base),
            (x - size * 0.3, base),
        ],
        (160, 84, 50),
    )
    p.glow_polygon(
        [
            (x - size * 0.1, base - size * 0.25),
            (x + size * 0.1, base - size * 0.25),
            (x + size * 0.02, base - size * 0.75),
        ],
        FLAME,
    )
    p.halo(x, base - size * 0.4, size * (5.0 if lit else 2.0), (255, 160, 60), 0.8 if lit else 0.3)


def boat(p: Painter, x: float, waterline: float, size: float, depth: float, lit: bool) -> None:
    """A small fishing boat with a sail (and a lamp at its bow when the lamps are lit)."""
    hull = (96, 62, 40)
    p.polygon(
        [
            (x - size * 0.6, waterline - size * 0.2),
            (x + size * 0.6, waterline - size * 0.2),
            (x + size * 0.4, waterline + size * 0.02),
            (x - size * 0.45, waterline + size * 0.02),
        ],
        hull,
        depth,
    )
    p.line([(x, waterline - size * 0.2), (x, waterline - size * 1.1)], hull, size * 0.04, depth)
    p.polygon(
        [
            (x + size * 0.03, waterline - size * 1.05),
            (x + size * 0.5, waterline - size * 0.3),
            (x + size * 0.03, waterline - size * 0.3),
        ],
        (236, 226, 206),
        depth,
    )
    if lit:
        p.glow_ellipse(x - size * 0.5, waterline - size * 0.3, size * 0.05, size * 0.05, FLAME)
        p.halo(x - size * 0.5, waterline - size * 0.3, size * 0.8, (255, 170, 70), 0.5)


def well(p: Painter, x: float, base: float, size: float, depth: float) -> None:
    """A round stone well with two posts, a crossbar and a bucket."""
    stone = (170, 160, 150)
    top = base - size * 0.35
    p.rect(x - size * 0.45, top, x + size * 0.45, base, stone, depth)
    for row in range(1, 3):
        y = top + size * 0.35 * row / 3
        p.line([(x - size * 0.45, y), (x + size * 0.45, y)], shade(stone, 0.8), size * 0.015, depth)
    p.ellipse(x, top, size * 0.45, size * 0.08, shade(stone, 1.1), depth)
    p.ellipse(x, top, size * 0.36, size * 0.05, (40, 36, 34), depth)
    for side in (-1, 1):
        p.rect(x + side * size * 0.4, top - size * 0.55, x + side * size * 0.35, top, shapes.TRUNK, depth)
    p.rect(x - size * 0.45, top - size * 0.58, x + size * 0.45, top - size * 0.52, shapes.TRUNK, depth)
    p.line([(x, top - size * 0.52), (x, top - size * 0.3)], (60, 50, 40), size * 0.01, depth)
    p.rect(x - size * 0.06, top - size * 0.3, x + size * 0.06, top - size * 0.2, (120, 110, 100), depth)


def fire(p: Painter, x: float, base: float, size: float) -> None:
    """A small fire: crossed logs under layered flames."""
    for side in (-1, 1):
        p.line([(x - side * size * 0.5, base), (x + side * size * 0.5, base - size * 0.15)], shapes.TRUNK, size * 0.1)
    p.glow_polygon(
        [
            (x - size * 0.4, base - size * 0.05),
            (x + size * 0.4, base - size * 0.05),
            (x + size * 0.1, base - size * 1.0),
            (x - size * 0.05, base - size * 0.6),
        ],
        (250, 130, 40),
    )
    p.glow_polygon(
        [
            (x - size * 0.2, base - size * 0.05),
            (x + size * 0.22, base - size * 0.05),
            (x + size * 0.02, base - size * 0.65),
        ],
        FLAME,
    )
    p.halo(x, base - size * 0.4, size * 4.0, (255, 140, 50), 0.8)
