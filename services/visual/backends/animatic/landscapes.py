"""One painter per place: far layers first, faded into the haze, then nearer and darker ones.

Every landscape leaves land across the bottom fifth of the picture, where people stand.
`horizon` is in pixels; `lit` says whether windows and lamps are on (dawn, evening, night).
"""

from __future__ import annotations

from collections.abc import Callable

from services.visual.backends.animatic import shapes
from services.visual.backends.animatic.paint import Painter
from services.visual.backends.animatic.palette import RGB, mix, shade
from services.visual.backends.animatic.places import Place

GRASS: RGB = (98, 150, 74)
FAR_HILLS: RGB = (96, 138, 110)
ROCK: RGB = (112, 110, 132)
SNOW: RGB = (240, 242, 246)
SAND: RGB = (226, 194, 138)
WATER: RGB = (58, 118, 170)
PLASTER: RGB = (214, 184, 140)
MUD: RGB = (176, 124, 82)
THATCH: RGB = (170, 132, 70)
ROOF_TILE: RGB = (164, 70, 52)
STONE: RGB = (182, 170, 152)
ASPHALT: RGB = (92, 94, 100)
FOLIAGE: RGB = (58, 112, 64)
PINE: RGB = (40, 92, 70)

Landscape = Callable[[Painter, float, bool], None]


def far_hills(p: Painter, horizon: float, depth: float = 0.7) -> None:
    p.fill_below(p.wavy_line(horizon - p.unit * 0.05, p.unit * 0.05, 3), FAR_HILLS, depth)


def near_ground(p: Painter, top: float, colour: RGB = GRASS) -> None:
    p.fill_below(p.wavy_line(top, p.unit * 0.012, 2), p.ground(colour))


def water_band(p: Painter, top: float, bottom: float) -> None:
    """Water mirroring the sky: bands from the horizon's colour to the sky's higher up, and glints."""
    p.water.append((top, bottom))
    near, far = p.reflection
    bands = 7
    for band in range(bands):
        colour = mix(mix(near, far, band / (bands - 1)), WATER, 0.3)
        y0 = top + (bottom - top) * (band / bands) ** 1.3
        y1 = top + (bottom - top) * ((band + 1) / bands) ** 1.3
        p.rect(-10, y0, p.width + 10, y1 + 1, p.untinted(colour))
    glint = p.untinted(mix(near, (255, 255, 255), 0.5))
    for _ in range(int(p.width / 30)):
        y = top + (bottom - top) * p.rng.random() ** 0.7
        x = p.width * p.rng.random()
        length = p.unit * (0.02 + 0.07 * p.rng.random()) * (y - top + 5) / (bottom - top)
        p.line([(x, y), (x + length, y)], glint, p.unit * 0.003)


def tree_row(p: Painter, base_y: float, size: float, depth: float, count: int, pines: bool = False) -> None:
    for index in range(count):
        x = p.width * (index + p.rng.random()) / count
        height = size * (0.7 + 0.6 * p.rng.random())
        if pines:
            shapes.pine(p, x, base_y, height, PINE, depth)
        else:
            shapes.round_tree(p, x, base_y, height, FOLIAGE, depth)


def countryside(p: Painter, horizon: float, lit: bool) -> None:
    far_hills(p, horizon)
    p.fill_below(p.wavy_line(horizon + p.unit * 0.03, p.unit * 0.03, 2), p.ground(GRASS), 0.35)
    tree_row(p, horizon + p.unit * 0.05, p.unit * 0.1, 0.3, 4)
    near_ground(p, horizon + p.unit * 0.16)


def village(p: Painter, horizon: float, lit: bool) -> None:
    far_hills(p, horizon)
    p.fill_below(p.wavy_line(horizon + p.unit * 0.02, p.unit * 0.015, 2), p.ground(GRASS), 0.3)
    count = 5 + p.rng.randrange(3)
    for index in range(count):
        x = p.width * (index + 0.2 + 0.6 * p.rng.random()) / count
        size = p.unit * (0.1 + 0.05 * p.rng.random())
        base = horizon + p.unit * (0.07 + 0.03 * p.rng.random())
        if p.rng.random() < 0.4:
            shapes.hut(p, x, base, size, MUD, THATCH, 0.22, lit)
        else:
            shapes.house(p, x, base, size, PLASTER, ROOF_TILE, 0.22, lit)
    tree_row(p, horizon + p.unit * 0.12, p.unit * 0.12, 0.15, 3)
    near_ground(p, horizon + p.unit * 0.17)
    centre = p.width / 2
    p.polygon(
        [
            (centre - p.unit * 0.03, horizon + p.unit * 0.17),
            (centre + p.unit * 0.03, horizon + p.unit * 0.17),
            (centre + p.unit * 0.3, p.height),
            (centre - p.unit * 0.22, p.height),
        ],
        p.ground(shade(SAND, 0.85)),
    )


