"""The ComfyUI backend: a real video model on a ComfyUI server makes the shot.

For each shot, read top to bottom in `_ShotRun.render`:
1. The seed (one per scene and main character) and the prompt (the shot, its people described,
   the scene's place, light and mood): services/visual/consistency.py.
2. keyframe_then_animate: a keyframe from text (or, when the scene's first keyframe exists and an
   img2img workflow is set, from that keyframe, so the scene keeps its look); then the animate
   workflow turns it into a clip. text_to_video: the text-to-video workflow makes the first clip,
   whose first frame is the keyframe.
3. A shot longer than one native clip continues: each further segment is animated from the last
   frame of the one before, by the animate workflow (keyframe_then_animate) or by a
   picture-to-video workflow of the text-to-video model's own family (`continuation_for`), so one
   shot's segments share a model, a size and a rate where such a workflow exists.
4. ffmpeg joins the segments, converts the model's frame rate, fills the frame, adds the film
   look and stops at exactly the frame count asked for.
5. The clip is measured (mostly black, frozen, flat); a bad one is rendered again with a new seed,
   up to `comfyui_rerolls` times, and the log says why.
With reference pictures (the cast sheet: `render_reference` makes each with the portrait workflow),
the keyframe comes from the reference workflow instead (Qwen-Image-Edit-2509: the shot's characters'
pictures, main character first, then the setting's, as many as the workflow has $reference nodes),
in either mode; the animate workflow (or, in text_to_video mode, the family's picture-to-video one)
then animates it.
Every ComfyUI run has a time limit of its own (comfyui_run_timeout_s), within the shot's deadline
(comfyui_shot_deadline_s), and follows the caller's cancel (services/visual/backends/comfyui/client.py).
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from services.visual.backends.base import ReferenceSpec, RenderResult, RenderSpec, Subject
from services.visual.backends.comfyui.client import ComfyClient, Timeouts
from services.visual.backends.comfyui.errors import ComfyTimeout
from services.visual.backends.comfyui.workflow import REFERENCE_MARKERS, Role, Workflow, fitted_size, load_workflow
from services.visual.clipwork import (
    Segment,
    first_frame,
    last_frame,
    segments_needed,
    stitch,
    webp_to_video,
    x264,
)
from services.visual.consistency import shot_prompt
from services.visual.control import RenderControl, Stage
from services.visual.look import Look, look_filters
from services.visual.references import reference_prompt
from services.visual.rerolls import ENCODE_AT, render_with_rerolls
from services.visual.settings import ComfyMode, VisualSettings
from storyreel.domain import Character, Scene, Shot
from storyreel.errors import BackendError, InvalidInput

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[3]
KEYFRAME_SHARE = 0.1
"""Progress bar share of the keyframe; the segments get up to ENCODE_AT, the encode and check the rest."""


@dataclass(frozen=True)
class Workflows:
    keyframe: Workflow | None
    keyframe_img2img: Workflow | None
    animate: Workflow
    text_to_video: Workflow | None
    continuation: Workflow
    """What animates every segment after the first: the animate workflow, or in text_to_video
    mode one of the text-to-video model's family."""
    portrait: Workflow
    """Text to a character's (or a setting's) reference picture."""
    reference: Workflow | None
    """Reference pictures to a shot's keyframe; None: references are not used."""

    @classmethod
    def load(cls, settings: VisualSettings) -> Workflows:
        """Every workflow the mode needs, checked now, so a broken file stops the service at start."""
        folder = workflow_dir(settings.comfyui_workflow_dir)
        keyframe_mode = settings.comfyui_mode == ComfyMode.KEYFRAME_THEN_ANIMATE
        img2img = settings.comfyui_keyframe_img2img_workflow
        animate = load_workflow(folder / settings.comfyui_animate_workflow, Role.ANIMATE)
        text_to_video = (
            None if keyframe_mode
            else load_workflow(folder / settings.comfyui_text_to_video_workflow, Role.TEXT_TO_VIDEO)
        )
        if text_to_video is None:
            continuation = animate
        elif settings.comfyui_continue_workflow:
            continuation = load_workflow(folder / settings.comfyui_continue_workflow, Role.ANIMATE)
        else:
            continuation = continuation_for(text_to_video, animate, folder)
        return cls(
            keyframe=load_workflow(folder / settings.comfyui_keyframe_workflow, Role.KEYFRAME)
            if keyframe_mode
            else None,
            keyframe_img2img=_img2img(folder / img2img) if keyframe_mode and img2img else None,
            animate=animate,
            text_to_video=text_to_video,
            continuation=continuation,
            portrait=load_workflow(folder / _shipped_or(settings, "comfyui_portrait_workflow", folder,
                                                         settings.comfyui_keyframe_workflow), Role.KEYFRAME),
            reference=_reference_workflow(settings, folder),
        )


