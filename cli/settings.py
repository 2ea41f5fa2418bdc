"""Settings of the local launcher (`storyreel serve` and `storyreel render`; prefix STORYREEL_LAUNCHER_).

The launcher keeps every process it starts up: a process that exits is started again, on the same
address, after a backoff that doubles with each restart in the window; one that exits restart_limit
times within restart_window_s is left down, loudly.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LauncherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_LAUNCHER_", env_file=".env", extra="ignore")

    restart_limit: int = Field(
        default=5, ge=0,
        description="Restarts of one process within restart_window_s before the launcher gives up on it (0: never"
        " restart).",
    )
    restart_window_s: float = Field(
        default=60.0, gt=0,
        description="Window over which restarts are counted; a process up this long starts again from the first"
        " backoff.",
    )
    restart_backoff_s: float = Field(
        default=0.5, ge=0, description="Wait before restarting a process that exited; it doubles for each restart"
        " in the window.",
    )
    restart_backoff_max_s: float = Field(default=8.0, ge=0, description="Longest wait before a restart.")
