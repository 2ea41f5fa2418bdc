"""A small client for any OpenAI-compatible chat completions server (vLLM, llama.cpp's server,
Ollama, Together, Groq, OpenAI): POST {base_url}/chat/completions with a JSON schema to answer in.

Transient failures (HTTP 429, a 5xx answer, a timeout, a broken connection) are sent again after
a wait that doubles each time (a Retry-After header wins, up to 30 s); any other HTTP error is
not, since sending the same request again would fail the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.planner.settings import PlannerSettings, ResponseFormat
from storyreel.errors import BackendError

log = logging.getLogger(__name__)

_MAX_RETRY_AFTER_S = 30.0
_CONNECT_TIMEOUT_S = 10.0
_SHOWN_BODY_CHARS = 300

Message = dict[str, str]


class LlmError(BackendError):
    """The server could not give an answer: it failed, refused the request, or answered nonsense."""


@dataclass
class Tally:
    """What one plan cost: requests sent, retries, and notes for the user (thread-safe)."""

    requests: int = 0
    retries: int = 0
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, requests: int = 0, retries: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries

    def note(self, text: str) -> None:
        with self._lock:
            self.notes.append(text)


def response_format(style: ResponseFormat, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The request's response_format for a schema, in the style the server accepts."""
    if style is ResponseFormat.JSON_OBJECT:
        return {"response_format": {"type": "json_object", "schema": schema}}
    if style is ResponseFormat.JSON_SCHEMA:
        return {"response_format": {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}}
    return {}


class ChatClient:
    def __init__(self, settings: PlannerSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.model = settings.llm_model
        self._style = settings.llm_response_format
        self._temperature = settings.llm_temperature
        self._resends = settings.llm_http_retries
        self._backoff_s = settings.llm_backoff_s
        self.base_url = settings.llm_base_url.rstrip("/") + "/"
        key = settings.llm_api_key.get_secret_value()
        self._timeout = httpx.Timeout(settings.llm_timeout_s, connect=min(_CONNECT_TIMEOUT_S, settings.llm_timeout_s))
        # No idle connections are kept: nothing is left open between plans (the service has no
        # hook to close a client when it stops), and a model's answer takes seconds anyway.
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key}"} if key else {},
            timeout=self._timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
            transport=transport,
        )

    def complete(
        self, messages: list[Message], schema_name: str, schema: dict[str, Any], max_tokens: int, tally: Tally
    ) -> str:
        """The text of the model's answer. LlmError when the server keeps failing or refuses."""
        body = {
            "model": self.model,
            "messages": messages,
            "temperature": self._temperature,
            "max_tokens": max_tokens,
            **response_format(self._style, schema_name, schema),
        }
        failure = ""
        for attempt in range(self._resends + 1):
            if attempt:
                tally.count(retries=1)
            tally.count(requests=1)
            outcome = self._send(body, attempt)
            if isinstance(outcome, str):
                return outcome
            failure, wait_s = outcome.why, outcome.wait_s
            if attempt < self._resends:
                log.warning("LLM request failed (%s); sending again in %.1f s", failure, wait_s)
                time.sleep(wait_s)
        raise LlmError(f"the LLM server at {self.base_url} failed {self._resends + 1} times: {failure}")

    def _send(self, body: dict[str, Any], attempt: int) -> str | _Transient:
        """The answer's text, or a transient failure worth sending again."""
        backoff_s = self._backoff_s * 2**attempt
        try:
            response = self._http.post("chat/completions", json=body)
        except httpx.TimeoutException:
            return _Transient(f"no answer within {self._timeout.read} s", backoff_s)
        except httpx.TransportError as error:
            return _Transient(f"connection failed: {error}", backoff_s)
        shown = response.text[:_SHOWN_BODY_CHARS]
        if response.status_code == 429 or response.status_code >= 500:
            return _Transient(f"HTTP {response.status_code}: {shown}", _retry_after(response, backoff_s))
        if response.status_code >= 400:
            raise LlmError(f"the LLM server refused the request: HTTP {response.status_code}: {shown}")
        return _content(response)


@dataclass(frozen=True)
class _Transient:
    why: str
    wait_s: float


def _content(response: httpx.Response) -> str:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LlmError(
            f"the LLM server's answer is not a chat completion: {response.text[:_SHOWN_BODY_CHARS]}"
        ) from None
    if not isinstance(content, str):
        raise LlmError("the LLM server's answer has no text content")
    return content


def _retry_after(response: httpx.Response, default_s: float) -> float:
    try:
        return min(_MAX_RETRY_AFTER_S, max(0.0, float(response.headers.get("retry-after", ""))))
    except ValueError:
        return default_s
