"""The diffusers backend: Hugging Face diffusers pipelines in this process make the shot.

For each shot, read top to bottom in `_ShotRun.render`:
1. The seed (one per scene and main character) and the prompt (the shot, its people described,
   the scene's place, light and mood): services/visual/consistency.py, as for ComfyUI.
2. keyframe_then_animate: the keyframe pipeline (SDXL) draws the shot's picture from text (or,
   when the scene's first keyframe exists, from that picture through the same model's img2img
   pipeline, so the scene keeps its look); the video pipeline (SVD, Wan I2V, LTX-Video I2V, ...)
   animates it. text_to_video: the video pipeline makes the first segment from text.
3. A shot longer than one segment continues: each further segment is animated from the last
   frame of the one before by the picture-to-video pipeline of the same family (same VAE, size
   and rate). Each segment's frame count follows its family's rule (Wan 4n+1, LTX-Video 8n+1...).
4. ffmpeg joins the segments, converts the model's frame rate, fills the frame, adds the film
   look and stops at exactly the frame count asked for (services/visual/clipwork.py).
5. The clip is measured (mostly black, frozen, flat); a bad one is made again with a new seed.
The cast sheet: `render_reference` draws a character's full-length portrait (or a setting) with
the keyframe pipeline from text; a shot whose main character has a reference picture starts its
keyframe from that picture through the keyframe model's image-to-image pipeline
(`DIFFUSERS_REFERENCE_STRENGTH`), in either mode (text_to_video then animates it with the
family's picture-to-video pipeline).
Every denoising step reports progress and checks for a cancel (raising RenderCancelled inside
the pipeline, between steps). Pipelines are loaded once per process (loading.py) and one render
runs at a time: the pipelines share one GPU.
"""

from __future__ import annotations

import inspect
import logging
import math
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
from PIL import Image, ImageOps

from services.visual.backends.base import ReferenceSpec, RenderResult, RenderSpec, Subject
from services.visual.backends.diffusers.families import (
    KEYFRAME_FAMILIES,
    VIDEO_FAMILIES,
    Family,
    keyframe_family,
    video_family,
)
from services.visual.backends.diffusers.loading import (
    Pipelines,
    pick_device,
    pick_dtype,
    pipeline_class_name,
    quiet_library_warnings,
    require,
)
from services.visual.clipwork import Segment, first_frame, last_frame, stitch, x264
from services.visual.consistency import shot_prompt
from services.visual.control import RenderControl, Stage
from services.visual.look import Look, look_filters
from services.visual.references import reference_prompt
from services.visual.rerolls import ENCODE_AT, render_with_rerolls
from services.visual.settings import ComfyMode, KeyframeFamily, VideoFamily, VisualSettings
from storyreel.domain import Character, Scene, Shot
from storyreel.errors import BackendError, InvalidInput
from storyreel.media import run_tool

log = logging.getLogger(__name__)
KEYFRAME_SHARE = 0.1
"""Progress bar share of the keyframe; the segments get up to ENCODE_AT, the encode and check the rest."""
WAIT_POLL_S = 0.5
"""How often a render waiting for the pipelines (another shot holds them) looks for a cancel."""


