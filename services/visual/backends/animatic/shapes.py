"""Things the scenery is built from: trees, houses, buildings, domes. Each stands on (x, base_y),
is `size` pixels tall, and fades with `depth` like everything else the Painter draws."""

from __future__ import annotations

from services.visual.backends.animatic.paint import Painter
from services.visual.backends.animatic.palette import RGB, shade

TRUNK: RGB = (92, 62, 40)
WINDOW_GLOW: RGB = (255, 206, 120)


def pine(p: Painter, x: float, base_y: float, size: float, colour: RGB, depth: float = 0.0) -> None:
    """A conifer: three stacked triangles on a short trunk."""
    p.rect(x - size * 0.04, base_y - size * 0.2, x + size * 0.04, base_y, TRUNK, depth)
    for tier in range(3):
        bottom = base_y - size * (0.12 + 0.24 * tier)
        half = size * (0.3 - 0.07 * tier)
        tip = bottom - size * 0.42
        p.polygon([(x - half, bottom), (x + half, bottom), (x, tip)], shade(colour, 1 + 0.08 * tier), depth)


def round_tree(p: Painter, x: float, base_y: float, size: float, colour: RGB, depth: float = 0.0) -> None:
    """A broad-leaved tree: a trunk under a cluster of round crowns."""
    p.polygon(
        [
            (x - size * 0.05, base_y),
            (x + size * 0.05, base_y),
            (x + size * 0.025, base_y - size * 0.6),
            (x - size * 0.025, base_y - size * 0.6),
        ],
        TRUNK,
        depth,
    )
    for dx, dy, r, light in ((-0.18, 0.62, 0.22, 0.92), (0.18, 0.6, 0.22, 0.95), (0.0, 0.78, 0.27, 1.05)):
        p.ellipse(x + dx * size, base_y - dy * size, r * size, r * size * 0.9, shade(colour, light), depth)


def house(p: Painter, x: float, base_y: float, size: float, wall: RGB, roof: RGB, depth: float, lit: bool) -> None:
    """A cottage: walls, a pitched roof, a door and a window that glows when the lamps are lit."""
    half = size * 0.5
    top = base_y - size * 0.6
    p.rect(x - half, top, x + half, base_y, wall, depth)
    p.polygon([(x - half * 1.18, top), (x + half * 1.18, top), (x, top - size * 0.45)], roof, depth)
    p.rect(x - size * 0.1, base_y - size * 0.34, x + size * 0.08, base_y, shade(wall, 0.45), depth)
    window = (x + size * 0.18, base_y - size * 0.44, x + size * 0.36, base_y - size * 0.28)
    if lit:
        p.glow_rect(*window, WINDOW_GLOW)
        p.halo((window[0] + window[2]) / 2, (window[1] + window[3]) / 2, size * 0.35, WINDOW_GLOW, 0.35)
    else:
        p.rect(*window, shade(wall, 0.5), depth)


def hut(p: Painter, x: float, base_y: float, size: float, wall: RGB, thatch: RGB, depth: float, lit: bool) -> None:
    """A mud hut with a round thatched roof."""
    half = size * 0.45
    top = base_y - size * 0.5
    p.rect(x - half, top, x + half, base_y, wall, depth)
    p.polygon(
        [
            (x - half * 1.3, top + size * 0.06),
            (x + half * 1.3, top + size * 0.06),
            (x + half * 0.4, top - size * 0.4),
            (x - half * 0.4, top - size * 0.4),
        ],
        thatch,
        depth,
    )
    door = (x - size * 0.1, base_y - size * 0.3, x + size * 0.1, base_y)
    if lit:
        p.glow_rect(*door, WINDOW_GLOW)
        p.halo(x, base_y - size * 0.15, size * 0.4, WINDOW_GLOW, 0.3)
    else:
        p.rect(*door, shade(wall, 0.4), depth)


def building(p: Painter, x0: float, x1: float, base_y: float, top_y: float, wall: RGB, depth: float, lit: bool) -> None:
    """A town building with rows of windows; at night some of them are lit (chosen by the rng)."""
    p.rect(x0, top_y, x1, base_y, wall, depth)
    size = base_y - top_y
    pane = max(3.0, (x1 - x0) * 0.12)
    columns = max(1, int((x1 - x0) / (pane * 2.2)))
    rows = max(1, int(size / (pane * 2.6)))
    for row in range(rows):
        for column in range(columns):
            wx = x0 + (x1 - x0) * (column + 0.5) / columns - pane / 2
            wy = top_y + size * (row + 0.35) / rows
            if lit and p.rng.random() < 0.45:
                p.glow_rect(wx, wy, wx + pane, wy + pane * 1.3, WINDOW_GLOW)
            else:
                p.rect(wx, wy, wx + pane, wy + pane * 1.3, shade(wall, 0.6), depth)


def dome_tower(p: Painter, x: float, base_y: float, size: float, colour: RGB, depth: float) -> None:
    """A palace or temple tower: a body, a ring of arches and an onion dome with a spire."""
    half = size * 0.16
    top = base_y - size * 0.62
    p.rect(x - half, top, x + half, base_y, colour, depth)
    p.ellipse(x, top, half * 1.25, size * 0.2, shade(colour, 1.08), depth)
    p.polygon(
        [(x - half * 0.5, top - size * 0.12), (x + half * 0.5, top - size * 0.12), (x, top - size * 0.38)],
        shade(colour, 1.08),
        depth,
    )
    for arch in (-0.5, 0.5):
        ax = x + arch * half
        p.ellipse(ax, base_y - size * 0.32, half * 0.28, size * 0.07, shade(colour, 0.55), depth)
        p.rect(
            ax - half * 0.28, base_y - size * 0.32, ax + half * 0.28, base_y - size * 0.14, shade(colour, 0.55), depth
        )
