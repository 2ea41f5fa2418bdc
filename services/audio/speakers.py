"""Named Parler-TTS speakers: one per character and one for the narrator, kept for the whole film.

Parler-TTS draws a new voice for every description it has not been trained on; it keeps a voice
from one generation to the next only for the speakers it was trained on by name, when the
description names one ("Jon's voice is monotone..."). So every speaker gets one named speaker
fitting its language and gender, one description that names it, and one seed, all made from the
cast alone (never from a shot's text): the same cast gives the same three in every shot and
every process. Like the espeak-ng cast (services.audio.voices), this holds as long as the
caller sends the storyboard's whole cast with every shot, which the gateway does.

The rosters come from the model cards, not from us:
- PARLER_SPEAKERS: the 34 speakers of parler-tts-mini-v1 / large-v1 (huggingface/parler-tts
  README, "Using a specific speaker"), ordered by the Mini model's speaker-similarity table in
  its INFERENCE.md (the most consistent first), then the rest as the README lists them.
- INDIC_SPEAKERS: ai4bharat/indic-parler-tts's table of speakers per language, its recommended
  speakers first (Hindi: Rohit, Divya, then Aman, Rani; English: Thoma, Mary, then the others).
The cards give names only. The gender here is the one each name is commonly given to; names
given to either (Jordan, Chingkhei, Thoiba) are left out of automatic casting but may be named
explicitly. No card gives ages, so a character's age goes into the words of its description.

A Voice whose engine is `parler` and whose voice_id names a speaker gets that speaker (it must
be on the model's roster). Everyone else is cast automatically, the narrator first, then the
characters in the order of their ids: each takes the first speaker of its (language, gender)
list that no one has yet, or, when the list is used up, goes round it again (then the seed and
the description's words still differ). A character's language is Hindi when its name or an
alias is written in Devanagari, else English; the narrator's is the language of most of the
cast (English for a cast of none). Gender comes from the words of the voice's and the
character's descriptions ("woman", "boy"), else from the espeak-ng variant it was cast with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.audio import voices
from services.audio.backends import torchkit
from services.audio.settings import ParlerSpeakers
from storyreel.domain import NARRATOR, Character, Language, Voice, VoiceEngine
from storyreel.errors import InvalidInput


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


MALE, FEMALE = "male", "female"
CHILD, ADULT, OLD = "child", "adult", "old"

PARLER_SPEAKERS = {
    MALE: ("Jon", "Gary", "Mike", "Will", "Patrick", "Eric", "Rick", "David", "Yann", "James", "Jason", "Aaron",
           "Jerry", "Bill", "Tom", "Bruce"),
    FEMALE: ("Lea", "Jenna", "Laura", "Lauren", "Eileen", "Alisa", "Karen", "Barbara", "Carol", "Emily", "Rose",
             "Anna", "Tina", "Brenda", "Joy", "Naomie", "Rebecca"),
}  # fmt: skip
PARLER_ROSTER = frozenset({*PARLER_SPEAKERS[MALE], *PARLER_SPEAKERS[FEMALE], "Jordan"})
INDIC_SPEAKERS: dict[Language, dict[str, tuple[str, ...]]] = {
    Language.HI: {MALE: ("Rohit", "Aman"), FEMALE: ("Divya", "Rani")},
    Language.EN: {
        MALE: ("Thoma", "Dinesh", "Jatin", "Aakash", "Kabir", "Tarun", "Raghav", "Ravi", "Vikas"),
        FEMALE: ("Mary", "Swapna", "Meera", "Sneha", "Tisha", "Priya", "Gauri", "Nisha", "Kavya", "Riya"),
    },
}
INDIC_ROSTER = _wordset(
    """Amit Sita Poonam Rakesh Arjun Aditi Tapan Rashmi Arnav Riya Bikram Maya Kalpana Bhanu Champa Karan
    Thoma Mary Swapna Dinesh Meera Jatin Aakash Sneha Kabir Tisha Chingkhei Thoiba Priya Tarun Gauri Nisha
    Raghav Kavya Ravi Vikas Yash Neha Rohit Divya Aman Rani Suresh Anu Chetan Vidya Anjali Anju Harish
    Laishram Ranjit Sanjay Sunita Nikhil Radha Varun Isha Amrita Manas Debjani Divjot Gurpreet Aryan Kavitha
    Jaya Prakash Lalitha Kiran"""
)
"""Every speaker of the Indic Parler-TTS card's table, all languages (what an explicit voice_id may name)."""

