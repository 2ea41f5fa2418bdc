"""A film's parts kept between calls (parts_prefix): a Prepare while shots still render encodes
each segment whose clips are all there, and the sound once it is complete; the Compose after it
encodes only what is left, and a new take of one shot re-encodes only its own segment. The film
is the same as one composed in a single call: same length, frames, streams and subtitles."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bench.composer_bench import make_clip
from services.composer.backends.ffmpeg import FfmpegComposer
from services.composer.models import ComposeRequest, Film, PrepareRequest, TimelineShot
from services.composer.settings import ComposerSettings
from services.composer.timeline import place_shots, scene_segments
from storyreel.artifacts import ArtifactStore
from storyreel.media import probe
from tests.composer_media import PROFILE, small_request

PARTS = "jobs/j1/parts"


@pytest.fixture
def composer(store: ArtifactStore) -> FfmpegComposer:
    # one worker: the two scenes of small_request() are then two segments, one per scene
    settings = ComposerSettings().model_copy(update={"artifact_root": store.root, "segment_workers": 1})
    return FfmpegComposer(settings, store)


@pytest.fixture
def film(store: ArtifactStore) -> ComposeRequest:
    return small_request(store).model_copy(update={"parts_prefix": PARTS})


def encoded(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The segments ffmpeg encoded, by index, since the log was last cleared."""
    return sorted(int(r.__dict__["segment"]) for r in caplog.records if r.getMessage() == "encoded segment")


def mixed(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage() == "mixed audio" for r in caplog.records)


def kept(store: ArtifactStore) -> list[str]:
    return sorted(p.name.split("-")[0] for p in store.path(PARTS).iterdir() if not p.name.startswith("."))


def frames_and_streams(path: Path) -> tuple[int, list[str]]:
    info = probe(path, 30.0)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return int(video["nb_frames"]), sorted(s["codec_type"] for s in info["streams"])


def without(film: ComposeRequest, shot_ids: set[str]) -> Film:
    """The film as a Prepare sees it while those shots still render."""
    shots = [s.model_copy(update={"clip_key": ""}) if s.shot_id in shot_ids else s for s in film.shots]
    return Film.model_validate(film.model_copy(update={"shots": shots}).model_dump(
        exclude={"video_key", "srt_key", "vtt_key"}))


def test_scene_segments_keep_to_one_scene_and_split_a_long_one() -> None:
    def shot(n: int, scene: str, seconds: float) -> TimelineShot:
        return TimelineShot(shot_id=f"s{n}", scene_id=scene, clip_key=f"c{n}", duration_s=seconds)

    long_scene = [shot(n, "a", 50.0) for n in range(6)]  # 300 s: three runs of at most about 120 s
    timeline = place_shots([*long_scene, shot(6, "b", 10.0), shot(7, "b", 10.0)], 24)
    cut = scene_segments(timeline, 120.0, 2)
    assert [[p.shot.shot_id for p in segment.shots] for segment in cut] == [
        ["s0", "s1"], ["s2", "s3"], ["s4", "s5"], ["s6", "s7"]]
    assert [segment.index for segment in cut] == [0, 1, 2, 3]
    assert all(len({p.shot.scene_id for p in segment.shots}) == 1 for segment in cut)
    # fewer scenes than workers: equal shares across the cut, every core busy
    one_scene = place_shots([shot(n, "a", 10.0) for n in range(4)], 24)
    assert len(scene_segments(one_scene, 120.0, 2)) == 2


def test_a_prepare_encodes_the_ready_scenes_and_compose_only_the_rest(
    composer: FfmpegComposer, film: ComposeRequest, store: ArtifactStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lamp_still_rendering = without(film, {"lamp_2"})
    prepared = composer.prepare(PrepareRequest(film=lamp_still_rendering))
    assert (prepared.segments, prepared.segments_ready, prepared.segments_made) == (2, 1, 1)
    assert prepared.sound_ready is False and mixed(caplog) == 0  # music not final yet: no sound made
    assert encoded(caplog) == [0] and kept(store) == ["segment"]

    again = composer.prepare(PrepareRequest(film=lamp_still_rendering, sound_complete=True))
    assert (again.segments_ready, again.segments_made, again.sound_ready) == (1, 0, True)
    assert encoded(caplog) == [0] and mixed(caplog) == 1  # nothing encoded twice

    caplog.clear()
    result = composer.compose(film)
    assert encoded(caplog) == [1] and mixed(caplog) == 0  # only the scene rendered last, and no sound again
    assert result.duration_s == pytest.approx(6.0, abs=1 / 24)
    assert kept(store) == ["segment", "segment", "sound"]

    whole = small_request(store).model_copy(update={"video_key": "out/whole.mp4", "srt_key": "out/whole.srt"})
    composer.compose(whole)  # the same film in one call, nothing kept
    assert frames_and_streams(store.path(result.video_key)) == frames_and_streams(store.path("out/whole.mp4"))
    assert store.path(result.srt_key).read_text("utf-8") == store.path("out/whole.srt").read_text("utf-8")


def test_a_new_take_of_one_shot_re_encodes_only_its_segment_and_drops_the_old_one(
    composer: FfmpegComposer, film: ComposeRequest, store: ArtifactStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    composer.compose(film)
    before = set(store.path(PARTS).iterdir())
    caplog.clear()
    composer.compose(film)
    assert encoded(caplog) == [] and mixed(caplog) == 0  # composed again: every part reused

    make_clip(store.path("in/clip2b.mp4"), 2.5, PROFILE.width, PROFILE.height, PROFILE.fps, moving=True)
    shots = [s.model_copy(update={"clip_key": "in/clip2b.mp4"}) if s.shot_id == "lamp_2" else s for s in film.shots]
    caplog.clear()
    result = composer.compose(film.model_copy(update={"shots": shots}))
    assert encoded(caplog) == [1] and mixed(caplog) == 0  # the lamp scene only; the sound did not change
    after = set(store.path(PARTS).iterdir())
    assert len(after) == len(before) == 3 and len(after - before) == 1  # the old take's segment is gone
    assert result.duration_s == pytest.approx(6.0, abs=1 / 24)


def test_a_part_whose_clip_was_written_again_is_not_reused(
    composer: FfmpegComposer, film: ComposeRequest, store: ArtifactStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    composer.compose(film)
    make_clip(store.path("in/clip0.mp4"), 2.0, PROFILE.width, PROFILE.height, PROFILE.fps, moving=True)
    caplog.clear()
    composer.compose(film)
    assert encoded(caplog) == [0]


def test_a_prepare_needs_a_parts_prefix(film: ComposeRequest) -> None:
    with pytest.raises(ValueError, match="parts_prefix is empty"):
        PrepareRequest(film=without(film.model_copy(update={"parts_prefix": ""}), set()))


def test_compose_refuses_a_shot_without_a_clip(film: ComposeRequest) -> None:
    shots = [film.shots[0].model_copy(update={"clip_key": ""}), *film.shots[1:]]
    with pytest.raises(ValueError, match=r"shot well_0 \(scene well\) has no clip_key"):
        ComposeRequest.model_validate({**film.model_dump(), "shots": [s.model_dump() for s in shots]})
