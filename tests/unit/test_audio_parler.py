"""Speech with Parler-TTS (the `tts-gpu` extra), run for real on a tiny randomly initialised
model built here from a config: no download, the real loading, batched generation and WAV
writing. The weights are noise, so the tests check what does not depend on them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.audio import pcm, speakers, voices
from services.audio.backends import make_speech_engine
from services.audio.backends.espeak import SAMPLE_RATE as ESPEAK_RATE
from services.audio.backends.espeak import EspeakSpeech
from services.audio.models import SpeakInput
from services.audio.settings import Attention, AudioSettings, ParlerSpeakers, SpeechBackend, TorchDtype
from storyreel.domain import NARRATOR, Character, Language, Line, Voice, VoiceEngine
from storyreel.errors import BackendError, InvalidInput

pytest.importorskip("parler_tts", reason="the `tts-gpu` extra is not installed (scripts/install_audio_models.sh)")

from services.audio import tiny
from services.audio.backends.parler import (
    ParlerOptions,
    ParlerSpeech,
    Precision,
    choose_precision,
    description_tokenizer_name,
)

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


# --------------------------------------------------------------------------- one voice per speaker


class GenerateSpy:
    """Stands in for model.generate, recording what each call was given, then generating for real."""

    def __init__(self, generate: Any, tokenizer: Any) -> None:
        self.generate, self.tokenizer = generate, tokenizer
        self.calls: list[tuple[list[str], list[str], int]] = []

    def __call__(self, **kwargs: Any) -> Any:
        torch = pytest.importorskip("torch")
        descriptions = self.tokenizer.batch_decode(kwargs["input_ids"], skip_special_tokens=True)
        texts = self.tokenizer.batch_decode(kwargs["prompt_input_ids"], skip_special_tokens=True)
        self.calls.append((descriptions, texts, torch.initial_seed()))
        return self.generate(**kwargs)


def _spy(engine: ParlerSpeech, model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> GenerateSpy:
    transformers = pytest.importorskip("transformers")
    spy = GenerateSpy(engine.model.generate, transformers.AutoTokenizer.from_pretrained(model_dir))
    monkeypatch.setattr(engine.model, "generate", spy)
    return spy


def test_a_characters_named_speaker_description_and_seed_are_the_same_in_every_shot(
    espeak: EspeakSpeech, model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(espeak, model_dir)
    _speak(engine, tmp_path, [SHOT[0]], "warm.wav")  # loads the model
    spy = _spy(engine, model_dir, monkeypatch)
    shots = [
        [Line(text="Hold the lantern high."), Line(text="Grandmother, the storm!", speaker_id="arjun")],
        [Line(text="Do not let it go out.", speaker_id="meera"), Line(text="The rain came down hard.")],
        [Line(text="Where is the well?", speaker_id="arjun"), Line(text="By the river.", speaker_id="meera")],
    ]
    for number, lines in enumerate(shots):
        request = SpeakInput(shot_id=f"s01_0{number}", lines=lines, characters=CAST, output_key="s.wav")
        engine.speak(request, tmp_path / f"{number}.wav")
    seen: dict[str, set[tuple[str, int]]] = {}
    for descriptions, _, seed in spy.calls:
        assert len(set(descriptions)) == 1  # a batch is one speaker's
        speaker = descriptions[0].split()[0]  # "Jon speaks at a moderate pace..."
        assert speaker in speakers.PARLER_ROSTER  # the tiny model's name does not say indic
        seen.setdefault(speaker, set()).add((descriptions[0], seed))
    assert len(seen) == 3  # the narrator, Arjun and Meera: three named speakers
    assert all(len(voice) == 1 for voice in seen.values())  # each with one description and one seed throughout


def test_the_cast_gets_named_speakers_of_its_language_and_gender_whatever_the_order() -> None:
    cast = [
        Character(id="c_dadi", name="दादी", voice=Voice(voice_id="f4", description="An elderly woman's soft voice.")),
        Character(id="c_hamid", name="हामिद", description="a thin boy of ten"),
        Character(id="c_amina", name="अमीना", description="a young Indian woman"),
        Character(id="c_mahmood", name="महमूद", voice=Voice(description="A man's clear voice.")),
        Character(id="c_sahib", name="Mr. Brown", description="an old Englishman"),
    ]
    chosen = [
        speakers.cast_parler(people, Voice(), voices.cast(people, Voice(), KNOWN), ParlerSpeakers.INDIC)
        for people in (cast, list(reversed(cast)))
    ]
    assert chosen[0] == chosen[1]
    names = {speaker: voice.speaker for speaker, voice in chosen[0].items()}
    assert names == {
        NARRATOR: "Rohit",  # most of the cast is Hindi: so is the narrator; a male voice (espeak m3)
        "c_amina": "Divya",
        "c_dadi": "Rani",
        "c_hamid": "Aman",
        "c_mahmood": "Rohit",  # Hindi has two male speakers: the third male goes round again
        "c_sahib": "Thoma",
    }
    assert "young, bright voice" in chosen[0]["c_hamid"].description  # a boy of ten
    assert chosen[0]["c_dadi"].description.startswith("Rani speaks. An elderly woman's soft voice.")
    assert chosen[0]["c_mahmood"].seed != chosen[0][NARRATOR].seed


def test_an_english_parler_model_casts_from_its_34_speakers_and_a_voice_may_name_one() -> None:
    cast = [
        Character(id="jim", name="Jim", voice=Voice(engine=VoiceEngine.PARLER, voice_id="gary")),
        Character(id="della", name="Della", description="a young woman"),
    ]
    chosen = speakers.cast_parler(cast, Voice(), voices.cast(cast, Voice(), KNOWN), ParlerSpeakers.PARLER)
    assert {speaker: voice.speaker for speaker, voice in chosen.items()} == {
        NARRATOR: "Jon",
        "jim": "Gary",
        "della": "Lea",
    }
    narrated = speakers.cast_parler(cast, Voice(), voices.cast(cast, Voice(), KNOWN), ParlerSpeakers.PARLER, "Will")
    assert narrated[NARRATOR].speaker == "Will"


def test_a_voice_naming_a_speaker_the_model_does_not_have_is_invalid_input() -> None:
    cast = [Character(id="jim", name="Jim", voice=Voice(engine=VoiceEngine.PARLER, voice_id="Rohit"))]
    with pytest.raises(InvalidInput, match="'Rohit' of speaker 'jim' is not a named speaker"):
        speakers.cast_parler(cast, Voice(), voices.cast(cast, Voice(), KNOWN), ParlerSpeakers.PARLER)


def test_the_roster_follows_the_model_name_unless_set() -> None:
    assert speakers.roster_for(ParlerSpeakers.AUTO, "ai4bharat/indic-parler-tts") == ParlerSpeakers.INDIC
    assert speakers.roster_for(ParlerSpeakers.AUTO, "parler-tts/parler-tts-mini-v1.1") == ParlerSpeakers.PARLER
    assert speakers.roster_for(ParlerSpeakers.INDIC, "/models/my-parler") == ParlerSpeakers.INDIC


# --------------------------------------------------------------------------- long lines


def test_a_line_longer_than_the_model_can_say_at_once_is_spoken_whole_in_pieces(
    espeak: EspeakSpeech, model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(espeak, model_dir)  # max_line_s 0.8: at most 6 characters a piece
    _speak(engine, tmp_path, [SHOT[0]], "warm.wav")
    spy = _spy(engine, model_dir, monkeypatch)
    long_line = Line(text="The wind rose. The rain fell, and the river rose too; नदी भर गई।")
    _, _, clip = _speak(engine, tmp_path, [long_line])
    (texts,) = [texts for _, texts, _ in spy.calls]
    assert len(texts) > 1 and all(len(piece) <= engine.options.max_piece_chars for piece in texts)
    assert " ".join(texts) == "The wind rose. The rain fell, and the river rose too; नदी भर गई।"
    (span,) = clip.spans
    assert span.start_s == 0.0 and span.end_s == clip.duration_s  # the line's timing spans all of it
    assert span.end_s > 2 * engine.options.max_line_s  # more than one generation's worth of speech


# --------------------------------------------------------------------------- precision and tokenizers


@pytest.mark.parametrize(
    ("device", "dtype", "attention", "expected"),
    [
        ("cuda", TorchDtype.AUTO, Attention.AUTO, Precision("bfloat16", "sdpa")),
        ("cuda:1", TorchDtype.AUTO, Attention.AUTO, Precision("bfloat16", "sdpa")),
        ("cpu", TorchDtype.AUTO, Attention.AUTO, Precision("float32", "sdpa")),
        ("cuda", TorchDtype.FLOAT16, Attention.EAGER, Precision("float16", "eager")),
        ("cpu", TorchDtype.BFLOAT16, Attention.AUTO, Precision("bfloat16", "sdpa")),
    ],
)
def test_auto_precision_is_bfloat16_with_sdpa_on_cuda_and_float32_on_the_cpu(
    device: str, dtype: TorchDtype, attention: Attention, expected: Precision
) -> None:
    assert choose_precision(device, dtype, attention) == expected


def test_the_cpu_runs_float32_with_sdpa_end_to_end(espeak: EspeakSpeech, model_dir: Path, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    engine = make_speech_engine(
        AudioSettings(speech_backend=SpeechBackend.PARLER, parler_model=str(model_dir), device="cpu")
    )
    assert isinstance(engine, ParlerSpeech)
    samples, _, _ = _speak(engine, tmp_path, [SHOT[0]])
    assert engine.model.dtype == torch.float32
    assert engine.model.decoder.config._attn_implementation == "sdpa"
    assert np.isfinite(samples).all() and samples.any()


def test_bfloat16_weights_speak_too(espeak: EspeakSpeech, model_dir: Path, tmp_path: Path) -> None:
    """What CUDA gets by default, run here on the CPU: the bfloat16 audio comes back as float32 samples."""
    torch = pytest.importorskip("torch")
    options = ParlerOptions(str(model_dir), "cpu", True, max_line_s=0.8, dtype=TorchDtype.BFLOAT16)
    engine = ParlerSpeech(espeak, options)
    samples, _, _ = _speak(engine, tmp_path, [SHOT[0]])
    assert engine.model.dtype == torch.bfloat16
    assert samples.dtype == np.float32 and np.isfinite(samples).all() and samples.any()


def test_the_description_tokenizer_is_the_setting_else_the_one_the_config_names(
    espeak: EspeakSpeech, model_dir: Path, tmp_path: Path
) -> None:
    transformers = pytest.importorskip("transformers")
    config = pytest.importorskip("parler_tts").ParlerTTSConfig.from_pretrained(model_dir)
    assert description_tokenizer_name(config, "m", "") == "m"  # the tiny model's config names none
    config.text_encoder._name_or_path = "google/flan-t5-large"  # as Parler v1 and indic-parler-tts do
    assert description_tokenizer_name(config, "m", "") == "google/flan-t5-large"
    assert description_tokenizer_name(config, "m", "/models/flan-t5-large") == "/models/flan-t5-large"
    # The setting reaches the loader: a folder with a tokenizer that is not the model's.
    other = tmp_path / "descriptions"
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    tokenizer.add_tokens(["<only-in-the-other-tokenizer>"])
    tokenizer.save_pretrained(other)
    settings = AudioSettings(
        speech_backend=SpeechBackend.PARLER, parler_model=str(model_dir), device="cpu",
        parler_description_tokenizer=str(other), parler_max_s=0.8,
    )  # fmt: skip
    engine = make_speech_engine(settings)
    assert isinstance(engine, ParlerSpeech)
    _speak(engine, tmp_path, [SHOT[0]])
    assert engine._loaded is not None
    assert "<only-in-the-other-tokenizer>" in engine._loaded.description_tokenizer.get_vocab()
    assert "<only-in-the-other-tokenizer>" not in engine._loaded.prompt_tokenizer.get_vocab()


def test_casting_names_each_speakers_parler_voice_without_loading_the_model(
    espeak: EspeakSpeech, model_dir: Path
) -> None:
    engine = _engine(espeak, model_dir)
    cast = engine.cast_voices(CAST, Voice())
    assert cast.keys() == {NARRATOR, "meera", "arjun"}
    assert all(voice.startswith("Parler-TTS ") for voice in cast.values())
    assert len(set(cast.values())) == 3
    assert engine.model is None, "checking a cast must not load the model"
    assert cast == {speaker: f"Parler-TTS {voice.speaker}" for speaker, voice in engine.voices(
        SpeakInput(shot_id="s01_01", characters=CAST, output_key="s.wav")).items()}
