"""A voice for the narrator and one per character, cast from the character's age and gender:
stable (the same story gives the same voices) and measurably distinct (no two characters, nor a
character and the narrator, sound alike on the real audio, as far as the pool goes).

voice_id is an espeak-ng variant ("m3", "f2", "grandma"); the audio service joins it with each
line's language ("en-us+f2", "hi+f2"), so one character keeps one voice in both languages.

Each (gender, age) has its own slots, chosen by measuring espeak-ng (every variant at pitches
0-99, an English and a Hindi sentence): a man speaks at 100-150 Hz, a boy higher (155-220 Hz),
an old man lower and deeper (66-111 Hz, the deep m8 and the grandpa variant); a woman at
170-235 Hz, a girl at 240-325 Hz, an old woman lower (146-190 Hz, grandma first). Children
speak faster than adults, old people slower. Every two slots of the whole pool, and each slot
and the narrator, differ measurably: median pitch two semitones apart, or a clearly different
timbre (services.audio.measure.voices_differ; tests/unit/test_planner_voices_heard.py measures
it with the real espeak-ng). A cast larger than a group's slots takes unused slots of the same
gender at the nearest age, then the group's slots again at another pitch: those last ones
differ by name and pitch, but no longer surely by ear.
"""

from __future__ import annotations

from services.planner.story.describe import CHILD, FEMALE, MALE, OLD, Profile
from storyreel.domain import Voice, VoiceEngine

NARRATOR_VOICE = Voice(
    engine=VoiceEngine.ESPEAK,
    voice_id="m1",
    pitch=48,
    rate_wpm=150,
    description="A calm, warm storyteller's voice at an even pace.",
)
"""About 92 Hz median pitch."""

SLOTS: dict[tuple[str, str], tuple[tuple[str, int], ...]] = {
    (MALE, OLD): (("m8", 45), ("grandpa", 54), ("m2", 27), ("m8", 63), ("m2", 6), ("m8", 78)),
    (MALE, ""): (("m3", 72), ("m7", 66), ("m7", 45), ("m3", 84), ("m8", 93)),
    (MALE, CHILD): (("m2", 99), ("f4", 69), ("m2", 90), ("m7", 90)),
    (FEMALE, OLD): (("grandma", 18), ("f4", 30), ("grandma", 45)),
    (FEMALE, ""): (("f2", 54), ("f5", 51), ("f2", 36), ("f5", 36), ("f2", 69)),
    (FEMALE, CHILD): (("f5", 75), ("f3", 75), ("f5", 66), ("f5", 84), ("f3", 90), ("f5", 93)),
}
"""(variant, pitch) per (gender, age), in order of preference. Measured median pitch (English):
old men 82, 111, 79, 96, 66, 111 Hz; men 130, 123, 102, 146, 131; boys 176, 218, 159, 155; old
women 159, 146, 188; women 200, 206, 171, 176, 235; girls 266, 262, 242, 294, 306, 324 Hz. Slots
that share a pitch band have variants of clearly different timbre."""
_NEAREST_AGES = {"": ("", OLD, CHILD), OLD: (OLD, "", CHILD), CHILD: (CHILD, "", OLD)}
_ELDERLY_VARIANTS = ("grandma", "grandpa")
"""Variants that sound old (and that the Parler speakers take for old): never lent to a younger character."""
_RATE = {CHILD: 175, OLD: 135, "": 160}
_PITCH_STEP = 3
_SPEAKER_WORDS = {
    (MALE, CHILD): "A young boy's bright, quick, high voice.",
    (FEMALE, CHILD): "A young girl's bright, lively, high voice.",
    (MALE, OLD): "An elderly man's deep, slow voice.",
    (FEMALE, OLD): "An elderly woman's soft, slow, low voice.",
    (MALE, ""): "A man's clear voice at a moderate pace.",
    (FEMALE, ""): "A woman's clear voice at a moderate pace.",
}


def assign_voices(character_ids: list[str], profiles: dict[str, Profile]) -> dict[str, Voice]:
    """Voices in the order characters first appear; unknown genders alternate male and female."""
    used: set[tuple[str, int]] = {(NARRATOR_VOICE.voice_id, NARRATOR_VOICE.pitch)}
    voices: dict[str, Voice] = {}
    for number, character_id in enumerate(character_ids):
        profile = profiles[character_id]
        gender = profile.gender or (MALE if number % 2 == 0 else FEMALE)
        variant, pitch = _slot(gender, profile.age, used)
        used.add((variant, pitch))
        voices[character_id] = Voice(
            engine=VoiceEngine.ESPEAK,
            voice_id=variant,
            pitch=pitch,
            rate_wpm=_RATE[profile.age],
            description=_SPEAKER_WORDS.get((gender, profile.age), "A clear voice at a moderate pace."),
        )
    return voices


def _slot(gender: str, age: str, used: set[tuple[str, int]]) -> tuple[str, int]:
    """The first free slot of the character's group, else of the same gender at the nearest age
    (an elderly variant only for the old), else the group's slots again at another pitch."""
    for nearest in _NEAREST_AGES[age]:
        fitting = [slot for slot in SLOTS[(gender, nearest)] if nearest == age or slot[0] not in _ELDERLY_VARIANTS]
        free = next((slot for slot in fitting if slot not in used), None)
        if free is not None:
            return free
    slots = SLOTS[(gender, age)]
    for round_ in range(1, 34):
        for variant, pitch in slots:
            for candidate in (pitch + round_ * _PITCH_STEP, pitch - round_ * _PITCH_STEP):
                if 0 <= candidate <= 99 and (variant, candidate) not in used:
                    return variant, candidate
    return slots[0]