_WORD = re.compile(r"[a-z]+")
_FEMALE_WORDS = _wordset(
    "woman women girl female she her lady grandmother grandma granny mother aunt queen princess widow "
    "sister daughter wife maiden"
)
_MALE_WORDS = _wordset(
    "man men boy male he his gentleman grandfather grandpa father uncle king prince brother son husband"
)
_NOT_MEN = _wordset("human humans german germans roman romans omen amen stamen")
_CHILD_WORDS = _wordset("boy girl child kid baby little toddler")
_OLD_WORDS = _wordset("old elderly aged grandmother grandfather grandma grandpa granny")
_YEARS = re.compile(r"\b(\d{1,3})[- ]?(?:years?|yrs?)\b|\bof (\d{1,3})\b|\baged (\d{1,3})\b")
_CHILD_UNDER_YEARS, _OLD_FROM_YEARS = 14, 60
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_RECORDING_WORDS = _wordset("recording recorded audio noise quality")
_CLEAR_RECORDING = "The recording is very clear, with no background noise."


@dataclass(frozen=True)
class ParlerVoice:
    """What Parler-TTS is given for one speaker, the same in every shot."""

    speaker: str
    description: str
    seed: int


@dataclass(frozen=True)
class _Profile:
    language: Language
    gender: str
    age: str


def roster_for(setting: ParlerSpeakers, model: str) -> ParlerSpeakers:
    """`auto`: indic for a model whose name says so (ai4bharat/indic-parler-tts), else parler."""
    if setting != ParlerSpeakers.AUTO:
        return setting
    return ParlerSpeakers.INDIC if "indic" in model.lower() else ParlerSpeakers.PARLER


def _words(*texts: str) -> set[str]:
    return {word for text in texts for word in _WORD.findall(text.lower().replace("'s", ""))}


def _gender(voice: Voice, described: set[str], cast_voice: voices.EspeakVoice) -> str:
    female = any(word in _FEMALE_WORDS or word.endswith(("woman", "women")) for word in described)
    male = any(word in _MALE_WORDS or _a_man(word) for word in described)
    if female != male:
        return FEMALE if female else MALE
    variant = voice.voice_id if voice.engine == VoiceEngine.ESPEAK and voice.voice_id else cast_voice.variant
    return FEMALE if variant.startswith("f") or variant == "grandma" else MALE


def _a_man(word: str) -> bool:
    """'fisherman', 'Englishman' (but not 'woman', 'human', 'German')."""
    return word.endswith(("man", "men")) and not word.endswith(("woman", "women")) and word not in _NOT_MEN


def _age(voice: Voice, texts: tuple[str, ...], described: set[str]) -> str:
    for match in _YEARS.finditer(" ".join(texts).lower()):
        years = int(next(group for group in match.groups() if group))
        return CHILD if years < _CHILD_UNDER_YEARS else OLD if years >= _OLD_FROM_YEARS else ADULT
    if described & _OLD_WORDS or voice.voice_id in ("grandma", "grandpa"):
        return OLD
    return CHILD if described & _CHILD_WORDS else ADULT


def _language(character: Character) -> Language:
    hindi = any(_DEVANAGARI.search(name) for name in (character.name, *character.aliases))
    return Language.HI if hindi else Language.EN


def _profiles(characters: list[Character], narrator: Voice, cast: dict[str, voices.EspeakVoice]) -> dict[str, _Profile]:
    profiles: dict[str, _Profile] = {}
    for character in characters:
        if character.id not in cast:
            continue
        texts = (character.voice.description, character.description)
        described = _words(*texts)
        gender = _gender(character.voice, described, cast[character.id])
        profiles[character.id] = _Profile(_language(character), gender, _age(character.voice, texts, described))
    hindi = sum(profile.language == Language.HI for profile in profiles.values())
    language = Language.HI if hindi and 2 * hindi >= len(profiles) else Language.EN
    described = _words(narrator.description)
    narrator_cast = cast.get(NARRATOR, voices.EspeakVoice(voices.NARRATOR_VARIANT, 50, 165))
    return {NARRATOR: _Profile(language, _gender(narrator, described, narrator_cast), ADULT)} | profiles


