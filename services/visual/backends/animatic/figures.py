"""People as flat stylised figures whose look comes from their description.

A character's look depends only on its id, name and description, never on the shot, so the
same character looks the same in every shot: "a thin boy of ten in a red scarf" is a small
figure with a red scarf, "बूढ़ी दादी" an old woman with grey hair and a stick. What the words
leave open (the colour of a shirt, the skin tone) comes from a stable hash of the id.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from services.visual.backends.animatic.paint import Painter, Point
from services.visual.backends.animatic.palette import COLOUR_WORDS, RGB, shade
from services.visual.backends.animatic.words import mentions, normalise
from storyreel.domain import Character

SKIN_TONES: tuple[RGB, ...] = ((236, 196, 160), (214, 164, 120), (186, 132, 92), (150, 100, 66), (118, 78, 52))
CLOTHES: tuple[RGB, ...] = (
    (70, 96, 150),
    (150, 64, 58),
    (72, 120, 84),
    (168, 120, 60),
    (110, 74, 130),
    (60, 120, 130),
    (190, 150, 70),
    (120, 90, 70),
)
DARK_HAIR: RGB = (38, 30, 26)
GREY_HAIR: RGB = (206, 204, 200)

CHILD = (
    "boy",
    "girl",
    "child",
    "kid",
    "son",
    "daughter",
    "grandson",
    "granddaughter",
    "baby",
    "लड़का",
    "लड़की",
    "बच्चा",
    "बच्ची",
    "बच्चे",
    "पोता",
    "पोती",
    "नाती",
    "नातिन",
    "बेटा",
    "बेटी",
    "बालक",
    "बालिका",
)
OLD = (
    "old",
    "elderly",
    "aged",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "granny",
    "बूढ़ा",
    "बूढ़ी",
    "बूढ़े",
    "वृद्ध",
    "दादी",
    "दादा",
    "नानी",
    "नाना",
)
DRESSED = (
    "woman",
    "girl",
    "lady",
    "mother",
    "grandmother",
    "grandma",
    "granny",
    "queen",
    "princess",
    "wife",
    "sister",
    "daughter",
    "granddaughter",
    "aunt",
    "sari",
    "saree",
    "dress",
    "frock",
    "skirt",
    "robe",
    "gown",
    "महिला",
    "औरत",
    "लड़की",
    "दादी",
    "नानी",
    "माँ",
    "माता",
    "रानी",
    "बेटी",
    "पोती",
    "बहन",
    "साड़ी",
    "फ्रॉक",
    "घाघरा",
    "बच्ची",
)
BEARD = ("beard", "bearded", "दाढ़ी")
ACCESSORIES: dict[str, tuple[str, ...]] = {
    "scarf": ("scarf", "shawl", "muffler", "dupatta", "stole", "दुपट्टा", "शॉल", "चुन्नी"),
    "turban": ("turban", "pagdi", "पगड़ी", "साफा"),
    "hat": ("hat", "cap", "topi", "टोपी"),
}
CLOTHING_NOUNS = (
    "shirt",
    "kurta",
    "dress",
    "frock",
    "sari",
    "saree",
    "robe",
    "coat",
    "dhoti",
    "skirt",
    "tunic",
    "cloak",
    "jacket",
    "gown",
    "clothes",
    "फ्रॉक",
    "साड़ी",
    "कुर्ता",
    "धोती",
    "कपड़े",
    "कमीज़",
    "कमीज",
)
HAIR_NOUNS = ("hair", "beard", "बाल", "दाढ़ी")


@dataclass(frozen=True)
class Look:
    clothing: RGB
    skin: RGB
    hair: RGB
    accessory: str | None
    accent: RGB
    height: float
    """1.0 for an adult, less for a child."""
    dress: bool
    stooped: bool
    beard: bool


def _stable(key: str, choices: tuple[RGB, ...], salt: str) -> RGB:
    return choices[zlib.crc32(f"{salt}:{key}".encode()) % len(choices)]


_COLOURS = {normalise(word): colour for word, colour in COLOUR_WORDS.items()}


def _colour_of(token: str) -> RGB | None:
    """The colour a word names: an English colour word, or a word starting with a Hindi colour stem."""
    for word, colour in _COLOURS.items():
        if token == word or (not word.isascii() and token.startswith(word)):
            return colour
    return None


def _colour_before(tokens: list[str], nouns: tuple[str, ...]) -> RGB | None:
    """The colour named just before one of the nouns ("red scarf", "नीली फ्रॉक")."""
    wanted = {normalise(noun) for noun in nouns}
    for index, token in enumerate(tokens):
        if token in wanted or token.rstrip("s") in wanted:
            for before in reversed(tokens[max(0, index - 3) : index]):
                colour = _colour_of(before)
                if colour:
                    return colour
    return None


def look_of(character: Character) -> Look:
    """How a character is drawn, from its words (and its id for what the words leave open)."""
    text = f"{character.name} {' '.join(character.aliases)} {character.description}"
    tokens = re.findall(r"[\w\u0900-\u097F]+", normalise(text))
    accessory = next((name for name, words in ACCESSORIES.items() if mentions(text, words)), None)
    named_colours = [colour for colour in map(_colour_of, tokens) if colour]
    accent = _colour_before(tokens, ACCESSORIES[accessory]) if accessory else None
    clothing = _colour_before(tokens, CLOTHING_NOUNS) or next((c for c in named_colours if c != accent), None)
    old = mentions(text, OLD) > 0
    hair = _colour_before(tokens, HAIR_NOUNS) or (GREY_HAIR if old else DARK_HAIR)
    return Look(
        clothing=clothing or _stable(character.id, CLOTHES, "clothes"),
        skin=_stable(character.id, SKIN_TONES, "skin"),
        hair=hair,
        accessory=accessory,
        accent=accent or _stable(character.id, CLOTHES, "accent"),
        height=0.68 if mentions(text, CHILD) else 1.0,
        dress=mentions(text, DRESSED) > 0,
        stooped=old,
        beard=mentions(text, BEARD) > 0,
    )


@dataclass(frozen=True)
class Pose:
    x: float
    feet_y: float
    height: float
    """An adult's height in pixels at this distance; a child is drawn smaller."""
    facing: int
    """+1 faces right, -1 faces left."""


