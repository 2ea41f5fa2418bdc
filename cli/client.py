"""A small client for the gateway's REST API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

_STREAM_TIMEOUT = httpx.Timeout(30.0, read=60.0)
"""The gateway sends a keep-alive comment at least every 15 s; a silent minute is a broken stream."""


class GatewayError(RuntimeError):
    """The gateway refused a request or could not be reached; the message says why, `status` is
    the HTTP status of a refusal (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GatewayClient:
    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise GatewayError(f"cannot reach the gateway at {self.base_url}: {error}") from error
        if response.status_code >= 400:
            raise GatewayError(_detail(response), response.status_code)
        return response

    def submit(self, story: str, music: Path | None = None, **options: Any) -> str:
        """The new job's id. `options` are the job's (title, language, max_minutes, profile...);
        None leaves one out. With a music file the job goes as a multipart form."""
        chosen = {name: value for name, value in options.items() if value is not None}
        if music is None:
            response = self._request("POST", "/v1/jobs", json={"story": story, **chosen})
        else:
            try:
                track = music.read_bytes()
            except OSError as error:
                raise GatewayError(f"cannot read the music file {music}: {error.strerror}") from error
            fields = {"story": story, **{name: str(value) for name, value in chosen.items()}}
            response = self._request("POST", "/v1/jobs", data=fields, files={"music_file": (music.name, track)})
        return str(response.json()["id"])

    def render_again(self, job_id: str, **change: Any) -> dict[str, Any]:
        """POST .../render: the job made again with `change` (profile, visual_backend, style, subtitles), reusing
        what does not depend on it; the job's view."""
        chosen = {name: value for name, value in change.items() if value is not None}
        data: dict[str, Any] = self._request("POST", f"/v1/jobs/{job_id}/render", json=chosen).json()
        return data

    def job(self, job_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self._request("GET", f"/v1/jobs/{job_id}").json()
        return data

    def storyboard(self, job_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self._request("GET", f"/v1/jobs/{job_id}/storyboard").json()
        return data

    def put_reference(self, job_id: str, character_id: str, body: bytes, content_type: str) -> dict[str, Any]:
        """A character's picture (PUT .../characters/{id}/reference): the job, revised."""
        data: dict[str, Any] = self._request("PUT", f"/v1/jobs/{job_id}/characters/{character_id}/reference",
                                             content=body, headers={"Content-Type": content_type}).json()
        return data

    def cancel(self, job_id: str) -> None:
        self._request("DELETE", f"/v1/jobs/{job_id}")

    def events(self, job_id: str, last_event_id: str | None = None) -> Iterator[tuple[str, str]]:
        """The job's Server-Sent Events as (id, kind) until the stream ends (the job is finished)
        or breaks (httpx.HTTPError: resume with the last id)."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        path = f"/v1/jobs/{job_id}/events"
        with self._http.stream("GET", path, headers=headers, timeout=_STREAM_TIMEOUT) as response:
            if response.status_code >= 400:
                response.read()
                raise GatewayError(_detail(response))
            event_id, kind = None, "message"
            for line in response.iter_lines():
                if line.startswith("id:"):
                    event_id = line[3:].strip()
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif not line and event_id is not None:
                    yield event_id, kind
                    event_id, kind = None, "message"

    def download(self, path: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        try:
            with self._http.stream("GET", path) as response:
                if response.status_code >= 400:
                    response.read()
                    raise GatewayError(_detail(response))
                with tmp.open("wb") as handle:
                    for chunk in response.iter_bytes(1 << 20):
                        handle.write(chunk)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    if isinstance(detail, list):  # FastAPI's field errors
        detail = "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
    return f"{detail} (HTTP {response.status_code})"
