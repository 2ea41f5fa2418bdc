"""Settings of the visual service (env prefix STORYREEL_VISUAL_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.heap import DEFAULT_MMAP_THRESHOLD_KB, MAX_MMAP_THRESHOLD_BYTES
from storyreel.settings import ServiceSettings, available_cores


class VisualBackend(StrEnum):
    ANIMATIC = "animatic"
    """A flat illustration drawn from the shot's words, moved by an ffmpeg camera (CPU, no weights)."""
    COMFYUI = "comfyui"
    """A ComfyUI server running the workflows in comfy_workflows/ (SDXL, SVD, Wan; GPU and weights there)."""
    DIFFUSERS = "diffusers"
    """Hugging Face diffusers pipelines in this process (SDXL keyframes; SVD, Wan, LTX-Video, CogVideoX...)."""
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


# The diffusers backend's choices (services/visual/backends/diffusers/families.py has each family's rules).


class KeyframeFamily(StrEnum):
    AUTO = "auto"
    """What the model's model_index.json names (AutoPipelineForText2Image: SD 1.5, SD3, FLUX, ...)."""
    SDXL = "sdxl"
    """StableDiffusionXLPipeline (SDXL base, its fine-tunes, SDXL-Turbo)."""


class VideoFamily(StrEnum):
    AUTO = "auto"
    """Read from the model's model_index.json (its _class_name)."""
    SVD = "svd"
    WAN_T2V = "wan_t2v"
    WAN_I2V = "wan_i2v"
    LTX_T2V = "ltx_t2v"
    LTX_I2V = "ltx_i2v"
    COGVIDEOX_T2V = "cogvideox_t2v"
    COGVIDEOX_I2V = "cogvideox_i2v"
    HUNYUAN_T2V = "hunyuan_t2v"
    HUNYUAN_I2V = "hunyuan_i2v"
    MOCHI_T2V = "mochi_t2v"


class Offload(StrEnum):
    NONE = "none"
    """Each pipeline wholly on the GPU while it runs (the others wait on the CPU): fastest."""
    MODEL = "model"
    """accelerate moves each model (text encoder, transformer, VAE) to the GPU only while it runs."""
    SEQUENTIAL = "sequential"
    """accelerate moves each layer to the GPU only while it runs: the least memory, many times slower."""


class Dtype(StrEnum):
    AUTO = "auto"
    """bfloat16 on CUDA, float32 on the CPU."""
    FLOAT32 = "float32"
    FLOAT16 = "float16"
    BFLOAT16 = "bfloat16"


class X264Preset(StrEnum):
    """libx264's presets, fastest first (placebo, slower than veryslow for next to nothing, left out)."""

    ULTRAFAST = "ultrafast"
    SUPERFAST = "superfast"
    VERYFAST = "veryfast"
    FASTER = "faster"
    FAST = "fast"
    MEDIUM = "medium"
    # A finished clip (RenderShotRequest.finish) takes the film's preset, which the composer lets be slower.
    SLOW = "slow"
    SLOWER = "slower"
    VERYSLOW = "veryslow"


class VisualSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_VISUAL_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50053", description="host:port the gRPC server listens on.")
    backend: VisualBackend = Field(
        default=VisualBackend.ANIMATIC, description="What renders a shot: animatic, comfyui or diffusers."
    )
    x264_preset: X264Preset = Field(
        default=X264Preset.ULTRAFAST,
        description="libx264 preset of the clips (an intermediate the composer re-encodes: favour speed).",
    )
    x264_crf: int = Field(
        default=18, ge=0, le=51, description="libx264 constant quality of the clips (lower = better)."
    )
    encode_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Threads of each animatic clip's ffmpeg run (decoding, filters, x264); 0: the cores shared among"
        " the shots rendered at once (concurrency), at least one. Measured on 2 cores, a 6 s 720p shot: 1.09 CPU-s"
        " single-threaded against 1.63 with ffmpeg's own thread count (1.87 against 2.64 finished at the film's"
        " settings).",
    )
    keyframe_scale: float = Field(
        default=1.25,
        ge=1.0,
        le=3.0,
        description="Keyframe size relative to the clip, so pans and zooms have room and move smoothly. 1.25 is the"
        " most any camera move magnifies (a push-in's 1.25, a pan's 1.2), so no frame is ever scaled up. Against 1.5,"
        " measured on 2 cores (Treasure Island capped at 20 min, 133 shots, both in one run): drawing 63.0 against"
        " 85.8 s, peak memory 921 against 970 MiB, keyframes 47 against 62 MiB; the visual service's CPU the same"
        " (374.5 against 365.3 s: the sharper source costs x264 what the drawing saves).",
    )
    mmap_threshold_kb: int = Field(
        default=DEFAULT_MMAP_THRESHOLD_KB,
        ge=0,
        le=MAX_MMAP_THRESHOLD_BYTES // 1024,
        description="glibc malloc maps every block of at least this size on its own and unmaps it when freed, so "
        "the animatic's keyframe arrays never stay behind in the heap and memory stays flat in film length "
        "(storyreel/heap.py); 0: glibc's own threshold, which rises after the first large free.",
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

    continue_in_scene: bool = Field(
        default=True,
        description="A shot given the previous shot of its scene (previous_clip_key) starts from that clip's last "
        "frame (ComfyUI, diffusers), so the action runs on without a jump; off: every shot from its own keyframe. "
        "It also sets the gateway's render order (DescribeBackend): on, a scene's shots render one after another; "
        "off, or with the animatic, side by side.",
    )
    reference_max_mb: float = Field(
        default=20.0, gt=0, le=200,
        description="Largest reference picture (a cast sheet portrait or a user's upload) the service accepts, in MB.",
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
    comfyui_portrait_workflow: str = Field(
        default="sdxl_portrait.json",
        description="Workflow making a character's (or a setting's) reference picture from text ($prompt, $seed...).",
    )
    comfyui_reference_workflow: str = Field(
        default="qwen_image_edit_2509_keyframe.json",
        description="Workflow making a shot's keyframe from its characters' reference pictures ($reference, "
        "$reference2, $reference3 and $prompt); empty: references are not used and keyframes come from text.",
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

    # The diffusers backend (services/visual/backends/diffusers/; the `visual-gpu` extra).
    diffusers_mode: ComfyMode = Field(
        default=ComfyMode.KEYFRAME_THEN_ANIMATE,
        description="keyframe_then_animate (the keyframe model's picture, then the video model animates it) or "
        "text_to_video (the video model from text; long shots continue picture-to-video).",
    )
    diffusers_keyframe_model: str = Field(
        default="stabilityai/stable-diffusion-xl-base-1.0",
        description="Model id (Hugging Face) or local folder of the keyframe pipeline.",
    )
    diffusers_keyframe_family: KeyframeFamily = Field(
        default=KeyframeFamily.AUTO, description="sdxl, or auto (what the model's model_index.json names)."
    )
    diffusers_video_model: str = Field(
        default="stabilityai/stable-video-diffusion-img2vid-xt",
        description="Model id or local folder of the video pipeline (picture-to-video in keyframe_then_animate "
        "mode, text-to-video in text_to_video mode).",
    )
    diffusers_video_family: VideoFamily = Field(
        default=VideoFamily.AUTO,
        description="svd, wan_t2v, wan_i2v, ltx_t2v, ltx_i2v, cogvideox_t2v, cogvideox_i2v, hunyuan_t2v, "
        "hunyuan_i2v, mochi_t2v; auto: from the model's model_index.json (LTX-Video's and Wan 2.2 TI2V's name "
        "their text-to-video pipeline: set ltx_i2v or wan_i2v to animate keyframes with them).",
    )
    diffusers_continue_model: str = Field(
        default="",
        description="Model id or folder of the picture-to-video pipeline that continues long text-to-video shots "
        "(the family's *_i2v); empty: the video model itself (right for LTX-Video and Wan 2.2 TI2V-5B; "
        "Wan 2.1 and CogVideoX need their I2V model).",
    )
    diffusers_keyframe_steps: int = Field(default=30, ge=1, le=200, description="Denoising steps of a keyframe.")
    diffusers_video_steps: int = Field(default=30, ge=1, le=200, description="Denoising steps of a video segment.")
    diffusers_keyframe_pixels: int = Field(
        default=0, ge=0, description="Pixel count of a keyframe (in the clip's shape); 0: the family's native "
        "(1024x1024 for SDXL)."
    )
    diffusers_video_pixels: int = Field(
        default=0, ge=0, description="Pixel count of a video segment (in the clip's shape); 0: the family's "
        "native (SVD 1024x576, Wan 2.1 832x480, LTX-Video 768x512, CogVideoX 720x480; Wan 2.2 TI2V: 1280x704)."
    )
    diffusers_video_fps: int = Field(
        default=0, ge=0, le=60, description="Rate the video model's frames play at; 0: the family's native (SVD 7, "
        "Wan 16, LTX-Video 24, CogVideoX 8; Wan 2.2 TI2V-5B: set 24)."
    )
    diffusers_max_frames: int = Field(
        default=0, ge=0, description="Most frames of one segment; 0: the family's (Wan 81, LTX-Video 161, "
        "CogVideoX 49; SVD always makes its model's num_frames)."
    )
    diffusers_device: str = Field(
        default="auto", description="torch device; auto: cuda when torch sees a GPU, else cpu."
    )
    diffusers_dtype: Dtype = Field(
        default=Dtype.AUTO, description="auto (bfloat16 on CUDA, float32 on the CPU), float32, float16 or bfloat16."
    )
    diffusers_offload: Offload = Field(
        default=Offload.NONE,
        description="none (each pipeline wholly on the GPU while it runs), model (accelerate's model CPU offload: "
        "less GPU memory, some speed) or sequential (layer by layer: the least memory, far slower); CUDA only.",
    )
    diffusers_vae_tiling: bool = Field(default=False, description="Decode in tiles (less memory for large frames).")
    diffusers_vae_slicing: bool = Field(default=False, description="Decode one picture of a batch at a time.")
    diffusers_keyframe_img2img_strength: float = Field(
        default=0.6, ge=0.0, lt=1.0,
        description="A later keyframe of a scene starts from its first one, changed this much (0: from text only).",
    )
    diffusers_reference_strength: float = Field(
        default=0.75, gt=0.0, lt=1.0,
        description="A keyframe of a shot whose main character has a reference picture starts from that picture "
        "(image-to-image), changed this much: lower keeps more of the character, higher more of the shot's words.",
    )
    diffusers_rerolls: int = Field(
        default=1, ge=0, le=5, description="Times a mostly black, frozen or flat clip is made again with a new seed."
    )
    diffusers_retime: Retime = Field(
        default=Retime.BLEND, description="How the model's frame rate becomes the clip's: duplicate, blend or motion."
    )

    def clip_threads(self) -> int:
        """Threads of each animatic clip's ffmpeg run: the setting, else this machine's cores shared
        among the shots rendered at once (frame threads cost CPU where every core is already busy)."""
        return self.encode_threads or max(1, available_cores() // self.concurrency)
