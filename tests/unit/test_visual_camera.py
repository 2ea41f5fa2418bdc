"""The camera: which move a shot gets, and that ffmpeg really makes that move, smoothly."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from services.visual.camera import MAX_ZOOM, PAN_ROOM, Framing, default_move, motion_filter
from services.visual.servicer import shot_from_proto
from services.visual.settings import VisualSettings
from storyreel.domain import CameraMove, ShotType
from storyreel.storyboard.v1 import storyboard_pb2

WIDTH, HEIGHT, FRAMES = 320, 180, 48


def test_people_get_a_push_in_and_places_a_slow_pan() -> None:
    assert default_move(ShotType.CLOSE_UP, 1) == CameraMove.PUSH_IN
    assert default_move(ShotType.MEDIUM, 2) == CameraMove.PUSH_IN
    pans = {default_move(shot_type, seed) for shot_type in (ShotType.WIDE, ShotType.ESTABLISHING) for seed in range(4)}
    assert pans == {CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT}


def test_the_default_keyframe_has_the_room_of_the_strongest_move_so_no_frame_is_scaled_up() -> None:
    """A keyframe smaller than the camera's greatest magnification would be enlarged (soft frames); a
    larger one only costs drawing."""
    assert VisualSettings().keyframe_scale == pytest.approx(max(1 + MAX_ZOOM, PAN_ROOM))


def test_a_camera_the_storyboard_names_is_honoured_and_an_unset_one_follows_the_shot_type() -> None:
    close_up = storyboard_pb2.SHOT_TYPE_CLOSE_UP
    named = storyboard_pb2.Shot(id="a", shot_type=close_up, camera=storyboard_pb2.CAMERA_MOVE_STATIC)
    unset = storyboard_pb2.Shot(id="b", shot_type=close_up)
    assert shot_from_proto(named).camera == CameraMove.STATIC
    assert shot_from_proto(unset).camera == CameraMove.PUSH_IN


@pytest.mark.parametrize("move", list(CameraMove))
def test_the_filter_is_made_of_numbers_and_filter_names_only(move: CameraMove) -> None:
    text = motion_filter(move, Framing(1920, 1080, 1280, 720, 24, 144, (0.3, 0.7)))
    assert re.fullmatch(r"[a-z0-9_=:,.'*()+\-/ NTBx]+", text), text


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A black keyframe, 1.5x the clip, with two white squares the camera can be followed by."""
    image = Image.new("RGB", (WIDTH * 3 // 2, HEIGHT * 3 // 2), "black")
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 110, 220, 130), fill="white")
    draw.rectangle((330, 60, 350, 80), fill="white")
    path = tmp_path_factory.mktemp("camera") / "marker.png"
    image.save(path)
    return path


def film(keyframe: Path, move: CameraMove) -> np.ndarray:
    framing = Framing(WIDTH * 3 // 2, HEIGHT * 3 // 2, WIDTH, HEIGHT, 24, FRAMES, (0.45, 0.5))
    encoded = subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-i",
            str(keyframe),
            "-vf",
            motion_filter(move, framing),
            "-frames:v",
            str(FRAMES),
            "-r",
            "24",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "12",
            "-f",
            "matroska",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    raw = subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-i",
            "-",
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        input=encoded,
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, WIDTH).astype(np.float64)


def follow(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame: where the bright markers are (centroid x, y) and how far apart (their spread)."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    weight = frames.sum(axis=(1, 2))
    cx = (frames * xs).sum(axis=(1, 2)) / weight
    cy = (frames * ys).sum(axis=(1, 2)) / weight
    squared = (xs - cx[:, None, None]) ** 2 + (ys - cy[:, None, None]) ** 2
    spread = np.sqrt((frames * squared).sum(axis=(1, 2)) / weight)
    return cx, cy, spread


def jitter(track: np.ndarray) -> float:
    """Largest distance from a smooth path through the track, in pixels."""
    t = np.arange(len(track))
    return float(np.abs(track - np.polyval(np.polyfit(t, track, 5), t)).max())


EXPECTED = {  # how the markers move on screen: (x, y, spread) -> +1 grows, -1 shrinks, 0 stays
    CameraMove.STATIC: (0, 0, 0),
    CameraMove.PUSH_IN: (None, None, 1),
    CameraMove.PULL_OUT: (None, None, -1),
    CameraMove.PAN_RIGHT: (-1, 0, 0),
    CameraMove.PAN_LEFT: (1, 0, 0),
    CameraMove.TILT_UP: (0, 1, 0),
}


@pytest.mark.parametrize("move", list(CameraMove))
def test_each_move_moves_the_picture_the_right_way_smoothly_for_every_frame(marker: Path, move: CameraMove) -> None:
    frames = film(marker, move)
    assert len(frames) == FRAMES
    for track, direction in zip(follow(frames), EXPECTED[move], strict=True):
        change = track[-1] - track[0]
        if direction == 0:
            assert abs(change) < 0.5
        elif direction is not None:
            assert change * direction > 2  # a 2 s push-in magnifies 7%: the markers' spread grows 3 px
            steps = np.diff(track) * direction
            assert (steps > -0.6).all()  # never backwards (beyond rounding)
        assert jitter(track) < 1.0


@pytest.mark.parametrize(("width", "height"), [(360, 640), (1080, 1920), (640, 640), (640, 360)])
@pytest.mark.parametrize("seconds", [1.0, 6.0, 12.0, 30.0])
def test_a_tilt_stays_inside_the_picture_at_every_shape(width: int, height: int, seconds: float) -> None:
    """The window a tilt moves (crop y from start to start - travel) never leaves the scaled keyframe,
    however tall the frame and long the shot; a crop past the edge would stall the move or show
    ffmpeg's clamping."""
    frames = round(seconds * 24)
    framing = Framing(width * 3 // 2, height * 3 // 2, width, height, 24, frames, (0.5, 0.5))
    text = motion_filter(CameraMove.TILT_UP, framing)
    scaled = re.match(r"scale=(\d+):(\d+):", text)
    crop = re.search(r"crop=(\d+):(\d+):x='([\d.]+)':y='([\d.]+)-([\d.]+)\*", text)
    assert scaled and crop, text
    room_w, room_h = (int(value) for value in scaled.groups())
    crop_w, crop_h, x, start, travel = (float(value) for value in crop.groups())
    assert (crop_w, crop_h) == (width, height)
    assert x >= 0 and x + crop_w <= room_w
    assert start <= room_h - crop_h and start - travel >= 0
    assert travel > 0
