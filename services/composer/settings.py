"""Settings of the composer service (environment prefix STORYREEL_COMPOSER_)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.profiles import ProfileName
from storyreel.settings import ServiceSettings, available_cores

X264_PRESETS = r"^(ultrafast|superfast|veryfast|faster|fast|medium|slow|slower|veryslow)$"
X264_PARAMS = r"^([a-z0-9-]+=[A-Za-z0-9.,-]+(:[a-z0-9-]+=[A-Za-z0-9.,-]+)*)?$"


class ComposerBackend(StrEnum):
    FFMPEG = "ffmpeg"


class AacCoder(StrEnum):
    """How ffmpeg's AAC encoder picks its quantizers (its -aac_coder)."""

    FAST = "fast"
    """About 4x less CPU than twoloop on a film's mix (7.7 against 30.3 CPU-s per 10 minutes at 160
    kb/s); ffmpeg's own authors found it sounds better than twoloop at higher bitrates."""
    TWOLOOP = "twoloop"
    """ffmpeg 5.1's default; better at low bitrates."""


class ComposerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_COMPOSER_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50054", description="host:port the gRPC server listens on.")
    concurrency: int = Field(
        default=1, ge=1, description="Films composed at once; each encode already keeps every core busy."
    )
    backend: ComposerBackend = Field(default=ComposerBackend.FFMPEG, description="Which composer backend runs.")
    profile: ProfileName = Field(
        default=ProfileName.HD720,
        description="Output profile of a request that names none: 720p (1280x720), 1080p (1920x1080) or preview.",
    )
    fps: int = Field(default=24, ge=1, le=120, description="Frame rate of every profile (a request may give its own).")
    x264_preset: str = Field(
        default="superfast",
        pattern=X264_PRESETS,
        description="libx264 preset of the 720p and 1080p profiles: slower presets give smaller files.",
    )
    x264_params: str = Field(
        default="mbtree=1:rc-lookahead=10",
        pattern=X264_PARAMS,
        description="Extra libx264 options (key=value:...). The default gives superfast back the macroblock tree"
        " that veryfast has: about the same size and quality as veryfast for a third less CPU.",
    )
    crf: int = Field(
        default=20, ge=0, le=51, description="libx264 constant rate factor of 720p and 1080p: lower is better."
    )
    preview_x264_preset: str = Field(
        default="ultrafast", pattern=X264_PRESETS, description="libx264 preset of the preview profile (640x360)."
    )
    preview_crf: int = Field(
        default=28, ge=0, le=51, description="libx264 constant rate factor of the preview profile."
    )
    audio_bitrate_kbps: int = Field(default=160, ge=32, le=512, description="AAC bitrate of the film's audio.")
    aac_coder: AacCoder = Field(
        default=AacCoder.FAST,
        description="ffmpeg's AAC quantizer search: fast (a quarter of twoloop's CPU, as good at 96 kb/s and up)"
        " or twoloop (ffmpeg's default, better below 96 kb/s).",
    )
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
    burn_subtitles: bool = Field(
        default=True,
        description="Burn the subtitles into the picture of 720p and 1080p films (false: the soft track and the"
        " SRT/WebVTT files only, which saves the ass filter's CPU), when the request (the job) names no mode.",
    )
    preview_burn_subtitles: bool = Field(
        default=True,
        description="Burn the subtitles into the picture of preview films (false: soft track only), when the request"
        " names no mode.",
    )
    subtitle_font: str = Field(
        default="Noto Sans", description="Subtitle font family; glyphs it lacks (Devanagari) fall back via fontconfig."
    )
    subtitle_max_chars: int = Field(
        default=42, ge=16, le=80, description="Characters per subtitle line; a cue shows at most two lines."
    )
    segment_max_s: float = Field(
        default=120.0,
        ge=10,
        description="About the longest stretch of film one ffmpeg run encodes (a segment; cut at shot boundaries).",
    )
    segment_workers: int = Field(
        default=0,
        ge=0,
        description="Segments encoded at once; 0: one per CPU core, each run single-threaded (the fastest on 2 cores).",
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
    scratch_unowned_after_s: float = Field(
        default=3600.0, gt=0,
        description="At start, a scratch folder that no composer holds locked is removed; one without a lock"
        " (an older composer's) only once untouched this long.",
    )

    def encode_workers(self) -> int:
        """Segments encoded at once: the setting, or one per core this process may run on."""
        return self.segment_workers or available_cores()

    def scratch_root(self) -> Path:
        return self.scratch_dir or self.artifact_root / ".scratch" / "composer"

    def tool_timeout_s(self, film_s: float) -> float:
        """Time limit of one ffmpeg run that covers film_s seconds of film."""
        return self.tool_timeout_base_s + self.tool_timeout_per_film_s * film_s
