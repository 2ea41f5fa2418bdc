"""Changes a user makes to a job's storyboard: voice choices at submission, a whole edited
storyboard, a re-rolled shot. Each returns a new storyboard; nothing here touches the store.

An edited storyboard is checked before it is stored, so that what is accepted can be made:
plain unique ids, known characters and speakers, lines a voice can say in a script it reads,
and (asked of the audio service itself, check_voices) voices its engine has."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from typing import Any

import grpc

from gateway import messages
from gateway.jobs import RerollRequest, VoiceChoice
from storyreel import storytext
from storyreel.domain import NARRATOR, Character, Storyboard, Voice, VoiceEngine
from storyreel.errors import InvalidInput

log = logging.getLogger(__name__)

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
"""Shot and scene ids name files (clips/<shot id>-<hash>.mp4), so they stay plain."""
MAX_SHOTS = 5000
VOICE_CHECK_TIMEOUT_S = 30.0
"""How long a submission or an edit waits for the audio service to cast its voices."""
NARRATOR_NAMES = frozenset({"narrator", "the narrator"})


def apply_voices(storyboard: Storyboard, voices: Mapping[str, VoiceChoice]) -> Storyboard:
    """The storyboard with the user's voices: keys are character names, ids or aliases (any case),
    or 'narrator'. A key that names no one is left out (the log says so)."""
    result = storyboard.model_copy(deep=True)
    for key, choice in voices.items():
        changes = choice.model_dump(exclude_none=True)
        if key.strip().casefold() in NARRATOR_NAMES:
            result.narrator_voice = result.narrator_voice.model_copy(update=changes)
            continue
        for character in result.characters:
            names = {character.id, character.name, *character.aliases}
            if key.strip().casefold() in {name.casefold() for name in names}:
                character.voice = character.voice.model_copy(update=changes)
    return result


def unmatched_voices(storyboard: Storyboard, voices: Mapping[str, VoiceChoice]) -> list[str]:
    known = {name.casefold() for c in storyboard.characters for name in (c.id, c.name, *c.aliases)}
    return [key for key in voices if key.strip().casefold() not in known | NARRATOR_NAMES]


def check_storyboard(storyboard: Storyboard) -> None:
    """InvalidInput naming the first thing that would break a render: ids that are not plain or
    not unique, a character or speaker that does not exist, no shot at all."""
    shots = storyboard.shots()
    if not shots:
        raise InvalidInput("the storyboard has no shots: keep at least one")
    if len(shots) > MAX_SHOTS:
        raise InvalidInput(f"the storyboard has {len(shots):,} shots, over the limit of {MAX_SHOTS:,}")
    for kind, ids in (("shot", [s.id for s in shots]), ("scene", [s.id for s in storyboard.scenes]),
                      ("character", [c.id for c in storyboard.characters])):
        _check_ids(kind, ids)
    for scene in storyboard.scenes:
        if not scene.shots:
            raise InvalidInput(f"scene {scene.id} has no shots: give it one or remove the scene")
    characters = {c.id for c in storyboard.characters}
    for shot in shots:
        unknown = sorted(set(shot.character_ids) - characters)
        if unknown:
            raise InvalidInput(f"shot {shot.id} shows {', '.join(unknown)}, who are not among the characters")
        speakers = sorted({line.speaker_id for line in shot.lines} - characters - {NARRATOR})
        if speakers:
            raise InvalidInput(f"shot {shot.id} has lines spoken by {', '.join(speakers)}, who are not characters")
        for number, line in enumerate(shot.lines, start=1):
            _check_line(f"shot {shot.id}, line {number} ({_quoted(line.text)})", line.text)


def _check_line(what: str, text: str) -> None:
    """A line must hold something a voice can say (a letter of a spoken script, or a digit): what
    the planner guarantees of its own lines. One with none says which script it is written in."""
    if storytext.speakable(text):
        return
    if (script := storytext.unspoken_script(text)) is not None:
        raise InvalidInput(f"{what} is written in {script} script, which no voice here speaks; "
                           f"the voices speak {storytext.supported_languages()}")
    storytext.check_speakable(text, what)


def _quoted(text: str, most: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= most else text[: most - 1] + "…")


def normalised(storyboard: Storyboard) -> Storyboard:
    """Every text of the storyboard in the normal form every service reads (storyreel.storytext):
    NFC, no control characters; lines, titles and prompts on one line each."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(storytext.normal_text(value).split())
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    return Storyboard.model_validate(clean(storyboard.model_dump(mode="json")))


def names_new_voices(before: Storyboard, after: Storyboard) -> bool:
    """Whether an edit names a voice (an engine's voice id) that the storyboard did not have:
    the one kind of voice edit an engine can lack. Pitch and rate are checked by their ranges."""
    def named(board: Storyboard) -> set[tuple[str, str]]:
        voices = [board.narrator_voice, *(c.voice for c in board.characters)]
        return {(voice.engine.value, voice.voice_id) for voice in voices if voice.voice_id}

    return bool(named(after) - named(before))


def chosen_voices(voices: Mapping[str, VoiceChoice]) -> Storyboard | None:
    """A storyboard of no shots whose narrator and characters have the voices a submission
    names by voice id (to check with check_voices); None when it names none."""
    named = {key: choice for key, choice in voices.items() if choice.voice_id}
    if not named:
        return None
    board = Storyboard()
    for key, choice in named.items():
        voice = Voice(engine=choice.engine or VoiceEngine.ESPEAK, voice_id=choice.voice_id or "")
        if key.strip().casefold() in NARRATOR_NAMES:
            board.narrator_voice = voice
        else:
            board.characters.append(Character(id=key, name=key, voice=voice))
    return board


async def check_voices(audio: Any, storyboard: Storyboard, timeout_s: float = VOICE_CHECK_TIMEOUT_S) -> None:
    """InvalidInput when the audio service cannot cast the storyboard's voices (a voice id its
    engine lacks), asked with CheckVoices: it casts as for any shot, speaks nothing and loads no
    model. Any other failure (the service is down, slow) is left to the job's own speech step,
    which retries."""
    try:
        await audio.CheckVoices(messages.cast_request(storyboard), timeout=timeout_s)
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise InvalidInput(f"the audio service cannot speak with these voices: {error.details()}") from None
        log.warning("could not check the edited voices with the audio service: %s", error.code().name)


def _check_ids(kind: str, ids: list[str]) -> None:
    for item in ids:
        if not SAFE_ID.match(item):
            raise InvalidInput(
                f"{kind} id {item!r} must be 1-64 letters, digits, '_' or '-', starting with a letter or digit"
            )
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise InvalidInput(f"{kind} id {item!r} is used twice; each {kind} needs its own id")
        seen.add(item)


def reroll(storyboard: Storyboard, shot_id: str, change: RerollRequest) -> Storyboard:
    """The storyboard with one shot's prompt and seed changed; a new random seed when none is given."""
    result = storyboard.model_copy(deep=True)
    shot = next((s for s in result.shots() if s.id == shot_id), None)
    if shot is None:
        raise KeyError(shot_id)
    if change.prompt is not None:
        shot.visual_prompt = change.prompt
    seed = change.seed
    while seed is None or (change.seed is None and seed == shot.seed):
        seed = secrets.randbelow(2**31)
    shot.seed = seed
    return result