def river(p: Painter, horizon: float, lit: bool) -> None:
    far_hills(p, horizon)
    p.fill_below(p.wavy_line(horizon, p.unit * 0.01, 2), p.ground(GRASS), 0.35)
    tree_row(p, horizon + p.unit * 0.015, p.unit * 0.07, 0.35, 9)
    water_band(p, horizon + p.unit * 0.03, horizon + p.unit * 0.2)
    near_ground(p, horizon + p.unit * 0.2)


def lake(p: Painter, horizon: float, lit: bool) -> None:
    mountains_far(p, horizon, 0.6)
    water_band(p, horizon, horizon + p.unit * 0.22)
    near_ground(p, horizon + p.unit * 0.22)
    tree_row(p, horizon + p.unit * 0.3, p.unit * 0.3, 0.0, 2, pines=True)


def sea(p: Painter, horizon: float, lit: bool) -> None:
    water_band(p, horizon, p.height * 0.8)
    shore = [(x, y + p.unit * 0.01) for x, y in p.wavy_line(p.height * 0.78, p.unit * 0.015, 2)]
    p.fill_below(shore, mix(SAND, (250, 250, 250), 0.3))
    p.fill_below(p.wavy_line(p.height * 0.79, p.unit * 0.015, 2), p.ground(SAND))


def forest(p: Painter, horizon: float, lit: bool) -> None:
    p.fill_below(p.wavy_line(horizon, p.unit * 0.01, 2), p.ground(shade(GRASS, 0.8)), 0.5)
    tree_row(p, horizon + p.unit * 0.02, p.unit * 0.22, 0.65, 16, pines=True)
    tree_row(p, horizon + p.unit * 0.1, p.unit * 0.3, 0.35, 9, pines=True)
    near_ground(p, horizon + p.unit * 0.16, shade(GRASS, 0.75))
    for side in (0.04, 0.93):
        x = p.width * (side + 0.04 * p.rng.random())
        shapes.pine(p, x, p.height * 1.02, p.unit * 0.95, shade(PINE, 0.8), 0.0)


def mountains_far(p: Painter, horizon: float, depth: float) -> None:
    skyline = p.jagged_line(horizon, p.unit * 0.3, 4)
    p.fill_below(skyline, ROCK, depth)
    for (x0, y0), (x1, y1), (x2, y2) in zip(skyline, skyline[1:], skyline[2:], strict=False):
        if y1 < y0 and y1 < y2 and horizon - y1 > p.unit * 0.15:
            cap = 0.3
            p.polygon(
                [
                    (x1, y1),
                    (x1 + (x2 - x1) * cap, y1 + (y2 - y1) * cap),
                    (x1, y1 + (y2 - y1) * cap * 0.6),
                    (x1 + (x0 - x1) * cap, y1 + (y0 - y1) * cap),
                ],
                SNOW,
                depth,
            )


def mountains(p: Painter, horizon: float, lit: bool) -> None:
    mountains_far(p, horizon, 0.6)
    p.fill_below(p.jagged_line(horizon + p.unit * 0.06, p.unit * 0.16, 6), shade(ROCK, 0.85), 0.35)
    p.fill_below(p.wavy_line(horizon + p.unit * 0.1, p.unit * 0.03, 2), p.ground(GRASS), 0.15)
    near_ground(p, horizon + p.unit * 0.18)


