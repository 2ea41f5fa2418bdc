"""Speech through the real espeak-ng: what a listener (and the subtitle cues) would get."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.audio import measure, pcm
from services.audio.backends.espeak import SAMPLE_RATE, EspeakSpeech
from services.audio.models import SpeakInput
from services.audio.voices import CHARACTER_SLOTS, NARRATOR_VARIANT
from storyreel.domain import Character, Language, Line, Voice
from storyreel.errors import ToolFailed

LEVEL_DBFS = -20.0
PAUSE_S = 0.3


@pytest.fixture(scope="module")
def speech() -> EspeakSpeech:
    return EspeakSpeech("espeak-ng", PAUSE_S, LEVEL_DBFS, timeout_s=30)


def _request(*lines: Line, characters: list[Character] | None = None) -> SpeakInput:
    return SpeakInput(shot_id="s01_01", lines=list(lines), characters=characters or [], output_key="s.wav")


def _spoken(speech: EspeakSpeech, request: SpeakInput, tmp_path: Path) -> tuple[pcm.Samples, list[tuple[float, float]]]:
    output = tmp_path / f"{len(list(tmp_path.iterdir()))}.wav"
    clip = speech.speak(request, output)
    samples, rate = pcm.read_wav(output)
    assert rate == SAMPLE_RATE
    assert samples.ndim == 1
    assert clip.duration_s == len(samples) / SAMPLE_RATE
    return samples, [(span.start_s, span.end_s) for span in clip.spans]


def _dbfs(value: float) -> float:
    return float(20 * np.log10(max(value, 1e-9)))


def _median_pitch_hz(samples: pcm.Samples) -> float:
    return measure.median_pitch_hz(samples, SAMPLE_RATE)


def test_line_timings_tile_the_clip_with_a_pause_between_lines(speech: EspeakSpeech, tmp_path: Path) -> None:
    samples, spans = _spoken(
        speech,
        _request(Line(text="Old Meera lived by the river."), Line(text="Every evening she climbed the hill.")),
        tmp_path,
    )
    assert spans[0][0] == 0.0
    assert spans[-1][1] == len(samples) / SAMPLE_RATE
    assert spans[1][0] - spans[0][1] == pytest.approx(PAUSE_S, abs=1 / SAMPLE_RATE)
    pause = samples[round(spans[0][1] * SAMPLE_RATE) : round(spans[1][0] * SAMPLE_RATE)]
    assert not pause.any()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The boats are still out on the water.", Language.EN),
        ("गाँव के बाहर एक पुराना कुआँ था।", Language.HI),
        ('"दादी," Arjun said, "नमस्ते!"', Language.MIXED),
        ("-v hi --help", Language.EN),
    ],
)
def test_every_kind_of_line_is_spoken_at_the_target_level(
    speech: EspeakSpeech, tmp_path: Path, text: str, language: Language
) -> None:
    samples, spans = _spoken(speech, _request(Line(text=text, language=language)), tmp_path)
    assert spans[0][1] > 0.5
    assert abs(_dbfs(pcm.active_rms(samples, SAMPLE_RATE)) - LEVEL_DBFS) < 1.0
    assert _dbfs(float(np.abs(samples).max())) <= pcm.PEAK_CEILING_DBFS + 0.01


def test_a_mixed_line_speaks_both_languages(speech: EspeakSpeech, tmp_path: Path) -> None:
    english, _ = _spoken(speech, _request(Line(text="He said")), tmp_path)
    mixed, _ = _spoken(speech, _request(Line(text="He said नमस्ते दादी", language=Language.MIXED)), tmp_path)
    assert len(mixed) > len(english) + 0.4 * SAMPLE_RATE


def test_a_line_with_nothing_to_say_keeps_its_place(speech: EspeakSpeech, tmp_path: Path) -> None:
    samples, spans = _spoken(speech, _request(Line(text="Hello."), Line(text="..."), Line(text="Bye.")), tmp_path)
    assert spans[1][0] == spans[1][1] == spans[0][1]
    assert spans[2][0] - spans[0][1] == pytest.approx(PAUSE_S, abs=1 / SAMPLE_RATE)
    assert spans[2][1] == len(samples) / SAMPLE_RATE


def test_a_shot_with_nothing_to_say_is_a_short_silence(speech: EspeakSpeech, tmp_path: Path) -> None:
    samples, spans = _spoken(speech, _request(Line(text="— !")), tmp_path)
    assert spans == [(0.0, 0.0)]
    assert len(samples) == round(PAUSE_S * SAMPLE_RATE)
    assert not samples.any()


def test_a_character_sounds_the_same_in_every_shot(speech: EspeakSpeech, tmp_path: Path) -> None:
    cast = [Character(id="arjun", name="Arjun"), Character(id="meera", name="Meera")]
    line = Line(text="Stay at home tonight.", speaker_id="arjun")
    first, _ = _spoken(speech, _request(line, characters=cast), tmp_path)
    again, _ = _spoken(speech, _request(line, characters=list(reversed(cast))), tmp_path)
    assert np.array_equal(first, again)


def test_characters_sound_measurably_different(speech: EspeakSpeech, tmp_path: Path) -> None:
    cast = [
        Character(id="meera", name="Meera", voice=Voice(voice_id="f2")),
        Character(id="arjun", name="Arjun", voice=Voice(voice_id="m1")),
    ]
    text = "The boats are still out on the water, hold the lantern high."
    pitches = [
        _median_pitch_hz(_spoken(speech, _request(Line(text=text, speaker_id=who), characters=cast), tmp_path)[0])
        for who in ("meera", "arjun", "")
    ]
    assert pitches[0] > 1.3 * pitches[1]
    assert pitches[0] > 1.3 * pitches[2]


TALK = "The boats are still out on the water, hold the lantern high and wait for me."


def test_every_two_voices_of_the_pool_and_the_narrator_differ_measurably(speech: EspeakSpeech, tmp_path: Path) -> None:
    cast = [
        Character(id=f"c{number:02d}", name=f"C{number}", voice=Voice(voice_id=variant, pitch=pitch))
        for number, (variant, pitch) in enumerate(CHARACTER_SLOTS)
    ]
    speakers = ["", *(character.id for character in cast)]
    request = _request(*(Line(text=TALK, speaker_id=who) for who in speakers), characters=cast)
    samples, spans = _spoken(speech, request, tmp_path)
    voiced = [samples[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)] for start, end in spans]
    alike = [
        (speakers[one], speakers[other])
        for one in range(len(voiced))
        for other in range(one + 1, len(voiced))
        if not measure.voices_differ(voiced[one], voiced[other], SAMPLE_RATE)
    ]
    assert not alike
    assert NARRATOR_VARIANT not in {variant for variant, _ in CHARACTER_SLOTS}


@pytest.mark.parametrize("text", [TALK, "गाँव के बाहर एक पुराना कुआँ था, दादी रोज़ दीपक जलाती थीं।"], ids=["english", "hindi"])
def test_characters_cast_automatically_who_talk_in_one_shot_sound_different(
    speech: EspeakSpeech, tmp_path: Path, text: str
) -> None:
    cast = [Character(id=id_, name=id_.title()) for id_ in ("meera", "arjun", "gudiya", "sarla", "rahi")]
    speakers = ["", *(character.id for character in cast)]
    language = Language.HI if text != TALK else Language.EN
    request = _request(*(Line(text=text, language=language, speaker_id=who) for who in speakers), characters=cast)
    samples, spans = _spoken(speech, request, tmp_path)
    voiced = [samples[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)] for start, end in spans]
    for one in range(len(voiced)):
        for other in range(one + 1, len(voiced)):
            assert measure.voices_differ(voiced[one], voiced[other], SAMPLE_RATE), (speakers[one], speakers[other])


def test_a_missing_espeak_ng_is_a_clear_tool_failure(tmp_path: Path) -> None:
    missing = EspeakSpeech("espeak-ng-not-installed", PAUSE_S, LEVEL_DBFS, timeout_s=5)
    with pytest.raises(ToolFailed, match="espeak-ng-not-installed is not installed"):
        missing.speak(_request(Line(text="Hello.")), tmp_path / "x.wav")
