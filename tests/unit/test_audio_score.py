"""The procedural score: per-mood character, determinism, and no short loop."""

from __future__ import annotations

import pytest

from services.audio.score import BEATS_PER_BAR, STYLES, Part, Score, compose
from storyreel.domain import Mood


def _melody(music: Score, start_s: float, end_s: float) -> list[tuple[float, int]]:
    return [
        (round(note.start_s - start_s, 3), note.pitch)
        for note in music.notes
        if note.part == Part.MELODY and start_s <= note.start_s < end_s
    ]


def test_every_mood_has_its_own_style() -> None:
    assert STYLES.keys() == set(Mood)
    signatures = {(s.tempo_bpm, s.tonic, s.scale, tuple(s.programs.values())) for s in STYLES.values()}
    assert len(signatures) == len(Mood)


def test_sad_music_is_slower_and_quieter_than_happy_music() -> None:
    sad, happy = STYLES[Mood.SAD], STYLES[Mood.HAPPY]
    assert sad.tempo_bpm < happy.tempo_bpm
    assert sad.velocity < happy.velocity


@pytest.mark.parametrize("mood", list(Mood))
def test_the_score_lasts_the_whole_cue_with_every_part(mood: Mood) -> None:
    music = compose(mood, seed=3, duration_s=40.0)
    assert music.end_s >= 40.0
    assert {Part.PAD, Part.BASS, Part.MELODY} <= {note.part for note in music.notes}
    assert all(0 <= note.pitch <= 127 and 1 <= note.velocity <= 127 for note in music.notes)


def test_the_same_request_gives_the_same_notes_and_another_seed_other_notes() -> None:
    assert compose(Mood.CALM, 7, 30.0) == compose(Mood.CALM, 7, 30.0)
    assert compose(Mood.CALM, 7, 30.0).notes != compose(Mood.CALM, 8, 30.0).notes


def test_the_tune_does_not_repeat_from_one_phrase_to_the_next() -> None:
    music = compose(Mood.HAPPY, 1, 120.0)
    phrase_s = 4 * BEATS_PER_BAR * 60.0 / music.style.tempo_bpm
    phrases = [_melody(music, index * phrase_s, (index + 1) * phrase_s) for index in range(1, 6)]
    assert all(phrases)
    assert len({tuple(phrase) for phrase in phrases}) == len(phrases)
