"""Finished clips: the composer says how each shot's clip is finished (Finish), and a film whose
clips were finished that way is joined without encoding a frame again. The film then holds
exactly the clips' frames, with its streams, subtitles and length as always; a clip finished
for other settings, a stretch that mixes finished and plain clips, or a finished clip of the
wrong kind is refused with words that name the shot.

The clips are finished here by ffmpeg as a visual service would (the composer's own ASS script
burned in, its fades, its encoder settings): the composer's side of the contract, on real files."""

from __future__ import annotations

import logging

import pytest

from bench.composer_bench import make_clip, make_tone
from services.composer.backends.ffmpeg import FfmpegComposer
from services.composer.models import ClipFinish, ComposeRequest, Film, FinishRequest, SubtitleCue, TimelineShot
from services.composer.settings import ComposerSettings
from storyreel.artifacts import ArtifactStore
from storyreel.errors import InvalidInput
from storyreel.media import ffmpeg, probe
from tests.composer_media import PROFILE, small_request
from tests.e2e.film_checks import frame_hashes


@pytest.fixture
def composer(store: ArtifactStore) -> FfmpegComposer:
    settings = ComposerSettings().model_copy(update={"artifact_root": store.root, "segment_workers": 1})
    return FfmpegComposer(settings, store)


def finishes_of(composer: FfmpegComposer, film: Film) -> dict[str, ClipFinish]:
    return dict(composer.finish(FinishRequest(film=film)))


def finish_clip(store: ArtifactStore, key: str, finish: ClipFinish, seconds: float, out_key: str) -> None:
    """What a visual service that finishes clips does: burn the ASS, fade, encode with the finish's settings."""
    ass = store.path(out_key).with_suffix(".ass")
    ass.parent.mkdir(parents=True, exist_ok=True)
    ass.write_text(finish.subtitles_ass, "utf-8")
    steps = [f"ass=filename={ass}"] if finish.subtitles_ass else []
    if finish.fade_in_s:
        steps.append(f"fade=t=in:st=0:d={finish.fade_in_s}")
    if finish.fade_out_s:
        steps.append(f"fade=t=out:st={seconds - finish.fade_out_s:.4f}:d={finish.fade_out_s}")
    params = ["-x264-params", finish.x264_params] if finish.x264_params else []
    ffmpeg(["-i", str(store.path(key)), *(["-vf", ",".join(steps)] if steps else []),
            "-c:v", "libx264", "-preset", finish.x264_preset, "-crf", str(finish.x264_crf), *params,
            "-pix_fmt", "yuv420p", "-an", "-f", "mp4", str(store.path(out_key))], 60)  # fmt: skip


def finished_film(store: ArtifactStore, composer: FfmpegComposer) -> ComposeRequest:
    film = small_request(store)
    finishes = finishes_of(composer, film)
    shots = []
    for shot in film.shots:
        finish = finishes[shot.shot_id]
        out_key = f"in/finished_{shot.shot_id}.mp4"
        finish_clip(store, shot.clip_key, finish, shot.duration_s, out_key)
        shots.append(shot.model_copy(update={"clip_key": out_key, "finish_tag": finish.tag}))
    return film.model_copy(update={"shots": shots})


def test_each_shot_gets_its_own_subtitles_and_the_fades_of_its_scene_changes(
    store: ArtifactStore, composer: FfmpegComposer
) -> None:
    film = small_request(store)  # well_0, well_1 | lamp_2
    finishes = finishes_of(composer, film)
    assert [(f.fade_in_s, f.fade_out_s) for f in finishes.values()] == [(0, 0), (0, 0.3), (0.3, 0)]
    assert "Dialogue: 0,0:00:00.10,0:00:01.90" in finishes["well_0"].subtitles_ass  # from the shot's start
    assert "कुएँ" in finishes["well_1"].subtitles_ass and "कुएँ" not in finishes["lamp_2"].subtitles_ass
    assert finishes["well_0"].x264_preset == "superfast" and finishes["well_0"].x264_crf == 20
    assert len({f.tag for f in finishes.values()}) == 3
    assert finishes_of(composer, film) == finishes, "the same film, the same finishes"
    soft = film.model_copy(update={"subtitles": film.subtitles.model_copy(update={"mode": "soft"})})
    assert all(f.subtitles_ass == "" for f in finishes_of(composer, soft).values())
    other = FfmpegComposer(composer.settings.model_copy(update={"crf": 23}), store)
    assert all(finishes_of(other, film)[s].tag != finishes[s].tag for s in finishes)


def test_finished_clips_are_joined_frame_for_frame_without_a_second_encode(
    store: ArtifactStore, composer: FfmpegComposer, caplog: pytest.LogCaptureFixture
) -> None:
    film = finished_film(store, composer)
    caplog.set_level(logging.INFO, logger="services.composer.backends.ffmpeg")
    made = composer.compose(film)
    messages = [r.getMessage() for r in caplog.records]
    assert "encoded segment" not in messages and "joined segment" in messages
    path = store.path(made.video_key)
    clip_frames = [h for shot in film.shots for h in frame_hashes(store.path(shot.clip_key))]
    assert frame_hashes(path) == clip_frames, "the film's picture is the finished clips' own frames"
    info = probe(path, 30)
    kinds = sorted(s["codec_type"] for s in info["streams"] if s["codec_type"] != "data")  # data: the chapters
    assert kinds == ["audio", "subtitle", "video"]
    assert len(info["chapters"]) == 2
    assert made.duration_s == pytest.approx(6.0, abs=1 / PROFILE.fps)


