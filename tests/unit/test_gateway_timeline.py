from __future__ import annotations

import pytest

from gateway import timeline
from storyreel import domain
from storyreel.storyboard.v1 import storyboard_pb2


@pytest.mark.parametrize(
    ("speech_s", "expected_frames"),
    [(0.0, 72), (2.0, 72), (2.4, 72), (2.41, 73), (4.0, 111), (11.5, 291)],
)
def test_shot_lasts_its_speech_plus_air_in_whole_frames(speech_s: float, expected_frames: int) -> None:
    duration = timeline.shot_duration_s(speech_s, air_s=0.6, min_s=3.0, fps=24)
    assert duration * 24 == pytest.approx(expected_frames)
    assert duration >= speech_s + 0.6 - 1e-9


def _storyboard() -> domain.Storyboard:
    def shot(shot_id: str, *texts: str) -> domain.Shot:
        return domain.Shot(id=shot_id, lines=[domain.Line(text=t) for t in texts])

    return domain.Storyboard(scenes=[
        domain.Scene(id="s01", title="One", shots=[shot("s01_01", "A.", "B."), shot("s01_02", "C.")]),
        domain.Scene(id="s02", title="Two", mood=domain.Mood.SAD, shots=[
            shot("s02_01", "गुड़िया बोली।")]),
    ])


SPEECH = {
    "s01_01": timeline.SpeechResult("k1", 3.5, [(0.0, 1.5), (1.8, 3.5)]),
    "s01_02": timeline.SpeechResult("k2", 6.0, [(0.0, 6.0)]),
    "s02_01": timeline.SpeechResult("k3", 1.0, [(0.0, 1.0)]),
}


def test_timed_storyboard_and_music_cues_line_up() -> None:
    timed = timeline.timed(_storyboard(), SPEECH, air_s=0.5, min_s=3.0, fps=25)
    assert [s.duration_s for s in timed.shots()] == [4.0, 6.52, 3.0]  # 6.5 s is 162.5 frames: rounded up to 163
    cues = timeline.music_cues(timed, {"s01": "m1", "s02": "m2"})
    expected = [("m1", 0.0, pytest.approx(10.52)), ("m2", pytest.approx(10.52), 3.0)]
    assert [(c.audio_key, c.start_s, c.duration_s) for c in cues] == expected


def test_subtitles_are_cued_from_the_speech_timings() -> None:
    timed = timeline.timed(_storyboard(), SPEECH, air_s=0.5, min_s=3.0, fps=25)
    shots = timeline.timeline_shots(timed, SPEECH, {"s01_01": "c1", "s01_02": "c2", "s02_01": "c3"})
    assert [s.scene_title for s in shots] == ["One", "One", "Two"]
    first = shots[0].cues
    assert [(c.text, c.start_s, c.end_s) for c in first] == [("A.", 0.0, 1.5), ("B.", 1.8, 3.5)]
    assert shots[2].cues[0].language == storyboard_pb2.LANGUAGE_EN


def test_speech_result_json_round_trip() -> None:
    result = SPEECH["s01_01"]
    assert timeline.SpeechResult.from_json(result.to_json()) == result


def test_each_scenes_music_runs_a_crossfade_into_the_next() -> None:
    timed = timeline.timed(_storyboard(), SPEECH, air_s=0.5, min_s=3.0, fps=25)
    cues = timeline.music_cues(timed, {"s01": "m1", "s02": "m2"}, crossfade_s=1.0)
    assert [(c.start_s, c.duration_s) for c in cues] == [
        (0.0, pytest.approx(11.52)), (pytest.approx(10.52), 3.0)  # the last scene's ends with the film
    ]
    assert timeline.music_tails(timed, 1.0) == {"s01": 1.0, "s02": 0.0}
