"""The cast sheet as the REST API shows and takes it: each character with its look, voice and
reference picture, and a user's own picture checked at the door (before anything is stored).

The pictures themselves are made by the job's run (gateway.pipeline, Step.CAST): one
RenderReference per character shown in a shot, kept while its request hashes the same. A user's
choice (their own picture, or another take) is stored as `cast-choice/<character id>`; the run
then makes that character's picture again, and the new picture's key changes the requests of
exactly the shots that show the character.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, Field

from gateway.results import JobResults
from storyreel.domain import Storyboard, Voice
from storyreel.errors import InvalidInput

__all__ = [
    "ACCEPTED_TYPES",
    "CastPictureView",
    "CharacterView",
    "UnsupportedPicture",
    "character_links",
    "character_views",
    "check_picture",
]

ACCEPTED_TYPES = {"image/png": "png", "image/jpeg": "jpg"}
"""The content types a user's picture may be sent as, and the extension it is stored with."""
_FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_PIXELS = 64_000_000
"""As the visual service: more pixels than an 8000x8000 picture is a decompression bomb, not a portrait."""
MIN_SIDE = 16


class UnsupportedPicture(InvalidInput):
    """A picture of a kind the cast does not take (415), as opposed to a broken one (422)."""


class CastPictureView(BaseModel):
    uploaded: bool = Field(description="True: the user's own picture (checked and stored as PNG), not drawn.")
    take: int = Field(description="Which take of the backend's it is (0 the first; each re-roll adds one).")
    width: int
    height: int


class CharacterView(BaseModel):
    id: str
    name: str
    description: str = Field(description="Their look: what the cast picture and every shot draw.")
    voice: Voice
    shots: list[str] = Field(description="The shots that show them (drawn from their picture).")
    picture: CastPictureView | None = Field(
        description="Their reference picture as made; null until the job has made it (or when no shot shows them)."
    )
    links: dict[str, str] = Field(description="`picture` (PNG, versioned) once made; `reference` to PUT a new one.")


def character_links(job_id: str, character_id: str, version: str) -> dict[str, str]:
    """Links of a character; the picture's carries its version (its request's hash), like a keyframe's."""
    base = f"/v1/jobs/{job_id}/characters/{character_id}/reference"
    return {"picture": f"{base}?v={version}", "reference": base} if version else {"reference": base}


def character_views(job_id: str, storyboard: Storyboard, results: JobResults) -> list[CharacterView]:
    views = []
    for character in storyboard.characters:
        picture = results.cast(character.id)
        choice = results.cast_choice(character.id)
        views.append(CharacterView(
            id=character.id, name=character.name, description=character.description, voice=character.voice,
            shots=[shot.id for shot in storyboard.shots() if character.id in shot.character_ids],
            picture=CastPictureView(uploaded=picture.uploaded, take=choice.take if choice else 0,
                                    width=picture.width, height=picture.height) if picture else None,
            links=character_links(job_id, character.id, picture.hash if picture else ""),
        ))
    return views


def check_picture(body: bytes, content_type: str) -> str:
    """The extension to store a user's picture with, once it is shown to be a whole PNG or JPEG
    of sane size; UnsupportedPicture (another type) or InvalidInput (broken, too small, too many
    pixels), each naming the problem."""
    declared = content_type.split(";")[0].strip().lower()
    if declared not in ACCEPTED_TYPES:
        raise UnsupportedPicture(f"send the picture as image/png or image/jpeg, not {declared or 'no content type'}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in _FORMATS:
                    raise UnsupportedPicture(f"the picture is a {kind} picture; give a PNG or JPEG")
                if width * height > MAX_PIXELS:
                    raise InvalidInput(f"the picture has {width}x{height} pixels, over {MAX_PIXELS:,}: "
                                       "give a smaller one")
                image.load()  # every pixel decoded: a file cut short or corrupted fails here
    except InvalidInput:
        raise
    except UnidentifiedImageError:
        raise InvalidInput(f"the body is not a picture Pillow can read (corrupt, or not a PNG or JPEG; "
                           f"{len(body):,} bytes sent as {declared})") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidInput(f"the picture is damaged ({error}); send it again") from None
    if min(width, height) < MIN_SIDE:
        raise InvalidInput(f"the picture is only {width}x{height} pixels; give one at least {MIN_SIDE} pixels a side")
    return _FORMATS[kind]
