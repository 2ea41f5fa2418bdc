"""Gateway settings (prefix STORYREEL_GATEWAY_, plus the shared STORYREEL_ARTIFACT_ROOT)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.settings import DEFAULT_STATE_DIR, CommonSettings


class GatewaySettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_GATEWAY_", env_file=".env", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the REST API listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the REST API listens on.")
    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_STATE_DIR / 'jobs.sqlite3'}",
        description="SQLAlchemy URL of the job store (SQLite file by default).",
    )

    planner_address: str = Field(default="127.0.0.1:50051", description="host:port of the planner service.")
    audio_address: str = Field(default="127.0.0.1:50052", description="host:port of the audio service.")
    visual_address: str = Field(default="127.0.0.1:50053", description="host:port of the visual service.")
    composer_address: str = Field(default="127.0.0.1:50054", description="host:port of the composer service.")

    max_story_bytes: int = Field(default=2_000_000, ge=1, description="Largest story accepted, in UTF-8 bytes.")
    speech_parallel: int = Field(
        default=4, ge=1, description="Speak calls in flight to the audio service, all jobs together."
    )
    visual_parallel: int = Field(
        default=2, ge=1, description="RenderShot calls in flight to the visual service, all jobs together."
    )
    music_parallel: int = Field(
        default=2, ge=1, description="ComposeMusic calls in flight to the audio service, all jobs together."
    )

    plan_timeout_s: float = Field(default=120.0, gt=0, description="Deadline of one Plan call.")
    speak_timeout_s: float = Field(default=60.0, gt=0, description="Deadline of one Speak call.")
    render_timeout_s: float = Field(default=300.0, gt=0, description="Deadline of one RenderShot call.")
    music_timeout_s: float = Field(default=120.0, gt=0, description="Deadline of one ComposeMusic call.")
    compose_timeout_s: float = Field(default=3600.0, gt=0, description="Deadline of one Compose call.")

    width: int = Field(default=1280, ge=64, le=4096, description="Film width in pixels.")
    height: int = Field(default=720, ge=64, le=4096, description="Film height in pixels.")
    fps: int = Field(default=24, ge=1, le=60, description="Film frames per second.")
    speech_air_s: float = Field(default=0.6, ge=0, description="Silence after a shot's speech before the cut.")
    min_shot_s: float = Field(default=3.0, gt=0, description="Shortest shot, in seconds.")

    def sqlite_parent(self) -> Path | None:
        """The folder of a SQLite database file, to create before connecting."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url.removeprefix(prefix)).parent
        return None
