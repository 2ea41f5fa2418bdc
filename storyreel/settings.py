"""Settings every process shares; each service subclasses ServiceSettings with its own prefix.

Shared keys have one name everywhere (STORYREEL_ARTIFACT_ROOT, STORYREEL_LOG_LEVEL) so one
.env file serves every process; a service's own keys carry its prefix
(STORYREEL_PLANNER_ADDRESS). Nothing else in storyreel reads os.environ.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STATE_DIR = Path(".storyreel")


class CommonSettings(BaseSettings):
    # validate_by_name: tests and code may pass artifact_root=... as well as the env name.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    artifact_root: Path = Field(
        default=DEFAULT_STATE_DIR / "artifacts",
        validation_alias=AliasChoices("STORYREEL_ARTIFACT_ROOT"),
        description="Folder that holds every file a job makes; shared by all services.",
    )
    min_free_mb: float = Field(
        default=200.0,
        ge=0,
        validation_alias=AliasChoices("STORYREEL_MIN_FREE_MB"),
        description="Free space (MiB) the artifact disk must keep: below it, work that would write is refused "
        "at once with a clear error instead of failing mid-render; 0: no floor.",
    )
    log_level: str = Field(
        default="INFO",
        validation_alias=AliasChoices("STORYREEL_LOG_LEVEL"),
        description="DEBUG, INFO, WARNING or ERROR.",
    )


class ServiceSettings(CommonSettings):
    """What every gRPC service needs; subclasses set env_prefix and the default address."""

    address: str = Field(default="127.0.0.1:50051", description="host:port the gRPC server listens on.")
    concurrency: int = Field(default=2, ge=1, description="Requests worked on at once.")
    shutdown_grace_s: float = Field(default=10.0, ge=0, description="Seconds in-flight RPCs get on SIGTERM.")
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint (on the gRPC host); 0: off."
    )
