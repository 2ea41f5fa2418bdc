"""A stand-in for a GPU render, for load tests and the scale benchmark: it waits a fixed time
(sleeping, no CPU, as a service waiting on a GPU would), then writes a flat clip and keyframe
that meet the same contract as any backend (exact frame count, size and fps)."""

from __future__ import annotations

import hashlib

from PIL import Image

from services.visual.backends.base import ReferenceSpec, RenderResult, RenderSpec, Subject
from services.visual.control import RenderControl, Stage
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot
from storyreel.media import ffmpeg

_WAIT_STEP_S = 0.1


class SimulatedRenderer:
    continues_from_previous_clip = False
    """Each shot is a flat clip of its own: load tests keep the animatic's side-by-side order."""
    finishes_clips = False
    """A stand-in clip is never the film's: RenderSpec.finish is ignored."""

    def __init__(self, settings: VisualSettings) -> None:
        self.settings = settings

    def render(
        self,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:
        control = control or RenderControl()
        self._wait(control)
        colour = "#" + hashlib.sha256(shot.id.encode()).hexdigest()[:6]  # each shot its own flat colour
        Image.new("RGB", (spec.width, spec.height), colour).save(spec.keyframe_path)
        ffmpeg(
            ["-f", "lavfi", "-i", f"color=c={colour}:s={spec.width}x{spec.height}:r={spec.fps}",
             "-frames:v", str(spec.frames), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-f", "mp4", str(spec.clip_path)],
            self.settings.ffmpeg_timeout_s,
        )
        control.report(1.0, Stage.ENCODING)
        return RenderResult(frame_count=spec.frames, duration_s=spec.frames / spec.fps)

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        """A flat picture in the subject's own colour, after the same simulated wait as a shot."""
        self._wait(control or RenderControl())
        colour = "#" + hashlib.sha256(subject.id.encode()).hexdigest()[:6]
        Image.new("RGB", (spec.width, spec.height), colour).save(spec.path, format="PNG")

    def _wait(self, control: RenderControl) -> None:
        """Sleep the configured render time in small steps, so a cancelled call stops promptly."""
        steps = max(1, round(self.settings.simulated_render_s / _WAIT_STEP_S))
        for step in range(steps):
            control.report(step / steps, Stage.ANIMATING)
            control.sleep(self.settings.simulated_render_s / steps)
