"""Shots: packing by expected speech, splitting long sentences, framing."""

from __future__ import annotations

import itertools

from services.planner.story.dialogue import read_paragraph
from services.planner.story.shots import MAX_SHOT_S, MIN_SHOT_S, ShotDraft, duration, frame, pack_shots
from storyreel.domain import CameraMove, Language, ShotType

WPS = 2.5


def shots_of(*texts: str) -> list[ShotDraft]:
    return pack_shots([read_paragraph(text, False, Language.EN) for text in texts], WPS)


def words(text: str, n: int) -> str:
    return " ".join([text] * n)


def test_every_piece_lands_in_exactly_one_shot_in_order() -> None:
    texts = [words("Short sentence here.", 6), words("Another one, please.", 9), "Tiny."]
    shots = shots_of(*texts)
    packed = " ".join(piece.text for shot in shots for piece in shot.pieces)
    assert packed == " ".join(texts)


def test_shots_hold_three_to_twelve_seconds_of_speech() -> None:
    shots = shots_of(words("The boat rocked on the grey sea.", 12), words("Gulls cried.", 10))
    assert all(MIN_SHOT_S <= shot.seconds <= MAX_SHOT_S for shot in shots)
    for shot in shots:
        spoken = sum(piece.words for piece in shot.pieces) / WPS
        assert spoken <= MAX_SHOT_S


def test_a_sentence_longer_than_twelve_seconds_is_split_at_its_clauses() -> None:
    clause = "and the wind came down from the hills over the river"
    long_sentence = ", ".join([clause] * 6) + "."
    shots = shots_of(long_sentence)
    assert len(shots) >= 3
    assert all(sum(p.words for p in shot.pieces) <= MAX_SHOT_S * WPS for shot in shots)
    assert " ".join(p.text for shot in shots for p in shot.pieces) == long_sentence


def test_a_clause_with_no_commas_is_split_at_words() -> None:
    shots = shots_of(words("word", 70) + ".")
    assert [sum(p.words for p in shot.pieces) for shot in shots] == [24, 24, 22]


def test_duration_is_expected_speech_clamped() -> None:
    assert duration(1, WPS) == 3.0
    assert duration(20, WPS) == 8.0
    assert duration(100, WPS) == 12.0


def test_framing_opens_wide_pushes_in_on_a_speaker_and_never_repeats_itself() -> None:
    shots = shots_of(
        words("The village slept by the river under the stars.", 2),
        '"Stay at home tonight, the storm is far too strong for you," said Arjun.',
        words("The wind howled over the dark hills all night long.", 2),
        words("The rain fell on the roofs of the silent houses.", 2),
        words("At last the grey light of morning came.", 2),
    )
    for shot in shots:
        shot.pieces[0].speaker_id = "c_arjun" if shot.pieces[0].dialogue else ""
    frame(shots, 1, [[], ["c_arjun"], [], [], []])
    framing = [(shot.shot_type, shot.camera) for shot in shots]
    assert framing[0] == (ShotType.ESTABLISHING, CameraMove.PAN_RIGHT)
    assert framing[1] == (ShotType.CLOSE_UP, CameraMove.PUSH_IN)
    assert framing[-1] == (ShotType.WIDE, CameraMove.PULL_OUT)
    assert all(a != b for a, b in itertools.pairwise(framing))