def _shipped_or(settings: VisualSettings, name: str, folder: Path, fallback: str) -> str:
    """The workflow file the setting names; when it is left at its default and a folder of one's own
    lacks that file, `fallback` (so a folder made before the cast sheet still starts)."""
    chosen = str(getattr(settings, name))
    default = VisualSettings.model_fields[name].default
    if chosen == default and fallback != chosen and not (folder / chosen).is_file():
        log.info("%s has no %s: %s is used instead (STORYREEL_VISUAL_%s)", folder, chosen, fallback or "nothing",
                 name.upper())  # fmt: skip
        return fallback
    return chosen


def _reference_workflow(settings: VisualSettings, folder: Path) -> Workflow | None:
    chosen = _shipped_or(settings, "comfyui_reference_workflow", folder, "")
    return load_workflow(folder / chosen, Role.REFERENCE_KEYFRAME) if chosen else None


def continuation_for(first: Workflow, animate: Workflow, folder: Path) -> Workflow:
    """The picture-to-video workflow that continues `first`'s clips: the animate workflow when it is
    of first's family, else the first such workflow in the folder (by name), else the animate one
    (whose segments the stitch then brings to the clip's size and rate)."""
    candidates = [animate, *(_animator(path) for path in sorted(folder.glob("*.json")))]
    chosen = next((flow for flow in candidates if flow is not None and same_family(first, flow)), None)
    if chosen is None:
        log.warning(
            "no picture-to-video workflow in %s is of %s's family (same VAE, native size and rate): "
            "long shots continue with %s, a different model",
            folder, first.name, animate.name,
        )
        return animate
    log.info("long shots of %s continue with %s", first.name, chosen.name)
    return chosen


def same_family(first: Workflow, other: Workflow) -> bool:
    """One model family: the same VAE file (or checkpoint), native pixel count and native rate."""
    return (_decoder(first), first.native_area, first.native_fps) == (
        _decoder(other), other.native_area, other.native_fps
    )


def _decoder(workflow: Workflow) -> set[str]:
    files = workflow.model_files()
    vae = {name for name, folder in files if folder == "vae"}
    return vae or {name for name, folder in files if folder == "checkpoints"}


def _animator(path: Path) -> Workflow | None:
    try:
        return load_workflow(path, Role.ANIMATE)
    except InvalidInput:  # a keyframe or text-to-video workflow, or a broken file: not a candidate
        return None


def workflow_dir(folder: Path) -> Path:
    """The workflow folder: a relative one from the working folder when it is there (a container's
    /app), else from the repository root (a checkout run from anywhere)."""
    if folder.is_absolute() or folder.is_dir():
        return folder
    return REPO_ROOT / folder


def _img2img(path: Path) -> Workflow:
    workflow = load_workflow(path, Role.KEYFRAME)
    if not workflow.has("$init_image"):
        raise BackendError(f"workflow {path.name} is set as the img2img keyframe workflow but has no $init_image node")
    return workflow


