"""The composer service over real gRPC on loopback, as the gateway calls it, and as a process."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from services.composer.server import SERVICE_NAME, build_specs
from services.composer.settings import ComposerSettings
from storyreel.artifacts import ArtifactStore
from storyreel.composer.v1 import composer_service_pb2, composer_service_pb2_grpc
from storyreel.convert import to_proto
from storyreel.media import probe
from tests.composer_media import HINDI, LITERAL_EN, PROFILE, SHOT_S, small_request
from tests.service_process import assert_runs_alone_and_stops_on_sigterm

REPO_ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 60.0
FRAME_S = 1 / PROFILE.fps


@pytest.fixture
async def stub(grpc_channel: Any, artifact_root: Path) -> composer_service_pb2_grpc.ComposerServiceStub:
    settings = ComposerSettings().model_copy(update={"artifact_root": artifact_root})
    channel = await grpc_channel(build_specs(settings))
    return composer_service_pb2_grpc.ComposerServiceStub(channel)


def wire_request(store: ArtifactStore) -> composer_service_pb2.ComposeRequest:
    return to_proto(small_request(store), composer_service_pb2.ComposeRequest)


def video_size(path: Path) -> tuple[int, int]:
    video = next(s for s in probe(path)["streams"] if s["codec_type"] == "video")
    return video["width"], video["height"]


def mean_volume_db(path: Path) -> float:
    result = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(path), "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    match = re.search(r"mean_volume: (-?[\d.]+) dB", result.stderr)
    assert match is not None, result.stderr[-500:]
    return float(match.group(1))


def first_frame_brightness(path: Path) -> float:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-vf", "format=gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return float(np.frombuffer(raw.stdout, dtype=np.uint8).mean())


def soft_subtitles(path: Path) -> str:
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:s:0", "-f", "srt", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return result.stdout


def check_ref(ref: Any, artifact_root: Path) -> Path:
    path: Path = artifact_root / ref.key
    assert ref.size_bytes == path.stat().st_size
    assert ref.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    return path


async def test_compose_makes_a_film_a_viewer_can_watch(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    reply = await stub.Compose(wire_request(store), timeout=DEADLINE_S)
    video = check_ref(reply.video, artifact_root)
    info = probe(video)
    kinds = [stream["codec_type"] for stream in info["streams"] if stream["codec_type"] != "data"]
    assert sorted(kinds) == ["audio", "subtitle", "video"]
    video_stream = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video_stream["codec_name"], video_stream["pix_fmt"]) == ("h264", "yuv420p")
    assert (video_stream["width"], video_stream["height"]) == (PROFILE.width, PROFILE.height)
    assert float(info["format"]["duration"]) == pytest.approx(sum(SHOT_S), abs=FRAME_S)
    assert reply.duration_s == pytest.approx(sum(SHOT_S), abs=FRAME_S)
    assert mean_volume_db(video) > -50
    assert first_frame_brightness(video) > 20
    assert [c["tags"]["title"] for c in info["chapters"]] == ["At the well: दिन", "The lamp"]
    assert float(info["chapters"][1]["start_time"]) == pytest.approx(3.5, abs=FRAME_S)
    assert HINDI in soft_subtitles(video)
    assert not reply.HasField("vtt") and not (artifact_root / "out/film.vtt").exists()  # none asked for


async def test_the_srt_has_every_cue_on_film_time_and_literal_text(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    reply = await stub.Compose(wire_request(store), timeout=DEADLINE_S)
    srt = check_ref(reply.srt, artifact_root).read_text("utf-8")
    assert srt == (
        f"1\n00:00:00,100 --> 00:00:01,900\n{LITERAL_EN}\n\n"
        f"2\n00:00:02,000 --> 00:00:03,500\n{HINDI}\n\n"
        "3\n00:00:03,700 --> 00:00:04,700\nThe lamp still burns.\n\n"
        "4\n00:00:04,700 --> 00:00:05,900\nदीपक जल रहा है।\n"
    )


async def test_the_vtt_beside_the_srt_has_the_same_cues_for_browsers(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    request = wire_request(store)
    request.vtt_key = "out/film.vtt"
    reply = await stub.Compose(request, timeout=DEADLINE_S)
    vtt = check_ref(reply.vtt, artifact_root).read_text("utf-8")
    assert reply.vtt.key == "out/film.vtt"
    assert vtt.startswith("WEBVTT\n\n00:00:00.100 --> 00:00:01.900\n")
    assert vtt.endswith("00:00:04.700 --> 00:00:05.900\nदीपक जल रहा है।\n")
    assert LITERAL_EN in vtt  # no < > & in it: shown as is


async def test_a_named_profile_without_an_explicit_size_sets_the_films_size(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    request = wire_request(store)
    request.ClearField("profile")
    request.profile_name = composer_service_pb2.PROFILE_NAME_PREVIEW
    reply = await stub.Compose(request, timeout=DEADLINE_S)
    assert video_size(check_ref(reply.video, artifact_root)) == (640, 360)
    assert (reply.profile.width, reply.profile.height, reply.profile.fps) == (640, 360, 24)
    assert reply.duration_s == pytest.approx(sum(SHOT_S), abs=FRAME_S)


async def test_an_explicit_size_still_wins_over_the_named_profile(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    request = wire_request(store)
    request.profile_name = composer_service_pb2.PROFILE_NAME_HD1080
    reply = await stub.Compose(request, timeout=DEADLINE_S)
    assert video_size(check_ref(reply.video, artifact_root)) == (PROFILE.width, PROFILE.height)
    assert reply.profile.width == PROFILE.width


def gray_frame(path: Path, seconds: float) -> np.ndarray:
    """The frame at `seconds` as grey levels, rows top to bottom."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(PROFILE.height, PROFILE.width).astype(np.int16)


