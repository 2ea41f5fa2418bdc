"""Things the words mention that are cheap to draw: a lantern, a lamp, boats, a well, a tree, a fire,
and the common nouns of the shared stories (a house, a dog, a cat, a horse, an elephant, birds, a
rock, a cave, an island, a lighthouse, a road, a bed, a table; chosen by how often the stories
name them, see the visual README)."""

from __future__ import annotations

import math

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
    "house": ("house", "cottage", "door", "doorway", "window", "inn", "घर", "मकान", "दरवाज", "दरवाज़", "किवाड़", "खिड़की"),
    "dog": ("dog", "puppy", "hound", "कुत्त", "कुतिया", "पिल्ल"),
    "cat": ("cat", "kitten", "बिल्ल"),
    "horse": ("horse", "pony", "घोड़", "घोड़"),
    "elephant": ("elephant", "हाथी"),
    "bird": ("bird", "crow", "parrot", "sparrow", "पक्षी", "चिड़िया", "चिड़िया", "कौआ", "कौए", "तोता"),
    "rock": ("rock", "stone", "boulder", "पत्थर", "चट्टान"),
    "cave": ("cave", "cavern", "गुफा", "गुफ़ा"),
    "island": ("island", "islet", "द्वीप", "टापू"),
    "lighthouse": ("lighthouse", "light-house", "प्रकाशस्तंभ", "प्रकाश स्तंभ", "लाइटहाउस"),
    "road": ("road", "path", "track", "रास्त", "पगडंडी", "राह"),
    "bed": ("bed", "cot", "charpai", "बिस्तर", "चारपाई", "खाट", "पलंग"),
    "table": ("table", "मेज़", "मेज"),
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


WOOD: RGB = (120, 84, 52)


def animal(p: Painter, kind: str, x: float, base: float, size: float, facing: int) -> None:
    """A four-legged animal in profile from an ellipse body, a head, legs and a tail; `size` is its
    height at the shoulder, `facing` 1 for right. Each kind differs by shape and colour only."""
    colour = {"dog": (150, 104, 64), "cat": (90, 86, 84), "horse": (124, 78, 46), "elephant": (140, 140, 146)}[kind]
    body_w, body_h, leg = {"dog": (0.7, 0.32, 0.45), "cat": (0.6, 0.28, 0.4), "horse": (0.75, 0.3, 0.55),
                           "elephant": (0.8, 0.5, 0.4)}[kind]  # fmt: skip
    top = base - size * leg
    cy = top - size * body_h * 0.4
    for offset in (-0.55, -0.3, 0.3, 0.55):
        lx = x + offset * size * body_w
        p.rect(lx - size * 0.05 * (2 if kind == "elephant" else 1), cy, lx + size * 0.05, base, shade(colour, 0.85))
    p.ellipse(x, cy, size * body_w * 0.75, size * body_h, colour)
    front = x + facing * size * body_w * 0.7
    if kind == "horse":
        neck_top = (front + facing * size * 0.25, cy - size * 0.6)
        p.polygon([(front - facing * size * 0.1, cy - size * 0.1), (front + facing * size * 0.1, cy),
                   (neck_top[0] + facing * size * 0.06, neck_top[1] + size * 0.1), neck_top], colour)  # fmt: skip
        p.ellipse(neck_top[0] + facing * size * 0.12, neck_top[1] + size * 0.08, size * 0.16, size * 0.08, colour)
        rump = x - facing * size * body_w * 0.7
        p.line([(rump, cy - size * 0.1), (rump - facing * size * 0.1, cy + size * 0.35)], (60, 40, 30), size * 0.06)
        return
    head_r = size * {"dog": 0.17, "cat": 0.15, "elephant": 0.3}[kind]
    hx, hy = front + facing * head_r * 0.6, cy - size * body_h * 0.6
    p.ellipse(hx, hy, head_r, head_r * 0.9, colour)
    if kind == "elephant":
        p.ellipse(hx - facing * head_r * 0.5, hy, head_r * 0.6, head_r * 0.8, shade(colour, 0.85))  # the ear
        p.line([(hx + facing * head_r * 0.8, hy), (hx + facing * head_r * 1.1, hy + head_r * 1.2),
                (hx + facing * head_r * 1.3, base - size * 0.1)], colour, head_r * 0.3)  # the trunk  # fmt: skip
        return
    ear = head_r * (0.9 if kind == "cat" else 0.6)
    for side in (-0.5, 0.4):
        ex = hx + side * head_r
        crown = hy - head_r * 0.5
        p.polygon([(ex - ear * 0.4, crown), (ex + ear * 0.4, crown), (ex, crown - ear)], shade(colour, 0.8))
    tail_end = (x - facing * size * body_w * 1.1, cy - size * (0.5 if kind == "cat" else 0.25))
    p.line([(x - facing * size * body_w * 0.7, cy), tail_end], colour, size * 0.06)