class ComfyRenderer:
    continues_from_previous_clip = True
    """In either mode a shot given the previous clip is animated from its last frame (_start_picture)."""
    finishes_clips = False
    """The composer finishes the film's picture (subtitles, fades, encode): RenderSpec.finish is ignored."""

    def __init__(self, settings: VisualSettings) -> None:
        self.settings = settings
        self.workflows = Workflows.load(settings)

    def render(
        self,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:
        client = self._client()
        try:
            with tempfile.TemporaryDirectory(prefix="storyreel-comfy-") as work:
                run = _ShotRun(self, client, shot, scene, characters, spec, control or RenderControl(), Path(work))
                return run.render()
        finally:
            client.close()

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        """The portrait workflow's picture of the subject, cropped to the asked size (not stretched)."""
        flow = self.workflows.portrait
        client = self._client()
        try:
            with tempfile.TemporaryDirectory(prefix="storyreel-comfy-") as work:
                shot = Shot(id=f"reference-{subject.id}", seed=spec.seed)
                shape = RenderSpec(spec.width // 2 * 2, spec.height // 2 * 2, 1, 1.0, spec.path, spec.path)
                control = control or RenderControl()
                run = _ShotRun(self, client, shot, Scene(id=subject.id), [], shape, control, Path(work))
                values = {**run._common(flow, spec.seed), "$prompt": reference_prompt(subject)}
                made = run._run(flow, values, (0.0, 1.0), Stage.KEYFRAME)
                with Image.open(made) as picture:
                    ImageOps.fit(picture.convert("RGB"), (spec.width, spec.height)).save(spec.path, format="PNG")
        finally:
            client.close()

    def _client(self) -> ComfyClient:
        timeouts = Timeouts(
            request_s=self.settings.comfyui_request_timeout_s, silence_s=self.settings.comfyui_poll_after_s
        )
        return ComfyClient(self.settings.comfyui_url, timeouts)


class _ShotRun:
    """One shot's work on the ComfyUI server, in a temporary folder of its own."""

    def __init__(
        self,
        renderer: ComfyRenderer,
        client: ComfyClient,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl,
        work: Path,
    ) -> None:
        self.settings, self.flows = renderer.settings, renderer.workflows
        self.client, self.shot, self.scene, self.spec, self.control, self.work = (
            client,
            shot,
            scene,
            spec,
            control,
            work,
        )
        self.prompt = shot_prompt(shot, scene, characters)
        self.names = {character.id: character.name for character in characters}
        self.deadline = time.monotonic() + self.settings.comfyui_shot_deadline_s
        self.attempt = 1
        self.files = 0
        self.keyframed = False
        """Whether a keyframe run took the first share of the progress bar."""

    def render(self) -> RenderResult:
        return render_with_rerolls(self, self.settings.comfyui_rerolls, self.settings.ffmpeg_timeout_s)

    # ---------------------------------------------------------------------- generating

    def generate(self, seed: int) -> tuple[Path, list[Segment]]:
        """The keyframe picture and the segments that together cover the shot."""
        references = self._references()
        previous = self.spec.previous_clip_path
        if self.flows.text_to_video is not None and not references and previous is None:
            count = self._segments(self.flows.text_to_video)
            first = self._clip(self.flows.text_to_video, {"$prompt": self.prompt}, seed, 0, count)
            keyframe = self._path(".png")
            first_frame(first.path, keyframe, self.settings.ffmpeg_timeout_s)
            return keyframe, [first, *self._continue(first, seed, 1, count)]
        keyframe = self._start_picture(seed, references)
        animate = self.flows.animate if self.flows.text_to_video is None else self.flows.continuation
        count = self._segments(animate)
        first = self._clip(animate, {"$init_image": self._upload(keyframe)}, seed, 0, count)
        return keyframe, [first, *self._continue(first, seed, 1, count)]

    def _start_picture(self, seed: int, references: list[tuple[str, Path]]) -> Path:
        """What the shot is animated from: the previous shot's last frame (the scene runs on), the
        keyframe from the reference pictures, or the keyframe from text."""
        previous = self.spec.previous_clip_path
        if previous is not None:
            picture = self._path(".png")
            last_frame(previous, picture, self.settings.ffmpeg_timeout_s)
            self.report(0.0, Stage.KEYFRAME, "starting from the last frame of the scene's previous shot")
            return picture
        return self._from_references(seed, references) if references else self._keyframe(seed)

    def _references(self) -> list[tuple[str, Path]]:
        """(whom it shows, picture) of the references the reference workflow takes: the shot's
        characters' in its order (main first), then the setting's, up to its $reference nodes."""
        flow = self.flows.reference
        pictures = [(self.names.get(cid, cid), path) for cid, path in self.spec.character_references]
        if self.spec.setting_reference is not None:
            pictures.append(("the place", self.spec.setting_reference))
        if flow is None or not pictures:
            if pictures:
                log.info("reference pictures given, but STORYREEL_VISUAL_COMFYUI_REFERENCE_WORKFLOW is empty: "
                         "the keyframe comes from text")  # fmt: skip
            return []
        if len(pictures) > flow.reference_slots:
            left = ", ".join(name for name, _ in pictures[flow.reference_slots :])
            log.info("%s takes %d reference pictures: left out %s", flow.name, flow.reference_slots, left)
        return pictures[: flow.reference_slots]

    def _from_references(self, seed: int, references: list[tuple[str, Path]]) -> Path:
        """The shot's keyframe from its reference pictures, each named in the prompt by its number."""
        workflow = self.flows.reference
        assert workflow is not None  # _references gives none without it
        legend = "; ".join(f"{name} is the one in picture {index}" for index, (name, _) in enumerate(references, 1))
        values: dict[str, Any] = {"$prompt": f"{self.prompt}. {legend}"}
        for index, (marker, (_, picture)) in enumerate(zip(REFERENCE_MARKERS, references, strict=False)):
            values[marker] = self._upload(picture, f"reference{index + 1}-")
        self.report(0.0, Stage.KEYFRAME, f"keyframe from {len(references)} reference picture(s) with {workflow.name}")
        self.keyframed = True
        return self._run(workflow, {**self._common(workflow, seed), **values}, (0.0, KEYFRAME_SHARE), Stage.KEYFRAME)

    def _segments(self, first: Workflow) -> int:
        later = self.flows.continuation
        return segments_needed(
            self.spec.duration_s, (first.native_frames, first.native_fps), (later.native_frames, later.native_fps)
        )

    def _keyframe(self, seed: int) -> Path:
        """The shot's picture: from the scene's first keyframe where there is one to start from, else from text."""
        anchor = self.spec.scene_keyframe_path
        workflow = self.flows.keyframe_img2img if anchor is not None else None
        values: dict[str, Any] = {"$prompt": self.prompt}
        if workflow is not None and anchor is not None:
            values["$init_image"] = self._upload(anchor)
        else:
            workflow = self.flows.keyframe
        assert workflow is not None  # keyframe_then_animate always loads a keyframe workflow
        self.report(0.0, Stage.KEYFRAME, f"keyframe with {workflow.name}")
        self.keyframed = True
        return self._run(workflow, {**values, **self._common(workflow, seed)}, (0.0, KEYFRAME_SHARE), Stage.KEYFRAME)

    def _continue(self, previous: Segment, seed: int, start: int, count: int) -> list[Segment]:
        """Segments `start`..count-1, each animated from the previous segment's last frame."""
        made = []
        for index in range(start, count):
            picture = self._path(".png")
            last_frame(previous.path, picture, self.settings.ffmpeg_timeout_s)
            values = {"$init_image": self._upload(picture)}
            previous = self._clip(self.flows.continuation, values, seed, index, count)
            made.append(previous)
        return made

    def _clip(self, workflow: Workflow, values: dict[str, Any], seed: int, index: int, count: int) -> Segment:
        start = KEYFRAME_SHARE if self.keyframed else 0.0
        share = (ENCODE_AT - start) / count
        span = (start + index * share, start + (index + 1) * share)
        self.report(span[0], Stage.ANIMATING, f"segment {index + 1} of {count} with {workflow.name}")
        values = {**values, **self._common(workflow, seed + index)}
        return Segment(self._run(workflow, values, span, Stage.ANIMATING), workflow.native_fps)

    def _common(self, workflow: Workflow, seed: int) -> dict[str, Any]:
        """What every run gets: seed, the model's size in the clip's shape, prompts, where to save."""
        width, height = fitted_size(workflow.native_area, self.spec.width, self.spec.height)
        values: dict[str, Any] = {"$seed": seed, "$width": width, "$height": height}
        values["$output"] = "storyreel/" + re.sub(r"[^A-Za-z0-9_-]", "_", self.shot.id)
        if workflow.has("$prompt"):
            values.setdefault("$prompt", self.prompt)
        if self.shot.negative_prompt:
            values["$negative"] = self.shot.negative_prompt
        return values

    # ---------------------------------------------------------------------- ComfyUI and files

    def _run(self, workflow: Workflow, values: dict[str, Any], span: tuple[float, float], stage: Stage) -> Path:
        """Queue the workflow, follow it, download the file its $output node saved."""
        low, high = span
        run_deadline = time.monotonic() + self.settings.comfyui_run_timeout_s
        try:
            outputs = self.client.run(
                workflow.name,
                workflow.filled({**values}),
                min(self.deadline, run_deadline),
                on_progress=lambda fraction: self.report(low + (high - low) * fraction, stage),
                should_stop=self.control.stop_requested,
            )
        except ComfyTimeout as error:
            if time.monotonic() < min(self.deadline, run_deadline):
                raise  # one HTTP request was too slow, not the run
            limit = "run's" if run_deadline < self.deadline else "shot's"
            raise ComfyTimeout(
                f"{error} (the {limit} limit: STORYREEL_VISUAL_COMFYUI_RUN_TIMEOUT_S="
                f"{self.settings.comfyui_run_timeout_s:g}, STORYREEL_VISUAL_COMFYUI_SHOT_DEADLINE_S="
                f"{self.settings.comfyui_shot_deadline_s:g}; raise it for slower GPUs)"
            ) from None
        marked = {slot.node_id for slot in workflow.slots if slot.marker == "$output"}
        chosen = next((output for output in outputs if output.node_id in marked), None)
        if chosen is None:
            raise BackendError(
                f"workflow {workflow.name} saved no file from its $output node (a SaveImage or SaveVideo)"
            )
        target = self._path(chosen.suffix or ".bin")
        self.client.download(chosen, target)
        if chosen.animated and chosen.suffix == ".webp":  # SaveAnimatedWEBP, as ComfyUI's examples save
            video = self._path(".mkv")
            webp_to_video(target, video, workflow.native_fps, self.settings.ffmpeg_timeout_s)
            return video
        return target

    def _upload(self, picture: Path, prefix: str = "") -> str:
        self.control.check()
        return self.client.upload_image(picture, f"{self.work.name}-{prefix}{picture.name}")

    def finish(self, segments: list[Segment]) -> None:
        look = Look(self.settings.film_grain, self.settings.vignette, self.settings.letterbox)
        stitch(
            segments,
            self.spec,
            self.settings.comfyui_retime,
            look_filters(look, self.spec.width, self.spec.height),
            x264(self.settings.x264_preset, self.settings.x264_crf),
            self.settings.ffmpeg_timeout_s,
        )

    def _path(self, suffix: str) -> Path:
        self.files += 1
        return self.work / f"{self.files:03d}{suffix}"

    def report(self, fraction: float, stage: Stage, message: str = "") -> None:
        self.control.check()
        self.control.report(fraction, stage, message, self.attempt)
