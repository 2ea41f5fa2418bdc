"""A fast fake ComfyUI that speaks the protocol the real 0.3.75 server speaks, and makes what it would.

Built from a transcript of the real server (tests/comfyui/test_comfy_real.py runs the same client
against it): the same routes and bodies, events only to the socket whose clientId is the
prompt's client_id, nothing replayed to a socket that connects late, the history written before
the final `executing` with `node: null`, `execution_error` / `execution_interrupted` in the
history's status messages.

A submitted prompt is validated as the real server validates it, against the real server's
/object_info for the nodes the shipped workflows use (object_info_0_3_75.json; the test in
test_fake_is_faithful.py keeps it in step): an unknown node or a node without class_type is a 400
`invalid_prompt`; a missing required input, a bad link, a value under min or over max, a combo
value not in its list or a LoadImage of a file never uploaded is a 400 with `node_errors`. The fake
is a server that has every model file, so model file names are not checked.

What it saves follows the graph after the markers are filled in (`_Shapes`, from the nodes'
code in ComfyUI 0.3.75): a Wan latent of `length` frames decodes to ((length - 1) // 4) * 4 + 1
frames, Wan 2.1 and SVD latents are 8 pixels a cell, Wan 2.2's 16; SVD makes `video_frames`
frames; CreateVideo plays at its `fps`, SaveAnimatedWEBP at its own; SaveImage writes a PNG per
picture at the latent's size. So a clip has exactly the frames, size and rate the real server's
would have; its pictures are ffmpeg test patterns (`looks`: moving, or black for a bad clip).

What a prompt does is set per test with `FakeComfy.behaviour`:
  succeed      run a few progress steps and save the output files
  error        fail in node `error_node` with `error_message` (execution_error)
  hang         run until interrupted (/interrupt) or deleted from the queue
  reject       answer /prompt with 400 and the `node_errors` the test set
  drop         close the websocket in the middle of the run, then finish while nobody listens
  silent       send no events at all, only write the history
  interrupted  end as if another client had interrupted it
  stall_http   never answer any HTTP request
"""

from __future__ import annotations

import asyncio
import email
import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from PIL import Image

from services.visual.backends.comfyui.workflow import model_folder

OBJECT_INFO: dict[str, Any] = json.loads((Path(__file__).parent / "object_info_0_3_75.json").read_text())
"""The real server's /object_info for the nodes of every shipped workflow (tooltips left out)."""
LOOKS = {"moving": "testsrc2=s={size}:r={fps}", "black": "color=c=black:s={size}:r={fps}"}


@dataclass(frozen=True)
class Made:
    """One file the fake saved: what a test checks the backend received."""

    node_id: str
    class_type: str
    filename: str
    width: int
    height: int
    frames: int
    fps: float | None


@dataclass(frozen=True)
class Shape:
    """Pictures flowing along a link: their size and count, and (for a VIDEO) their rate."""

    width: int
    height: int
    frames: int
    fps: float | None = None


@dataclass
class Seen:
    """What the fake received and made, for tests to assert on."""

    prompts: list[dict[str, Any]] = field(default_factory=list)
    interrupts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    uploaded: dict[str, str] = field(default_factory=dict)
    """SHA-256 of each uploaded picture's bytes, by the name a LoadImage node loads it as."""
    images: dict[str, list[str]] = field(default_factory=dict)
    """The uploaded pictures each queued prompt loads (its LoadImage nodes' files, by prompt id)."""
    sockets: list[str] = field(default_factory=list)
    made: list[Made] = field(default_factory=list)


