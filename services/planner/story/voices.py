"""A voice for the narrator and one per character: stable (the same story gives the same voices)
and distinct (no two characters share an espeak-ng variant at the same pitch).

voice_id is an espeak-ng variant ("m3", "f2", "grandma"); the audio service joins it with each
line's language ("en-us+f2", "hi+f2"), so one character keeps one voice in both languages.
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

_POOLS = {
    MALE: ("m3", "m2", "m4", "m7", "m6", "m5", "m8"),
    FEMALE: ("f2", "f3", "f4", "f1", "f5"),
}
_ELDERLY = {MALE: "grandpa", FEMALE: "grandma"}
_PITCH = {CHILD: 72, OLD: 38, "": 52}
_RATE = {CHILD: 170, OLD: 140, "": 160}
_PITCH_STEP = 9
_SPEAKER_WORDS = {
    (MALE, CHILD): "A young boy's bright, quick voice.",
    (FEMALE, CHILD): "A young girl's bright, lively voice.",
    (MALE, OLD): "An elderly man's deep, slow voice.",
    (FEMALE, OLD): "An elderly woman's soft, slow voice.",
    (MALE, ""): "A man's clear voice at a moderate pace.",
    (FEMALE, ""): "A woman's clear voice at a moderate pace.",
}


def assign_voices(character_ids: list[str], profiles: dict[str, Profile]) -> dict[str, Voice]:
    """Voices in the order characters first appear; unknown genders alternate male and female."""
    used: set[tuple[str, int]] = {(NARRATOR_VOICE.voice_id, NARRATOR_VOICE.pitch)}
    next_in_pool = {MALE: 0, FEMALE: 0}
    voices: dict[str, Voice] = {}
    for number, character_id in enumerate(character_ids):
        profile = profiles[character_id]
        gender = profile.gender or (MALE if number % 2 == 0 else FEMALE)
        variant = _variant(gender, profile.age, next_in_pool, used)
        pitch = _free_pitch(variant, _PITCH[profile.age], used)
        used.add((variant, pitch))
        voices[character_id] = Voice(
            engine=VoiceEngine.ESPEAK,
            voice_id=variant,
            pitch=pitch,
            rate_wpm=_RATE[profile.age],
            description=_SPEAKER_WORDS.get((gender, profile.age), "A clear voice at a moderate pace."),
        )
    return voices


def _variant(gender: str, age: str, next_in_pool: dict[str, int], used: set[tuple[str, int]]) -> str:
    elderly = _ELDERLY[gender]
    if age == OLD and not any(variant == elderly for variant, _ in used):
        return elderly
    pool = _POOLS[gender]
    variant = pool[next_in_pool[gender] % len(pool)]
    next_in_pool[gender] += 1
    return variant


def _free_pitch(variant: str, pitch: int, used: set[tuple[str, int]]) -> int:
    """The wanted pitch, or the nearest free one in steps above and below (a big cast may share)."""
    offsets = sorted(range(-5 * _PITCH_STEP, 5 * _PITCH_STEP + 1, _PITCH_STEP), key=lambda o: (abs(o), -o))
    for offset in offsets:
        candidate = min(99, max(0, pitch + offset))
        if (variant, candidate) not in used:
            return candidate
    return pitch
