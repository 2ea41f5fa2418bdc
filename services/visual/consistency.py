"""Keeping a film's generated pictures consistent from shot to shot.

- One seed per scene and per character: a shot's seed comes from its scene and its main
  character, so every shot of Meera in the village starts from the same noise, and a scene
  without people always from the scene's own. A re-roll moves to a new seed deterministically.
- The character's description in every prompt where the character appears, so the model draws
  the same clothes and face each time, plus the scene's place, light, weather and mood.
(The third part, the scene's first keyframe as the init image of its later keyframes, is the
ComfyUI backend's: it needs the img2img workflow.)
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from storyreel.domain import Character, Scene, Shot, ShotType

MAX_SEED = 2**63 - 1
REROLL_STEP = 1_000_003
"""Added to the seed per re-roll: a prime, far from the neighbouring seeds of other shots."""

FRAMING_WORDS = {
    ShotType.ESTABLISHING: "establishing shot, wide landscape, the place from afar",
    ShotType.WIDE: "wide shot, full figures in their surroundings",
    ShotType.MEDIUM: "medium shot, people from the waist up",
    ShotType.CLOSE_UP: "close-up on the face, shallow depth of field",
}
STYLE = "cinematic film still, natural light, detailed, coherent anatomy"


def _stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def scene_seed(scene: Scene) -> int:
    return _stable(f"scene|{scene.id}|{scene.setting}")


def character_seed(character_id: str) -> int:
    return _stable(f"character|{character_id}")


def shot_seed(shot: Shot, scene: Scene, attempt: int = 1) -> int:
    """The scene's seed, or the scene's and the main character's together; moved on for a re-roll."""
    seed = scene_seed(scene)
    if shot.character_ids:
        seed = (seed << 32) | character_seed(shot.character_ids[0])
    return (seed + (attempt - 1) * REROLL_STEP) % MAX_SEED


def shot_prompt(shot: Shot, scene: Scene, characters: Sequence[Character]) -> str:
    """The positive prompt: what the shot shows, who is in it (described), where and when, how framed."""
    known = {character.id: character for character in characters}
    people = [known[cid] for cid in shot.character_ids if cid in known]
    spoken = " ".join(line.text for line in shot.lines)
    parts = [
        shot.visual_prompt or spoken or scene.summary,
        *(f"{person.name}: {person.description}" if person.description else person.name for person in people),
        _scene_words(scene),
        FRAMING_WORDS[shot.shot_type],
        STYLE,
    ]
    return ". ".join(part.strip().rstrip(".") for part in parts if part and part.strip())


def _scene_words(scene: Scene) -> str:
    place = scene.setting or scene.title
    weather = "" if scene.weather.value == "clear" else f", {scene.weather.value}"
    return f"{place}, {scene.time_of_day.value}{weather}, {scene.mood.value} mood".strip(", ")
