"""The servicer's worker slots, as the streamed and unary calls share them: a call cancelled
while it waits for a slot stops waiting (its work never runs); a call cancelled while its work
runs in a thread keeps the slot until that work ends, so no more than `concurrency` run at once.
Driven step by step on one event loop: nothing here depends on how fast anything runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from services.audio.backends import make_music_engine, make_speech_engine
from services.audio.progress import Progress
from services.audio.servicer import STARTING, WAITING, AudioServicer
from services.audio.settings import AudioSettings

GATE_S = 30.0


@pytest.fixture
def servicer(artifact_root: Path) -> AudioServicer:
    settings = AudioSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root), "concurrency": 1})
    return AudioServicer(settings, make_speech_engine(settings), make_music_engine(settings))


def _blocked(ran: list[str], name: str, gate: threading.Event, started: threading.Event) -> Callable[[], str]:
    def work() -> str:
        started.set()
        ran.append(name)
        if not gate.wait(GATE_S):
            raise TimeoutError("the test never opened the gate")
        return name

    return work


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0)


async def test_a_call_cancelled_while_it_waits_for_a_worker_never_runs(servicer: AudioServicer) -> None:
    ran: list[str] = []
    gate, started = threading.Event(), threading.Event()
    first = asyncio.ensure_future(servicer._in_worker(_blocked(ran, "first", gate, started), Progress(STARTING), "a"))
    await asyncio.to_thread(started.wait, GATE_S)
    waiting = Progress(STARTING)
    second = asyncio.ensure_future(servicer._in_worker(lambda: ran.append("second"), waiting, "b"))
    await _until(lambda: waiting.message == WAITING)
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    gate.set()
    assert await first == "first"
    assert await servicer._in_worker(lambda: "third", Progress(STARTING), "c") == "third"  # the slot is free again
    assert ran == ["first"]


async def test_a_call_cancelled_while_its_work_runs_keeps_the_worker_until_the_work_ends(
    servicer: AudioServicer,
) -> None:
    ran: list[str] = []
    gate, started = threading.Event(), threading.Event()
    first = asyncio.ensure_future(servicer._in_worker(_blocked(ran, "first", gate, started), Progress(STARTING), "a"))
    await asyncio.to_thread(started.wait, GATE_S)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    waiting = Progress(STARTING)
    second = asyncio.ensure_future(servicer._in_worker(lambda: ran.append("second"), waiting, "b"))
    await _until(lambda: waiting.message == WAITING)
    assert ran == ["first"]  # the first work still runs in its thread, holding the only worker
    gate.set()
    await second
    assert ran == ["first", "second"]