def birds(p: Painter, horizon: float) -> None:
    """A few birds in flight, dark "v" shapes high in the sky."""
    for _ in range(3 + p.rng.randrange(3)):
        x, y = p.width * (0.15 + 0.7 * p.rng.random()), horizon * (0.15 + 0.45 * p.rng.random())
        span = p.unit * (0.012 + 0.01 * p.rng.random())
        p.line([(x - span, y - span * 0.5), (x, y), (x + span, y - span * 0.5)], (40, 40, 48), max(1.5, span * 0.18))


def rock(p: Painter, x: float, base: float, size: float) -> None:
    """A grey boulder with a lit top."""
    stone = (128, 124, 118)
    p.ellipse(x, base - size * 0.3, size * 0.6, size * 0.35, stone)
    p.ellipse(x - size * 0.12, base - size * 0.45, size * 0.35, size * 0.15, shade(stone, 1.15))


def cave(p: Painter, x: float, base: float, size: float) -> None:
    """A mound of rock with a dark arched mouth."""
    p.polygon(_dome(x, base, size * 0.9, size * 0.75), (110, 100, 92))
    p.polygon(_dome(x, base, size * 0.3, size * 0.42), (22, 18, 18))


def _dome(x: float, base: float, rx: float, ry: float) -> list[tuple[float, float]]:
    """The upper half of an ellipse standing on `base`."""
    return [(x + rx * math.cos(math.pi * i / 16), base - ry * math.sin(math.pi * i / 16)) for i in range(17)]


def island(p: Painter, x: float, waterline: float, size: float, depth: float) -> None:
    """A hump of sand on the water with a palm on it."""
    p.ellipse(x, waterline, size * 0.8, size * 0.18, (208, 186, 130), depth)
    p.line([(x, waterline - size * 0.1), (x + size * 0.1, waterline - size * 0.7)], shapes.TRUNK, size * 0.05, depth)
    for dx in (-0.35, -0.15, 0.2, 0.4):
        tip = (x + size * 0.1 + dx * size, waterline - size * 0.55)
        p.line([(x + size * 0.1, waterline - size * 0.72), tip], (60, 120, 60), size * 0.05, depth)


def lighthouse(p: Painter, x: float, base: float, size: float, lit: bool) -> None:
    """A white tower with red bands, a lantern room and its beam when the lamps are lit."""
    half_base, half_top, top = size * 0.12, size * 0.07, base - size
    p.polygon([(x - half_base, base), (x + half_base, base), (x + half_top, top), (x - half_top, top)], (236, 232, 224))
    for band in (0.2, 0.5):
        y0, y1 = base - size * band, base - size * (band + 0.12)
        w0, w1 = (half_base + (half_top - half_base) * b for b in (band, band + 0.12))
        p.polygon([(x - w0, y0), (x + w0, y0), (x + w1, y1), (x - w1, y1)], (186, 52, 44))
    p.rect(x - half_top * 1.3, top - size * 0.02, x + half_top * 1.3, top, (50, 50, 54))
    p.glow_rect(x - half_top, top - size * 0.12, x + half_top, top - size * 0.02, FLAME)
    p.polygon([(x - half_top * 1.2, top - size * 0.12), (x + half_top * 1.2, top - size * 0.12), (x, top - size * 0.2)],
              (50, 50, 54))  # fmt: skip
    if lit:
        beam = [(x, top - size * 0.07), (x + size * 1.2, top - size * 0.2), (x + size * 1.2, top + size * 0.06)]
        p.glow_polygon(beam, (255, 236, 170))
    p.halo(x, top - size * 0.07, size * (0.8 if lit else 0.3), (255, 210, 120), 0.7 if lit else 0.3)


def road(p: Painter, horizon: float, x: float) -> None:
    """A dirt road from the bottom of the picture narrowing to the horizon at x."""
    near = p.unit * 0.45
    p.polygon([(x - p.unit * 0.01, horizon + p.unit * 0.01), (x + p.unit * 0.01, horizon + p.unit * 0.01),
               (p.width * 0.5 + near, p.height), (p.width * 0.5 - near, p.height)], (176, 150, 110))  # fmt: skip


def bed(p: Painter, x: float, base: float, size: float) -> None:
    """A charpai: a wooden frame on four legs with a pale woven top."""
    frame = shade(WOOD, 0.6)
    p.rect(x - size * 0.5, base - size * 0.3, x - size * 0.45, base, frame)
    p.rect(x + size * 0.45, base - size * 0.3, x + size * 0.5, base, frame)
    p.rect(x - size * 0.55, base - size * 0.36, x + size * 0.55, base - size * 0.26, frame)
    p.rect(x - size * 0.5, base - size * 0.4, x + size * 0.5, base - size * 0.33, (222, 210, 180))
    p.ellipse(x - size * 0.36, base - size * 0.43, size * 0.12, size * 0.05, (240, 236, 226))  # the pillow


def table(p: Painter, x: float, base: float, size: float) -> None:
    """A wooden table: a top on two legs."""
    p.rect(x - size * 0.5, base - size * 0.5, x + size * 0.5, base - size * 0.43, shade(WOOD, 0.75))
    for side in (-1, 1):
        leg = x + side * size * 0.42
        p.rect(leg - size * 0.03, base - size * 0.43, leg + size * 0.03, base, shade(WOOD, 0.6))
