"""The model families the diffusers backend runs, and each one's rules.

A family is one diffusers pipeline class and what its model was trained for: which frame counts
its VAE can encode (Wan: 4n+1, LTX-Video and CogVideoX: 8n+1, SVD: the model's own num_frames),
the step its width and height must be a multiple of, the rate its frames play at, its native
pixel count and how many frames one segment may have. A video family that starts from text
names the picture-to-video family that continues its long shots (same VAE, size and rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.visual.settings import KeyframeFamily, VideoFamily
from storyreel.errors import InvalidInput


@dataclass(frozen=True)
class Family:
    pipeline: str
    """The diffusers pipeline class."""
    frame_step: int
    """Frame counts are frame_step * n + 1; 0: exactly the model's num_frames (SVD)."""
    size_step: int
    fps: int
    native_area: int
    max_frames: int
    from_picture: bool
    continued_by: VideoFamily | None = None
    """The picture-to-video family that continues this text-to-video one."""
    fps_argument: str | None = None
    """The call argument that tells the model its frame rate, where it has one."""
    wider_input_to_animate: bool = False
    """Its picture-to-video transformer takes the picture's latents beside the noise (more input
    channels than output ones), so text-to-video weights cannot animate a picture."""

    def frames_for(self, wanted: int, model_frames: int, limit: int) -> int:
        """The smallest frame count the model can make that holds `wanted` frames, at most `limit`."""
        if self.frame_step == 0:
            return model_frames
        cap = min(limit, self.max_frames)
        blocks = max(1, math.ceil((wanted - 1) / self.frame_step))
        return min(blocks, (cap - 1) // self.frame_step) * self.frame_step + 1

    def size_for(self, area: int, width: int, height: int) -> tuple[int, int]:
        """About `area` pixels in the clip's shape, each side a multiple of size_step."""
        aspect = width / height
        step = self.size_step
        return (
            max(step, round(math.sqrt(area * aspect) / step) * step),
            max(step, round(math.sqrt(area / aspect) / step) * step),
        )


KEYFRAME_FAMILIES = {
    KeyframeFamily.SDXL: Family("StableDiffusionXLPipeline", 0, 64, 0, 1024 * 1024, 1, from_picture=False),
    KeyframeFamily.AUTO: Family("AutoPipelineForText2Image", 0, 64, 0, 1024 * 1024, 1, from_picture=False),
}
VIDEO_FAMILIES = {
    VideoFamily.SVD: Family(
        "StableVideoDiffusionPipeline", 0, 64, 7, 1024 * 576, 25, from_picture=True, fps_argument="fps"
    ),
    VideoFamily.WAN_T2V: Family(
        "WanPipeline", 4, 16, 16, 832 * 480, 81, from_picture=False, continued_by=VideoFamily.WAN_I2V,
        wider_input_to_animate=True,
    ),
    VideoFamily.WAN_I2V: Family(
        "WanImageToVideoPipeline", 4, 16, 16, 832 * 480, 81, from_picture=True, wider_input_to_animate=True
    ),
    VideoFamily.LTX_T2V: Family(
        "LTXPipeline", 8, 32, 24, 768 * 512, 161, from_picture=False, continued_by=VideoFamily.LTX_I2V,
        fps_argument="frame_rate",
    ),
    VideoFamily.LTX_I2V: Family(
        "LTXImageToVideoPipeline", 8, 32, 24, 768 * 512, 161, from_picture=True, fps_argument="frame_rate"
    ),
    VideoFamily.COGVIDEOX_T2V: Family(
        "CogVideoXPipeline", 8, 16, 8, 720 * 480, 49, from_picture=False, continued_by=VideoFamily.COGVIDEOX_I2V,
        wider_input_to_animate=True,
    ),
    VideoFamily.COGVIDEOX_I2V: Family(
        "CogVideoXImageToVideoPipeline", 8, 16, 8, 720 * 480, 49, from_picture=True, wider_input_to_animate=True
    ),
    VideoFamily.HUNYUAN_T2V: Family(
        "HunyuanVideoPipeline", 4, 16, 24, 1280 * 720, 129, from_picture=False, continued_by=VideoFamily.HUNYUAN_I2V,
        wider_input_to_animate=True,
    ),
    VideoFamily.HUNYUAN_I2V: Family(
        "HunyuanVideoImageToVideoPipeline", 4, 16, 24, 1280 * 720, 129, from_picture=True,
        wider_input_to_animate=True,
    ),
    VideoFamily.MOCHI_T2V: Family("MochiPipeline", 6, 16, 30, 848 * 480, 163, from_picture=False),
}
FAMILY_OF_CLASS = {family.pipeline: name for name, family in VIDEO_FAMILIES.items()}


def video_family(name: VideoFamily, class_name: str, model: str) -> VideoFamily:
    """The family the settings name, or (auto) the one of the model's pipeline class."""
    if name != VideoFamily.AUTO:
        return name
    if class_name not in FAMILY_OF_CLASS:
        known = ", ".join(member.value for member in VideoFamily if member != VideoFamily.AUTO)
        raise InvalidInput(
            f"cannot tell the video family of {model} (its pipeline is {class_name or 'not named'}): "
            f"set STORYREEL_VISUAL_DIFFUSERS_VIDEO_FAMILY to one of {known}"
        )
    return FAMILY_OF_CLASS[class_name]


def keyframe_family(name: KeyframeFamily, class_name: str) -> KeyframeFamily:
    if name == KeyframeFamily.AUTO and class_name == KEYFRAME_FAMILIES[KeyframeFamily.SDXL].pipeline:
        return KeyframeFamily.SDXL
    return name
