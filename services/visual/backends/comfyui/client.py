"""A client for ComfyUI's HTTP and websocket API: queue one workflow, follow it, fetch its files.

How a run goes (ComfyUI 0.3.x, as measured against the real server):
1. Open the websocket `/ws?clientId=<ours>` first: ComfyUI sends a prompt's events only to the
   socket whose clientId is the prompt's client_id, and replays nothing to a late socket.
2. POST /prompt with our own prompt_id and client_id. HTTP 400 carries `node_errors`.
3. Follow the events for our prompt_id: `progress` (sampler steps), `execution_error`,
   `execution_interrupted`, and the end: `executing` with `node: null` (the history is written
   before it).
4. The websocket is a hint: when it drops or stays silent, poll /history/<id> (empty while
   queued or running) and /queue until the prompt ends; reconnect in the meantime.
5. Read the outputs from the history (`images` with `animated`, `gifs`, `videos`) and download
   each with /view.
Cancelling sends /interrupt {prompt_id} (stops it if running) and a queue delete (if pending).
Every HTTP request has a time limit, and a run has a deadline.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import websocket

from services.visual.backends.comfyui.errors import (
    ComfyError,
    ComfyTimeout,
    ComfyUnreachable,
    ExecutionFailed,
    Interrupted,
    ModelFileMissing,
    failed,
    rejected,
)
from services.visual.control import RenderCancelled

log = logging.getLogger(__name__)

OUTPUT_KINDS = ("images", "gifs", "videos")
"""Where output nodes list their files: core nodes use `images` (with `animated: [true]` for
video), VideoHelperSuite uses `gifs`, some nodes `videos`."""
UPLOAD_SUBFOLDER = "storyreel"


@dataclass(frozen=True)
class Timeouts:
    request_s: float = 30.0
    """One HTTP request, or opening the websocket."""
    silence_s: float = 10.0
    """The websocket quiet this long: poll /history and /queue instead of waiting."""
    tick_s: float = 0.5
    """How often a run looks at its deadline and at a cancel request."""


@dataclass(frozen=True)
class OutputFile:
    prompt_id: str
    node_id: str
    filename: str
    subfolder: str
    folder_type: str
    animated: bool

    @property
    def suffix(self) -> str:
        return Path(self.filename).suffix.lower()


ProgressFn = Callable[[float], None]
StopFn = Callable[[], bool]


class ComfyClient:
    def __init__(self, base_url: str, timeouts: Timeouts | None = None, client_id: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.client_id = client_id or uuid.uuid4().hex
        self._http = httpx.Client(base_url=self.base_url, timeout=self.timeouts.request_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ComfyClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------- HTTP

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One HTTP request; ComfyUnreachable when nothing answers, ComfyTimeout when it is too slow."""
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.ConnectError as error:
            raise ComfyUnreachable(f"cannot reach ComfyUI at {self.base_url}: {error}") from None
        except httpx.TimeoutException:
            raise ComfyTimeout(
                f"ComfyUI at {self.base_url} did not answer {method} {path} within {self.timeouts.request_s:g} s"
            ) from None

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code != 200:
            raise ComfyError(
                f"ComfyUI answered {method} {path} with HTTP {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def upload_image(self, path: Path, name: str) -> str:
        """Put a picture in ComfyUI's input folder; returns the value a LoadImage node takes."""
        with path.open("rb") as handle:
            files = {"image": (name, handle, "image/png")}
            data = {"overwrite": "true", "subfolder": UPLOAD_SUBFOLDER, "type": "input"}
            saved = self._json("POST", "/upload/image", files=files, data=data)
        return f"{saved['subfolder']}/{saved['name']}" if saved.get("subfolder") else str(saved["name"])

    def download(self, output: OutputFile, dest: Path) -> None:
        params = {"filename": output.filename, "subfolder": output.subfolder, "type": output.folder_type}
        try:
            with self._http.stream("GET", "/view", params=params) as response:
                if response.status_code != 200:
                    raise ComfyError(f"ComfyUI /view of {output.filename} answered HTTP {response.status_code}")
                with dest.open("wb") as handle:
                    for chunk in response.iter_bytes(1 << 20):
                        handle.write(chunk)
        except httpx.TransportError as error:
            raise ComfyError(f"downloading {output.filename} from ComfyUI failed: {error}") from None

    def history(self, prompt_id: str) -> dict[str, Any] | None:
        """The prompt's history entry, or None while it is queued or running."""
        entry = self._json("GET", f"/history/{prompt_id}").get(prompt_id)
        return entry if isinstance(entry, dict) else None

    def in_queue(self, prompt_id: str) -> bool:
        queue = self._json("GET", "/queue")
        items = [*queue.get("queue_running", []), *queue.get("queue_pending", [])]
        return any(len(item) > 1 and item[1] == prompt_id for item in items)

    def cancel(self, prompt_id: str) -> None:
        """Stop the prompt whether it runs (interrupt) or waits (delete from the queue); never raises."""
        for path, body in (("/interrupt", {"prompt_id": prompt_id}), ("/queue", {"delete": [prompt_id]})):
            with contextlib.suppress(ComfyError, ComfyUnreachable):
                self._request("POST", path, json=body)
        log.info("cancelled ComfyUI prompt %s", prompt_id)

    def submit(self, name: str, graph: dict[str, Any], prompt_id: str) -> None:
        body = {"prompt": graph, "client_id": self.client_id, "prompt_id": prompt_id}
        response = self._request("POST", "/prompt", json=body)
        if response.status_code == 400:
            raise rejected(name, graph, _body(response))
        if response.status_code != 200:
            raise ComfyError(f"ComfyUI answered /prompt with HTTP {response.status_code}: {response.text[:300]}")

    # ----------------------------------------------------------------------------- a run

    def run(
        self,
        name: str,
        graph: dict[str, Any],
        deadline: float,
        on_progress: ProgressFn = lambda _: None,
        should_stop: StopFn = lambda: False,
    ) -> list[OutputFile]:
        """Queue the workflow and wait for it to end (before time.monotonic() passes `deadline`).

        Returns its output files. On a cancel request, the deadline, or any error while the prompt
        may still run, it is cancelled on the server before the error (RenderCancelled,
        ComfyTimeout...) is raised, so a given-up shot never keeps the GPU busy.
        """
        prompt_id = uuid.uuid4().hex
        with self._socket() as socket:
            self.submit(name, graph, prompt_id)
            log.info("queued workflow %s as ComfyUI prompt %s", name, prompt_id)
            follow = _Follow(self, socket, name, graph, prompt_id, on_progress)
            try:
                entry = follow.until_done(deadline, should_stop)
            except (ExecutionFailed, ModelFileMissing, Interrupted):
                raise  # over on the server already
            except BaseException:
                self.cancel(prompt_id)  # cancelled, out of time, or lost track: free the server's GPU
                raise
        return outputs_of(prompt_id, entry)

    @contextlib.contextmanager
    def _socket(self) -> Iterator[_Socket]:
        socket = _Socket(self.ws_url(), self.timeouts)
        socket.connect(first=True)
        try:
            yield socket
        finally:
            socket.close()

    def ws_url(self) -> str:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return f"{scheme}://{parts.netloc}{parts.path}/ws?clientId={self.client_id}"


class _Socket:
    """The websocket, reconnected after a drop; `receive` gives an event, None (quiet) or DROPPED."""

    DROPPED: dict[str, Any] = {"type": "__dropped__"}  # noqa: RUF012  # a sentinel, never mutated

    def __init__(self, url: str, timeouts: Timeouts) -> None:
        self.url = url
        self.timeouts = timeouts
        self._ws: websocket.WebSocket | None = None

    def connect(self, first: bool = False) -> None:
        try:
            self._ws = websocket.create_connection(self.url, timeout=self.timeouts.request_s, suppress_origin=True)
            self._ws.settimeout(self.timeouts.tick_s)
        except (TimeoutError, websocket.WebSocketTimeoutException):
            self._ws = None
            if first:
                raise ComfyTimeout(
                    f"ComfyUI did not open its websocket {self.url} within {self.timeouts.request_s:g} s"
                ) from None
            log.warning("ComfyUI websocket reconnect timed out")
        except (OSError, websocket.WebSocketException) as error:
            self._ws = None
            if first:
                raise ComfyUnreachable(f"cannot open ComfyUI's websocket {self.url}: {error}") from None
            log.warning("ComfyUI websocket reconnect failed: %s", error)

    def receive(self) -> dict[str, Any] | None:
        if self._ws is None:
            self.connect()
            if self._ws is None:
                time.sleep(self.timeouts.tick_s)
            return self.DROPPED
        try:
            message = self._ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (OSError, websocket.WebSocketException) as error:
            log.warning("ComfyUI websocket dropped (%s); polling the history while reconnecting", error)
            self.close()
            return self.DROPPED
        if not isinstance(message, str):
            return None  # binary frames are preview images
        with contextlib.suppress(json.JSONDecodeError):
            event = json.loads(message)
            return event if isinstance(event, dict) else None
        return None

    def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                self._ws.close()
            # close() returns early once the library marked the connection closed, leaving the OS
            # socket open; shutdown() always releases it.
            self._ws.shutdown()  # type: ignore[no-untyped-call]  # websocket-client leaves it unannotated
        self._ws = None


class _Follow:
    """Follows one prompt to its end, from events where it can and from /history where it must."""

    def __init__(
        self,
        client: ComfyClient,
        socket: _Socket,
        name: str,
        graph: dict[str, Any],
        prompt_id: str,
        on_progress: ProgressFn,
    ) -> None:
        self.client, self.socket, self.name, self.graph = client, socket, name, graph
        self.prompt_id = prompt_id
        self.on_progress = on_progress
        self.heard = time.monotonic()

    def until_done(self, deadline: float, should_stop: StopFn) -> dict[str, Any]:
        """The prompt's history entry once it succeeded; raises what ended it otherwise."""
        while True:
            if should_stop():
                raise RenderCancelled("the shot was cancelled by the caller")
            if time.monotonic() > deadline:
                raise ComfyTimeout(f"ComfyUI did not finish workflow {self.name} before the shot's deadline")
            entry = self._step()
            if entry is not None:
                return self._succeeded(entry)

    def _step(self) -> dict[str, Any] | None:
        """One event (or a poll, when the socket dropped or went quiet); the history entry once done."""
        event = self.socket.receive()
        quiet = event is None and time.monotonic() - self.heard > self.client.timeouts.silence_s
        if event is _Socket.DROPPED or quiet:
            self.heard = time.monotonic()
            return self._poll()
        if event is None:
            return None
        self.heard = time.monotonic()
        return self._on_event(event)

    def _on_event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        data = event.get("data") or {}
        if not isinstance(data, dict) or data.get("prompt_id") != self.prompt_id:
            return None
        kind = event.get("type")
        if kind == "progress" and data.get("max"):
            self.on_progress(float(data.get("value", 0)) / float(data["max"]))
        elif kind == "execution_error":
            raise failed(self.name, self.graph, data)
        elif kind == "execution_interrupted":
            raise Interrupted(f"ComfyUI interrupted workflow {self.name} (another client or the server stopped it)")
        elif kind == "executing" and data.get("node") is None:
            return self._poll() or self._lost()  # the history is written before this event
        elif kind == "execution_success":
            return self._poll()  # sent before the history is written: may still be None
        return None

    def _poll(self) -> dict[str, Any] | None:
        """The history entry when the prompt has ended; None while it is still queued or running."""
        entry = self.client.history(self.prompt_id)
        if entry is not None:
            return entry
        if self.client.in_queue(self.prompt_id):
            return None
        # Not in the queue and no history yet: it may have ended between the two requests.
        return self.client.history(self.prompt_id) or self._lost()

    def _lost(self) -> dict[str, Any]:
        raise ComfyError(
            f"ComfyUI lost prompt {self.prompt_id} (workflow {self.name}): it is neither queued nor in the "
            "history; was the server restarted?"
        )

    def _succeeded(self, entry: dict[str, Any]) -> dict[str, Any]:
        status = entry.get("status") or {}
        if status.get("status_str", "success") == "success":
            return entry
        for kind, data in status.get("messages", []):
            if kind == "execution_error":
                raise failed(self.name, self.graph, data)
            if kind == "execution_interrupted":
                raise Interrupted(f"ComfyUI interrupted workflow {self.name}")
        raise ComfyError(f"ComfyUI ended workflow {self.name} with status {status.get('status_str')!r}")


def outputs_of(prompt_id: str, entry: dict[str, Any]) -> list[OutputFile]:
    """Every file the prompt's output nodes saved, in node order."""
    found = []
    for node_id, output in (entry.get("outputs") or {}).items():
        animated = any(output.get("animated") or [])
        for kind in OUTPUT_KINDS:
            for item in output.get(kind) or []:
                if isinstance(item, dict) and item.get("filename"):
                    found.append(
                        OutputFile(
                            prompt_id,
                            str(node_id),
                            item["filename"],
                            item.get("subfolder", ""),
                            item.get("type", "output"),
                            animated or kind != "images",
                        )
                    )
    return found


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"error": {"message": response.text[:300]}}
    return body if isinstance(body, dict) else {}
