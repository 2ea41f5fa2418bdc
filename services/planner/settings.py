"""Planner settings: environment variables STORYREEL_PLANNER_* (or the same keys in .env)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from storyreel.settings import ServiceSettings


class PlannerBackend(StrEnum):
    RULES = "rules"
    LLM = "llm"


class ResponseFormat(StrEnum):
    """How the JSON schema of an answer is asked for in `response_format`."""

    JSON_OBJECT = "json_object"
    """{"type": "json_object", "schema": {...}}: llama.cpp's server (it rejects json_schema)."""
    JSON_SCHEMA = "json_schema"
    """{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}: OpenAI, vLLM, Groq, Together."""
    NONE = "none"
    """No response_format: the schema is only in the prompt (servers that accept neither)."""


class PlannerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORYREEL_PLANNER_", env_file=".env", extra="ignore")

    address: str = Field(default="127.0.0.1:50051", description="host:port the planner's gRPC server listens on.")
    backend: PlannerBackend = Field(
        default=PlannerBackend.RULES,
        description="Which planner plans: 'rules' (embedded, no model needed) or 'llm' (an OpenAI-compatible server).",
    )
    max_story_bytes: int = Field(
        default=2_000_000, ge=1, description="Largest story accepted, in bytes of UTF-8; larger ones are refused."
    )
    words_per_second: float = Field(
        default=2.5, gt=0.5, le=6.0, description="Expected speaking rate used to size shots before speech exists."
    )

    # The LLM backend: any OpenAI-compatible chat completions server.
    llm_base_url: str = Field(
        default="http://127.0.0.1:8080/v1",
        description="OpenAI-compatible API base URL (POST {base}/chat/completions): vLLM, llama.cpp, Ollama, ...",
    )
    llm_model: str = Field(default="local-model", description="Model name sent with every request.")
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="Bearer token for the LLM server; empty sends no Authorization header."
    )
    llm_timeout_s: float = Field(default=120.0, gt=0, description="Seconds one chat completion may take.")
    llm_response_format: ResponseFormat = Field(
        default=ResponseFormat.JSON_OBJECT,
        description="How answers are constrained: 'json_object' (+schema; llama.cpp), 'json_schema' (OpenAI, "
        "vLLM, Groq) or 'none'.",
    )
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Re-prompts (quoting the error) after an invalid answer, before fallback."
    )
    llm_http_retries: int = Field(
        default=2, ge=0, le=10, description="Resends after HTTP 429, a 5xx answer, a timeout or a broken connection."
    )
    llm_backoff_s: float = Field(
        default=1.0, ge=0, le=60, description="First wait before a resend; doubles each time (Retry-After wins)."
    )
    llm_parallel_scenes: int = Field(default=4, ge=1, le=64, description="Scenes whose shots are planned at once.")
    llm_context_tokens: int = Field(
        default=4096, ge=512, description="The model's context window in tokens; long stories are cut to fit it."
    )
    llm_max_answer_tokens: int = Field(
        default=1024, ge=64, description="Most tokens an answer may take (part of the context window)."
    )
    llm_temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature of every request.")
    llm_scene_prompt: Path | None = Field(
        default=None,
        description="Prompt template file of the scene splitter agent; empty: the built-in "
        "services/planner/backends/llm/prompts/scene_splitter.txt.",
    )
    llm_shot_prompt: Path | None = Field(
        default=None,
        description="Prompt template file of the shot planner agent; empty: the built-in "
        "services/planner/backends/llm/prompts/shot_planner.txt.",
    )
