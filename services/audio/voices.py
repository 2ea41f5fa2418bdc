"""Which espeak-ng voice speaks a line: a language, a variant, a pitch and a rate.

A Voice whose voice_id is set names an espeak-ng variant ("m3", "f2"). A character with an
empty voice_id is cast automatically from a pool of voice slots (a variant and a pitch): its
slot is drawn from a hash of its id, and where that slot is already taken by another character
of the same request (explicitly, or by a character whose id sorts first), the next free one in
the pool is taken instead. So every character of a storyboard gets a distinct slot (up to the
pool's size) and, as long as the caller sends the storyboard's whole cast with every shot, the
same voice in every shot and every process, without the service remembering anything.

The pool is ordered so that any two slots differ measurably: their median pitch by at least
two semitones, or their long-term spectrum (the timbre of the variant) clearly; the narrator's
voice differs from all of them. tests/unit/test_audio_voices.py measures that with the real
espeak-ng. A pitch or rate set on the Voice wins over the slot's; the rate is drawn from the hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from storyreel.domain import NARRATOR, Character, Language, Voice, VoiceEngine
from storyreel.errors import InvalidInput

NARRATOR_VARIANT = "m3"
"""At the default pitch 50 a median voice pitch of about 105 Hz, between the male slots'."""
CHARACTER_SLOTS = (
    ("f2", 50), ("m7", 68), ("f4", 32), ("m2", 32), ("f5", 68), ("m2", 68),
    ("f4", 68), ("m7", 32), ("f3", 68), ("f5", 50), ("f1", 50), ("m6", 68),
)  # fmt: skip
"""(variant, pitch) per automatic voice. The first five sit in five pitch bands (about 83, 125,
150, 195 and 245 Hz) away from the narrator's; later ones share a band with an earlier one but
have another variant's timbre. Chosen by measuring every variant at pitches 32, 50 and 68."""
CHARACTER_VARIANTS = tuple(sorted({variant for variant, _ in CHARACTER_SLOTS}))
AUTO_RATE_STEPS = (-12, 0, 12)
"""Words per minute added to the default rate."""
_DEFAULT = Voice()
_LANGUAGE_VOICES = {Language.EN: "en-us", Language.HI: "hi"}


@dataclass(frozen=True)
class EspeakVoice:
    variant: str
    pitch: int
    rate_wpm: int

    @property
    def female(self) -> bool:
        """espeak-ng's female variants are named f1...f5."""
        return self.variant.startswith("f")

    def name(self, language: Language) -> str:
        """The -v argument: the language's voice with this variant, e.g. "hi+f2"."""
        return f"{_LANGUAGE_VOICES[language]}+{self.variant}"


