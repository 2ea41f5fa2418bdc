"""Settings of the visual service (env prefix STORYREEL_VISUAL_)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class VisualBackend(StrEnum):
    ANIMATIC = "animatic"
    """A flat illustration drawn from the shot's words, moved by an ffmpeg camera (CPU, no weights)."""


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
    backend: VisualBackend = Field(default=VisualBackend.ANIMATIC, description="What renders a shot: animatic.")
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
