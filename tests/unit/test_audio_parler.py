"""Speech with Parler-TTS (the `tts-gpu` extra), run for real on a tiny randomly initialised
model built here from a config: no download, the real loading, batched generation and WAV
writing. The weights are noise, so the tests check what does not depend on them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from services.audio import pcm, voices
from services.audio.backends import make_speech_engine
from services.audio.backends.espeak import SAMPLE_RATE as ESPEAK_RATE
from services.audio.backends.espeak import EspeakSpeech
from services.audio.models import SpeakInput
from services.audio.settings import AudioSettings, SpeechBackend
from storyreel.domain import NARRATOR, Character, Language, Line, Voice
from storyreel.errors import BackendError

pytest.importorskip("parler_tts", reason="the `tts-gpu` extra is not installed (scripts/install_audio_models.sh)")

from services.audio import tiny
from services.audio.backends.parler import ParlerOptions, ParlerSpeech

TINY_RATE = 16000
KNOWN = frozenset({*voices.CHARACTER_VARIANTS, voices.NARRATOR_VARIANT})
CAST = [Character(id="meera", name="Meera"), Character(id="arjun", name="Arjun")]
SHOT = [
    Line(text="One autumn evening the wind rose."),
    Line(text="दादी, आप रोज़ दीपक क्यों जलाती हैं?", language=Language.HI, speaker_id="arjun"),
    Line(text="Mr. Sharma ने ₹500 दिए।", language=Language.MIXED, speaker_id="meera"),
]


@pytest.fixture(scope="module", autouse=True)
def offline() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny.build_parler(tmp_path_factory.mktemp("tiny-parler"))


@pytest.fixture(scope="module")
def espeak() -> EspeakSpeech:
    return EspeakSpeech("espeak-ng", 0.3, -20.0, timeout_s=30)


def _engine(espeak: EspeakSpeech, model_dir: Path, speaks_hindi: bool = True) -> ParlerSpeech:
    return ParlerSpeech(espeak, ParlerOptions(str(model_dir), "cpu", speaks_hindi, max_line_s=0.8))


def _speak(engine: ParlerSpeech, tmp_path: Path, lines: list[Line], name: str = "s.wav"):
    clip = engine.speak(SpeakInput(shot_id="s01_01", lines=lines, characters=CAST, output_key="s.wav"), tmp_path / name)
    samples, rate = pcm.read_wav(tmp_path / name)
    return samples, rate, clip


def test_every_speaker_gets_a_description_of_their_own_and_keeps_it() -> None:
    people = [Character(id=id_, name=id_) for id_ in ("meera", "arjun", "gudiya", "sarla", "rahi")]
    prompts = voices.descriptions(people, Voice(), voices.cast(people, Voice(), KNOWN))
    reversed_cast = list(reversed(people))
    again = voices.descriptions(reversed_cast, Voice(), voices.cast(reversed_cast, Voice(), KNOWN))
    assert prompts == again
    assert prompts[NARRATOR] == voices.NARRATOR_DESCRIPTION
    assert len(set(prompts.values())) == len(prompts)


def test_every_slot_of_the_pool_has_its_own_description() -> None:
    described = {voices.describe(voices.EspeakVoice(variant, pitch, 165)) for variant, pitch in voices.CHARACTER_SLOTS}
    assert len(described) == len(voices.CHARACTER_SLOTS)


def test_a_voice_description_is_used_word_for_word() -> None:
    calm = "A calm elderly male voice, slow pace, close recording."
    people = [Character(id="dada", name="Dada", voice=Voice(description=calm))]
    assert voices.descriptions(people, Voice(), voices.cast(people, Voice(), KNOWN))["dada"] == calm


def test_a_described_voice_keeps_the_cast_sex_and_pitch_band() -> None:
    assert "low-pitched female" in voices.describe(voices.EspeakVoice("f4", 32, 165))
    assert "high-pitched male" in voices.describe(voices.EspeakVoice("m7", 68, 165))
    assert "slow pace" in voices.describe(voices.EspeakVoice("m7", 68, 150))


def test_english_hindi_and_mixed_lines_are_spoken_in_one_batch_into_one_wav(
    espeak: EspeakSpeech, model_dir: Path, tmp_path: Path
) -> None:
    engine = _engine(espeak, model_dir)
    samples, rate, clip = _speak(engine, tmp_path, SHOT)
    assert rate == TINY_RATE and samples.ndim == 1
    assert clip.duration_s == len(samples) / rate
    assert [span.end_s > span.start_s for span in clip.spans] == [True, True, True]
    for span in clip.spans:
        line = samples[round(span.start_s * rate) : round(span.end_s * rate)]
        assert 20 * np.log10(pcm.active_rms(line, rate)) > -30.0
    assert 20 * np.log10(pcm.peak(samples)) <= pcm.PEAK_CEILING_DBFS + 0.01


def test_the_model_is_loaded_once_and_the_same_shot_sounds_the_same(
    espeak: EspeakSpeech, model_dir: Path, tmp_path: Path
) -> None:
    engine = _engine(espeak, model_dir)
    assert engine.model is None
    first, _, _ = _speak(engine, tmp_path, SHOT[:2], "a.wav")
    model = engine.model
    again, _, _ = _speak(engine, tmp_path, SHOT[:2], "b.wav")
    assert engine.model is model
    assert np.array_equal(first, again)


def test_hindi_goes_to_espeak_ng_when_the_model_has_no_hindi(
    espeak: EspeakSpeech, model_dir: Path, tmp_path: Path
) -> None:
    engine = _engine(espeak, model_dir, speaks_hindi=False)
    samples, rate, _ = _speak(engine, tmp_path, [SHOT[1]])
    expected = pcm.resample(espeak.voice_line(0, SHOT[1], espeak.cast(_request([SHOT[1]]))["arjun"]), ESPEAK_RATE, rate)
    pcm.normalise(expected, rate, -20.0)
    assert len(samples) == len(expected)
    assert np.abs(samples - expected).max() < 2 / 32768


def _request(lines: list[Line]) -> SpeakInput:
    return SpeakInput(shot_id="s", lines=lines, characters=CAST, output_key="s.wav")


def test_the_setting_chooses_parler_and_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    settings = AudioSettings(speech_backend=SpeechBackend.PARLER, parler_model=str(tmp_path / "no-model"))
    engine = make_speech_engine(settings)
    assert isinstance(engine, ParlerSpeech)
    with pytest.raises(BackendError, match="cannot load the Parler-TTS model"):
        engine.speak(_request([SHOT[0]]), tmp_path / "x.wav")
    assert os.environ["HF_HUB_OFFLINE"] == "1"