def _digest(speaker_id: str) -> int:
    """A hash that is the same in every process (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(speaker_id.encode("utf-8")).digest()[:8], "big")


def _explicit_variant(speaker_id: str, voice: Voice, known_variants: frozenset[str]) -> str | None:
    """The variant a voice names, if it names one for espeak; InvalidInput when it is not installed."""
    if voice.engine != VoiceEngine.ESPEAK or not voice.voice_id:
        return None
    if voice.voice_id not in known_variants:
        raise InvalidInput(
            f"voice_id {voice.voice_id!r} of speaker {speaker_id or 'narrator'!r} is not an espeak-ng variant; "
            f"try one of {', '.join(sorted({*CHARACTER_VARIANTS, NARRATOR_VARIANT}))}"
        )
    return voice.voice_id


def _automatic(speaker_id: str, voice: Voice, taken: set[tuple[str, int]]) -> EspeakVoice:
    """The hash's slot, or the next one in the pool that no one in `taken` has."""
    digest = _digest(speaker_id)
    first = digest % len(CHARACTER_SLOTS)
    pool = CHARACTER_SLOTS[first:] + CHARACTER_SLOTS[:first]
    variant, pitch = next((slot for slot in pool if slot not in taken), pool[0])
    rate = _DEFAULT.rate_wpm + AUTO_RATE_STEPS[(digest // len(CHARACTER_SLOTS)) % len(AUTO_RATE_STEPS)]
    return EspeakVoice(
        variant,
        pitch if voice.pitch == _DEFAULT.pitch else voice.pitch,
        rate if voice.rate_wpm == _DEFAULT.rate_wpm else voice.rate_wpm,
    )


def cast(characters: list[Character], narrator: Voice, known_variants: frozenset[str]) -> dict[str, EspeakVoice]:
    """The espeak-ng voice of every character and of the narrator (key NARRATOR)."""
    voices = {NARRATOR: narrator} | {character.id: character.voice for character in characters}
    chosen: dict[str, EspeakVoice] = {}
    for speaker, voice in voices.items():
        variant = _explicit_variant(speaker, voice, known_variants)
        if variant is not None:
            chosen[speaker] = EspeakVoice(variant, voice.pitch, voice.rate_wpm)
        elif speaker == NARRATOR:
            chosen[speaker] = EspeakVoice(NARRATOR_VARIANT, voice.pitch, voice.rate_wpm)
    taken = {(voice.variant, voice.pitch) for voice in chosen.values()}
    for speaker in sorted(voices.keys() - chosen.keys()):
        chosen[speaker] = _automatic(speaker, voices[speaker], taken)
        taken.add((chosen[speaker].variant, chosen[speaker].pitch))
    return chosen


def voices_by_speaker(
    characters: list[Character], narrator: Voice, speaker_ids: set[str], known_variants: frozenset[str]
) -> dict[str, EspeakVoice]:
    """The voice of every speaker a shot's lines name; InvalidInput for a speaker with no character."""
    everyone = cast(characters, narrator, known_variants)
    missing = sorted(speaker_ids - everyone.keys())
    if missing:
        names = ", ".join(map(repr, missing))
        raise InvalidInput(f"lines are spoken by {names}, who are not among the characters sent with them")
    return {speaker: everyone[speaker] for speaker in speaker_ids}


def parse_variant_list(listing: str) -> frozenset[str]:
    """Variant file names from `espeak-ng --voices=variant` ("... !v/m3 ..." -> "m3")."""
    return frozenset(word.removeprefix("!v/") for word in listing.split() if word.startswith("!v/"))


NARRATOR_DESCRIPTION = (
    "A calm male narrator with a warm, moderate-pitched voice tells a story at a moderate pace, "
    "in a very clear, close recording with no background noise."
)


VOICE_QUALITIES = {
    "f1": "soft", "f2": "bright", "f3": "clear", "f4": "warm", "f5": "breathy",
    "m1": "deep", "m2": "gravelly", "m4": "smooth", "m5": "rough", "m6": "husky", "m7": "resonant",
}  # fmt: skip
"""A word for the timbre of each variant, so two slots of one pitch band get two descriptions."""


def describe(voice: EspeakVoice, narrator: bool = False) -> str:
    """A Parler-TTS description prompt for a cast voice, so a description-prompted engine keeps
    the cast's differences (sex, pitch band, timbre, pace) that espeak-ng's variants make."""
    if narrator:
        return NARRATOR_DESCRIPTION
    sex = "female" if voice.female else "male"
    pitch = "low-pitched" if voice.pitch < 40 else "high-pitched" if voice.pitch > 60 else "moderate-pitched"
    quality = VOICE_QUALITIES.get(voice.variant, "expressive")
    pace = "slow" if voice.rate_wpm < 160 else "fast" if voice.rate_wpm > 170 else "moderate"
    return (
        f"A {pitch} {sex} speaker with a {quality}, expressive voice speaks at a {pace} pace, "
        "in a very clear, close recording with no background noise."
    )


def descriptions(characters: list[Character], narrator: Voice, cast_voices: dict[str, EspeakVoice]) -> dict[str, str]:
    """The description prompt of every cast speaker: the Voice's own description where it has
    one, else one made from the speaker's cast voice. The same cast gives the same prompts."""
    given = {character.id: character.voice.description for character in characters} | {NARRATOR: narrator.description}
    return {
        speaker: given.get(speaker) or describe(voice, narrator=speaker == NARRATOR)
        for speaker, voice in cast_voices.items()
    }