AT_CUE_S = 1.0
"""The English cue shows from 0.1 s to 1.9 s."""


def drawn_rows(film: Path, clean: Path) -> np.ndarray:
    """How much each row of the film's frame at AT_CUE_S differs from a film made without
    subtitles in the picture: what was drawn over it."""
    rows: np.ndarray = np.abs(gray_frame(film, AT_CUE_S) - gray_frame(clean, AT_CUE_S)).mean(axis=1)
    return rows


def rows_drawn(rows: np.ndarray) -> np.ndarray:
    """The rows with letters in them (each row's mean difference over 4 grey levels)."""
    return np.flatnonzero(rows > 4)


async def compose_with(
    stub: composer_service_pb2_grpc.ComposerServiceStub, root: Path, base: composer_service_pb2.ComposeRequest,
    name: str, style: composer_service_pb2.SubtitleStyle | None = None,
) -> tuple[composer_service_pb2.ComposeResponse, Path]:
    """The base request with its own outputs and the given subtitle style: the reply and the film."""
    request = composer_service_pb2.ComposeRequest()
    request.CopyFrom(base)
    request.video_key, request.srt_key, request.vtt_key = f"out/{name}.mp4", f"out/{name}.srt", f"out/{name}.vtt"
    request.subtitles.CopyFrom(style or composer_service_pb2.SubtitleStyle())
    reply: composer_service_pb2.ComposeResponse = await stub.Compose(request, timeout=DEADLINE_S)
    return reply, check_ref(reply.video, root)


def mode(value: composer_service_pb2.SubtitleMode) -> composer_service_pb2.SubtitleStyle:
    return composer_service_pb2.SubtitleStyle(mode=value)


def subtitle_streams(path: Path) -> int:
    return sum(stream["codec_type"] == "subtitle" for stream in probe(path)["streams"])


