"""Settings of the visual service (env prefix STORYREEL_VISUAL_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class VisualBackend(StrEnum):
    ANIMATIC = "animatic"
    """A flat illustration drawn from the shot's words, moved by an ffmpeg camera (CPU, no weights)."""
    COMFYUI = "comfyui"
    """A ComfyUI server running the workflows in comfy_workflows/ (SDXL, SVD, Wan; GPU and weights there)."""
    SIMULATED = "simulated"
    """Waits simulated_render_s (no CPU), then writes a flat clip: load tests and the scale benchmark."""


class ComfyMode(StrEnum):
    KEYFRAME_THEN_ANIMATE = "keyframe_then_animate"
    """A keyframe picture from the text, then a picture-to-video workflow animates it."""
    TEXT_TO_VIDEO = "text_to_video"
    """A text-to-video workflow makes the first segment; longer shots continue it picture-to-video."""


class Retime(StrEnum):
    """How a model's native frame rate becomes the clip's."""

    DUPLICATE = "duplicate"
    """Repeat or drop frames (ffmpeg fps): sharp, may judder."""
    BLEND = "blend"
    """Cross-fade neighbouring frames (ffmpeg framerate): smooth, a little soft."""
    MOTION = "motion"
    """Motion-compensated interpolation (ffmpeg minterpolate): smoothest, slow on CPU."""


class X264Preset(StrEnum):
    ULTRAFAST = "ultrafast"
    SUPERFAST = "superfast"
    VERYFAST = "veryfast"
    FASTER = "faster"
    FAST = "fast"
    MEDIUM = "medium"


class VisualSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_VISUAL_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50053", description="host:port the gRPC server listens on.")
    backend: VisualBackend = Field(
        default=VisualBackend.ANIMATIC, description="What renders a shot: animatic or comfyui."
    )
    x264_preset: X264Preset = Field(
        default=X264Preset.ULTRAFAST,
        description="libx264 preset of the clips (an intermediate the composer re-encodes: favour speed).",
    )
    x264_crf: int = Field(
        default=18, ge=0, le=51, description="libx264 constant quality of the clips (lower = better)."
    )
    keyframe_scale: float = Field(
        default=1.5,
        ge=1.0,
        le=3.0,
        description="Keyframe size relative to the clip, so pans and zooms have room and move smoothly.",
    )
    ffmpeg_timeout_s: float = Field(default=120.0, gt=0, description="Time limit of one ffmpeg run.")
    heartbeat_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="RenderShotStream sends progress at least this often while a shot waits for a slot or renders "
        "(the last progress again when the backend has nothing new), so the gateway's idle timeout "
        "(STORYREEL_GATEWAY_IDLE_TIMEOUT_S) only ends renders that have really gone silent.",
    )
    simulated_render_s: float = Field(
        default=2.0, ge=0, le=600, description="How long the simulated backend waits per shot (a stand-in GPU render)."
    )

    # The film look, for every backend.
    letterbox: bool = Field(default=False, description="Black bars to a 2.39:1 picture inside the clip's frame.")
    film_grain: int = Field(
        default=0, ge=0, le=40, description="Strength of moving film grain (ffmpeg noise); 0: none, 4-8: subtle."
    )
    vignette: bool = Field(default=True, description="Darken the corners of the picture, drawing the eye inwards.")

    # The ComfyUI backend.
    comfyui_url: str = Field(default="http://127.0.0.1:8188", description="Base URL of the ComfyUI server.")
    comfyui_mode: ComfyMode = Field(
        default=ComfyMode.KEYFRAME_THEN_ANIMATE,
        description="keyframe_then_animate (picture, then picture to video) or text_to_video.",
    )
    comfyui_workflow_dir: Path = Field(
        default=Path("comfy_workflows"),
        description="Folder of the ComfyUI workflow files (API-format JSON); relative: from the working folder, "
        "else from the repository root.",
    )
    comfyui_keyframe_workflow: str = Field(
        default="sdxl_keyframe.json", description="Workflow making a shot's keyframe from text ($prompt, $seed...)."
    )
    comfyui_keyframe_img2img_workflow: str = Field(
        default="sdxl_keyframe_img2img.json",
        description="Workflow making a later keyframe of a scene from its first one ($init_image); empty: never.",
    )
    comfyui_animate_workflow: str = Field(
        default="wan22_ti2v_5b_i2v.json", description="Workflow animating a picture into a clip ($init_image)."
    )
    comfyui_text_to_video_workflow: str = Field(
        default="wan21_t2v_1_3b.json", description="Workflow making a clip from text (comfyui_mode=text_to_video)."
    )
    comfyui_continue_workflow: str = Field(
        default="",
        description="Workflow continuing a text-to-video shot past its first segment ($init_image); empty: a "
        "picture-to-video workflow of the text-to-video one's family (same VAE, native size and rate: "
        "wan21_t2v_1_3b.json -> wan21_i2v_14b_480p.json, wan22_ti2v_5b_t2v.json -> wan22_ti2v_5b_i2v.json) "
        "from the workflow folder, else the animate workflow.",
    )
    comfyui_request_timeout_s: float = Field(
        default=30.0, gt=0, description="Time limit of one HTTP request to ComfyUI (and of opening its websocket)."
    )
    comfyui_poll_after_s: float = Field(
        default=10.0, gt=0, description="When ComfyUI's websocket is silent this long, poll /history and /queue."
    )
    comfyui_run_timeout_s: float = Field(
        default=1800.0,
        gt=0,
        description="Most time one ComfyUI run (a keyframe or one segment) may take, from queueing to its file: "
        "Wan 2.2 at 720p takes about 9 min per 5 s segment on one GPU, plus model loading and waiting behind "
        "another prompt in ComfyUI's queue.",
    )
    comfyui_shot_deadline_s: float = Field(
        default=14400.0,
        gt=0,
        description="Most time one shot may take on ComfyUI, re-rolls included: a 12 s shot is a keyframe and "
        "3 segments of about 9 min each, twice with one re-roll (about 1 h), with room for a shared queue.",
    )
    comfyui_rerolls: int = Field(
        default=1, ge=0, le=5, description="Times a mostly black, frozen or flat clip is made again with a new seed."
    )
    comfyui_retime: Retime = Field(
        default=Retime.BLEND, description="How the model's frame rate becomes the clip's: duplicate, blend or motion."
    )
