"""The audio service over real gRPC with its model backends: Parler-TTS speaking and MusicGen
scoring, each a tiny random model built from a config (the `tts-gpu` extra; no download)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.audio import pcm
from services.audio.server import build_specs
from services.audio.settings import AudioSettings
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.convert import to_proto
from storyreel.domain import Character, Language, Line
from storyreel.storyboard.v1 import storyboard_pb2

pytest.importorskip("parler_tts", reason="the `tts-gpu` extra is not installed (scripts/install_audio_models.sh)")

from services.audio import tiny

DEADLINE_S = 120.0


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        folder = tmp_path_factory.mktemp("tiny")
        yield {"parler": tiny.build_parler(folder / "parler"), "musicgen": tiny.build_musicgen(folder / "musicgen")}


@pytest.fixture
async def stub(grpc_channel: Any, artifact_root: Path, models: dict[str, Path]) -> Any:
    settings = AudioSettings.model_validate(
        {
            "STORYREEL_ARTIFACT_ROOT": str(artifact_root),
            "speech_backend": "parler",
            "parler_model": str(models["parler"]),
            "parler_max_s": 0.8,
            "music_backend": "musicgen",
            "musicgen_model": str(models["musicgen"]),
            "musicgen_window_s": 2.0,
            "musicgen_context_s": 1.0,
            "device": "cpu",
        }
    )
    return audio_service_pb2_grpc.AudioServiceStub(await grpc_channel(build_specs(settings)))


async def test_parler_speaks_a_shot_in_english_and_hindi_over_grpc(stub: Any, artifact_root: Path) -> None:
    lines = [
        Line(text="Hold the lantern high."),
        Line(text="दादी, आप रोज़ दीपक क्यों जलाती हैं?", language=Language.HI, speaker_id="gudiya"),
    ]
    request = audio_service_pb2.SpeakRequest(
        shot_id="s01_01",
        lines=[to_proto(line, storyboard_pb2.Line) for line in lines],
        characters=[to_proto(Character(id="gudiya", name="Gudiya"), storyboard_pb2.Character)],
        output_key="speech/s01_01.wav",
    )
    reply = await stub.Speak(request, timeout=DEADLINE_S)
    samples, rate = pcm.read_wav(artifact_root / reply.audio.key)
    assert rate == 16000  # the tiny model's codec rate: the WAV is the model's own output
    assert reply.duration_s == pytest.approx(len(samples) / rate, abs=1e-9)
    assert [timing.line_index for timing in reply.timings] == [0, 1]
    assert all(timing.end_s > timing.start_s for timing in reply.timings)
    assert 20 * np.log10(pcm.active_rms(samples, rate)) > -30.0


async def test_musicgen_scores_a_cue_of_the_exact_length_over_grpc(stub: Any, artifact_root: Path) -> None:
    request = audio_service_pb2.ComposeMusicRequest(
        scene_id="s01", mood=storyboard_pb2.MOOD_TENSE, duration_s=3.2, seed=9, output_key="music/s01.wav"
    )
    reply = await stub.ComposeMusic(request, timeout=DEADLINE_S)
    samples, rate = pcm.read_wav(artifact_root / reply.audio.key)
    assert (rate, samples.shape) == (44100, (round(3.2 * 44100), 2))
    assert reply.duration_s == pytest.approx(3.2, abs=1e-9)
    assert 20 * np.log10(pcm.active_rms(samples, rate)) > -30.0