def hills(p: Painter, horizon: float, lit: bool) -> None:
    far_hills(p, horizon, 0.7)
    for layer, depth in enumerate((0.45, 0.25)):
        top = horizon + p.unit * (0.0 + 0.06 * layer)
        p.fill_below(p.wavy_line(top, p.unit * 0.06, 2), p.ground(shade(GRASS, 1.1 - 0.1 * layer)), depth)
    peak_x = p.width * (0.3 + 0.4 * p.rng.random())
    shapes.round_tree(p, peak_x, horizon + p.unit * 0.1, p.unit * 0.12, FOLIAGE, 0.2)
    near_ground(p, horizon + p.unit * 0.2)
    p.line(
        [
            (p.width * 0.45, p.height),
            (p.width * 0.55, p.height * 0.9),
            (p.width * 0.48, p.height * 0.84),
            (peak_x, horizon + p.unit * 0.12),
        ],
        p.ground(shade(SAND, 0.9), 0.2),
        p.unit * 0.012,
    )


def skyline(p: Painter, horizon: float, depth: float) -> None:
    x = -10.0
    while x < p.width:
        width = p.unit * (0.06 + 0.08 * p.rng.random())
        p.rect(x, horizon - p.unit * (0.08 + 0.2 * p.rng.random()), x + width, horizon + 5, (120, 126, 146), depth)
        x += width * (0.9 + 0.2 * p.rng.random())


def city(p: Painter, horizon: float, lit: bool) -> None:
    skyline(p, horizon, 0.6)
    x = -p.unit * 0.05
    while x < p.width:
        width = p.unit * (0.16 + 0.12 * p.rng.random())
        wall = mix((170, 120, 96), (150, 156, 170), p.rng.random())
        shapes.building(
            p, x, x + width, horizon + p.unit * 0.14, horizon - p.unit * (0.12 + 0.18 * p.rng.random()), wall, 0.2, lit
        )
        x += width + p.unit * 0.015
    p.fill_below([(-10, horizon + p.unit * 0.14), (p.width + 10, horizon + p.unit * 0.14)], p.ground(STONE), 0.0)
    p.fill_below([(-10, p.height * 0.86), (p.width + 10, p.height * 0.86)], p.ground(ASPHALT), 0.0)


def market(p: Painter, horizon: float, lit: bool) -> None:
    skyline(p, horizon, 0.55)
    p.fill_below([(-10, horizon + p.unit * 0.02), (p.width + 10, horizon + p.unit * 0.02)], p.ground(SAND), 0.1)
    stripes = ((196, 52, 44), (236, 196, 60), (46, 120, 170), (60, 140, 80))
    count = 4 + p.rng.randrange(2)
    for index in range(count):
        x0 = p.width * index / count + p.unit * 0.02
        x1 = p.width * (index + 1) / count - p.unit * 0.02
        awning = stripes[p.rng.randrange(len(stripes))]
        stall(p, x0, x1, horizon + p.unit * 0.16, awning)


def stall(p: Painter, x0: float, x1: float, base: float, awning: RGB) -> None:
    """A market stall: posts, a striped awning, a counter with heaps of goods."""
    top = base - p.unit * 0.24
    for x in (x0, x1):
        p.rect(x - p.unit * 0.005, top, x + p.unit * 0.005, base, shapes.TRUNK, 0.1)
    stripes = 6
    for index in range(stripes):
        colour = awning if index % 2 == 0 else (240, 236, 226)
        left = x0 + (x1 - x0) * index / stripes
        right = x0 + (x1 - x0) * (index + 1) / stripes
        p.polygon(
            [
                (left, top),
                (right, top),
                (right + p.unit * 0.01, top + p.unit * 0.06),
                (left + p.unit * 0.01, top + p.unit * 0.06),
            ],
            colour,
            0.1,
        )
    p.rect(x0, base - p.unit * 0.08, x1, base, shade(shapes.TRUNK, 1.3), 0.1)
    for heap in range(5):
        hx = x0 + (x1 - x0) * (heap + 0.5) / 5
        fruit = ((226, 120, 40), (200, 50, 50), (120, 170, 60), (236, 200, 60))[p.rng.randrange(4)]
        p.ellipse(hx, base - p.unit * 0.085, (x1 - x0) * 0.08, p.unit * 0.025, fruit, 0.1)


def desert(p: Painter, horizon: float, lit: bool) -> None:
    for layer, depth in enumerate((0.55, 0.3, 0.0)):
        top = horizon + p.unit * (0.0 + 0.08 * layer)
        p.fill_below(p.wavy_line(top, p.unit * 0.04, 2, step=10), shade(SAND, 1.0 - 0.07 * layer), depth)


