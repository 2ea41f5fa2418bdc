"""The camera: which move a shot gets, and the ffmpeg filter that makes it from one keyframe.

Every frame comes from ffmpeg; Python only writes the filter. The keyframe is drawn larger than
the clip, so the camera always has room. Measured for a 6 s 1280x720 24 fps shot with libx264
ultrafast on 2 cores: a push-in with zoompan took 0.9 s of CPU, the same push-in as a per-frame
`scale` + `crop` 2.0 s; a pan as a moving `crop` over a picture scaled once took 0.5 s (no
per-frame scaling). So each move uses the cheapest filter that does it.
Moves ease in and out (smoothstep), like a camera operator's hands.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyreel.domain import CameraMove, ShotType

ZOOM_PER_S = 0.035
"""How much a push-in magnifies per second..."""
MAX_ZOOM = 0.25
"""...up to this much over the whole shot."""
PAN_ROOM = 1.2
"""A pan or tilt shows 1/PAN_ROOM of the keyframe and travels over the rest..."""
PAN_PER_S = 0.035
"""...at this fraction of the frame's width (or height, for a tilt) per second."""


def default_move(shot_type: ShotType, seed: int) -> CameraMove:
    """The move a shot gets when the storyboard leaves it open: push in on people, pan across places."""
    if shot_type in (ShotType.CLOSE_UP, ShotType.MEDIUM):
        return CameraMove.PUSH_IN
    return CameraMove.PAN_RIGHT if seed % 2 == 0 else CameraMove.PAN_LEFT


@dataclass(frozen=True)
class Framing:
    """What the camera films: the keyframe's size, the clip's size and length, where to aim."""

    key_width: int
    key_height: int
    width: int
    height: int
    fps: int
    frames: int
    focus: tuple[float, float] = (0.5, 0.5)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def _ease(frame_variable: str, frames: int) -> str:
    """Smoothstep of the shot's progress: 0 on the first frame, 1 on the last."""
    progress = f"({frame_variable}/{max(frames - 1, 1)})"
    return f"({progress}*{progress}*(3-2*{progress}))"


def even_pixels(value: float) -> int:
    """The nearest even pixel count (H.264 in yuv420p needs even sides)."""
    return max(2, round(value / 2) * 2)


def motion_filter(move: CameraMove, framing: Framing) -> str:
    """The -vf filter turning the keyframe (one input picture) into the moving shot."""
    if move in (CameraMove.PUSH_IN, CameraMove.PULL_OUT):
        return _zoom(move, framing)
    if move in (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT, CameraMove.TILT_UP):
        return _slide(move, framing)
    return f"scale={framing.width}:{framing.height}:flags=bicubic,{_hold(framing)}"


def _hold(framing: Framing) -> str:
    """Repeat the one picture for every frame, stamped at the clip's frame rate."""
    return f"format=yuv420p,loop=loop={framing.frames - 1}:size=1:start=0,setpts=N/({framing.fps}*TB)"


def _zoom(move: CameraMove, framing: Framing) -> str:
    """zoompan, magnifying towards (or away from) the focus, which stays put on screen."""
    amount = min(MAX_ZOOM, ZOOM_PER_S * framing.duration_s)
    ease = _ease("on", framing.frames)
    zoom = f"1+{amount:.5f}*{ease}" if move == CameraMove.PUSH_IN else f"1+{amount:.5f}*(1-{ease})"
    fx, fy = (min(1.0, max(0.0, value)) for value in framing.focus)
    return (
        f"zoompan=z='{zoom}':x='{fx:.4f}*(iw-iw/zoom)':y='{fy:.4f}*(ih-ih/zoom)'"
        f":d={framing.frames}:s={framing.width}x{framing.height}:fps={framing.fps},format=yuv420p"
    )


def _slide(move: CameraMove, framing: Framing) -> str:
    """Scale the keyframe once, then move a clip-sized window across it (crop is free per frame)."""
    room_w, room_h = even_pixels(framing.width * PAN_ROOM), even_pixels(framing.height * PAN_ROOM)
    spare_w, spare_h = room_w - framing.width, room_h - framing.height
    ease = _ease("n", framing.frames)
    fx, fy = (min(1.0, max(0.0, value)) for value in framing.focus)
    if move == CameraMove.TILT_UP:
        travel = min(spare_h, PAN_PER_S * framing.height * framing.duration_s)
        start = spare_h / 2 + travel / 2
        x, y = f"{fx * spare_w:.1f}", f"{start:.2f}-{travel:.2f}*{ease}"
    else:
        travel = min(spare_w, PAN_PER_S * framing.width * framing.duration_s)
        sign = 1 if move == CameraMove.PAN_RIGHT else -1
        start = spare_w / 2 - sign * travel / 2
        x, y = f"{start:.2f}+{sign * travel:.2f}*{ease}", f"{fy * spare_h:.1f}"
    return (
        f"scale={room_w}:{room_h}:flags=bicubic,{_hold(framing)},"
        f"crop={framing.width}:{framing.height}:x='{x}':y='{y}':exact=1"
    )