def _pool(roster: ParlerSpeakers, profile: _Profile) -> tuple[str, ...]:
    if roster == ParlerSpeakers.INDIC:
        return INDIC_SPEAKERS[profile.language][profile.gender]
    return PARLER_SPEAKERS[profile.gender]


def _explicit(speaker_id: str, voice: Voice, roster: ParlerSpeakers) -> str | None:
    if voice.engine != VoiceEngine.PARLER or not voice.voice_id:
        return None
    known = INDIC_ROSTER if roster == ParlerSpeakers.INDIC else PARLER_ROSTER
    name = voice.voice_id.strip().title()
    if name not in known:
        raise InvalidInput(
            f"voice_id {voice.voice_id!r} of speaker {speaker_id or 'narrator'!r} is not a named speaker of this "
            f"Parler-TTS model; try one of {', '.join(sorted(known))}"
        )
    return name


def _names(
    voices_by_id: dict[str, Voice], profiles: dict[str, _Profile], roster: ParlerSpeakers, narrator_name: str
) -> dict[str, str]:
    """The named speaker of everyone in `profiles`: explicit ones first, then the narrator, then by id."""
    names: dict[str, str] = {}
    for speaker in profiles:
        voice = voices_by_id[speaker]
        if speaker == NARRATOR and narrator_name:
            voice = Voice(engine=VoiceEngine.PARLER, voice_id=narrator_name)
        explicit = _explicit(speaker, voice, roster)
        if explicit:
            names[speaker] = explicit
    automatic = [NARRATOR] if NARRATOR not in names else []
    automatic += sorted(speaker for speaker in profiles if speaker not in names and speaker != NARRATOR)
    for speaker in automatic:
        pool = _pool(roster, profiles[speaker])
        taken = list(names.values())
        free = [name for name in pool if name not in taken]
        names[speaker] = free[0] if free else pool[sum(name in pool for name in taken) % len(pool)]
    return names


def _description(name: str, given: str, profile: _Profile, cast_voice: voices.EspeakVoice | None) -> str:
    """The given description after a sentence that names the speaker (word for word when it
    names them already); else one made from the cast voice's pace and the profile's age."""
    if given:
        named = given if re.search(rf"\b{re.escape(name)}\b", given) else f"{name} speaks. {given}"
        return named if _words(given) & _RECORDING_WORDS else f"{named} {_CLEAR_RECORDING}"
    rate = cast_voice.rate_wpm if cast_voice else 165
    pace = "slow" if rate < 160 else "fast" if rate > 170 else "moderate"
    age = {CHILD: " with a young, bright voice", OLD: " with an elderly voice"}.get(profile.age, "")
    return f"{name} speaks at a {pace} pace{age}. {_CLEAR_RECORDING}"


def cast_parler(
    characters: list[Character],
    narrator: Voice,
    cast: dict[str, voices.EspeakVoice],
    roster: ParlerSpeakers,
    narrator_name: str = "",
) -> dict[str, ParlerVoice]:
    """The Parler voice of the narrator (key NARRATOR) and of every character in `cast` (the
    espeak-ng cast of the whole request, which also settles an unknown gender)."""
    voices_by_id = {NARRATOR: narrator} | {character.id: character.voice for character in characters}
    profiles = _profiles(characters, narrator, cast)
    names = _names(voices_by_id, profiles, roster, narrator_name)
    chosen: dict[str, ParlerVoice] = {}
    for speaker, name in names.items():
        description = _description(name, voices_by_id[speaker].description, profiles[speaker], cast.get(speaker))
        chosen[speaker] = ParlerVoice(name, description, torchkit.seed_from("parler-voice", speaker, description))
    return chosen