class FakeComfy:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="fake-comfy-"))
        (self.folder / "input").mkdir(parents=True, exist_ok=True)
        (self.folder / "output").mkdir(parents=True, exist_ok=True)
        self.behaviour = "succeed"
        self.error_node = "1"
        self.error_message = "Error while deserializing header: header too small"
        self.node_errors: dict[str, Any] = {}
        self.look = "moving"
        """What the clips show: `moving` (a test pattern) or `black` (a clip the backend must re-roll)."""
        self.looks: list[str] = []
        """Looks of the clips to make in turn instead of `look` (the last one repeats); pictures always move."""
        self.seen = Seen()
        self.history: dict[str, Any] = {}
        self.queue: list[tuple[int, str]] = []
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.stopped: set[str] = set()
        self.running: set[asyncio.Future[None]] = set()
        self.number = 0
        self.counter = 0
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
        app.router.add_get("/object_info", self.object_info)
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
        graph = body.get("prompt", {})
        refused = self._invalid(graph)
        if refused is not None:
            return web.json_response(refused, status=400)
        if self.behaviour == "reject":
            error = {
                "type": "prompt_outputs_failed_validation",
                "message": "Prompt outputs failed validation",
                "details": "",
                "extra_info": {},
            }
            return web.json_response({"error": error, "node_errors": self.node_errors}, status=400)
        prompt_id, client_id = str(body["prompt_id"]), str(body.get("client_id", ""))
        self.seen.images[prompt_id] = [
            str(node["inputs"]["image"]) for node in graph.values() if node["class_type"] == "LoadImage"
        ]
        self.number += 1
        self.queue.append((self.number, prompt_id))
        self.running.add(asyncio.ensure_future(self._execute(prompt_id, client_id, graph)))
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
        fields = _multipart(request.headers.get("Content-Type", ""), await request.read())
        filename, data = fields["image"]
        subfolder = fields.get("subfolder", ("", b""))[1].decode()
        self.seen.uploads.append(filename)
        target = self.folder / "input" / subfolder / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.seen.uploaded[f"{subfolder}/{filename}" if subfolder else filename] = hashlib.sha256(data).hexdigest()
        return web.json_response({"name": filename, "subfolder": subfolder, "type": "input"})

    async def view(self, request: web.Request) -> web.StreamResponse:
        kind = request.query.get("type", "output")
        path = self.folder / kind / request.query.get("subfolder", "") / request.query["filename"]
        if kind not in ("input", "output") or not path.is_file():
            return web.Response(status=404)
        return web.FileResponse(path)

    async def object_info(self, request: web.Request) -> web.Response:
        return web.json_response(OBJECT_INFO)

    # ------------------------------------------------------------------ validating a prompt

    def _invalid(self, graph: Any) -> dict[str, Any] | None:
        """The real server's 400 body for this prompt, or None when it would queue it."""
        if not isinstance(graph, dict):
            return {"error": _error("invalid_prompt", "Cannot execute because the prompt is not an object."),
                    "node_errors": {}}
        for node_id, node in graph.items():
            if not isinstance(node, dict) or "class_type" not in node:
                error = _error("invalid_prompt", "Cannot execute because a node is missing the class_type property.",
                               f"Node ID '#{node_id}'")
                return {"error": error, "node_errors": {}}
            if node["class_type"] not in OBJECT_INFO:
                error = _error("invalid_prompt", f"Cannot execute because node {node['class_type']} does not exist.",
                               f"Node ID '#{node_id}'")
                return {"error": error, "node_errors": {}}
        outputs = [node_id for node_id, node in graph.items() if OBJECT_INFO[node["class_type"]]["output_node"]]
        if not outputs:
            return {"error": _error("prompt_no_outputs", "Prompt has no outputs"), "node_errors": {}}
        node_errors = {
            node_id: {"errors": errors, "dependent_outputs": outputs, "class_type": graph[node_id]["class_type"]}
            for node_id in graph
            if (errors := self._node_errors(graph, node_id))
        }
        if not node_errors:
            return None
        details = "\n".join(
            f"{error['message']}: {error['details']}" for entry in node_errors.values() for error in entry["errors"]
        )
        return {"error": _error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details),
                "node_errors": node_errors}

    def _node_errors(self, graph: dict[str, Any], node_id: str) -> list[dict[str, Any]]:
        node = graph[node_id]
        info = OBJECT_INFO[node["class_type"]]["input"]
        errors = []
        for category in ("required", "optional"):
            for name, spec in info.get(category, {}).items():
                if name not in node.get("inputs", {}):
                    if category == "required":
                        errors.append(_error("required_input_missing", "Required input is missing", name,
                                             {"input_name": name}))
                    continue
                problem = self._input_error(graph, node["class_type"], name, spec, node["inputs"][name])
                if problem is not None:
                    errors.append(problem)
        return errors

    def _input_error(
        self, graph: dict[str, Any], class_type: str, name: str, spec: list[Any], value: Any
    ) -> dict[str, Any] | None:
        kind, options = spec[0], (spec[1] if len(spec) > 1 else {})
        extra = {"input_name": name, "received_value": value}
        if isinstance(value, list):
            return _link_error(graph, name, kind, value)
        if class_type == "LoadImage" and name == "image":  # its own check: the file must be in input/
            if not (self.folder / "input" / str(value)).is_file():
                return _error("custom_validation_failed", "Custom validation failed for node",
                              f"{name} - Invalid image file: {value}", {"input_name": name})
            return None
        if model_folder(class_type, name):
            return None  # the fake has every model file
        choices = kind if isinstance(kind, list) else options.get("options") if kind == "COMBO" else None
        if choices is not None:
            if value not in choices:
                return _error("value_not_in_list", "Value not in list", f"{name}: '{value}' not in {choices}", extra)
            return None
        if kind in ("INT", "FLOAT"):
            if not isinstance(value, int | float) or isinstance(value, bool):
                return _error("invalid_input_type", f"Failed to convert an input value to a {kind} value",
                              f"{name}, {value}", extra)
            if "min" in options and value < options["min"]:
                return _error("value_smaller_than_min", f"Value {value} smaller than min of {options['min']}",
                              name, extra)
            if "max" in options and value > options["max"]:
                return _error("value_bigger_than_max", f"Value {value} bigger than max of {options['max']}",
                              name, extra)
        return None

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
        outputs: dict[str, Any] = {}
        if status == "success":
            try:
                outputs = await self._save(graph)
            except Exception as error:  # a gap in the fake itself: say so rather than hang the client
                event = {**self._error_event(prompt_id, graph), "exception_message": f"the fake failed: {error}"}
                await self._send(client_id, "execution_error", event)
                status, messages = "error", [*messages[:-1], ["execution_error", event]]
        self.queue = [item for item in self.queue if item[1] != prompt_id]
        self.history[prompt_id] = {
            "prompt": [self.number, prompt_id, graph, {"client_id": client_id}, []],
            "outputs": outputs,
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

    # ------------------------------------------------------------------ what the output nodes save

    async def _save(self, graph: dict[str, Any]) -> dict[str, Any]:
        """Like the real server: SaveImage lists its PNGs; SaveVideo its mp4 and SaveAnimatedWEBP its
        webp under `images` with `animated: [true]`. Each file is made at the shape the graph gives."""
        shapes = _Shapes(graph, self.folder / "input")
        outputs: dict[str, Any] = {}
        for node_id, node in graph.items():
            kind = node["class_type"]
            if kind not in ("SaveImage", "SaveVideo", "SaveAnimatedWEBP"):
                continue
            link = node["inputs"]["video" if kind == "SaveVideo" else "images"]
            shape = shapes.of(link)
            if kind == "SaveAnimatedWEBP":
                shape = Shape(shape.width, shape.height, shape.frames, float(node["inputs"]["fps"]))
            prefix = str(node["inputs"].get("filename_prefix", "ComfyUI"))
            subfolder, _, stem = prefix.rpartition("/")
            files = await self._write(kind, shape, subfolder, stem)
            for name in files:
                self.seen.made.append(Made(node_id, kind, name, shape.width, shape.height,
                                           1 if kind == "SaveImage" else shape.frames, shape.fps))
            listed = [{"filename": name, "subfolder": subfolder, "type": "output"} for name in files]
            outputs[node_id] = {"images": listed} if kind == "SaveImage" else {"images": listed, "animated": [True]}
        return outputs

    async def _write(self, kind: str, shape: Shape, subfolder: str, stem: str) -> list[str]:
        folder = self.folder / "output" / subfolder
        folder.mkdir(parents=True, exist_ok=True)
        fps = shape.fps or 1.0
        look = "moving" if kind == "SaveImage" else self._next_look()
        source = LOOKS[look].format(size=f"{shape.width}x{shape.height}", fps=f"{fps:g}")
        names = []
        for _ in range(shape.frames if kind == "SaveImage" else 1):
            self.counter += 1
            suffix = {"SaveImage": "png", "SaveVideo": "mp4", "SaveAnimatedWEBP": "webp"}[kind]
            names.append(f"{stem}_{self.counter:05d}_.{suffix}")
        if kind == "SaveVideo":
            await _ffmpeg("-f", "lavfi", "-i", source, "-frames:v", str(shape.frames), "-c:v", "libx264",
                          "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(folder / names[0]))
        elif kind == "SaveAnimatedWEBP":
            raw = await _ffmpeg("-f", "lavfi", "-i", source, "-frames:v", str(shape.frames),
                                "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
            size = shape.width * shape.height * 3
            frames = [Image.frombytes("RGB", (shape.width, shape.height), raw[at : at + size])
                      for at in range(0, len(raw), size)]
            frames[0].save(folder / names[0], save_all=True, append_images=frames[1:],
                           duration=round(1000 / fps), loop=0, lossless=False, quality=90)
        else:
            for name in names:
                await _ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", "-update", "1", str(folder / name))
        return names


    def _next_look(self) -> str:
        if len(self.looks) > 1:
            return self.looks.pop(0)
        return self.looks[0] if self.looks else self.look


class _Shapes:
    """The pictures each node's output holds, worked out from the graph as ComfyUI 0.3.75's nodes
    would compute them (the node code named in each rule)."""

    def __init__(self, graph: dict[str, Any], inputs: Path) -> None:
        self.graph, self.inputs = graph, inputs

    def of(self, link: list[Any]) -> Shape:
        node_id, _index = link
        node = self.graph[str(node_id)]
        kind, values = node["class_type"], node["inputs"]
        rule = getattr(self, "_" + kind, None)
        if rule is None:
            raise ValueError(f"the fake does not know what {kind} makes (add a rule to _Shapes)")
        shape: Shape = rule(values)
        return shape

    # Latents, as the pictures they decode to.
    def _EmptyLatentImage(self, v: dict[str, Any]) -> Shape:  # nodes.py: [batch, 4, h // 8, w // 8]
        return Shape(v["width"] // 8 * 8, v["height"] // 8 * 8, v["batch_size"])

    def _EmptySD3LatentImage(self, v: dict[str, Any]) -> Shape:  # nodes_sd3.py: [batch, 16, h // 8, w // 8]
        return self._EmptyLatentImage(v)

    def _EmptyHunyuanLatentVideo(self, v: dict[str, Any]) -> Shape:  # nodes_hunyuan.py: t = (length - 1) // 4 + 1
        return Shape(v["width"] // 8 * 8, v["height"] // 8 * 8, _wan_frames(v["length"]))

    def _WanImageToVideo(self, v: dict[str, Any]) -> Shape:  # nodes_wan.py: the same latent as above
        return self._EmptyHunyuanLatentVideo(v)

    def _Wan22ImageToVideoLatent(self, v: dict[str, Any]) -> Shape:  # nodes_wan.py: 48 channels, h // 16, w // 16
        return Shape(v["width"] // 16 * 16, v["height"] // 16 * 16, _wan_frames(v["length"]))

    def _SVD_img2vid_Conditioning(self, v: dict[str, Any]) -> Shape:  # nodes_video_model.py: [video_frames, 4, ...]
        return Shape(v["width"] // 8 * 8, v["height"] // 8 * 8, v["video_frames"])

    def _KSampler(self, v: dict[str, Any]) -> Shape:
        return self.of(v["latent_image"])

    def _VAEDecode(self, v: dict[str, Any]) -> Shape:
        return self.of(v["samples"])

    def _VAEEncode(self, v: dict[str, Any]) -> Shape:
        pixels = self.of(v["pixels"])
        return Shape(pixels.width // 8 * 8, pixels.height // 8 * 8, pixels.frames)

    # Pictures.
    def _LoadImage(self, v: dict[str, Any]) -> Shape:
        with Image.open(self.inputs / str(v["image"])) as picture:
            return Shape(picture.width, picture.height, 1)

    def _EmptyImage(self, v: dict[str, Any]) -> Shape:
        return Shape(v["width"], v["height"], v["batch_size"])

    def _ImageScale(self, v: dict[str, Any]) -> Shape:  # nodes.py ImageScale.upscale: 0 keeps the aspect
        image = self.of(v["image"])
        width, height = v["width"], v["height"]
        if width == 0 and height == 0:
            return image
        if width == 0:
            width = max(1, round(image.width * height / image.height))
        elif height == 0:
            height = max(1, round(image.height * width / image.width))
        return Shape(width, height, image.frames)

    def _RepeatImageBatch(self, v: dict[str, Any]) -> Shape:
        image = self.of(v["image"])
        return Shape(image.width, image.height, image.frames * v["amount"])

    def _ImageAddNoise(self, v: dict[str, Any]) -> Shape:
        return self.of(v["image"])

    def _CreateVideo(self, v: dict[str, Any]) -> Shape:  # nodes_video.py: VideoFromComponents at Fraction(fps)
        images = self.of(v["images"])
        return Shape(images.width, images.height, images.frames, float(v["fps"]))


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """{field name: (file name, bytes)} of a multipart/form-data body. Read by hand: aiohttp's
    request.post() warns (DeprecationWarning, an error in tests) when a part ends across chunks."""
    boundary = content_type.partition("boundary=")[2].strip('"').encode()
    fields = {}
    for part in body.split(b"--" + boundary)[1:-1]:
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")  # only the line break before the next boundary: data may end in one
        headers = email.message_from_bytes(head)
        name = headers.get_param("name", header="content-disposition")
        fields[str(name)] = (headers.get_filename() or "", data)
    return fields


def _wan_frames(length: int) -> int:
    """Frames a Wan (or Hunyuan) video latent of `length` decodes to: 4 per latent frame after the first."""
    return ((length - 1) // 4) * 4 + 1


def _error(kind: str, message: str, details: str = "", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": kind, "message": message, "details": details, "extra_info": extra or {}}


def _link_error(graph: dict[str, Any], name: str, kind: Any, link: list[Any]) -> dict[str, Any] | None:
    extra = {"input_name": name, "received_value": link}
    if len(link) != 2:
        return _error("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                      name, extra)
    source = graph.get(str(link[0]))
    outputs = OBJECT_INFO[source["class_type"]]["output"] if source is not None else []
    if not isinstance(link[1], int) or not 0 <= link[1] < len(outputs):  # the real server's lookup raises
        return _error("exception_during_inner_validation", "Exception when validating inner node",
                      f"no output {link[1]} of node {link[0]}", extra)
    received, wanted = outputs[link[1]], kind
    if isinstance(wanted, str) and wanted != "*" and received != "*" and received != wanted:
        return _error("return_type_mismatch", "Return type mismatch between linked nodes",
                      f"{name}, received_type({received}) mismatch input_type({wanted})", extra)
    return None


async def _ffmpeg(*args: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        "ffmpeg", "-loglevel", "error", "-nostdin", "-y", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the fake's ffmpeg failed: {err.decode()[-500:]}")
    return out


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
