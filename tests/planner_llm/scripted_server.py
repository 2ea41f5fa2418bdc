"""A scripted OpenAI-compatible chat completions server on loopback, for deterministic tests of
the LLM planner's retry and fallback paths.

Each request takes the next step of the script (malformed JSON, missing fields, a slow answer,
HTTP 429 or 500, ...); once the script is used up, every request gets a good answer, computed
from the request the way a model that follows the prompt would: scenes of six sentences, shots
of two, the bounds read from the prompt. Every request body is kept for the test to look at.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCENE_EVERY = 6
SHOT_EVERY = 2
GOOD_DESCRIPTION = "a tall figure in a long grey travelling cloak"
GOOD_ACTION = "a lantern glows in a dark window"


@dataclass(frozen=True)
class Step:
    """One scripted reply: an HTTP status, a body (or the good answer), and a delay first."""

    status: int = 200
    content: str | None = None
    """The chat message's content; None: the good answer."""
    raw: str | None = None
    """The whole HTTP body instead of a chat completion."""
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def malformed() -> Step:
    return Step(content='{"scenes": [{"first": 1, "title": "unclosed')


def missing_fields() -> Step:
    return Step(content='{"scenes": [{"first": 1}], "shots": [{"first": 1}]}')


def wrong_start() -> Step:
    """Valid JSON of the right shape that starts at the wrong sentence."""
    return Step(content="WRONG_START")


def slow(seconds: float) -> Step:
    return Step(delay_s=seconds)


def status(code: int, retry_after: str = "") -> Step:
    return Step(
        status=code,
        raw=json.dumps({"error": {"message": f"scripted {code}"}}),
        headers={"Retry-After": retry_after} if retry_after else {},
    )


def not_a_completion() -> Step:
    return Step(raw=json.dumps({"object": "something else"}))


@dataclass
class Script:
    steps: list[Step] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    always: Callable[[dict[str, Any]], Step] | None = None
    """When set, every request past the steps gets this step instead of the good answer."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_step(self, body: dict[str, Any], authorization: str) -> Step:
        with self._lock:
            self.requests.append(body)
            self.authorizations.append(authorization)
            if self.steps:
                return self.steps.pop(0)
        return self.always(body) if self.always else Step()


def good_answer(body: dict[str, Any]) -> dict[str, Any]:
    """What a model that follows the prompt answers."""
    prompt = body["messages"][1]["content"]
    first, last = (int(n) for n in re.search(r"Sentences (\d+) to (\d+)", prompt).groups())  # type: ignore[union-attr]
    if "Split sentences" in prompt:
        return {"scenes": [_scene(n) for n in range(first, last + 1, SCENE_EVERY)], "characters": _notes(prompt)}
    most = int(re.search(r"at most (\d+) shots", prompt).group(1))  # type: ignore[union-attr]
    firsts = list(range(first, last + 1, SHOT_EVERY))[:most]
    ids = re.search(r"characters\": ids of the characters in frame, from: (.*) \(or \[\]\)", prompt)
    known = [] if ids is None or ids.group(1) == "(none)" else ids.group(1).split(", ")
    return {"shots": [_shot(n, known[:1]) for n in firsts]}


def _scene(first: int) -> dict[str, Any]:
    return {
        "first": first,
        "title": f"Scene at sentence {first}",
        "setting": "a windswept lighthouse above a grey sea",
        "time_of_day": "evening",
        "weather": "storm",
        "mood": "tense",
        "summary": "The keeper climbs the tower as the storm comes in.",
    }


def _notes(prompt: str) -> list[dict[str, str]]:
    return [
        {"id": match, "description": GOOD_DESCRIPTION} for match in re.findall(r"^(\S+): .*\(describe\)$", prompt, re.M)
    ]


def _shot(first: int, characters: list[str]) -> dict[str, Any]:
    return {"first": first, "shot_type": "medium", "camera": "push_in", "characters": characters, "action": GOOD_ACTION}


def _completion(content: str) -> str:
    return json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        }
    )


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        step = self.script.next_step(body, self.headers.get("Authorization", ""))
        time.sleep(step.delay_s)
        if step.raw is not None:
            payload = step.raw
        elif step.content == "WRONG_START":
            answer = good_answer(body)
            for key in ("scenes", "shots"):
                if key in answer:
                    answer[key][0]["first"] += 1
            payload = _completion(json.dumps(answer))
        else:
            payload = _completion(step.content if step.content is not None else json.dumps(good_answer(body)))
        data = payload.encode()
        try:
            self.send_response(step.status)
            for name, value in {"Content-Type": "application/json", **step.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Running:
    url: str
    script: Script


@contextlib.contextmanager
def serve(script: Script) -> Iterator[Running]:
    """Serve the script on 127.0.0.1:<free port> for the with block."""
    handler = type("Handler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{server.server_address[1]}/v1", script)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
