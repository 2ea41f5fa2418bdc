"""The voices the planner casts, heard through the real espeak-ng: every character sounds unlike
the narrator and unlike every other character, a child higher, an old voice lower and slower."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.audio import measure, pcm
from services.audio.backends.espeak import SAMPLE_RATE, EspeakSpeech
from services.audio.models import SpeakInput
from services.planner.backends.rules import RulesPlanner
from services.planner.story.describe import CHILD, FEMALE, MALE, OLD, Profile
from services.planner.story.voices import NARRATOR_VOICE, SLOTS, assign_voices
from storyreel.domain import NARRATOR, Character, Language, Line, Storyboard, Voice
from tests.conftest import REPO_ROOT, shared_story

TALK = "Hold the lantern high and wait for me by the river, the boats will come home soon."
TALK_HI = "नदी के किनारे दीपक ऊँचा रखो, नावें जल्दी ही घर लौट आएँगी।"


@pytest.fixture(scope="module")
def speech() -> EspeakSpeech:
    return EspeakSpeech("espeak-ng", 0.3, -20.0, timeout_s=30)


def _voiced(
    speech: EspeakSpeech, texts: dict[str, str], board: Storyboard, language: Language
) -> dict[str, pcm.Samples]:
    """Each speaker's text in its own voice, as the speech step makes it (one shot, one line each)."""
    speakers = list(texts)
    request = SpeakInput(
        shot_id="s01_01",
        lines=[Line(text=texts[who], language=language, speaker_id=who) for who in speakers],
        characters=board.characters,
        narrator_voice=board.narrator_voice,
        output_key="s.wav",
    )
    cast = speech.cast(request)
    return {
        who: speech.voice_line(i, line, cast[who])
        for i, (who, line) in enumerate(zip(speakers, request.lines, strict=True))
    }


def _alike(voiced: dict[str, pcm.Samples]) -> list[tuple[str, str]]:
    """Pairs that do not sound like two people, by measure.voices_differ's rule (pitch two
    semitones apart, or timbre apart), each voice measured once."""
    pitch = {who: measure.median_pitch_hz(samples, SAMPLE_RATE) for who, samples in voiced.items()}
    timbre = {who: measure.timbre_db(samples) for who, samples in voiced.items()}
    names = list(voiced)
    alike = []
    for i, one in enumerate(names):
        for other in names[i + 1 :]:
            low, high = sorted((pitch[one], pitch[other]))
            apart = low > 0 and high / low >= measure.MIN_PITCH_RATIO
            timbre_apart = float(np.sqrt(np.mean((timbre[one] - timbre[other]) ** 2))) >= measure.MIN_TIMBRE_DB
            if not (apart or timbre_apart):
                alike.append((one, other))
    return alike


def test_alike_is_the_audio_services_own_rule(speech: EspeakSpeech) -> None:
    board = _pool_board()
    voiced = _voiced(speech, {NARRATOR: TALK, "male_adult_0": TALK, "male_adult_1": TALK}, board, Language.EN)
    pairs = [(NARRATOR, "male_adult_0"), (NARRATOR, "male_adult_1"), ("male_adult_0", "male_adult_1")]
    same = [(one, other) for one, other in pairs if not measure.voices_differ(voiced[one], voiced[other], SAMPLE_RATE)]
    assert _alike(voiced) == same
    assert _alike({"a": voiced[NARRATOR], "b": voiced[NARRATOR]}) == [("a", "b")]


def _pool_board() -> Storyboard:
    characters = [
        Character(id=f"{gender}_{age or 'adult'}_{n}", name=f"C{n}", voice=Voice(voice_id=variant, pitch=pitch))
        for (gender, age), slots in SLOTS.items()
        for n, (variant, pitch) in enumerate(slots)
    ]
    return Storyboard(title="pool", characters=characters, narrator_voice=NARRATOR_VOICE)


@pytest.mark.parametrize(("text", "language"), [(TALK, Language.EN), (TALK_HI, Language.HI)], ids=["english", "hindi"])
def test_every_two_slots_of_the_pool_and_the_narrator_differ_by_ear(
    speech: EspeakSpeech, text: str, language: Language
) -> None:
    board = _pool_board()
    voiced = _voiced(speech, {NARRATOR: text} | {c.id: text for c in board.characters}, board, language)
    assert not _alike(voiced)


def test_a_child_is_higher_and_an_old_voice_lower_and_slower_than_an_adult(speech: EspeakSpeech) -> None:
    groups = [(gender, age) for gender in (MALE, FEMALE) for age in (CHILD, "", OLD)]
    ids = [f"{gender}_{age or 'adult'}" for gender, age in groups]
    voices = assign_voices(ids, {cid: Profile(gender, age, "") for cid, (gender, age) in zip(ids, groups, strict=True)})
    board = Storyboard(
        title="ages",
        characters=[Character(id=cid, name=cid, voice=voices[cid]) for cid in ids],
        narrator_voice=NARRATOR_VOICE,
    )
    voiced = _voiced(speech, {NARRATOR: TALK} | {cid: TALK for cid in ids}, board, Language.EN)
    pitch = {who: measure.median_pitch_hz(samples, SAMPLE_RATE) for who, samples in voiced.items()}
    seconds = {who: len(samples) / SAMPLE_RATE for who, samples in voiced.items()}
    for gender in (MALE, FEMALE):
        child, adult, old = (f"{gender}_{age}" for age in ("child", "adult", "old"))
        assert pitch[child] > pitch[adult] > pitch[old]
        assert pitch[child] > 1.2 * pitch[NARRATOR]
        # the same words: an old voice takes longer (slower), a child's less long, than an adult's
        assert seconds[old] > seconds[adult] > seconds[child]
    assert pitch["female_adult"] > pitch["male_adult"]


def _story_board(path: Path) -> Storyboard:
    return RulesPlanner().plan(path.read_text(encoding="utf-8"), "", None, 0).storyboard


def _lines_by_speaker(board: Storyboard, fallback: str) -> dict[str, str]:
    """What each speaker says in the film (the first few lines), the narrator included; a
    character who never speaks says the fallback sentence."""
    said: dict[str, list[str]] = {NARRATOR: []}
    said |= {c.id: [] for c in board.characters}
    for scene in board.scenes:
        for shot in scene.shots:
            for line in shot.lines:
                said[line.speaker_id].append(line.text)
    return {who: " ".join(lines[:4]) if lines else fallback for who, lines in said.items()}


@pytest.mark.parametrize(
    ("story", "fallback"),
    [
        (REPO_ROOT / "samples" / "the_lantern_keeper.txt", TALK),
        ("hi_idgah.txt", TALK_HI),
        ("en_hansel_and_gretel.txt", TALK),
    ],
    ids=["sample", "idgah", "hansel"],
)
def test_every_character_of_a_story_sounds_unlike_the_narrator_and_the_others(
    speech: EspeakSpeech, story: Path | str, fallback: str
) -> None:
    path = story if isinstance(story, Path) else shared_story(story)
    board = _story_board(path)
    assert len(board.characters) >= 2
    voiced = _voiced(speech, _lines_by_speaker(board, fallback), board, board.language)
    assert not _alike(voiced)
    assert all(np.abs(samples).max() > 0 for samples in voiced.values())
