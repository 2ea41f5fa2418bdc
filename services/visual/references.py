"""Reference pictures (the cast sheet): checking a picture before any backend reads it.

A reference is a file in the artifact store: one a backend drew (RenderReference), or one a user
gave. Either is opened here before it is used, so a corrupt, oversized or foreign file is refused
at once with INVALID_ARGUMENT saying what is wrong, instead of failing deep inside a render (or
decoding a 50 MB "picture" in a ComfyUI node).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from storyreel.domain import Character, Scene
from storyreel.errors import InvalidInput

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_PIXELS = 64_000_000
"""Most pixels a reference may have (an 8000x8000 picture): more is a decompression bomb, not a portrait."""
MIN_SIDE = 16


def checked_picture(path: Path, what: str, max_mb: float) -> tuple[int, int]:
    """The picture's size, once it has been shown to be a whole PNG, JPEG or WebP of sane size.

    InvalidInput names `what` (e.g. "the reference picture of meera (jobs/1/cast/meera.png)") and
    the problem: too large a file, not a picture, a format that is not accepted, cut short, too many
    or too few pixels."""
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise InvalidInput(
            f"{what} is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit "
            "(STORYREEL_VISUAL_REFERENCE_MAX_MB): give a smaller PNG or JPEG"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    raise InvalidInput(f"{what} is a {kind} picture; give a PNG, JPEG or WebP")
                if width * height > MAX_PIXELS:
                    raise InvalidInput(f"{what} has {width}x{height} pixels, over {MAX_PIXELS:,}: give a smaller one")
                image.load()  # decodes every pixel: a file cut short or corrupted fails here
    except InvalidInput:
        raise
    except UnidentifiedImageError:
        raise InvalidInput(f"{what} is not a picture Pillow can read (corrupt, or not a PNG or JPEG)") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidInput(f"{what} is a damaged picture ({error}); give it again") from None
    if min(width, height) < MIN_SIDE:
        raise InvalidInput(f"{what} is only {width}x{height} pixels; give one at least {MIN_SIDE} pixels a side")
    return width, height


def save_as_png(source: Path, target: Path) -> tuple[int, int]:
    """A checked picture written as an RGB PNG (transparency on white, EXIF rotation applied)."""
    with Image.open(source) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = upright.convert("RGB")
        flat.save(target, format="PNG")
        return flat.size


PORTRAIT_WORDS = (
    "standing alone, facing the camera, the whole body from head to feet in the frame, plain light grey studio "
    "backdrop, even soft light, character reference sheet, detailed, coherent anatomy"
)
SETTING_WORDS = "establishing shot, the place alone with nobody in it, cinematic film still, natural light, detailed"


def reference_prompt(subject: Character | Scene) -> str:
    """The text a model draws a reference picture from: the character's words, or the setting's."""
    if isinstance(subject, Character):
        who = f"{subject.name}, {subject.description}" if subject.description else subject.name
        return f"full-length portrait of {who}. {PORTRAIT_WORDS}"
    weather = "" if subject.weather.value == "clear" else f", {subject.weather.value}"
    place = subject.setting or subject.title or subject.summary
    return f"{place}, {subject.time_of_day.value}{weather}, {subject.mood.value} mood. {SETTING_WORDS}"
