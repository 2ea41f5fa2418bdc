"""SpeakStream and ComposeMusicStream over real gRPC on loopback: heartbeats while the work goes
on, then the very result the unary call gives, and the unary call's status codes on errors.

The engines are the default ones behind a gate that the test opens only after it has seen the
heartbeats it wants (so nothing depends on how fast anything runs), with a heartbeat interval
of 10 ms."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import grpc
import pytest

from services.audio import progress
from services.audio.backends import make_music_engine, make_speech_engine
from services.audio.models import MusicInput, SpeakInput, SpokenClip
from services.audio.server import build_specs
from services.audio.settings import AudioSettings
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.convert import to_proto
from storyreel.domain import Character, Line, Voice
from storyreel.storyboard.v1 import storyboard_pb2

DEADLINE_S = 60.0
GATE_S = 30.0
"""Longest a gated engine waits for the test (a stop for a broken test, never reached when it works)."""
BEATS = 3


class Gate:
    """Holds an engine's work until the test opens it; the work says what it is doing meanwhile."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.opened = threading.Event()

    def wait(self) -> None:
        progress.report(self.message)
        if not self.opened.wait(GATE_S):
            raise TimeoutError("the test never opened the gate")


class GatedSpeech:
    def __init__(self, settings: AudioSettings, gate: Gate) -> None:
        self.engine, self.gate = make_speech_engine(settings), gate

    def speak(self, request: SpeakInput, output: Path) -> SpokenClip:
        self.gate.wait()
        return self.engine.speak(request, output)

    def cast_voices(self, characters: list[Character], narrator: Voice) -> dict[str, str]:
        return self.engine.cast_voices(characters, narrator)


class GatedMusic:
    def __init__(self, settings: AudioSettings, gate: Gate) -> None:
        self.engine, self.gate = make_music_engine(settings), gate

    def compose(self, request: MusicInput, output: Path) -> float:
        self.gate.wait()
        return self.engine.compose(request, output)


@pytest.fixture
def gates() -> dict[str, Gate]:
    return {"speech": Gate("speaking slowly"), "music": Gate("composing slowly")}


@pytest.fixture
async def stub(grpc_channel: Any, artifact_root: Path, gates: dict[str, Gate]) -> Any:
    settings = AudioSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root), "heartbeat_s": 0.01})
    specs = build_specs(settings, GatedSpeech(settings, gates["speech"]), GatedMusic(settings, gates["music"]))
    return audio_service_pb2_grpc.AudioServiceStub(await grpc_channel(specs))


def _speak_request(speaker: str = "meera") -> audio_service_pb2.SpeakRequest:
    lines = [Line(text="The wind rose."), Line(text="Hold the lantern high.", speaker_id=speaker)]
    return audio_service_pb2.SpeakRequest(
        shot_id="s01_01",
        lines=[to_proto(line, storyboard_pb2.Line) for line in lines],
        characters=[to_proto(Character(id="meera", name="Meera"), storyboard_pb2.Character)],
        output_key="speech/s01_01.wav",
    )


async def _events(call: Any, gate: Gate) -> list[Any]:
    """Every message of a streamed call; the gate opens once BEATS heartbeats have come and one
    of them carried the engine's own words."""
    events = []
    async for event in call:
        events.append(event)
        beats = [event.progress for event in events if event.HasField("progress")]
        if len(beats) >= BEATS and any(beat.message == gate.message for beat in beats):
            gate.opened.set()
    return events


def _check_heartbeats_then_result(events: list[Any], gate: Gate) -> Any:
    kinds = [event.WhichOneof("event") for event in events]
    assert kinds[-1] == "result" and set(kinds[:-1]) == {"progress"} and len(kinds) > BEATS
    beats = [event.progress for event in events[:-1]]
    assert [beat.elapsed_s for beat in beats] == sorted(beat.elapsed_s for beat in beats)
    assert gate.message in {beat.message for beat in beats}
    return events[-1].result


async def test_speak_stream_beats_while_it_works_then_gives_what_speak_gives(
    stub: Any, gates: dict[str, Gate]
) -> None:
    request = _speak_request()
    call = stub.SpeakStream(audio_service_pb2.SpeakStreamRequest(speak=request), timeout=DEADLINE_S)
    streamed = _check_heartbeats_then_result(await _events(call, gates["speech"]), gates["speech"])
    unary = await stub.Speak(request, timeout=DEADLINE_S)  # the gate stays open
    assert streamed == unary
    assert streamed.duration_s > 0.5 and len(streamed.timings) == 2


async def test_compose_music_stream_beats_while_it_works_then_gives_what_compose_music_gives(
    stub: Any, gates: dict[str, Gate]
) -> None:
    request = audio_service_pb2.ComposeMusicRequest(
        scene_id="s01", mood=storyboard_pb2.MOOD_CALM, duration_s=3.0, seed=4, output_key="music/s01.wav"
    )
    call = stub.ComposeMusicStream(audio_service_pb2.ComposeMusicStreamRequest(compose=request), timeout=DEADLINE_S)
    streamed = _check_heartbeats_then_result(await _events(call, gates["music"]), gates["music"])
    unary = await stub.ComposeMusic(request, timeout=DEADLINE_S)
    assert streamed == unary
    assert streamed.duration_s == pytest.approx(3.0, abs=1e-9)


async def test_a_streamed_call_fails_with_the_unary_calls_status_and_words(stub: Any, gates: dict[str, Gate]) -> None:
    gates["speech"].opened.set()
    bad_speech = _speak_request(speaker="ghost")
    bad_music = audio_service_pb2.ComposeMusicRequest(duration_s=7200.0, output_key="music/x.wav")
    calls = [
        (stub.Speak(bad_speech, timeout=DEADLINE_S),
         stub.SpeakStream(audio_service_pb2.SpeakStreamRequest(speak=bad_speech), timeout=DEADLINE_S)),
        (stub.ComposeMusic(bad_music, timeout=DEADLINE_S),
         stub.ComposeMusicStream(audio_service_pb2.ComposeMusicStreamRequest(compose=bad_music), timeout=DEADLINE_S)),
    ]  # fmt: skip
    for unary, streamed in calls:
        with pytest.raises(grpc.aio.AioRpcError) as unary_error:
            await unary
        with pytest.raises(grpc.aio.AioRpcError) as streamed_error:
            async for event in streamed:
                assert event.HasField("progress")  # heartbeats may come first; never a result
        assert streamed_error.value.code() == unary_error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert streamed_error.value.details() == unary_error.value.details()
