"""Gateway settings (prefix STORYREEL_GATEWAY_, plus the shared STORYREEL_ARTIFACT_ROOT).

Safe defaults live here and nowhere else: no API key needed, CORS off, bodies capped.
"""

from __future__ import annotations

import socket
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from storyreel.settings import DEFAULT_STATE_DIR, CommonSettings

MIN_API_KEY_CHARS = 16
PLACEHOLDER_KEYS = frozenset({"changeme", "change-me", "secret", "password", "example"})


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class GatewaySettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_GATEWAY_", env_file=".env", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the REST API listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the REST API listens on.")
    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_STATE_DIR / 'jobs.sqlite3'}",
        description="SQLAlchemy URL of the job store: a SQLite file by default, or postgresql+psycopg://user@host/db.",
    )
    instance_id: str = Field(
        default="",
        max_length=120,
        description="Name of this gateway among several sharing one database; empty: hostname:port.",
    )

    planner_address: str = Field(default="127.0.0.1:50051", description="host:port of the planner service.")
    audio_address: str = Field(default="127.0.0.1:50052", description="host:port of the audio service.")
    visual_address: str = Field(default="127.0.0.1:50053", description="host:port of the visual service.")
    composer_address: str = Field(default="127.0.0.1:50054", description="host:port of the composer service.")

    # ---- what the REST API accepts
    api_keys: str = Field(
        default="",
        description="Comma-separated bearer API keys (each at least 16 characters); empty: no key needed.",
    )
    cors_origins: str = Field(
        default="", description="Comma-separated origins a browser may call the API from ('*' for any); empty: none."
    )
    max_story_bytes: int = Field(default=2_000_000, ge=1, description="Largest story accepted, in UTF-8 bytes.")
    max_request_bytes: int = Field(
        default=4_000_000, ge=1024, description="Largest request body (JSON or a storyboard edit), in bytes."
    )
    max_upload_bytes: int = Field(
        default=60_000_000, ge=1024, description="Largest multipart job submission (story file plus music file)."
    )
    max_reference_mb: float = Field(
        default=20.0, gt=0, le=1000,
        description="Largest picture of a character accepted by PUT .../characters/{id}/reference, in MB.",
    )
    web_page: bool = Field(default=True, description="Serve the web page at / (false: the API only).")
    public_docs: bool = Field(
        default=False,
        description="Serve /docs, /redoc and /openapi.json without an API key even when API keys are set.",
    )

    # ---- admission and retention: what the gateway takes on, and how long it keeps it
    max_unfinished_jobs: int = Field(
        default=100, ge=0,
        description="Most unfinished jobs (queued or running, all gateways together) accepted; past it, "
        "POST /v1/jobs answers 429 with Retry-After. 0: no limit.",
    )
    max_unfinished_jobs_per_key: int = Field(
        default=20, ge=0,
        description="Most unfinished jobs per API key (when API keys are set); past it, 429. 0: no limit.",
    )
    retry_after_s: int = Field(
        default=60, ge=1,
        description="Retry-After (seconds) of a 429 while no job's finish can be estimated from measured rates.",
    )
    retention_days: float = Field(
        default=30.0, ge=0,
        description="Finished jobs (done, failed, cancelled) older than this, and their files, are deleted "
        "at start and then periodically. 0: keep them forever.",
    )
    retention_interval_s: float = Field(
        default=3600.0, gt=0, description="How often finished jobs past retention_days are looked for."
    )

    # ---- work in flight, shared by all jobs
    max_running_jobs: int = Field(
        default=4, ge=1, description="Jobs this gateway runs at once; later ones wait in the 'queued' state."
    )
    plan_parallel: int = Field(default=2, ge=1, description="Plan calls in flight to the planner, all jobs together.")
    speech_parallel: int = Field(
        default=4, ge=1, description="Speak calls in flight to the audio service, all jobs together."
    )
    visual_parallel: int = Field(
        default=2, ge=1, description="RenderShot calls in flight to the visual service, all jobs together."
    )
    music_parallel: int = Field(
        default=2, ge=1, description="ComposeMusic calls in flight to the audio service, all jobs together."
    )
    compose_parallel: int = Field(
        default=1, ge=1, description="Compose calls in flight to the composer, all jobs together."
    )

    # ---- deadlines and retries
    plan_timeout_s: float = Field(
        default=1800.0, gt=0,
        description="Deadline of one Plan call (the rules plan a novel in seconds; an LLM needs minutes).",
    )
    # Speech, pictures and music stream heartbeats while they work: a call is taken for dead when
    # it goes silent (idle_timeout_s), never for being slow. The *_timeout_s below are backstops
    # sized for GPU work (a first Parler call loads its model; Wan at 720p takes minutes a segment).
    idle_timeout_s: float = Field(
        default=60.0, gt=0,
        description="A streamed call (speech, a render, music) that sends nothing, no progress and no "
        "heartbeat, for this long is taken for dead: cancelled and tried again.",
    )
    speak_timeout_s: float = Field(
        default=1800.0, gt=0, description="Most one shot's speech may take in all, however much it reports."
    )
    render_timeout_s: float = Field(
        default=21600.0, gt=0, description="Most one shot's render may take in all, however much it reports."
    )
    music_timeout_s: float = Field(
        default=3600.0, gt=0, description="Most one music cue may take in all, however much it reports."
    )
    music_crossfade_s: float = Field(
        default=1.0, ge=0, le=5,
        description="Each scene's music runs this long into the next scene's, which fades in over it.",
    )
    compose_timeout_s: float = Field(default=3600.0, gt=0, description="Deadline of one Compose call.")
    compose_ahead: bool = Field(
        default=True,
        description="Have the composer encode each scene's part of the film as soon as its shots are rendered (and "
        "the sound once music is done), while other shots still render, so the film is ready soon after the last "
        "shot; off: all of it is encoded after the last shot. The composer keeps the parts either way, so a re-roll "
        "re-encodes only its scene.",
    )
    finish_clips: bool = Field(
        default=True,
        description="Have a visual backend that encodes its own clips (the animatic) finish each one as the film "
        "shows it (subtitles burned in, scene fades, the film's encoder settings, as the composer's Finish says), so "
        "the composer joins them without a second encode: 1.7x less CPU for the picture (bench/one_encode.py). A "
        "shot's clip then carries its subtitles, so a change of its lines or of the subtitle style renders it "
        "again; off: plain clips, and the composer encodes the film.",
    )
    finish_timeout_s: float = Field(
        default=10.0, gt=0,
        description="Deadline of the one Finish call a run makes before the pictures; a composer that does not "
        "answer in time (or fails) leaves the clips plain, so a stuck composer never holds the pictures up.",
    )
    rpc_retries: int = Field(
        default=5,
        ge=0,
        le=10,
        description="Extra tries of a call that failed UNAVAILABLE or DEADLINE_EXCEEDED (after the channel's own); "
        "at the default backoff, 5 wait 1+2+4+8+16 s: long enough for a restarted service or container to return.",
    )
    rpc_retry_backoff_s: float = Field(
        default=1.0, ge=0, description="Wait before the first extra try; it doubles for each further one."
    )

    # ---- leases and live progress
    lease_s: float = Field(
        default=15.0,
        gt=0,
        description="A running job's lease; another gateway takes over a job whose owner missed renewing it.",
    )
    shutdown_grace_s: float = Field(
        default=30.0,
        gt=0,
        description="On stop, how long the gateway waits for its job runs to end once cancelled; a run still going "
        "after that is logged with where it waits and left behind, so a stop never hangs (the job resumes elsewhere).",
    )
    events_poll_s: float = Field(
        default=1.0, gt=0, description="How often a progress stream looks for events another gateway wrote."
    )

    # ---- the film
    width: int = Field(default=1280, ge=64, le=4096, description="Film width in pixels.")
    height: int = Field(default=720, ge=64, le=4096, description="Film height in pixels.")
    fps: int = Field(default=24, ge=1, le=60, description="Film frames per second.")
    speech_air_s: float = Field(default=0.6, ge=0, description="Silence after a shot's speech before the cut.")
    min_shot_s: float = Field(default=3.0, gt=0, description="Shortest shot, in seconds.")
    cap_replans: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Re-plans of a job whose film, timed from its measured speech, is over max_minutes (a voice "
        "slower than the planner's estimate): each asks for a budget scaled by cap/measured; 0 only warns.",
    )
    cap_tolerance_s: float = Field(
        default=0.1,
        ge=0,
        le=5,
        description="Seconds a timed film may run over max_minutes before it is re-planned (shots round up "
        "to whole frames, so a film planned to the cap can come out a few frames over).",
    )

    @field_validator("api_keys")
    @classmethod
    def _strong_keys(cls, value: str) -> str:
        for key in _split(value):
            if len(key) < MIN_API_KEY_CHARS or key.lower() in PLACEHOLDER_KEYS:
                raise ValueError(
                    f"an API key must be at least {MIN_API_KEY_CHARS} characters and not a placeholder; "
                    "make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
                )
        return value

    def api_key_list(self) -> list[str]:
        return _split(self.api_keys)

    def cors_origin_list(self) -> list[str]:
        return _split(self.cors_origins)

    def owner_name(self) -> str:
        """Who holds the leases of the jobs this gateway runs: the same name after a restart."""
        return self.instance_id or f"{socket.gethostname()}:{self.port}"

    def sqlite_parent(self) -> Path | None:
        """The folder of a SQLite database file, to create before connecting."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url.removeprefix(prefix)).parent
        return None
