"""A fast fake ComfyUI that speaks the protocol the real 0.3.75 server speaks, for failure paths.

Built from a transcript of the real server (tests/comfyui/test_comfy_real.py runs the same client
against it): the same routes and bodies, events only to the socket whose clientId is the
prompt's client_id, nothing replayed to a socket that connects late, the history written before
the final `executing` with `node: null`, `execution_error` / `execution_interrupted` in the
history's status messages, a 400 with `node_errors` for a bad prompt.

What a prompt does is set per test with `FakeComfy.behaviour`:
  succeed      run a few progress steps and save the output file
  error        fail in node `error_node` with `error_message` (execution_error)
  hang         run until interrupted (/interrupt) or deleted from the queue
  reject       answer /prompt with 400 and `node_errors`
  drop         close the websocket in the middle of the run, then finish while nobody listens
  silent       send no events at all, only write the history
  interrupted  end as if another client had interrupted it
  stall_http   never answer any HTTP request
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class Seen:
    """What the fake received, for tests to assert on."""

    prompts: list[dict[str, Any]] = field(default_factory=list)
    interrupts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)


class FakeComfy:
    def __init__(self, video: Path, picture: Path) -> None:
        self.video, self.picture = video, picture
        self.behaviour = "succeed"
        self.error_node = "1"
        self.error_message = "Error while deserializing header: header too small"
        self.node_errors: dict[str, Any] = {}
        self.videos: list[Path] = []
        """Clips to hand out in turn, one per video download, instead of `video` (the last one repeats)."""
        self.seen = Seen()
        self.history: dict[str, Any] = {}
        self.queue: list[tuple[int, str]] = []
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.stopped: set[str] = set()
        self.running: set[asyncio.Future[None]] = set()
        self.number = 0
        self.quiet = False
        """Send no websocket events (the history is still written): the client must poll."""
        self.url = ""

    # ------------------------------------------------------------------ routes

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._stall])
        app.router.add_get("/ws", self.ws)
        app.router.add_post("/prompt", self.post_prompt)
        app.router.add_get("/history/{prompt_id}", self.get_history)
        app.router.add_get("/queue", self.get_queue)
        app.router.add_post("/queue", self.post_queue)
        app.router.add_post("/interrupt", self.post_interrupt)
        app.router.add_post("/upload/image", self.upload)
        app.router.add_get("/view", self.view)
        return app

    @web.middleware
    async def _stall(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.behaviour == "stall_http":
            await asyncio.sleep(3600)
        response: web.StreamResponse = await handler(request)
        return response

    async def ws(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        sid = request.query.get("clientId", "")
        self.seen.sockets.append(sid)
        self.sockets[sid] = socket
        await socket.send_json(
            {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": sid}}
        )
        async for message in socket:
            if message.type == WSMsgType.ERROR:
                break
        if self.sockets.get(sid) is socket:
            del self.sockets[sid]
        return socket

    async def post_prompt(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.seen.prompts.append(body)
        if self.behaviour == "reject":
            error = {
                "type": "prompt_outputs_failed_validation",
                "message": "Prompt outputs failed validation",
                "details": "",
                "extra_info": {},
            }
            return web.json_response({"error": error, "node_errors": self.node_errors}, status=400)
        prompt_id, client_id = str(body["prompt_id"]), str(body.get("client_id", ""))
        self.number += 1
        self.queue.append((self.number, prompt_id))
        self.running.add(asyncio.ensure_future(self._execute(prompt_id, client_id, body["prompt"])))
        return web.json_response({"prompt_id": prompt_id, "number": self.number, "node_errors": {}})

    async def get_history(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        return web.json_response({prompt_id: self.history[prompt_id]} if prompt_id in self.history else {})

    async def get_queue(self, request: web.Request) -> web.Response:
        items = [[number, prompt_id, {}, {}, []] for number, prompt_id in self.queue]
        return web.json_response({"queue_running": items[:1], "queue_pending": items[1:]})

    async def post_queue(self, request: web.Request) -> web.Response:
        body = await request.json()
        for prompt_id in body.get("delete", []):
            self.seen.deletes.append(prompt_id)
            self.stopped.add(prompt_id)
        return web.Response()

    async def post_interrupt(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.seen.interrupts.append(body)
        self.stopped.add(str(body.get("prompt_id", "")))
        return web.Response()

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        image: Any = form["image"]
        self.seen.uploads.append(image.filename)
        return web.json_response({"name": image.filename, "subfolder": str(form.get("subfolder", "")), "type": "input"})

    async def view(self, request: web.Request) -> web.FileResponse:
        name = request.query["filename"]
        if name.endswith(".png"):
            return web.FileResponse(self.picture)
        if len(self.videos) > 1:
            return web.FileResponse(self.videos.pop(0))
        return web.FileResponse(self.videos[0] if self.videos else self.video)

    # ------------------------------------------------------------------ running a prompt

    async def _send(self, client_id: str, kind: str, data: dict[str, Any]) -> None:
        socket = self.sockets.get(client_id)
        if socket is not None and not socket.closed and not self.quiet and self.behaviour != "silent":
            await socket.send_str(json.dumps({"type": kind, "data": data}))

    async def _execute(self, prompt_id: str, client_id: str, graph: dict[str, Any]) -> None:
        while self.queue and self.queue[0][1] != prompt_id:
            await asyncio.sleep(0.01)  # one prompt at a time, like the real server
        send = self._send
        await send(client_id, "execution_start", {"prompt_id": prompt_id, "timestamp": _ms()})
        await send(client_id, "execution_cached", {"nodes": [], "prompt_id": prompt_id, "timestamp": _ms()})
        await send(client_id, "executing", {"node": "1", "display_node": "1", "prompt_id": prompt_id})
        status, messages = await self._steps(prompt_id, client_id, graph)
        self.queue = [item for item in self.queue if item[1] != prompt_id]
        self.history[prompt_id] = {
            "prompt": [self.number, prompt_id, graph, {"client_id": client_id}, []],
            "outputs": self._outputs(graph, prompt_id) if status == "success" else {},
            "status": {"status_str": status, "completed": status == "success", "messages": messages},
            "meta": {},
        }
        await send(client_id, "executing", {"node": None, "prompt_id": prompt_id})

    async def _steps(self, prompt_id: str, client_id: str, graph: dict[str, Any]) -> tuple[str, list[Any]]:
        """The run itself; (status_str, the status messages the history keeps)."""
        started = [["execution_start", {"prompt_id": prompt_id, "timestamp": _ms()}]]
        for step in range(1, 4 if self.behaviour != "hang" else 100_000):
            if prompt_id in self.stopped or self.behaviour == "interrupted":
                event = {"prompt_id": prompt_id, "node_id": "1", "node_type": graph["1"]["class_type"], "executed": []}
                await self._send(client_id, "execution_interrupted", event)
                return "error", [*started, ["execution_interrupted", event]]
            if self.behaviour == "drop" and step == 2 and client_id in self.sockets:
                await self.sockets.pop(client_id).close()
            await self._send(client_id, "progress", {"value": step, "max": 3, "prompt_id": prompt_id, "node": "1"})
            await asyncio.sleep(0.05)
        if self.behaviour == "error":
            event = self._error_event(prompt_id, graph)
            await self._send(client_id, "execution_error", event)
            return "error", [*started, ["execution_error", event]]
        await self._send(client_id, "execution_success", {"prompt_id": prompt_id, "timestamp": _ms()})
        return "success", [*started, ["execution_success", {"prompt_id": prompt_id}]]

    def _error_event(self, prompt_id: str, graph: dict[str, Any]) -> dict[str, Any]:
        return {
            "prompt_id": prompt_id,
            "node_id": self.error_node,
            "node_type": graph[self.error_node]["class_type"],
            "executed": [],
            "exception_message": self.error_message + "\n",
            "exception_type": "safetensors._safetensors_rust.SafetensorError",
            "traceback": [],
            "current_inputs": {},
            "current_outputs": [],
        }

    def _outputs(self, graph: dict[str, Any], prompt_id: str) -> dict[str, Any]:
        """Like the real server: SaveImage lists a PNG; SaveVideo an mp4 under `images` with animated."""
        outputs: dict[str, Any] = {}
        for node_id, node in graph.items():
            prefix = str(node["inputs"].get("filename_prefix", "ComfyUI")).rsplit("/", 1)[-1]
            if node["class_type"] == "SaveImage":
                outputs[node_id] = {
                    "images": [
                        {"filename": f"{prefix}_{self.number:05d}_.png", "subfolder": "storyreel", "type": "output"}
                    ]
                }
            elif node["class_type"] == "SaveVideo":
                outputs[node_id] = {
                    "images": [
                        {"filename": f"{prefix}_{self.number:05d}_.mp4", "subfolder": "storyreel", "type": "output"}
                    ],
                    "animated": [True],
                }
        return outputs


def _ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Running:
    fake: FakeComfy
    url: str


async def _stop(runner: web.AppRunner) -> None:
    """Stop serving, then end the handlers still waiting (a websocket a test left open) so none
    is destroyed pending when the loop closes."""
    await runner.cleanup()
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def serve_in_thread(fake: FakeComfy) -> Iterator[Running]:
    """Run the fake on a free loopback port in a thread of its own (its own event loop)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner = web.AppRunner(fake.app(), handle_signals=False, shutdown_timeout=0.1)
    port: list[int] = []

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    ready.wait(10)
    fake.url = f"http://127.0.0.1:{port[0]}"
    try:
        yield Running(fake, fake.url)
    finally:
        fake.behaviour = "succeed"
        asyncio.run_coroutine_threadsafe(_stop(runner), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