def field(p: Painter, horizon: float, lit: bool) -> None:
    tree_row(p, horizon + p.unit * 0.01, p.unit * 0.06, 0.5, 12)
    p.fill_below([(-10, horizon), (p.width + 10, horizon)], p.ground(GRASS), 0.3)
    crop = (196, 170, 80) if p.rng.random() < 0.5 else (120, 170, 70)
    vanishing = p.width * (0.3 + 0.4 * p.rng.random())
    rows = 14
    for index in range(0, rows, 2):
        left = p.width * (index / rows * 1.6 - 0.3)
        right = p.width * ((index + 1) / rows * 1.6 - 0.3)
        p.polygon([(vanishing, horizon + 2), (left, p.height), (right, p.height)], p.ground(crop), 0.0)


def palace(p: Painter, horizon: float, lit: bool) -> None:
    far_hills(p, horizon, 0.75)
    sandstone = (222, 196, 160)
    centre = p.width * (0.4 + 0.2 * p.rng.random())
    base = horizon + p.unit * 0.1
    p.rect(p.width * 0.08, base - p.unit * 0.14, p.width * 0.92, base, shade(sandstone, 0.92), 0.3)
    for offset in (-0.3, 0.3):
        shapes.dome_tower(p, centre + offset * p.width, base, p.unit * 0.34, sandstone, 0.3)
    shapes.dome_tower(p, centre, base, p.unit * 0.5, sandstone, 0.25)
    p.fill_below([(-10, base), (p.width + 10, base)], p.ground(STONE), 0.05)


def interior(p: Painter, horizon: float, lit: bool) -> None:
    """A room: a back wall with a window onto the sky, a floor of planks, a door, a shelf."""
    floor_y = p.height * 0.7
    p.rect(-10, -10, p.width + 10, floor_y, PLASTER)
    p.fill_below([(-10, floor_y), (p.width + 10, floor_y)], (136, 94, 60))
    for plank in range(1, 8):
        y = floor_y + (p.height - floor_y) * (plank / 8) ** 1.6
        p.line([(0, y), (p.width, y)], (112, 76, 48), p.unit * 0.003)
    left = p.rng.random() < 0.5
    window_x = p.width * (0.22 if left else 0.62)
    frame = (window_x, p.height * 0.18, window_x + p.unit * 0.3, p.height * 0.48)
    p.rect(frame[0] - 8, frame[1] - 8, frame[2] + 8, frame[3] + 8, shapes.TRUNK)
    p.cut([(frame[0], frame[1]), (frame[2], frame[1]), (frame[2], frame[3]), (frame[0], frame[3])])
    middle = (frame[0] + frame[2]) / 2
    p.rect(middle - 4, frame[1], middle + 4, frame[3], shapes.TRUNK)
    door_x = p.width * (0.8 if left else 0.12)
    p.rect(door_x, p.height * 0.26, door_x + p.unit * 0.2, floor_y, shade(shapes.TRUNK, 1.2))
    shelf_x = p.width * (0.5 if left else 0.35)
    p.rect(shelf_x, p.height * 0.34, shelf_x + p.unit * 0.24, p.height * 0.35, shapes.TRUNK)
    for pot in range(3):
        p.ellipse(
            shelf_x + p.unit * (0.04 + 0.08 * pot), p.height * 0.315, p.unit * 0.028, p.unit * 0.028, (170, 92, 60)
        )
    if lit:
        lamp_x = shelf_x + p.unit * 0.2
        p.glow_ellipse(lamp_x, p.height * 0.31, p.unit * 0.012, p.unit * 0.02, (255, 214, 130))
        p.halo(lamp_x, p.height * 0.31, p.unit * 0.5, (255, 170, 80), 0.5)


LANDSCAPES: dict[Place, Landscape] = {
    Place.INTERIOR: interior,
    Place.MARKET: market,
    Place.PALACE: palace,
    Place.CITY: city,
    Place.VILLAGE: village,
    Place.SEA: sea,
    Place.LAKE: lake,
    Place.RIVER: river,
    Place.FOREST: forest,
    Place.DESERT: desert,
    Place.HILLS: hills,
    Place.MOUNTAINS: mountains,
    Place.FIELD: field,
    Place.COUNTRYSIDE: countryside,
}


def draw_waterfront(p: Painter, horizon: float) -> None:
    """A strip of river or lake between a land scene and the near bank, when the words mention water."""
    water_band(p, horizon + p.unit * 0.12, horizon + p.unit * 0.2)
    near_ground(p, horizon + p.unit * 0.2)
