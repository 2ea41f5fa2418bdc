"""Timeline maths: shots on whole frames, cues and chapters on film time, segments."""

from __future__ import annotations

import pydantic
import pytest

from services.composer.models import ComposeRequest, OutputProfile, SubtitleCue, TimelineShot
from services.composer.timeline import (
    AUDIO_RATE,
    absolute_cues,
    chapters,
    place_shots,
    scene_changes_s,
    segment_count,
    segments,
)
from storyreel.errors import InvalidInput


def shot(
    n: int, duration_s: float, scene: str = "s1", title: str = "", cues: list[SubtitleCue] | None = None
) -> TimelineShot:
    return TimelineShot(
        shot_id=f"{scene}_{n:02d}",
        scene_id=scene,
        scene_title=title,
        clip_key=f"clips/{n}.mp4",
        duration_s=duration_s,
        cues=cues or [],
    )


def test_shots_sit_end_to_end_on_whole_frames() -> None:
    timeline = place_shots([shot(0, 5.0), shot(1, 121 / 24), shot(2, 3.0)], fps=24)
    assert [(p.start_frame, p.frames) for p in timeline.shots] == [(0, 120), (120, 121), (241, 72)]
    assert timeline.total_frames == 313
    assert timeline.duration_s == pytest.approx(313 / 24)


def test_a_long_film_does_not_drift() -> None:
    # 1000 shots of 121 frames: summing 5.041666... as floats would drift; frames cannot.
    timeline = place_shots([shot(n, 121 / 24) for n in range(1000)], fps=24)
    assert timeline.total_frames == 121_000
    assert timeline.sample(timeline.total_frames) == 121_000 * AUDIO_RATE // 24


def test_sample_counts_of_consecutive_shots_add_up_exactly() -> None:
    timeline = place_shots([shot(n, 0.4) for n in range(7)], fps=30)  # 48000/30 is whole; try 7 fps too
    odd = place_shots([shot(n, 3 / 7) for n in range(7)], fps=7)
    for tl in (timeline, odd):
        lengths = [tl.sample(p.end_frame) - tl.sample(p.start_frame) for p in tl.shots]
        assert sum(lengths) == tl.sample(tl.total_frames)


def test_a_shot_shorter_than_a_frame_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match=r"shot s1_01 \(scene s1\)"):
        place_shots([shot(0, 1.0), shot(1, 0.01)], fps=24)


def test_one_chapter_per_run_of_a_scene() -> None:
    shots = [shot(0, 1, "a", "Dawn"), shot(1, 1, "a", "Dawn"), shot(2, 2, "b", " "), shot(3, 1, "a", "Dawn again")]
    found = chapters(place_shots(shots, fps=10))
    assert [(c.title, c.start_frame, c.end_frame) for c in found] == [
        ("Dawn", 0, 20),
        ("Scene 2", 20, 40),
        ("Dawn again", 40, 50),
    ]
    assert scene_changes_s(place_shots(shots, fps=10)) == [2.0, 4.0]


def test_segments_cover_every_shot_once_in_order_in_equal_runs() -> None:
    timeline = place_shots([shot(n, 6.0) for n in range(25)], fps=24)
    planned = segments(timeline, 5)
    assert [len(s.shots) for s in planned] == [5, 5, 5, 5, 5]
    assert [p.index for s in planned for p in s.shots] == list(range(25))
    assert [s.index for s in planned] == [0, 1, 2, 3, 4]


def test_uneven_shots_are_shared_out_by_where_their_middle_falls() -> None:
    timeline = place_shots([shot(n, seconds) for n, seconds in enumerate((3.0, 6.0, 4.0, 1.0, 6.0))], fps=10)
    first, second = segments(timeline, 2)  # 20 s: cut at 9 s, the boundary nearest 10 s
    assert ([p.index for p in first.shots], [p.index for p in second.shots]) == ([0, 1], [2, 3, 4])


def test_a_shot_longer_than_a_segment_makes_fewer_segments_never_empty_ones() -> None:
    timeline = place_shots([shot(0, 2.0), shot(1, 50.0), shot(2, 2.0)], fps=24)
    assert [len(s.shots) for s in segments(timeline, 6)] == [1, 1, 1]
    assert [len(s.shots) for s in segments(place_shots([shot(0, 4.0)], fps=24), 4)] == [1]


@pytest.mark.parametrize(
    ("film_s", "workers", "expected"),
    [
        (300.0, 1, 3),  # 5 minutes in runs of at most 120 s
        (300.0, 2, 4),  # ... rounded up so both workers are busy to the end
        (3600.0, 2, 30),
        (30.0, 2, 2),  # a short film still keeps both cores busy
        (30.0, 16, 16),
    ],
)
def test_the_segment_count_fills_every_worker_and_keeps_segments_short(
    film_s: float, workers: int, expected: int
) -> None:
    assert segment_count(film_s, 120.0, workers) == expected


def test_cues_move_to_film_time_in_order() -> None:
    cues_b = [SubtitleCue(text="second", start_s=1.0, end_s=2.0), SubtitleCue(text="first", start_s=0.0, end_s=1.0)]
    timeline = place_shots(
        [shot(0, 3.0, cues=[SubtitleCue(text="a", start_s=0.5, end_s=2.5)]), shot(1, 2.0, cues=cues_b)], 24
    )
    found = [(c.text, c.start_s, c.end_s) for c in absolute_cues(timeline)]
    assert found == [("a", 0.5, 2.5), ("first", 3.0, 4.0), ("second", 4.0, 5.0)]


def test_a_cue_a_hair_past_its_shot_is_clamped_and_one_far_past_is_refused() -> None:
    hair = place_shots([shot(0, 2.0, cues=[SubtitleCue(text="x", start_s=0, end_s=2.01)])], fps=24)
    assert absolute_cues(hair)[0].end_s == 2.0
    far = place_shots([shot(0, 2.0, cues=[SubtitleCue(text="x", start_s=0, end_s=3.0)])], fps=24)
    with pytest.raises(InvalidInput, match=r"cue of shot s1_00 \(scene s1\)"):
        absolute_cues(far)


def test_request_models_refuse_nonsense() -> None:
    with pytest.raises(pydantic.ValidationError, match="not after its start"):
        SubtitleCue(text="x", start_s=2.0, end_s=1.0)
    with pytest.raises(pydantic.ValidationError, match="even"):
        OutputProfile(width=1281, height=720, fps=24)
    with pytest.raises(pydantic.ValidationError):
        shot(0, 0.0)


@pytest.mark.parametrize(
    ("video", "srt", "vtt", "clash"),
    [
        ("a", "a", "", "video_key and srt_key"),
        ("a", "b", "b", "srt_key and vtt_key"),
        ("a", "b", "a", "video_key and vtt_key"),
    ],
)
def test_every_output_needs_a_key_of_its_own(video: str, srt: str, vtt: str, clash: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=f"{clash} are both .* a file of its own"):
        ComposeRequest(shots=[shot(0, 1.0)], video_key=video, srt_key=srt, vtt_key=vtt)
