"""POST /v1/voices/audition: a short sample of a voice, spoken by the audio service, cached by what
was asked, refused (422) at the door for a voice the engine lacks or text no voice can read."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from cli.stack import free_port
from services.audio.measure import median_pitch_hz
from storyreel.grpckit import wait_serving
from tests.conftest import REPO_ROOT
from tests.gateway_fakes import FakeServices, gateway


def _speaks(fakes: FakeServices) -> int:
    return fakes.calls["Speak", "audition"]


def test_an_audition_is_spoken_once_and_served_as_wav(client: TestClient, fakes: FakeServices) -> None:
    body = {"voice": {"engine": "espeak", "voice_id": "f3", "pitch": 70}}
    first = client.post("/v1/voices/audition", json=body)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "audio/wav"
    assert first.content.startswith(b"RIFF")
    again = client.post("/v1/voices/audition", json=body)
    assert again.content == first.content
    assert _speaks(fakes) == 1, "the same voice and text was spoken twice"
    other = client.post("/v1/voices/audition", json={**body, "text": "Hold the lantern high."})
    assert other.status_code == 200 and other.content != first.content
    assert _speaks(fakes) == 2


def test_a_hindi_sample_when_no_text_is_given(client: TestClient, fakes: FakeServices) -> None:
    english = client.post("/v1/voices/audition", json={})
    hindi = client.post("/v1/voices/audition", json={"language": "hi"})
    assert english.status_code == hindi.status_code == 200
    assert english.content != hindi.content  # another sentence spoken


@pytest.mark.parametrize(("body", "words"), [
    ({"voice": {"engine": "espeak", "voice_id": "no-such-voice"}}, "cannot speak with this voice"),
    ({"text": "🙂🙂🙂 !!!"}, "no words a voice can read"),
    ({"text": "x" * 301}, "at most 300"),
    ({"voice": {"pitch": 120}}, "less than or equal to 99"),
])
def test_what_cannot_be_spoken_is_refused_at_the_door(
    client: TestClient, fakes: FakeServices, body: dict[str, object], words: str
) -> None:
    response = client.post("/v1/voices/audition", json=body)
    assert response.status_code == 422, response.text
    assert words in response.text
    assert _speaks(fakes) == 0


def test_a_real_audio_service_speaks_the_audition(tmp_path: Path, fakes: FakeServices) -> None:
    """Through the real audio service (espeak-ng): a WAV of audible speech, lower for a lower pitch."""
    address = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "STORYREEL_AUDIO_ADDRESS": address, "STORYREEL_AUDIO_METRICS_PORT": str(free_port()),
           "STORYREEL_ARTIFACT_ROOT": str(tmp_path / "artifacts")}
    process = subprocess.Popen([sys.executable, "-m", "services.audio"], cwd=REPO_ROOT, env=env,
                               stderr=subprocess.DEVNULL)
    try:
        asyncio.run(wait_serving(address, "storyreel.audio.v1.AudioService", timeout_s=60))
        with gateway(tmp_path, fakes, audio_address=address) as client:
            pitches = {}
            for pitch in (20, 80):
                reply = client.post("/v1/voices/audition", json={"voice": {"engine": "espeak", "pitch": pitch}})
                assert reply.status_code == 200, reply.text
                with wave.open(io.BytesIO(reply.content)) as wav:
                    rate, pcm16 = wav.getframerate(), np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
                samples = np.multiply(pcm16, np.float32(1 / 32768), dtype=np.float32)
                assert len(samples) / rate > 1.5, "the sample sentence is longer than 1.5 s of speech"
                assert float(np.sqrt(np.mean(samples**2))) > 0.01, "the WAV is silent"
                pitches[pitch] = median_pitch_hz(samples, rate)
            assert pitches[20] < pitches[80], pitches
    finally:
        process.terminate()
        process.wait(10)