def draw_figure(p: Painter, look: Look, pose: Pose) -> Point:
    """Draw one person; returns where the front hand is (to hold a lantern)."""
    h = pose.height * look.height
    x, feet, f = pose.x, pose.feet_y, pose.facing
    lean = h * 0.07 * f if look.stooped else 0.0
    head_r = h * (0.1 if look.height < 1 else 0.085)
    head = (x + lean * 1.3, feet - h + head_r)
    shoulder_y, hip_y = feet - h + head_r * 2.1, feet - h * 0.47
    _legs_and_body(p, look, x, lean, h, feet, shoulder_y, hip_y)
    hand = _arms(p, look, x + lean, h, shoulder_y, hip_y, f)
    _head(p, look, head, head_r, f, h)
    if look.stooped:
        p.line([hand, (hand[0] + h * 0.05 * f, feet)], (96, 66, 40), h * 0.018)
    return hand


def _legs_and_body(
    p: Painter, look: Look, x: float, lean: float, h: float, feet: float, shoulder_y: float, hip_y: float
) -> None:
    shoulder, hip = h * 0.12, h * 0.1
    if look.dress:
        hem = h * 0.17
        p.polygon(
            [
                (x + lean - shoulder, shoulder_y),
                (x + lean + shoulder, shoulder_y),
                (x + hem, feet - h * 0.03),
                (x - hem, feet - h * 0.03),
            ],
            look.clothing,
        )
        p.rect(x - hem * 0.6, feet - h * 0.035, x + hem * 0.6, feet, shade(look.skin, 0.6))
        return
    trousers = shade(look.clothing, 0.5)
    for side in (-1, 1):
        p.polygon(
            [
                (x + side * hip * 0.1, hip_y),
                (x + side * hip, hip_y),
                (x + side * hip * 0.75, feet),
                (x + side * hip * 0.2, feet),
            ],
            trousers,
        )
    p.polygon(
        [
            (x + lean - shoulder, shoulder_y),
            (x + lean + shoulder, shoulder_y),
            (x + hip, hip_y + h * 0.04),
            (x - hip, hip_y + h * 0.04),
        ],
        look.clothing,
    )


def _arms(p: Painter, look: Look, x: float, h: float, shoulder_y: float, hip_y: float, facing: int) -> Point:
    sleeve = shade(look.clothing, 0.85)
    hand: Point = (x, hip_y)
    for side in (-1, 1):
        top = (x + side * h * 0.12, shoulder_y + h * 0.02)
        reach = 0.2 if side == facing else 0.15
        end = (x + side * h * reach, hip_y - h * (0.02 if side == facing else -0.02))
        p.line([top, end], sleeve, h * 0.055)
        p.ellipse(end[0], end[1], h * 0.027, h * 0.027, look.skin)
        if side == facing:
            hand = end
    return hand


def _head(p: Painter, look: Look, head: Point, r: float, facing: int, h: float) -> None:
    hx, hy = head
    p.rect(hx - r * 0.35, hy + r * 0.6, hx + r * 0.35, hy + r * 1.3, look.skin)
    if look.accessory == "scarf":
        p.polygon(
            [
                (hx - r * 1.15, hy + r * 0.95),
                (hx + r * 1.15, hy + r * 0.95),
                (hx + r * 1.1, hy + r * 1.5),
                (hx - r * 1.1, hy + r * 1.5),
            ],
            look.accent,
        )
        tail_x = hx - facing * r * 0.7
        p.polygon(
            [
                (tail_x - r * 0.3, hy + r * 1.3),
                (tail_x + r * 0.3, hy + r * 1.3),
                (tail_x + r * 0.1, hy + r * 3),
                (tail_x - r * 0.5, hy + r * 2.9),
            ],
            look.accent,
        )
    if look.dress:
        p.ellipse(hx - facing * r * 0.9, hy - r * 0.3, r * 0.45, r * 0.45, look.hair)
    p.ellipse(hx - facing * r * 0.08, hy - r * 0.12, r * 1.04, r * 1.04, look.hair)
    p.ellipse(hx + facing * r * 0.08, hy + r * 0.1, r * 0.9, r * 0.96, look.skin)
    if look.beard:
        p.polygon(
            [
                (hx - r * 0.75, hy + r * 0.45),
                (hx + r * 0.85, hy + r * 0.45),
                (hx + r * 0.6, hy + r * 0.95),
                (hx + r * 0.15 * facing, hy + r * 1.35),
                (hx - r * 0.55, hy + r * 0.95),
            ],
            look.hair,
        )
    if look.accessory == "turban":
        p.ellipse(hx, hy - r * 0.6, r * 1.15, r * 0.65, look.accent)
    elif look.accessory == "hat":
        p.ellipse(hx, hy - r * 0.55, r * 1.5, r * 0.25, look.accent)
        p.rect(hx - r * 0.8, hy - r * 1.4, hx + r * 0.8, hy - r * 0.55, look.accent)
    if h > p.unit * 0.45:
        for eye in (-0.35, 0.35):
            p.ellipse(hx + (eye + 0.3 * facing) * r, hy + r * 0.12, r * 0.08, r * 0.1, (30, 24, 22))