def test_a_clip_finished_for_other_settings_or_a_mixed_stretch_is_refused_by_name(
    store: ArtifactStore, composer: FfmpegComposer
) -> None:
    film = finished_film(store, composer)
    stale = [film.shots[0].model_copy(update={"finish_tag": "0" * 32}), *film.shots[1:]]
    with pytest.raises(InvalidInput, match=r"well_0.*finished for other settings"):
        composer.compose(film.model_copy(update={"shots": stale}))
    plain = small_request(store).shots
    mixed = [film.shots[0], plain[1], film.shots[2]]
    with pytest.raises(InvalidInput, match=r"well_0 .*finished clip but shot well_1"):
        composer.compose(film.model_copy(update={"shots": mixed}))


def test_a_finished_clip_of_the_wrong_size_is_refused_before_it_is_joined(
    store: ArtifactStore, composer: FfmpegComposer
) -> None:
    film = finished_film(store, composer)
    first = film.shots[0]
    ffmpeg(["-i", str(store.path(first.clip_key)), "-vf", "scale=160:90", "-c:v", "libx264", "-an",
            str(store.path("in/small.mp4"))], 60)  # fmt: skip
    shots = [first.model_copy(update={"clip_key": "in/small.mp4"}), *film.shots[1:]]
    with pytest.raises(InvalidInput, match=r"finished clip of shot well_0.*width 160 \(the film needs 320\)"):
        composer.compose(film.model_copy(update={"shots": shots}))


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        (["-pix_fmt", "yuv444p"], r"pixel format yuv444p \(the film needs yuv420p\)"),
        (["-pix_fmt", "yuvj420p"], r"pixel format yuvj420p \(the film needs yuv420p\)"),
        (["-r", "25", "-pix_fmt", "yuv420p"], r"frame rate 25 \(the film needs 24\)"),
        # read by ffprobe (the box reader leaves fragments to it): still refused by name
        (["-pix_fmt", "yuv444p", "-movflags", "frag_keyframe+empty_moov"], r"pixel format yuv444p"),
    ],
)
def test_a_finished_clip_of_another_kind_of_picture_is_refused_by_name(
    store: ArtifactStore, composer: FfmpegComposer, change: list[str], refused: str
) -> None:
    film = finished_film(store, composer)
    first = film.shots[0]
    ffmpeg(["-i", str(store.path(first.clip_key)), "-c:v", "libx264", *change, "-an", "-f", "mp4",
            str(store.path("in/other.mp4"))], 60)  # fmt: skip
    shots = [first.model_copy(update={"clip_key": "in/other.mp4"}), *film.shots[1:]]
    with pytest.raises(InvalidInput, match=rf"finished clip of shot well_0.*{refused}"):
        composer.compose(film.model_copy(update={"shots": shots}))


SHOT_S = 7 / 24


def test_two_hundred_joined_clips_keep_the_films_length_to_the_frame(
    store: ArtifactStore, composer: FfmpegComposer
) -> None:
    """Stream copy places each clip after the one before by the list's durations: without them,
    a clip whose length is no whole number of microseconds (7 frames at 24 fps) put the next one
    some 0.6 ms late, past a frame over a long film."""
    make_tone(store.path("in/voice.wav"), 0.2, 600, 22050, 1)  # a silent film would fail its loudness check
    shots = [TimelineShot(shot_id=f"s01_{n:03d}", scene_id="s01", clip_key="in/clip.mp4", speech_key="in/voice.wav",
                          duration_s=SHOT_S, cues=[SubtitleCue(text="Row, row.", start_s=0.0, end_s=0.2)])
             for n in range(200)]
    film = ComposeRequest(title="Many", shots=shots, profile=PROFILE, video_key="out/film.mp4", srt_key="out/film.srt")
    finish = finishes_of(composer, film)["s01_100"]  # inside the scene: no fade; the same cue as every shot
    assert all(f.tag == finish.tag for f in finishes_of(composer, film).values())
    make_clip(store.path("in/plain.mp4"), SHOT_S, PROFILE.width, PROFILE.height, PROFILE.fps, moving=False)
    finish_clip(store, "in/plain.mp4", finish, SHOT_S, "in/clip.mp4")
    finished = film.model_copy(update={"shots": [s.model_copy(update={"finish_tag": finish.tag}) for s in shots]})
    made = composer.compose(finished)  # its duration check allows one frame
    video = next(s for s in probe(store.path(made.video_key), 30)["streams"] if s["codec_type"] == "video")
    assert float(video["duration"]) == pytest.approx(200 * SHOT_S, abs=0.005)
    assert int(video["nb_frames"]) == 200 * 7
