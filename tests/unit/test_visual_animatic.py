"""The animatic backend end to end, without gRPC: a keyframe PNG and an exact H.264 clip."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

import services.visual.backends.animatic.backend as animatic
from services.visual.backends import RenderSpec, make_backend
from services.visual.settings import VisualBackend, VisualSettings
from storyreel.domain import CameraMove, Character, Scene, Shot, ShotType, TimeOfDay
from storyreel.media import ffmpeg

ARJUN = Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf")
SCENE = Scene(id="s01", setting="a village beside the river", time_of_day=TimeOfDay.EVENING)


def counted(path: Path) -> dict[str, object]:
    """ffprobe's view of the clip, counting frames by decoding them."""
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
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(
    ("fps", "duration_s", "camera"),
    [(24, 1.0, CameraMove.PUSH_IN), (25, 1.23, CameraMove.PAN_LEFT), (30, 0.5, CameraMove.STATIC)],
)
def test_the_clip_has_exactly_the_frames_size_and_rate_asked_for(
    tmp_path: Path, fps: int, duration_s: float, camera: CameraMove
) -> None:
    spec = RenderSpec(320, 180, fps, duration_s, tmp_path / "clip.mp4", tmp_path / "key.png")
    shot = Shot(id="s01_01", camera=camera, shot_type=ShotType.WIDE, character_ids=["arjun"], seed=4)
    result = make_backend(VisualSettings()).render(shot, SCENE, [ARJUN], spec)

    assert result.frame_count == round(duration_s * fps) == spec.frames
    assert result.duration_s == pytest.approx(spec.frames / fps)
    probe = counted(spec.clip_path)
    streams = probe["streams"]
    assert isinstance(streams, list) and len(streams) == 1  # video only, no audio
    video = streams[0]
    assert (video["codec_name"], video["pix_fmt"], video["width"], video["height"]) == ("h264", "yuv420p", 320, 180)
    assert int(video["nb_read_frames"]) == spec.frames
    assert video["r_frame_rate"] == f"{fps}/1"
    assert float(probe["format"]["duration"]) == pytest.approx(spec.frames / fps, abs=1e-3)  # type: ignore[index]
    with Image.open(spec.keyframe_path) as keyframe:
        assert (keyframe.format, keyframe.size) == ("PNG", (400, 224))  # 1.25x the clip, in even pixels


def test_a_tall_tilt_shot_is_drawn_tall_and_has_every_frame(tmp_path: Path) -> None:
    """9:16 (the preview profile on its side): the keyframe is 1.25x the tall clip and the tilt's
    clip has the size and frame count asked for."""
    spec = RenderSpec(360, 640, 24, 2.5, tmp_path / "clip.mp4", tmp_path / "key.png")
    shot = Shot(id="s01_01", camera=CameraMove.TILT_UP, shot_type=ShotType.ESTABLISHING, seed=7,
                visual_prompt="Establishing shot of a lighthouse on a cliff above the sea, evening")
    result = make_backend(VisualSettings()).render(shot, SCENE, [], spec)

    video = counted(spec.clip_path)["streams"][0]  # type: ignore[index]
    assert (video["width"], video["height"]) == (360, 640)
    assert int(video["nb_read_frames"]) == result.frame_count == 60
    with Image.open(spec.keyframe_path) as keyframe:
        assert keyframe.size == (450, 800)


def test_each_clip_run_gets_the_cores_shared_among_the_shots_rendered_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frame threads cost CPU where every core is already busy with another shot's run."""
    monkeypatch.setattr("services.visual.settings.available_cores", lambda: 8)
    assert VisualSettings(concurrency=2).clip_threads() == 4
    assert VisualSettings(concurrency=16).clip_threads() == 1
    assert VisualSettings(concurrency=2, encode_threads=3).clip_threads() == 3
    seen: list[list[str]] = []

    def recording(argv: list[str], timeout_s: float) -> None:
        seen.append(argv)
        ffmpeg(argv, timeout_s)

    monkeypatch.setattr(animatic, "ffmpeg", recording)
    renderer = make_backend(VisualSettings(concurrency=2, artifact_root=tmp_path), VisualBackend.ANIMATIC)
    spec = RenderSpec(64, 36, 12, 1.0, tmp_path / "clip.mp4", tmp_path / "key.png")
    renderer.render(Shot(id="s01_01", seed=1), Scene(id="s01", setting="the forest"), [], spec)
    argv = seen[-1]
    assert argv[:4] == ["-threads", "4", "-filter_threads", "4"]  # decoding and filters
    assert argv[argv.index("-crf") + 2:][:4] == ["-pix_fmt", "yuv420p", "-threads", "4"]  # the encoder
