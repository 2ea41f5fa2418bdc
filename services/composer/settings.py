"""Settings of the composer service (environment prefix STORYREEL_COMPOSER_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class ComposerBackend(StrEnum):
    FFMPEG = "ffmpeg"


class ComposerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_COMPOSER_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50054", description="host:port the gRPC server listens on.")
    concurrency: int = Field(
        default=1, ge=1, description="Films composed at once; each encode already keeps every core busy."
    )
    backend: ComposerBackend = Field(default=ComposerBackend.FFMPEG, description="Which composer backend runs.")
    x264_preset: str = Field(
        default="veryfast",
        pattern=r"^(ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow)$",
        description="libx264 preset: slower presets give smaller files for the same quality.",
    )
    crf: int = Field(default=20, ge=0, le=51, description="libx264 constant rate factor: lower is better quality.")
    audio_bitrate_kbps: int = Field(default=160, ge=32, le=512, description="AAC bitrate of the film's audio.")
    loudness_lufs: float = Field(default=-16.0, ge=-40, le=-5, description="Integrated loudness target (EBU R128).")
    true_peak_db: float = Field(default=-1.5, ge=-9, le=0, description="True-peak ceiling of the film's audio (dBTP).")
    loudness_tolerance_lu: float = Field(
        default=1.0, gt=0, description="How far the measured loudness may stray from the target before the job fails."
    )
    music_level_lu: float = Field(
        default=-10.0,
        le=0,
        description="Music loudness relative to the speech's while nobody speaks; under speech it ducks ~15 dB more.",
    )
    scene_fade_s: float = Field(
        default=0.3, ge=0, le=2, description="Fade out and back in through black at each scene change (0: hard cut)."
    )
    subtitle_font: str = Field(
        default="Noto Sans", description="Subtitle font family; glyphs it lacks (Devanagari) fall back via fontconfig."
    )
    subtitle_max_chars: int = Field(
        default=42, ge=16, le=80, description="Characters per subtitle line; a cue shows at most two lines."
    )
    segment_max_s: float = Field(
        default=300.0, ge=10, description="Longest stretch of film encoded by one ffmpeg run (a segment)."
    )
    segment_workers: int = Field(
        default=1,
        ge=1,
        description="Segments encoded at once. x264 already uses several cores; raise this on machines with 8+.",
    )
    tool_timeout_base_s: float = Field(
        default=60.0, gt=0, description="Time limit of any one ffmpeg run: this, plus tool_timeout_per_film_s ..."
    )
    tool_timeout_per_film_s: float = Field(
        default=2.0, gt=0, description="... for every second of film the run covers (a segment, or the whole film)."
    )
    scratch_dir: Path | None = Field(
        default=None, description="Folder for intermediate files; empty means <artifact_root>/.scratch/composer."
    )

    def scratch_root(self) -> Path:
        return self.scratch_dir or self.artifact_root / ".scratch" / "composer"

    def tool_timeout_s(self, film_s: float) -> float:
        """Time limit of one ffmpeg run that covers film_s seconds of film."""
        return self.tool_timeout_base_s + self.tool_timeout_per_film_s * film_s
