"""Settings every process shares; each service subclasses ServiceSettings with its own prefix.

Shared keys have one name everywhere (STORYREEL_ARTIFACT_ROOT, STORYREEL_LOG_LEVEL) so one
.env file serves every process; a service's own keys carry its prefix
(STORYREEL_PLANNER_ADDRESS). Nothing else in storyreel reads os.environ.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "CGROUP_CPU_MAX",
    "DEFAULT_STATE_DIR",
    "MIN_TOKEN_CHARS",
    "PLACEHOLDER_TOKENS",
    "CommonSettings",
    "ServiceSettings",
    "available_cores",
]

DEFAULT_STATE_DIR = Path(".storyreel")
MIN_TOKEN_CHARS = 16
PLACEHOLDER_TOKENS = frozenset({"changeme", "change-me", "secret", "password", "example", "token"})


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

    # ---- who may call the gRPC services (the gateway sends these; every service checks them)
    service_token: str = Field(
        default="",
        validation_alias=AliasChoices("STORYREEL_SERVICE_TOKEN"),
        description="Shared token every gRPC call carries (metadata 'authorization: Bearer <token>'); when "
        "set, the services refuse calls without it (UNAUTHENTICATED), health checks excepted. Empty: none.",
    )
    tls_cert_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("STORYREEL_TLS_CERT_FILE"),
        description="PEM certificate: a service's server certificate, the gateway's client certificate. "
        "Set with the key file: the services then listen with TLS.",
    )
    tls_key_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("STORYREEL_TLS_KEY_FILE"),
        description="PEM private key of tls_cert_file.",
    )
    tls_ca_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("STORYREEL_TLS_CA_FILE"),
        description="PEM CA certificate(s): the gateway checks the services' certificates against it, and a "
        "service given it requires a client certificate it signed (mutual TLS).",
    )

    @field_validator("service_token")
    @classmethod
    def _strong_token(cls, value: str) -> str:
        if value and (len(value) < MIN_TOKEN_CHARS or value.lower() in PLACEHOLDER_TOKENS):
            raise ValueError(
                f"STORYREEL_SERVICE_TOKEN must be at least {MIN_TOKEN_CHARS} characters and not a placeholder; "
                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
            )
        return value

    @model_validator(mode="after")
    def _cert_with_key(self) -> CommonSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("STORYREEL_TLS_CERT_FILE and STORYREEL_TLS_KEY_FILE go together: set both or neither")
        for path in (self.tls_cert_file, self.tls_key_file, self.tls_ca_file):
            if path is not None and not path.is_file():
                raise ValueError(f"TLS file {path} does not exist")
        return self


class ServiceSettings(CommonSettings):
    """What every gRPC service needs; subclasses set env_prefix and the default address."""

    address: str = Field(default="127.0.0.1:50051", description="host:port the gRPC server listens on.")
    concurrency: int = Field(default=2, ge=1, description="Requests worked on at once.")
    shutdown_grace_s: float = Field(default=10.0, ge=0, description="Seconds in-flight RPCs get on SIGTERM.")
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint (on the gRPC host); 0: off."
    )


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def available_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """CPU cores this process may use: its CPU set, capped by a cgroup v2 CPU quota (a container's
    --cpus, a pod's CPU limit), which the CPU set does not show."""
    cores = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()
        return max(1, min(cores, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):  # no cgroup v2 file, or "max": no quota
        return cores
