"""Which espeak-ng voice speaks a line."""

from __future__ import annotations

import pytest

from services.audio.voices import (
    CHARACTER_SLOTS,
    CHARACTER_VARIANTS,
    NARRATOR_VARIANT,
    EspeakVoice,
    cast,
    parse_variant_list,
    voices_by_speaker,
)
from storyreel.domain import NARRATOR, Character, Language, Voice, VoiceEngine
from storyreel.errors import InvalidInput

KNOWN = frozenset({*CHARACTER_VARIANTS, NARRATOR_VARIANT, "croak"})
SAMPLE_CAST = ["meera", "arjun", "fisherman", "sarla", "gudiya", "rahi"]


def _people(*ids: str, **voices: Voice) -> list[Character]:
    return [Character(id=id_, name=id_.title(), voice=voices.get(id_, Voice())) for id_ in ids]


def test_a_named_variant_combines_with_each_language() -> None:
    voice = cast(_people("mira", mira=Voice(voice_id="f2", pitch=61, rate_wpm=150)), Voice(), KNOWN)["mira"]
    assert voice == EspeakVoice("f2", 61, 150)
    assert voice.name(Language.EN) == "en-us+f2"
    assert voice.name(Language.HI) == "hi+f2"


def test_an_unknown_variant_is_refused_with_its_name() -> None:
    with pytest.raises(InvalidInput, match="'zz9'"):
        cast(_people("mira", mira=Voice(voice_id="zz9")), Voice(), KNOWN)


def test_every_character_of_a_cast_gets_its_own_voice_slot() -> None:
    voices = cast(_people(*SAMPLE_CAST), Voice(), KNOWN)
    slots = [(voices[id_].variant, voices[id_].pitch) for id_ in SAMPLE_CAST]
    assert len(set(slots)) == len(SAMPLE_CAST)
    assert set(slots) <= set(CHARACTER_SLOTS)
    assert NARRATOR_VARIANT not in {variant for variant, _ in slots}


def test_a_cast_as_large_as_the_pool_uses_every_slot_once() -> None:
    people = [f"c{number:02d}" for number in range(len(CHARACTER_SLOTS))]
    voices = cast(_people(*people), Voice(), KNOWN)
    assert {(voice.variant, voice.pitch) for id_, voice in voices.items() if id_} == set(CHARACTER_SLOTS)


def test_automatic_voices_are_the_same_whatever_the_order_of_the_cast() -> None:
    forwards = cast(_people(*SAMPLE_CAST), Voice(), KNOWN)
    backwards = cast(_people(*reversed(SAMPLE_CAST)), Voice(), KNOWN)
    assert forwards == backwards


def test_an_automatic_voice_avoids_a_voice_another_character_was_given() -> None:
    alone = cast(_people("arjun"), Voice(), KNOWN)["arjun"]
    rival = _people("zed", zed=Voice(voice_id=alone.variant, pitch=alone.pitch))
    assert cast([*rival, *_people("arjun")], Voice(), KNOWN)["arjun"] != alone


def test_an_explicit_pitch_and_rate_are_kept_for_an_automatic_variant() -> None:
    voice = cast(_people("arjun", arjun=Voice(pitch=77, rate_wpm=200)), Voice(), KNOWN)["arjun"]
    assert (voice.pitch, voice.rate_wpm) == (77, 200)


def test_the_narrator_has_a_fixed_variant_unless_one_is_named() -> None:
    assert cast([], Voice(), KNOWN)[NARRATOR].variant == NARRATOR_VARIANT
    assert cast([], Voice(voice_id="croak"), KNOWN)[NARRATOR].variant == "croak"


def test_a_voice_for_another_engine_falls_back_to_an_espeak_variant() -> None:
    parler = Voice(engine=VoiceEngine.PARLER, voice_id="a calm old voice")
    assert cast(_people("mira", mira=parler), Voice(), KNOWN)["mira"].variant in CHARACTER_VARIANTS


def test_female_variants_are_known_as_such() -> None:
    assert EspeakVoice("f4", 50, 165).female
    assert not EspeakVoice("m7", 50, 165).female


def test_every_speaker_of_a_shot_needs_a_character() -> None:
    characters = _people("mira", mira=Voice(voice_id="croak"))
    voices = voices_by_speaker(characters, Voice(), {NARRATOR, "mira"}, KNOWN)
    assert voices["mira"].variant == "croak"
    assert voices[NARRATOR].variant == NARRATOR_VARIANT
    with pytest.raises(InvalidInput, match="'ghost'"):
        voices_by_speaker(characters, Voice(), {"ghost"}, KNOWN)


def test_variant_names_are_read_from_espeak_ng_listing() -> None:
    listing = (
        "Pty Language       Age/Gender VoiceName          File                 Other Languages\n"
        " 5  variant         --/M      male3              !v/m3                \n"
        " 5  variant         70/F      female1            !v/f1                \n"
    )
    assert parse_variant_list(listing) == {"m3", "f1"}
