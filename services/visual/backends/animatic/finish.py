"""Putting layers together and grading the result: compositing, the mood's grade, a vignette."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from services.visual.backends.animatic.palette import Grade
from services.visual.backends.animatic.sky import Pixels

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def over(pixels: Pixels, layer: Image.Image, tint: tuple[float, float, float] | None = None) -> None:
    """Composite an RGBA layer onto the pixels (in place), its colours multiplied by `tint`.

    Only the box around what the layer holds is touched: most layers (lamps, clouds) are small.
    """
    box = layer.getbbox()
    if box is None:
        return
    left, top, right, bottom = box
    rgba = np.asarray(layer.crop(box), dtype=np.float32)  # the one copy; the rest works in place
    rgba *= np.float32(1 / 255)
    colour, alpha = rgba[..., :3], rgba[..., 3:4]
    if tint:
        colour *= np.array(tint, dtype=np.float32)
    region = pixels[top:bottom, left:right]
    colour -= region
    colour *= alpha
    region += colour


def grade(pixels: Pixels, look: Grade) -> None:
    """Saturation, warmth, contrast and brightness of a mood (in place)."""
    luma = (pixels @ LUMA)[..., None]
    pixels -= luma
    pixels *= np.float32(look.saturation)
    pixels += luma
    pixels += np.array([look.warmth, look.warmth * 0.3, -look.warmth], dtype=np.float32)
    pixels -= np.float32(0.5)
    pixels *= np.float32(look.contrast)
    pixels += np.float32(0.5 + look.brightness)


@lru_cache(maxsize=8)
def _vignette(width: int, height: int, strength: float) -> Pixels:
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    falloff: Pixels = (1.0 - strength * np.clip((xs**2 + ys**2) / 2.0, 0.0, 1.0) ** 1.5).astype(np.float32)
    return falloff[..., None]


def vignette(pixels: Pixels, strength: float = 0.45) -> None:
    """Darken the corners, drawing the eye to the middle of the frame (in place)."""
    height, width = pixels.shape[:2]
    pixels *= _vignette(width, height, strength)


def to_image(pixels: Pixels) -> Image.Image:
    """The picture as 8-bit RGB. Consumes the pixels (they are scaled in place, saving a copy)."""
    np.clip(pixels, 0.0, 1.0, out=pixels)
    pixels *= np.float32(255)
    pixels += np.float32(0.5)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")