class DiffusersRenderer:
    """Reads the settings and the models' model_index.json at start (a wrong family stops the
    service then); loads each pipeline on first use and keeps it."""

    finishes_clips = False
    """The composer finishes the film's picture (subtitles, fades, encode): RenderSpec.finish is ignored."""

    def __init__(self, settings: VisualSettings) -> None:
        self.settings = settings
        device = pick_device(settings.diffusers_device)
        self.pipelines = Pipelines(
            device, pick_dtype(settings.diffusers_dtype, device), settings.diffusers_offload,
            settings.diffusers_vae_tiling, settings.diffusers_vae_slicing,
        )  # fmt: skip
        self.text_to_video = settings.diffusers_mode == ComfyMode.TEXT_TO_VIDEO
        self.video_model = settings.diffusers_video_model
        family = settings.diffusers_video_family
        named = pipeline_class_name(self.video_model) if family == VideoFamily.AUTO else ""
        self.video = VIDEO_FAMILIES[video_family(family, named, self.video_model)]
        if self.video.from_picture == self.text_to_video:
            wanted = "text-to-video" if self.text_to_video else "picture-to-video"
            raise InvalidInput(
                f"{settings.diffusers_mode.value} needs a {wanted} video family, and {self.video_model} is set as "
                f"{self.video.pipeline}: set STORYREEL_VISUAL_DIFFUSERS_VIDEO_FAMILY (or _MODE) to match"
            )
        continued = VIDEO_FAMILIES[self.video.continued_by] if self.video.continued_by else None
        self.continuation = self.video if self.video.from_picture else continued
        self.continue_model = settings.diffusers_continue_model or self.video_model
        self.keyframe: Family | None = None
        if not self.text_to_video:
            self.keyframe = self.keyframe_family()
        self._busy = threading.Lock()

    @property
    def continues_from_previous_clip(self) -> bool:
        """A picture-to-video pipeline animates the previous clip's last frame; text-to-video only
        with a picture-to-video pipeline of its family to continue with (as _ShotRun.generate)."""
        return not self.text_to_video or self.continuation is not None

    def keyframe_family(self) -> Family:
        """The keyframe model's family (read from its model_index.json when set to auto)."""
        chosen = self.settings.diffusers_keyframe_family
        named = pipeline_class_name(self.settings.diffusers_keyframe_model) if chosen == KeyframeFamily.AUTO else ""
        return KEYFRAME_FAMILIES[keyframe_family(chosen, named)]

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        """The keyframe pipeline's picture of the subject from text, cropped to the asked size."""
        control = control or RenderControl()
        while not self._busy.acquire(timeout=WAIT_POLL_S):
            control.check()
        try:
            with tempfile.TemporaryDirectory(prefix="storyreel-diffusers-") as work:
                shot = Shot(id=f"reference-{subject.id}", seed=spec.seed)
                shape = RenderSpec(spec.width // 2 * 2, spec.height // 2 * 2, 1, 1.0, spec.path, spec.path)
                run = _ShotRun(self, shot, Scene(id=subject.id), [], shape, control, Path(work))
                run.prompt = reference_prompt(subject)
                picture = run._keyframe(spec.seed)
                with Image.open(picture) as made:
                    ImageOps.fit(made.convert("RGB"), (spec.width, spec.height)).save(spec.path, format="PNG")
        finally:
            self._busy.release()

    def render(
        self,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:
        control = control or RenderControl()
        while not self._busy.acquire(timeout=WAIT_POLL_S):
            control.check()
        try:
            with tempfile.TemporaryDirectory(prefix="storyreel-diffusers-") as work:
                return _ShotRun(self, shot, scene, characters, spec, control, Path(work)).render()
        finally:
            self._busy.release()


class _ShotRun:
    """One shot's work, in a temporary folder of its own."""

    def __init__(
        self,
        renderer: DiffusersRenderer,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl,
        work: Path,
    ) -> None:
        self.r, self.settings = renderer, renderer.settings
        self.shot, self.scene, self.spec, self.control, self.work = shot, scene, spec, control, work
        self.prompt = shot_prompt(shot, scene, characters)
        self.attempt = 1
        self.files = 0
        self.keyframed = False
        """Whether a keyframe was made, taking the first share of the progress bar."""

    def render(self) -> RenderResult:
        return render_with_rerolls(self, self.settings.diffusers_rerolls, self.settings.ffmpeg_timeout_s)

    # ---------------------------------------------------------------------- generating

    def generate(self, seed: int) -> tuple[Path, list[Segment]]:
        """The keyframe picture and the segments that together cover the shot."""
        reference, previous = self._reference(), self.spec.previous_clip_path
        if previous is not None and self.r.continues_from_previous_clip:
            keyframe = self._path(".png")
            last_frame(previous, keyframe, self.settings.ffmpeg_timeout_s)
            self.report(0.0, Stage.KEYFRAME, "starting from the last frame of the scene's previous shot")
            family = self.r.continuation if self.r.text_to_video else self.r.video
            model = self.r.continue_model if self.r.text_to_video else self.r.video_model
            assert family is not None  # checked above
            plan = self._plan(family)
            first = self._segment(family, model, keyframe, seed, 0, plan)
        elif self.r.text_to_video and reference is None:
            plan = self._plan(self.r.video)
            first = self._segment(self.r.video, self.r.video_model, None, seed, 0, plan)
            keyframe = self._path(".png")
            first_frame(first.path, keyframe, self.settings.ffmpeg_timeout_s)
        elif self.r.text_to_video:
            assert self.r.continuation is not None  # _reference gives none without a picture-to-video pipeline
            keyframe = self._keyframe(seed, reference)
            plan = self._plan(self.r.continuation)
            first = self._segment(self.r.continuation, self.r.continue_model, keyframe, seed, 0, plan)
        else:
            keyframe = self._keyframe(seed, reference)
            plan = self._plan(self.r.video)
            first = self._segment(self.r.video, self.r.video_model, keyframe, seed, 0, plan)
        segments = [first]
        for index in range(1, len(plan)):
            picture = self._path(".png")
            last_frame(segments[-1].path, picture, self.settings.ffmpeg_timeout_s)
            assert self.r.continuation is not None  # _plan makes one segment where nothing continues
            segments.append(self._segment(self.r.continuation, self.r.continue_model, picture, seed, index, plan))
        return keyframe, segments

    def _plan(self, first: Family) -> list[int]:
        """Frame counts of the segments covering the shot (each later one repeats the previous one's
        last frame as its first)."""
        fps, duration = self._fps(first), self.spec.duration_s
        limit = self.settings.diffusers_max_frames or first.max_frames
        model_frames = self._model_frames(first, self.r.video_model)
        plan = [first.frames_for(math.ceil(duration * fps - 1e-6), model_frames, limit)]
        covered = plan[0] / fps
        later = self.r.continuation
        while covered < duration - 1e-6:
            if later is None:
                raise BackendError(
                    f"{first.pipeline} has no picture-to-video pipeline in diffusers to continue a shot past "
                    f"{covered:g} s (this one lasts {duration:g} s): choose another video family"
                )
            frames = later.frames_for(math.ceil((duration - covered) * fps - 1e-6) + 1,
                                      self._model_frames(later, self.r.continue_model), limit)
            if frames < 2:
                raise InvalidInput(f"segments of {frames} frame cannot continue a shot")
            plan.append(frames)
            covered += (frames - 1) / fps
        return plan

    def _model_frames(self, family: Family, model: str) -> int:
        """The frame count a fixed-length model (SVD) was made for; 0 for the others."""
        if family.frame_step:
            return 0
        unet = self._pipeline(model, family).unet
        return int(unet.config.num_frames)

    def _reference(self) -> Path | None:
        """The main character's reference picture (the first in the shot that has one), when this
        backend can start the shot from a picture."""
        pictures = [path for _, path in self.spec.character_references]
        if not pictures:
            return None
        if self.r.text_to_video and self.r.continuation is None:
            log.info("%s has no picture-to-video pipeline: the reference pictures are not used", self.r.video.pipeline)
            return None
        if len(pictures) > 1:
            log.info("the image-to-image keyframe starts from one picture: the main character's")
        return pictures[0]

    def _keyframe(self, seed: int, reference: Path | None = None) -> Path:
        """The shot's picture: from the main character's reference picture, else from the scene's
        first keyframe where there is one, else from text."""
        family = self.r.keyframe or self.r.keyframe_family()
        self.r.keyframe, self.keyframed = family, True
        model = self.settings.diffusers_keyframe_model
        pipe = self._pipeline(model, family)
        anchor, strength = self.spec.scene_keyframe_path, self.settings.diffusers_keyframe_img2img_strength
        if reference is not None:
            anchor, strength = reference, self.settings.diffusers_reference_strength
        area = self.settings.diffusers_keyframe_pixels or family.native_area
        width, height = family.size_for(area, self.spec.width, self.spec.height)
        arguments: dict[str, Any] = {"prompt": self.prompt, "negative_prompt": self.shot.negative_prompt or None,
                                     "width": width, "height": height}  # fmt: skip
        if anchor is not None and strength > 0:
            pipe = self.r.pipelines.get(model, "AutoPipelineForImage2Image")  # from_pipe: the same weights
            arguments |= {"image": _picture(anchor, width, height), "strength": strength}
        self.report(0.0, Stage.KEYFRAME, f"keyframe with {model} ({type(pipe).__name__}, {width}x{height})")
        output = self._run(pipe, arguments, seed, self.settings.diffusers_keyframe_steps,
                           (0.0, KEYFRAME_SHARE), Stage.KEYFRAME, output_type="pil")  # fmt: skip
        picture = self._path(".png")
        output.images[0].save(picture)
        return picture


    def _segment(self, family: Family, model: str, picture: Path | None, seed: int, index: int,
                 plan: list[int]) -> Segment:  # fmt: skip
        """Segment `index` of the plan: from text (picture None) or animated from a picture."""
        start = KEYFRAME_SHARE if self.keyframed else 0.0
        share = (ENCODE_AT - start) / len(plan)
        span = (start + index * share, start + (index + 1) * share)
        pipe = self._pipeline(model, family)
        area = self.settings.diffusers_video_pixels or family.native_area
        width, height = family.size_for(area, self.spec.width, self.spec.height)
        fps = self._fps(family)
        arguments: dict[str, Any] = {"prompt": self.prompt, "negative_prompt": self.shot.negative_prompt or None,
                                     "width": width, "height": height, "num_frames": plan[index]}  # fmt: skip
        if family.fps_argument:
            arguments[family.fps_argument] = fps
        if picture is not None:
            arguments["image"] = _picture(picture, width, height)
        self.report(span[0], Stage.ANIMATING,
                     f"segment {index + 1} of {len(plan)}: {plan[index]} frames of {width}x{height} "
                     f"with {model} ({family.pipeline})")  # fmt: skip
        output = self._run(pipe, arguments, seed + index, self.settings.diffusers_video_steps, span,
                           Stage.ANIMATING, output_type="np")  # fmt: skip
        path = self._path(".mkv")
        _write_frames(output.frames[0], path, fps, self.settings.ffmpeg_timeout_s)
        return Segment(path, fps)

    def _fps(self, family: Family) -> int:
        return self.settings.diffusers_video_fps or family.fps

    # ---------------------------------------------------------------------- pipelines and files

    def _pipeline(self, model: str, family: Family) -> Any:
        if (model, family.pipeline) not in self.r.pipelines.loaded:
            self.report(0.0, Stage.QUEUED, f"loading {model} ({family.pipeline})")
        pipe = self.r.pipelines.get(model, family.pipeline)
        if family.from_picture and family.wider_input_to_animate:
            _check_animates(pipe, model)
        return pipe

    def _run(self, pipe: Any, arguments: dict[str, Any], seed: int, steps: int, span: tuple[float, float],
             stage: Stage, output_type: str) -> Any:  # fmt: skip
        """Run the pipeline on its device, reporting (and checking for a cancel) after every step."""
        torch = require("torch")
        self.control.check()
        self.r.pipelines.use(pipe)
        accepted = inspect.signature(pipe.__call__).parameters
        call = {name: value for name, value in arguments.items() if name in accepted and value is not None}
        call |= {
            "num_inference_steps": steps,
            "generator": torch.Generator("cpu").manual_seed(seed),
            "output_type": output_type,
            "callback_on_step_end": self._on_step(span, stage),
        }
        with torch.inference_mode(), quiet_library_warnings():
            return pipe(**call)

    def _on_step(self, span: tuple[float, float], stage: Stage) -> Callable[..., dict[str, Any]]:
        low, high = span

        def step_ended(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            total = max(1, int(getattr(pipe, "num_timesteps", 0) or step + 1))
            self.report(low + (high - low) * min(1.0, (step + 1) / total), stage,
                         f"denoising step {step + 1} of {total}")  # fmt: skip
            return {}

        return step_ended

    def finish(self, segments: list[Segment]) -> None:
        look = Look(self.settings.film_grain, self.settings.vignette, self.settings.letterbox)
        stitch(
            segments, self.spec, self.settings.diffusers_retime, look_filters(look, self.spec.width, self.spec.height),
            x264(self.settings.x264_preset, self.settings.x264_crf), self.settings.ffmpeg_timeout_s,
        )  # fmt: skip

    def _path(self, suffix: str) -> Path:
        self.files += 1
        return self.work / f"{self.files:03d}{suffix}"

    def report(self, fraction: float, stage: Stage, message: str = "") -> None:
        self.control.check()
        self.control.report(fraction, stage, message, self.attempt)


def _check_animates(pipe: Any, model: str) -> None:
    """A picture-to-video pipeline of Wan 2.1, CogVideoX or HunyuanVideo needs its I2V weights (a
    transformer that takes the picture's latents beside the noise), except Wan 2.2 TI2V's."""
    config = pipe.transformer.config
    if config.in_channels > config.out_channels or getattr(pipe.config, "expand_timesteps", False):
        return
    raise BackendError(
        f"{model} is a text-to-video model ({config.in_channels} input channels): {type(pipe).__name__} needs its "
        "picture-to-video weights; set STORYREEL_VISUAL_DIFFUSERS_CONTINUE_MODEL (long text-to-video shots) or "
        "STORYREEL_VISUAL_DIFFUSERS_VIDEO_MODEL to the family's I2V model"
    )


def _picture(path: Path, width: int, height: int) -> Any:
    """The picture as RGB at the size the pipeline makes (cropped to its shape, not stretched)."""
    with Image.open(path) as image:
        return ImageOps.fit(image.convert("RGB"), (width, height))


def _write_frames(frames: Any, target: Path, fps: int, timeout_s: float) -> None:
    """A pipeline's frames ((n, height, width, 3) floats from 0 to 1) as a lossless FFV1 clip at
    `fps`, piped to ffmpeg as raw RGB: the stitch's encode stays the clip's only lossy one."""
    array = numpy.asarray(frames)
    if array.ndim != 4 or array.shape[-1] != 3 or not numpy.isfinite(array).all():
        raise BackendError(f"the pipeline returned frames of shape {array.shape} (or NaNs), not (n, h, w, 3)")
    pixels = (numpy.clip(array, 0.0, 1.0) * 255).round().astype(numpy.uint8)
    count, height, width, _ = pixels.shape
    run_tool(
        ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0",
         "-c:v", "ffv1", "-pix_fmt", "bgr0", str(target)],
        timeout_s, stdin=pixels.tobytes(),
    )  # fmt: skip
    log.debug("wrote %d frames of %dx%d at %d fps", count, width, height, fps)
