"""Planner settings: environment variables STORYREEL_PLANNER_* (or the same keys in .env)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class PlannerBackend(StrEnum):
    RULES = "rules"


class PlannerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_PLANNER_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50051", description="host:port the planner's gRPC server listens on.")
    backend: PlannerBackend = Field(
        default=PlannerBackend.RULES, description="Which planner plans: 'rules' (embedded, no model needed)."
    )
    max_story_bytes: int = Field(
        default=2_000_000, ge=1, description="Largest story accepted, in bytes of UTF-8; larger ones are refused."
    )
    words_per_second: float = Field(
        default=2.5, gt=0.5, le=6.0, description="Expected speaking rate used to size shots before speech exists."
    )
