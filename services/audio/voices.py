"""Which espeak-ng voice speaks a line: a language, a variant, a pitch and a rate.

A Voice whose voice_id is set names an espeak-ng variant ("m3", "f2"). A character with an
empty voice_id is cast automatically: its variant is drawn from a hash of its id, and where
that variant is already taken by another character of the same request (explicitly, or by
a character whose id sorts first), the next free one in the pool is taken instead. So every
character of a storyboard gets a distinct variant (up to the pool's size) and, as long as the
caller sends the storyboard's whole cast with every shot, the same variant in every shot and
every process, without the service remembering anything. Pitch and rate, where left at their
defaults, are drawn from the hash too. The narrator has a variant no character is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from storyreel.domain import NARRATOR, Character, Language, Voice, VoiceEngine
from storyreel.errors import InvalidInput

NARRATOR_VARIANT = "m3"
CHARACTER_VARIANTS = ("f2", "m1", "f4", "m6", "f1", "m4", "f3", "m7", "f5", "m2", "m5")
"""Clear, distinct variants (the novelty ones like "Demonic" are left out), alternating sexes."""
AUTO_PITCHES = (32, 44, 56, 68)
AUTO_RATE_STEPS = (-12, 0, 12)
"""Words per minute added to the default rate."""
_DEFAULT = Voice()
_LANGUAGE_VOICES = {Language.EN: "en-us", Language.HI: "hi"}


@dataclass(frozen=True)
class EspeakVoice:
    variant: str
    pitch: int
    rate_wpm: int

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


def _automatic(speaker_id: str, voice: Voice, taken: set[str]) -> EspeakVoice:
    """The hash's variant, or the next one in the pool that no one in `taken` has."""
    digest = _digest(speaker_id)
    first = digest % len(CHARACTER_VARIANTS)
    pool = CHARACTER_VARIANTS[first:] + CHARACTER_VARIANTS[:first]
    variant = next((name for name in pool if name not in taken), pool[0])
    digest //= len(CHARACTER_VARIANTS)
    pitch = AUTO_PITCHES[digest % len(AUTO_PITCHES)]
    rate = _DEFAULT.rate_wpm + AUTO_RATE_STEPS[(digest // len(AUTO_PITCHES)) % len(AUTO_RATE_STEPS)]
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
    taken = {voice.variant for voice in chosen.values()}
    for speaker in sorted(voices.keys() - chosen.keys()):
        chosen[speaker] = _automatic(speaker, voices[speaker], taken)
        taken.add(chosen[speaker].variant)
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
