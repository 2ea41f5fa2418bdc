"""Visual prompts in English (image models read English), even for a Hindi story.

Order: framing, subject (each character's description word for word, the basis of a consistent
look across shots), action, setting, time of day and weather, lighting, palette, style. Hindi
narration is not put in the prompt; the few words a picture needs (places, objects) are
translated with the built-in vocabulary. Seeds come from a hash of the story and the shot id,
so the same story gets the same pictures on every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from services.planner.story import lexicon
from services.planner.story.dialogue import is_speech_verb
from services.planner.story.language import is_devanagari
from services.planner.story.model import WORD_RE, Piece
from services.planner.story.scenes import SceneLook
from services.planner.story.shots import ShotDraft
from services.planner.story.translit import transliterate
from storyreel.domain import Mood, ShotType, TimeOfDay, Weather

NEGATIVE_PROMPT = (
    "text, letters, watermark, signature, logo, frame, blurry, low quality, jpeg artifacts, deformed hands, "
    "extra fingers, extra limbs, distorted face, cropped head, duplicate figures"
)
STYLE = "storybook illustration, painterly, rich detail, cinematic composition"
_ACTION_WORDS = 28

_FRAMING = {
    ShotType.ESTABLISHING: "Establishing shot",
    ShotType.WIDE: "Wide shot",
    ShotType.MEDIUM: "Medium shot",
    ShotType.CLOSE_UP: "Close-up",
}
_TIME = {
    TimeOfDay.DAWN: "at dawn",
    TimeOfDay.MORNING: "in the morning",
    TimeOfDay.NOON: "at midday",
    TimeOfDay.AFTERNOON: "in the afternoon",
    TimeOfDay.EVENING: "in the evening",
    TimeOfDay.NIGHT: "at night",
}
_LIGHT = {
    TimeOfDay.DAWN: "soft pink dawn light",
    TimeOfDay.MORNING: "fresh morning sunlight",
    TimeOfDay.NOON: "bright overhead sun",
    TimeOfDay.AFTERNOON: "warm afternoon light",
    TimeOfDay.EVENING: "golden evening glow",
    TimeOfDay.NIGHT: "moonlight and deep blue shadows",
}
_WEATHER = {
    Weather.CLEAR: "",
    Weather.CLOUDY: "overcast sky",
    Weather.RAIN: "rain falling",
    Weather.SNOW: "snow falling",
    Weather.FOG: "drifting fog",
    Weather.STORM: "stormy sky, wind and lightning",
}
_PALETTE = {
    Mood.CALM: "soft muted palette",
    Mood.HAPPY: "warm bright palette",
    Mood.SAD: "cool desaturated palette",
    Mood.TENSE: "high contrast, dramatic shadows",
    Mood.MYSTERIOUS: "deep shadows, misty blue palette",
    Mood.ROMANTIC: "warm pastel palette",
    Mood.EPIC: "sweeping vista, vivid colours",
    Mood.PLAYFUL: "vibrant saturated colours",
}


@dataclass(frozen=True)
class Figure:
    """A character as a prompt shows them."""

    name: str
    description: str

    def words(self) -> str:
        name = transliterate(self.name).title() if is_devanagari(self.name) else self.name
        return f"{name}, {self.description}" if self.description else name


def visual_prompt(shot: ShotDraft, figures: list[Figure], scene: SceneLook, action: str | None = None) -> str:
    """The prompt; action is what is seen (English), by default words from the shot's narration."""
    people = " and ".join(figure.words() for figure in figures)
    subject = people or f"the {scene.setting}"
    if shot.shot_type is ShotType.ESTABLISHING:
        subject = f"the {scene.setting}" + (f", with {people}" if people else "")
    action = _action(shot, figures) if action is None else action.strip().rstrip(".")
    place = ", ".join(part for part in (scene.setting, _TIME[scene.time_of_day], _WEATHER[scene.weather]) if part)
    parts = [f"{_FRAMING[shot.shot_type]} of {subject}", action, place, _LIGHT[scene.time_of_day]]
    return ". ".join(part for part in parts if part) + f". {_PALETTE[scene.mood]}, {STYLE}"


def seed(story_digest: str, shot_id: str) -> int:
    """A stable seed per story and shot (31 bits: every generator accepts it)."""
    digest = hashlib.sha256(f"{story_digest}:{shot_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def story_digest(story: str) -> str:
    return hashlib.sha256(story.encode("utf-8")).hexdigest()[:16]


def _action(shot: ShotDraft, figures: list[Figure]) -> str:
    """What happens: the shot's narration (English), or the objects it names (Hindi), or speaking."""
    narration = " ".join(piece.text for piece in shot.pieces if not piece.dialogue and not _is_attribution(piece))
    speaking = "speaking" if shot.has_dialogue and figures else ""
    if narration and not is_devanagari(narration):
        words = narration.split()
        text = " ".join(words[:_ACTION_WORDS]).rstrip(",;:.!?")
        return f"{speaking}, {text}" if speaking else text
    objects = _hindi_objects(" ".join(piece.text for piece in shot.pieces))
    seen = f"with {', '.join(objects)}" if objects else ""
    return ", ".join(part for part in (speaking, seen) if part)


def _is_attribution(piece: Piece) -> bool:
    """'said Arjun.', 'he cried,': a short narration piece with a verb of saying shows nothing."""
    words = piece.text.split()
    return len(words) <= 6 and any(is_speech_verb(word.strip(",.;:!?")) for word in words)


def _hindi_objects(text: str) -> list[str]:
    """English names of the things a Hindi passage mentions (दीपक -> clay oil lamp)."""
    found: dict[str, None] = {}
    for word in WORD_RE.findall(text):
        if word.isascii():
            continue
        thing = lexicon.stem_lookup(word, lexicon.OBJECTS_HI)
        if thing:
            found.setdefault(thing)
    return list(found)[:4]
