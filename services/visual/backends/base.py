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

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeAlias

from services.visual.control import RenderControl
from services.visual.settings import X264Preset
from storyreel.domain import Character, Scene, Shot
from storyreel.errors import InvalidInput

MAX_SIDE = 4096
MAX_FPS = 60
MAX_DURATION_S = 60.0
MAX_CRF = 51
"""libx264's constant rate factor runs from 0 (lossless) to 51 at 8 bits."""
X264_PARAMS = re.compile(r"[a-z0-9-]+=[A-Za-z0-9.,-]+(:[a-z0-9-]+=[A-Za-z0-9.,-]+)*")
"""Extra libx264 options as key=value:key=value: nothing that could end the option or start another."""
X264_FILE_OPTIONS = frozenset({"dump-yuv", "stats", "pass", "cqmfile", "opencl", "opencl-clbin"})
"""libx264 options that read or write a file (named, or x264's own in the working folder): a
request must not make the service touch files."""


@dataclass(frozen=True)
class Finish:
    """How the clip is finished as the film shows it (the contract's ClipFinish): subtitles burned
    in, fades through black, and the film's own libx264 settings, so the frames are encoded once."""

    subtitles_ass: str
    """An ASS script of the shot's subtitles, times from the shot's start, at the clip's size; empty: none."""
    fade_in_s: float
    fade_out_s: float
    preset: X264Preset
    crf: int
    params: str
    """Extra libx264 options, key=value:...; empty: none."""
    tag: str
    """The caller's name for this finish, echoed in RenderResult.finish_tag once applied."""

    def __post_init__(self) -> None:
        for name, value in (("fade_in_s", self.fade_in_s), ("fade_out_s", self.fade_out_s)):
            if not (math.isfinite(value) and value >= 0):
                raise InvalidInput(f"finish.{name} must be 0 or more seconds, not {value}")
        object.__setattr__(self, "preset", x264_preset(self.preset))  # a plain string given is checked too
        if not 0 <= self.crf <= MAX_CRF:
            raise InvalidInput(f"finish.x264_crf must be from 0 to {MAX_CRF}, not {self.crf}")
        _check_x264_params(self.params)
        if not self.tag:
            # An applied finish must say so: a caller that got no tag would finish the clip again.
            raise InvalidInput("finish.tag is required")

    @property
    def fades_s(self) -> float:
        return self.fade_in_s + self.fade_out_s


def x264_preset(name: str) -> X264Preset:
    """The preset a request names, or InvalidInput listing the presets."""
    try:
        return X264Preset(name)
    except ValueError:
        choices = ", ".join(X264Preset)
        raise InvalidInput(f"finish.x264_preset must be one of {choices}, not {name!r}") from None


def _check_x264_params(params: str) -> None:
    if params and not X264_PARAMS.fullmatch(params):
        raise InvalidInput(f"finish.x264_params must be key=value pairs joined by ':', not {params!r}")
    for pair in filter(None, params.split(":")):
        key = pair.split("=", 1)[0]
        # x264 also reads "no-x=..." and "nox=..." as option x (negated), so those are x too.
        if {key, key.removeprefix("no-"), key.removeprefix("no")} & X264_FILE_OPTIONS:
            raise InvalidInput(f"finish.x264_params must not set {key}: libx264 would read or write a file")


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
    finish: Finish | None = None
    """Finish the clip as the film shows it, when the backend finishes clips (finishes_clips); None: a plain clip."""

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
        if self.finish is not None and self.finish.fades_s > self.duration_s:
            raise InvalidInput(
                f"finish.fade_in_s + finish.fade_out_s ({self.finish.fades_s:g} s) must not be longer than "
                f"the shot ({self.duration_s:g} s)"
            )

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
    finish_tag: str = ""
    """RenderSpec.finish's tag when the backend applied it; empty: a plain clip."""


class ShotRenderer(Protocol):
    @property
    def continues_from_previous_clip(self) -> bool:
        """Whether the backend starts a shot from RenderSpec.previous_clip_path (its last frame) when
        given one: then a caller renders a scene's shots one after another (DescribeBackend says so)."""
        ...

    @property
    def finishes_clips(self) -> bool:
        """Whether the backend applies RenderSpec.finish (subtitles, fades, the film's encoder) in
        its own encode; the servicer gives the finish only to a backend that does."""
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
