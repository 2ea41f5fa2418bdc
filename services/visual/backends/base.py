"""What every visual backend implements, and the checked description of the clip it must make.

A backend (the animatic, ComfyUI) gets the shot, its scene and characters, and a
RenderSpec; it writes the clip (H.264 MP4, yuv420p, no audio, exactly spec.frames frames at
spec.width x spec.height and spec.fps) and a keyframe PNG to the spec's paths, and says what
it wrote. It is plain blocking code; the servicer runs it in a worker thread.

The cast sheet comes first: `render_reference` draws one character's full-length portrait (or a
setting with nobody in it) to a ReferenceSpec's path, and every shot of that character then gets
the picture in RenderSpec.character_references, so each backend draws the character from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeAlias

from services.visual.control import RenderControl
from storyreel.domain import Character, Scene, Shot
from storyreel.errors import InvalidInput

MAX_SIDE = 4096
MAX_FPS = 60
MAX_DURATION_S = 60.0


@dataclass(frozen=True)
class RenderSpec:
    width: int
    height: int
    fps: int
    duration_s: float
    clip_path: Path
    keyframe_path: Path
    scene_keyframe_path: Path | None = None
    """The keyframe of the scene's first shot, when it exists: a backend may start this shot's picture from it."""
    character_references: tuple[tuple[str, Path], ...] = ()
    """(character id, reference picture) of the shot's characters that have one, in the shot's order."""
    setting_reference: Path | None = None
    """The reference picture of the shot's setting, when it has one."""
    previous_clip_path: Path | None = None
    """The previous shot's clip in the same scene and setting: a backend may start this shot from its last frame."""

    def __post_init__(self) -> None:
        for name, value in (("width", self.width), ("height", self.height)):
            if not 2 <= value <= MAX_SIDE or value % 2:
                raise InvalidInput(f"{name} must be an even number of pixels from 2 to {MAX_SIDE}, not {value}")
        if not 1 <= self.fps <= MAX_FPS:
            raise InvalidInput(f"fps must be from 1 to {MAX_FPS}, not {self.fps}")
        if not 0 < self.duration_s <= MAX_DURATION_S:
            raise InvalidInput(
                f"duration_s must be more than 0 and at most {MAX_DURATION_S:g} s, not {self.duration_s}"
            )
        if self.frames < 1:
            raise InvalidInput(f"duration_s {self.duration_s} is shorter than one frame at {self.fps} fps")

    @property
    def frames(self) -> int:
        """The clip's exact frame count: the requested duration rounded to whole frames."""
        return round(self.duration_s * self.fps)


    def reference_of(self, character_id: str) -> Path | None:
        return dict(self.character_references).get(character_id)


PORTRAIT_SIZE = (768, 1152)
"""A character's reference picture when the request gives no size: full length, 2:3."""
SETTING_SIZE = (1344, 768)
"""A setting's reference picture when the request gives no size."""


@dataclass(frozen=True)
class ReferenceSpec:
    """One reference picture to draw: a PNG of width x height at `path`."""

    width: int
    height: int
    seed: int
    path: Path

    def __post_init__(self) -> None:
        for name, value in (("width", self.width), ("height", self.height)):
            if not 64 <= value <= MAX_SIDE:
                raise InvalidInput(f"{name} of a reference picture must be from 64 to {MAX_SIDE} pixels, not {value}")


Subject: TypeAlias = Character | Scene
"""What a reference picture shows: a character, or a scene's setting with nobody in it."""


@dataclass(frozen=True)
class RenderResult:
    frame_count: int
    duration_s: float


class ShotRenderer(Protocol):
    @property
    def continues_from_previous_clip(self) -> bool:
        """Whether the backend starts a shot from RenderSpec.previous_clip_path (its last frame) when
        given one: then a caller renders a scene's shots one after another (DescribeBackend says so)."""
        ...

    def render(
        self,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:
        """Write spec.clip_path and spec.keyframe_path for this shot (blocking).

        Report progress through `control` and stop (RenderCancelled) soon after it is cancelled.
        """
        ...

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        """Write spec.path: the subject's reference picture as PNG (blocking)."""
        ...