async def test_soft_subtitles_are_a_track_over_a_clean_picture_and_none_are_neither(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    """The service burns by default (settings); a request for soft gets the track and the very picture
    of a film with no subtitles; none leaves the track out too, and still writes the SRT and WebVTT."""
    wire = composer_service_pb2
    base = wire_request(store)
    none, none_film = await compose_with(stub, artifact_root, base, "none", mode(wire.SUBTITLE_MODE_NONE))
    soft, soft_film = await compose_with(stub, artifact_root, base, "soft", mode(wire.SUBTITLE_MODE_SOFT))
    burned, burned_film = await compose_with(stub, artifact_root, base, "burned")

    assert (none.subtitles, soft.subtitles, burned.subtitles) == (
        wire.SUBTITLE_MODE_NONE, wire.SUBTITLE_MODE_SOFT, wire.SUBTITLE_MODE_BURNED)
    assert (subtitle_streams(none_film), subtitle_streams(soft_film), subtitle_streams(burned_film)) == (0, 1, 1)
    assert HINDI in soft_subtitles(soft_film)
    assert HINDI in check_ref(none.srt, artifact_root).read_text("utf-8")
    assert HINDI in check_ref(none.vtt, artifact_root).read_text("utf-8")
    assert drawn_rows(soft_film, none_film).max() == 0, "soft: the picture is the clean film's, frame for frame"
    burned_rows = rows_drawn(drawn_rows(burned_film, none_film))
    assert burned_rows.size and burned_rows.min() > PROFILE.height * 2 / 3, "burned, at the bottom by default"


async def test_large_subtitles_at_the_top_are_drawn_in_the_top_of_the_frame(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    wire = composer_service_pb2
    base = wire_request(store)
    _, clean = await compose_with(stub, artifact_root, base, "none", mode(wire.SUBTITLE_MODE_NONE))
    large, large_film = await compose_with(
        stub, artifact_root, base, "large",
        wire.SubtitleStyle(size=wire.SUBTITLE_SIZE_LARGE, position=wire.SUBTITLE_POSITION_TOP))
    _, small_film = await compose_with(
        stub, artifact_root, base, "small",
        wire.SubtitleStyle(mode=wire.SUBTITLE_MODE_BURNED, size=wire.SUBTITLE_SIZE_SMALL,
                           position=wire.SUBTITLE_POSITION_TOP))

    assert large.subtitles == wire.SUBTITLE_MODE_BURNED  # no mode: the service's default, which burns
    large_rows, small_rows = rows_drawn(drawn_rows(large_film, clean)), rows_drawn(drawn_rows(small_film, clean))
    assert large_rows.size and small_rows.size
    assert large_rows.max() < PROFILE.height / 3 and small_rows.max() < PROFILE.height / 3, "in the top third"
    assert large_rows.min() >= round(PROFILE.height * 0.05) - 2, "below the top margin (the outline may reach in)"
    assert large_rows.max() - large_rows.min() > 1.4 * (small_rows.max() - small_rows.min()), "large is taller"


async def test_a_missing_clip_fails_the_precondition_naming_the_shot(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore
) -> None:
    request = wire_request(store)
    store.path("in/clip2.mp4").unlink()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Compose(request, timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "shot lamp_2 (scene lamp)" in str(caught.value.details())


async def test_a_full_scratch_disk_is_resource_exhausted_and_keeps_the_inputs(
    grpc_channel: Any, artifact_root: Path, store: ArtifactStore, small_disk: Path
) -> None:
    settings = ComposerSettings().model_copy(update={"artifact_root": artifact_root, "scratch_dir": small_disk})
    stub = composer_service_pb2_grpc.ComposerServiceStub(await grpc_channel(build_specs(settings)))
    request = wire_request(store)
    inputs = sorted(path.name for path in store.path("in").iterdir())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Compose(request, timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    # Whichever write meets the full disk first (an encode, or the service's own file): the same words.
    assert "ran out of disk space" in str(caught.value.details())
    assert "No space left on device; free some space, then ask again" in str(caught.value.details())
    assert sorted(path.name for path in store.path("in").iterdir()) == inputs
    assert not store.exists("out/film.mp4")
    assert not any(small_disk.iterdir()), "the scratch folder is cleaned up"


async def test_a_request_without_shots_is_invalid(
    stub: composer_service_pb2_grpc.ComposerServiceStub,
) -> None:
    request = composer_service_pb2.ComposeRequest(video_key="out/film.mp4", srt_key="out/film.srt")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Compose(request, timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "shots" in str(caught.value.details())


async def test_prepare_makes_the_ready_parts_and_compose_reuses_them(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore, artifact_root: Path
) -> None:
    film = wire_request(store)
    film.parts_prefix = "jobs/j1/parts"
    while_rendering = composer_service_pb2.ComposeRequest()
    while_rendering.CopyFrom(film)
    while_rendering.ClearField("video_key")
    while_rendering.ClearField("srt_key")
    while_rendering.shots[2].clip_key = ""  # the lamp scene's only shot still renders
    reply = await stub.Prepare(composer_service_pb2.PrepareRequest(film=while_rendering, sound_complete=True),
                               timeout=DEADLINE_S)
    assert (reply.segments, reply.segments_ready, reply.segments_made, reply.sound_ready) == (2, 1, 1, True)
    parts = sorted(p.name.split("-")[0] for p in (artifact_root / "jobs/j1/parts").iterdir())
    assert parts == ["segment", "sound"]

    composed = await stub.Compose(film, timeout=DEADLINE_S)
    video = check_ref(composed.video, artifact_root)
    assert composed.duration_s == pytest.approx(sum(SHOT_S), abs=FRAME_S)
    assert sorted(s["codec_type"] for s in probe(video)["streams"] if s["codec_type"] != "data") == [
        "audio", "subtitle", "video"]
    assert mean_volume_db(video) > -50
    again = await stub.Prepare(composer_service_pb2.PrepareRequest(film=film, sound_complete=True), timeout=DEADLINE_S)
    assert (again.segments_ready, again.segments_made, again.sound_ready) == (2, 0, True)


async def test_prepare_without_a_parts_prefix_is_invalid(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Prepare(composer_service_pb2.PrepareRequest(film=wire_request(store)), timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "parts_prefix is empty" in str(caught.value.details())


async def test_finish_says_how_each_shots_clip_is_finished_and_refuses_a_bad_film(
    stub: composer_service_pb2_grpc.ComposerServiceStub, store: ArtifactStore
) -> None:
    film = wire_request(store)
    for shot in film.shots:
        shot.clip_key = ""  # not read: Finish comes before the pictures
    reply = await stub.Finish(composer_service_pb2.FinishRequest(film=film), timeout=DEADLINE_S)
    assert [shot.shot_id for shot in reply.shots] == [shot.shot_id for shot in film.shots]
    last = reply.shots[-1].finish  # the lamp scene's shot: a new scene fades in
    assert last.fade_in_s > 0 and last.fade_out_s == 0 and last.x264_preset and last.tag
    assert "Dialogue:" in last.subtitles_ass
    film.shots[0].duration_s = -1
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Finish(composer_service_pb2.FinishRequest(film=film), timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "duration_s" in str(caught.value.details())


async def test_the_service_runs_alone_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    await assert_runs_alone_and_stops_on_sigterm("composer", SERVICE_NAME, tmp_path)
