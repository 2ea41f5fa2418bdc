"""The visual service over real gRPC on loopback, as the gateway calls it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
from PIL import Image

from services.visual.server import SERVICE_NAME, build_specs
from services.visual.settings import VisualSettings
from storyreel.convert import to_proto
from storyreel.domain import Character, Mood, Scene, Shot, ShotType, TimeOfDay, Weather
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc
from tests.service_process import assert_runs_alone_and_stops_on_sigterm

REPO_ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 60.0
CAST = [
    Character(id="meera", name="Meera", description="an old woman in a white sari"),
    Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf"),
]
NIGHT = Scene(
    id="s01", setting="the hill above the river", time_of_day=TimeOfDay.NIGHT, weather=Weather.STORM, mood=Mood.TENSE
)
NOON = Scene(id="s02", setting="the village", time_of_day=TimeOfDay.NOON, mood=Mood.HAPPY)


@pytest.fixture
async def stub(grpc_channel: Any, artifact_root: Path) -> visual_service_pb2_grpc.VisualServiceStub:
    settings = VisualSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root)})
    channel = await grpc_channel(build_specs(settings))
    return visual_service_pb2_grpc.VisualServiceStub(channel)


def render_request(
    shot: Shot, scene: Scene, duration_s: float, size: tuple[int, int] = (1280, 720), fps: int = 24, **keys: str
) -> visual_service_pb2.RenderShotRequest:
    shot_message = to_proto(shot, storyboard_pb2.Shot)
    shot_message.ClearField("camera")  # left open: the service picks the move the shot type calls for
    return visual_service_pb2.RenderShotRequest(
        shot=shot_message,
        scene=to_proto(scene, storyboard_pb2.Scene),
        characters=[to_proto(c, storyboard_pb2.Character) for c in CAST if c.id in shot.character_ids],
        width=size[0],
        height=size[1],
        fps=fps,
        duration_s=duration_s,
        output_key=keys.get("output_key", f"clips/{shot.id}.mp4"),
        keyframe_key=keys.get("keyframe_key", f"keyframes/{shot.id}.png"),
    )


def check_ref(ref: Any, artifact_root: Path) -> Path:
    path: Path = artifact_root / ref.key
    assert ref.size_bytes == path.stat().st_size > 0
    assert ref.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    return path


def probe_counting(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            str(path),
        ],
        capture_output=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def first_frame_brightness(path: Path) -> float:
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return float(np.frombuffer(raw, np.uint8).mean())


SHOTS = [
    (
        Shot(
            id="s01_01",
            shot_type=ShotType.WIDE,
            character_ids=["meera", "arjun"],
            seed=1,
            visual_prompt="Meera held the lantern high",
        ),
        NIGHT,
        2.0,
    ),
    (Shot(id="s02_01", shot_type=ShotType.CLOSE_UP, character_ids=["arjun"], seed=2), NOON, 1.5),
    (Shot(id="s02_02", shot_type=ShotType.ESTABLISHING, seed=3), NOON, 1.27),
]


async def test_render_shot_writes_exact_clips_and_their_keyframes(
    stub: visual_service_pb2_grpc.VisualServiceStub, artifact_root: Path
) -> None:
    requests = [render_request(shot, scene, duration) for shot, scene, duration in SHOTS]
    replies = await asyncio.gather(*(stub.RenderShot(request, timeout=DEADLINE_S) for request in requests))
    for request, reply in zip(requests, replies, strict=True):
        frames = round(request.duration_s * 24)
        assert (reply.frame_count, reply.duration_s) == (frames, pytest.approx(frames / 24))
        clip = probe_counting(check_ref(reply.clip, artifact_root))
        assert [stream["codec_type"] for stream in clip["streams"]] == ["video"]
        video = clip["streams"][0]
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
        assert (video["width"], video["height"], video["r_frame_rate"]) == (1280, 720, "24/1")
        assert int(video["nb_read_frames"]) == frames
        assert float(clip["format"]["duration"]) == pytest.approx(frames / 24, abs=1e-3)
        assert first_frame_brightness(artifact_root / reply.clip.key) > 12  # not black, even the stormy night

    night_key, noon_key = (check_ref(reply.keyframe, artifact_root) for reply in replies[:2])
    with Image.open(night_key) as night, Image.open(noon_key) as noon:
        assert night.size == noon.size == (1600, 900)  # 1.25x the clip: the room of the strongest camera move
        assert np.asarray(noon.convert("L")).mean() - np.asarray(night.convert("L")).mean() > 60


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"width": 0}, "width must be an even number"),
        ({"height": 5000}, "from 2 to 4096"),
        ({"fps": 0}, "fps must be from 1 to 60"),
        ({"fps": 240}, "fps must be from 1 to 60"),
        ({"duration_s": 0.0}, "duration_s must be more than 0"),
        ({"duration_s": 600.0}, "at most 60 s"),
        ({"output_key": "../outside.mp4"}, "must not contain '..'"),
        ({"output_key": ""}, "output_key is required"),
        ({"keyframe_key": ""}, "keyframe_key is required"),
        ({"keyframe_key": "clips/s01_01.mp4"}, "must differ"),
    ],
)
async def test_a_bad_request_is_invalid_argument_with_the_reason(
    stub: visual_service_pb2_grpc.VisualServiceStub, artifact_root: Path, change: dict[str, Any], reason: str
) -> None:
    request = render_request(*SHOTS[0])
    for field, value in change.items():
        setattr(request, field, value)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.RenderShot(request, timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (error.value.details() or "")
    assert not any(artifact_root.rglob("*.mp4"))


@pytest.mark.parametrize("floor_mb", [0, 10**9], ids=["the disk fills mid-render", "under the free-space floor"])
async def test_a_full_disk_is_resource_exhausted_and_says_so(
    grpc_channel: Any, small_disk: Path, floor_mb: int
) -> None:
    settings = VisualSettings.model_validate(
        {"STORYREEL_ARTIFACT_ROOT": str(small_disk), "STORYREEL_MIN_FREE_MB": floor_mb}
    )
    stub = visual_service_pb2_grpc.VisualServiceStub(await grpc_channel(build_specs(settings)))
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.RenderShot(render_request(*SHOTS[0]), timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    details = error.value.details() or ""
    assert f"the artifact disk ({small_disk})" in details and "free some space, then ask again" in details
    assert not any(path.is_file() for path in small_disk.rglob("*")), "nothing half-written is left"


async def test_a_shot_without_an_id_is_invalid_argument(stub: visual_service_pb2_grpc.VisualServiceStub) -> None:
    request = render_request(*SHOTS[1])
    request.shot.id = ""
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.RenderShot(request, timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_the_service_runs_alone_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    await assert_runs_alone_and_stops_on_sigterm("visual", SERVICE_NAME, tmp_path)
