"""The audio service over real gRPC on loopback, as the gateway calls it (default backends)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from services.audio import pcm
from services.audio.server import SERVICE_NAME, build_specs
from services.audio.settings import AudioSettings
from storyreel.audio.v1 import audio_service_pb2, audio_service_pb2_grpc
from storyreel.convert import to_proto
from storyreel.domain import NARRATOR, Character, Language, Line, Mood, Voice, VoiceEngine
from storyreel.storyboard.v1 import storyboard_pb2
from tests.service_process import assert_runs_alone_and_stops_on_sigterm

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIBLE_DBFS = -40.0
DEADLINE_S = 30.0

ENGLISH_SHOT = [  # the first line has no speaker: the narrator's
    Line(text="One autumn evening the wind rose and the rain came down hard."),
    Line(text="Grandmother, the storm is too strong.", speaker_id="arjun"),
    Line(text="Hold the lantern high, and do not let it go out.", speaker_id="meera"),
]
HINDI_SHOT = [
    Line(text="गाँव के बाहर एक पुराना कुआँ था।", language=Language.HI),
    Line(text="दादी, आप रोज़ दीपक क्यों जलाती हैं?", language=Language.HI, speaker_id="gudiya"),
    Line(text="Mr. Sharma ने ₹500 दिए।", language=Language.MIXED, speaker_id="sarla"),
]
CAST = [Character(id=id_, name=id_.title()) for id_ in ("arjun", "meera", "gudiya", "sarla")]


@pytest.fixture
async def stub(grpc_channel: Any, artifact_root: Path) -> audio_service_pb2_grpc.AudioServiceStub:
    settings = AudioSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(artifact_root)})
    channel = await grpc_channel(build_specs(settings))
    return audio_service_pb2_grpc.AudioServiceStub(channel)


def _speak_request(lines: list[Line], output_key: str = "speech/s01_01.wav") -> audio_service_pb2.SpeakRequest:
    return audio_service_pb2.SpeakRequest(
        shot_id="s01_01",
        lines=[to_proto(line, storyboard_pb2.Line) for line in lines],
        characters=[to_proto(character, storyboard_pb2.Character) for character in CAST],
        output_key=output_key,
    )


def _check_artifact(ref: Any, artifact_root: Path) -> tuple[pcm.Samples, int]:
    path = artifact_root / ref.key
    assert ref.size_bytes == path.stat().st_size
    assert ref.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    return pcm.read_wav(path)


@pytest.mark.parametrize("lines", [ENGLISH_SHOT, HINDI_SHOT], ids=["english", "hindi"])
async def test_speak_writes_an_audible_clip_with_exact_line_timings(
    stub: audio_service_pb2_grpc.AudioServiceStub, artifact_root: Path, lines: list[Line]
) -> None:
    reply = await stub.Speak(_speak_request(lines), timeout=DEADLINE_S)
    samples, rate = _check_artifact(reply.audio, artifact_root)
    assert reply.duration_s == pytest.approx(len(samples) / rate, abs=1e-9) and reply.duration_s > 1.0
    assert 20 * np.log10(pcm.active_rms(samples, rate)) > AUDIBLE_DBFS
    assert [timing.line_index for timing in reply.timings] == list(range(len(lines)))
    edges = [edge for timing in reply.timings for edge in (timing.start_s, timing.end_s)]
    assert edges == sorted(edges) and edges[0] == 0.0
    assert edges[-1] == pytest.approx(reply.duration_s, abs=1e-9)
    for timing in reply.timings:
        spoken = samples[round(timing.start_s * rate) : round(timing.end_s * rate)]
        assert 20 * np.log10(pcm.active_rms(spoken, rate)) > AUDIBLE_DBFS


@pytest.mark.parametrize("mood", list(Mood))
async def test_compose_music_writes_a_cue_of_the_exact_length(
    stub: audio_service_pb2_grpc.AudioServiceStub, artifact_root: Path, mood: Mood
) -> None:
    request = audio_service_pb2.ComposeMusicRequest(
        scene_id="s01",
        mood=storyboard_pb2.Mood.Value(f"MOOD_{mood.name}"),
        duration_s=4.5,
        seed=5,
        output_key=f"music/{mood}.wav",
    )
    reply = await stub.ComposeMusic(request, timeout=DEADLINE_S)
    samples, rate = _check_artifact(reply.audio, artifact_root)
    assert (rate, samples.shape) == (44100, (round(4.5 * 44100), 2))
    assert reply.duration_s == pytest.approx(4.5, abs=1e-9)
    assert 20 * np.log10(pcm.active_rms(samples, rate)) > AUDIBLE_DBFS


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (_speak_request(ENGLISH_SHOT, output_key="../outside.wav"), "must not contain '..'"),
        (_speak_request(ENGLISH_SHOT, output_key=""), "output_key is required"),
        (_speak_request([Line(text="Who is there?", speaker_id="ghost")]), "'ghost'"),
    ],
    ids=["escaping-key", "no-key", "unknown-speaker"],
)
async def test_a_bad_speak_request_is_invalid_argument_with_the_reason(
    stub: audio_service_pb2_grpc.AudioServiceStub, request_: audio_service_pb2.SpeakRequest, reason: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.Speak(request_, timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (error.value.details() or "")


async def test_a_shot_without_lines_is_a_short_silence(
    stub: audio_service_pb2_grpc.AudioServiceStub, artifact_root: Path
) -> None:
    reply = await stub.Speak(_speak_request([]), timeout=DEADLINE_S)
    samples, rate = _check_artifact(reply.audio, artifact_root)
    assert not reply.timings
    assert 0 < reply.duration_s == len(samples) / rate <= 0.5
    assert not samples.any()


@pytest.mark.parametrize(("duration_s", "reason"), [(0.0, "duration_s"), (7200.0, "over the 1200 s limit")])
async def test_a_bad_music_length_is_invalid_argument(
    stub: audio_service_pb2_grpc.AudioServiceStub, duration_s: float, reason: str
) -> None:
    request = audio_service_pb2.ComposeMusicRequest(duration_s=duration_s, output_key="music/x.wav")
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.ComposeMusic(request, timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (error.value.details() or "")


async def test_the_service_runs_alone_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    await assert_runs_alone_and_stops_on_sigterm("audio", SERVICE_NAME, tmp_path)


async def _upload(artifact_root: Path, name: str, data: bytes) -> str:
    (artifact_root / "uploads").mkdir(exist_ok=True)
    (artifact_root / "uploads" / name).write_bytes(data)
    return f"uploads/{name}"


def _song_bytes(tmp_path: Path) -> bytes:
    t = np.arange(3 * 44100) / 44100
    tune = 0.3 * np.sin(2 * np.pi * (220 + 110 * (t > 1.5)) * t)
    path = tmp_path / "song.wav"
    pcm.write_wav(path, np.stack([tune, tune], axis=1).astype(np.float32), 44100)
    return path.read_bytes()


async def test_prepare_track_loops_a_users_song_to_the_films_length(
    stub: audio_service_pb2_grpc.AudioServiceStub, artifact_root: Path, tmp_path: Path
) -> None:
    key = await _upload(artifact_root, "song.wav", _song_bytes(tmp_path))
    request = audio_service_pb2.PrepareTrackRequest(input_key=key, duration_s=8.0, output_key="music/track.wav")
    reply = await stub.PrepareTrack(request, timeout=DEADLINE_S)
    samples, rate = _check_artifact(reply.audio, artifact_root)
    assert (rate, samples.shape) == (44100, (8 * 44100, 2))
    # The 3 s default crossfade is capped at half the 3 s song: each play adds 1.5 s.
    assert (reply.duration_s, reply.source_duration_s, reply.plays) == (8.0, 3.0, 6)


@pytest.mark.parametrize(
    ("name", "data", "code", "reason"),
    [
        ("song.mp3", b"just some text, not music\n" * 50, grpc.StatusCode.INVALID_ARGUMENT, "not a readable audio"),
        ("song.flac", b"", grpc.StatusCode.FAILED_PRECONDITION, "missing or empty"),
    ],
    ids=["text-named-mp3", "empty-upload"],
)
async def test_prepare_track_refuses_a_fake_or_missing_upload(
    stub: audio_service_pb2_grpc.AudioServiceStub,
    artifact_root: Path,
    name: str,
    data: bytes,
    code: grpc.StatusCode,
    reason: str,
) -> None:
    key = await _upload(artifact_root, name, data)
    request = audio_service_pb2.PrepareTrackRequest(input_key=key, duration_s=8.0, output_key="music/track.wav")
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.PrepareTrack(request, timeout=DEADLINE_S)
    assert error.value.code() == code
    assert reason in (error.value.details() or "")
    assert not (artifact_root / "music" / "track.wav").exists()


def test_the_default_service_imports_no_heavy_library() -> None:
    """The default install (espeak-ng, procedural music) never needs torch, transformers, piper..."""
    code = (
        "import sys; from services.audio.server import build_specs; from services.audio.settings import AudioSettings;"
        "build_specs(AudioSettings());"
        "heavy = {'torch', 'transformers', 'parler_tts', 'piper', 'onnxruntime', 'audiocraft', 'tokenizers'};"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


async def test_check_voices_casts_everyone_without_speaking_or_writing_anything(
    stub: audio_service_pb2_grpc.AudioServiceStub, artifact_root: Path
) -> None:
    chosen = Character(id="meera", name="Meera", voice=Voice(engine=VoiceEngine.ESPEAK, voice_id="f3"))
    request = audio_service_pb2.CheckVoicesRequest(
        characters=[to_proto(character, storyboard_pb2.Character) for character in [chosen, *CAST[:1]]]
    )
    reply = await stub.CheckVoices(request, timeout=DEADLINE_S)
    cast = {voice.speaker_id: voice.voice for voice in reply.voices}
    assert cast.keys() == {NARRATOR, "meera", "arjun"}
    assert cast["meera"].startswith("espeak-ng f3,")
    assert len(set(cast.values())) == 3, "every speaker has a voice of its own"
    assert not any(artifact_root.rglob("*.wav"))


async def test_check_voices_refuses_a_voice_id_the_engine_lacks_naming_it(
    stub: audio_service_pb2_grpc.AudioServiceStub,
) -> None:
    lacking = Character(id="meera", name="Meera", voice=Voice(engine=VoiceEngine.ESPEAK, voice_id="no-such-voice"))
    request = audio_service_pb2.CheckVoicesRequest(characters=[to_proto(lacking, storyboard_pb2.Character)])
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CheckVoices(request, timeout=DEADLINE_S)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "voice_id 'no-such-voice' of speaker 'meera' is not an espeak-ng variant" in (refused.value.details() or "")
