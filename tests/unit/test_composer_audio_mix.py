"""The audio: speech laid on exact sample slots, music placed and ducked under speech, the master
at its loudness target without clipping. The mixing tests run real ffmpeg on short tones."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from bench.composer_bench import make_tone
from services.composer.audio_mix import (
    SPEECH_REFERENCE_LUFS,
    Master,
    MusicSlot,
    PlacedCue,
    SpeechSlot,
    gain_to,
    master_argv,
    music_layers,
    pieces_within,
    premix_argv,
    speech_part_argv,
    speech_part_filter,
)
from services.composer.ffsyntax import concat_list
from services.composer.settings import AacCoder
from services.composer.timeline import AUDIO_RATE
from services.composer.verify import integrated_loudness
from storyreel.errors import InvalidInput
from storyreel.media import ffmpeg

TOTAL = 10 * AUDIO_RATE


def cue(start_s: float, duration_s: float) -> PlacedCue:
    return PlacedCue(Path(f"/music/{start_s}.wav"), start_s, duration_s)


def _spans(slots: list[MusicSlot]) -> list[tuple[int, int, int]]:
    return [(s.start_sample, s.play_samples, s.slot_samples) for s in slots]


def test_music_cues_alternate_layers_each_filling_to_its_next_cue_and_the_films_end() -> None:
    first, second = music_layers([cue(6.0, 3.0), cue(1.0, 5.0), cue(9.0, 1.0)], TOTAL)
    assert _spans(first) == [(1 * AUDIO_RATE, 5 * AUDIO_RATE, 8 * AUDIO_RATE), (9 * AUDIO_RATE, AUDIO_RATE, AUDIO_RATE)]
    assert _spans(second) == [(6 * AUDIO_RATE, 3 * AUDIO_RATE, 4 * AUDIO_RATE)]


def test_music_past_the_end_is_cut_or_dropped() -> None:
    assert [_spans(layer) for layer in music_layers([cue(8.0, 30.0), cue(12.0, 5.0)], TOTAL)] == [
        [(8 * AUDIO_RATE, 2 * AUDIO_RATE, 2 * AUDIO_RATE)]
    ]


def test_overlapping_cues_crossfade_over_their_overlap() -> None:
    first, second = music_layers([cue(0.0, 6.5), cue(5.0, 5.0)], TOTAL)
    assert (first[0].fade_in_s, first[0].fade_out_s) == (1.0, 1.5)
    assert (second[0].fade_in_s, second[0].fade_out_s) == (1.5, 1.0)


@pytest.mark.parametrize("cues", [[cue(0.0, 8.0), cue(2.0, 8.0)], [cue(0.0, 3.0), cue(2.0, 1.5)]])
def test_cues_may_not_overlap_more_than_a_crossfade(cues: list[PlacedCue]) -> None:
    with pytest.raises(InvalidInput, match="music cues overlap too much"):
        music_layers(cues, TOTAL)


def test_a_segment_gets_the_pieces_of_music_under_it() -> None:
    (slots,) = music_layers([cue(2.0, 3.0)], TOTAL)  # one slot from 2 s to the end
    lead, pieces = pieces_within(slots, 0, 4 * AUDIO_RATE)
    assert lead == 2 * AUDIO_RATE
    assert [(p.slot.start_sample, p.first, p.last) for p in pieces] == [(2 * AUDIO_RATE, 0, 2 * AUDIO_RATE)]
    lead, pieces = pieces_within(slots, 4 * AUDIO_RATE, 8 * AUDIO_RATE)
    assert lead == 0
    assert [(p.slot.start_sample, p.first, p.last) for p in pieces] == [
        (2 * AUDIO_RATE, 2 * AUDIO_RATE, 6 * AUDIO_RATE)
    ]
    assert pieces_within([], 0, AUDIO_RATE) == (AUDIO_RATE, [])


def test_music_cut_across_segments_joins_seamlessly(tmp_path: Path) -> None:
    """The same cue rendered in one piece or in two segments gives the same samples."""
    make_tone(tmp_path / "music.wav", 4.0, 300, 44100, 2)
    make_tone(tmp_path / "voice.wav", 4.0, 1000, 48000, 1, volume=0.0)
    layers = music_layers([PlacedCue(tmp_path / "music.wav", 0.5, 3.0)], 4 * AUDIO_RATE)

    def render(start: int, end: int, name: str) -> bytes:
        music = [pieces_within(slots, start, end) for slots in layers]
        ffmpeg(speech_part_argv([SpeechSlot(tmp_path / "voice.wav", end - start)], tmp_path / f"v_{name}.wav"), 30)
        ffmpeg(premix_argv(tmp_path / f"v_{name}.wav", music, 0.0, tmp_path / f"{name}.wav"), 30)
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(tmp_path / f"{name}.wav"), "-f", "f32le", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        assert len(raw) == (end - start) * 2 * 4  # stereo float samples, exactly the window
        return raw

    whole = render(0, 4 * AUDIO_RATE, "whole")
    split = render(0, 2 * AUDIO_RATE, "a") + render(2 * AUDIO_RATE, 4 * AUDIO_RATE, "b")
    assert len(whole) == len(split)
    difference = np.abs(np.frombuffer(whole, np.float32) - np.frombuffer(split, np.float32)).max()
    assert difference < 1e-4


def test_speech_filter_gives_silent_shots_generated_silence() -> None:
    graph = speech_part_filter([SpeechSlot(Path("a.wav"), 100), SpeechSlot(None, 200), SpeechSlot(Path("b.wav"), 300)])
    chains = graph.split(";")
    assert chains[0].startswith("[0:a]") and chains[0].endswith("atrim=end_sample=100[s0]")
    assert chains[1].startswith("anullsrc=") and chains[1].endswith("atrim=end_sample=200[s1]")
    assert chains[2].startswith("[1:a]") and chains[2].endswith("atrim=end_sample=300[s2]")
    assert chains[3] == "[s0][s1][s2]concat=n=3:v=0:a=1[speech]"


def wav_frames(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path)) as wav:
        return wav.getnframes(), wav.getframerate(), wav.getnchannels()


def test_speech_of_any_rate_lands_on_exact_slots(tmp_path: Path) -> None:
    make_tone(tmp_path / "short.wav", 0.5, 440, 22050, 1)  # padded with silence
    make_tone(tmp_path / "long.wav", 3.0, 440, 44100, 2)  # cut
    slots = [
        SpeechSlot(tmp_path / "short.wav", 48_000),
        SpeechSlot(None, 1_000),
        SpeechSlot(tmp_path / "long.wav", 24_000),
    ]
    ffmpeg(speech_part_argv(slots, tmp_path / "part.wav"), 30)
    assert wav_frames(tmp_path / "part.wav") == (73_000, AUDIO_RATE, 1)


def band_mean_db(path: Path, start_s: float, end_s: float, band: str) -> float:
    result = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(path), "-af", f"atrim={start_s}:{end_s},{band},{band},volumedetect",
         "-f", "null", "-"],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    match = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", result.stderr)
    assert match is not None
    return float(match.group(1)) if match.group(1) != "-inf" else -200.0


def test_gain_to_levels_sound_but_leaves_silence_alone() -> None:
    assert gain_to(-20.0, -32.5) == pytest.approx(12.5)
    assert gain_to(-20.0, -70.0) == 0.0
    assert gain_to(-20.0, -100.0 + 45) == pytest.approx(35.0)


@pytest.fixture(params=list(AacCoder))
def mixed(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """4 s of quiet 'speech' (1 kHz) then 4 s of silence, under 8 s of music (150 Hz) 20 dB louder than
    the speech, levelled and mixed the way the composer does it, with each AAC coder a setting may pick."""
    make_tone(tmp_path / "voice.wav", 4.0, 1000, 22050, 1, volume=0.1)
    make_tone(tmp_path / "music.wav", 8.0, 150, 44100, 2, volume=1.0)
    ffmpeg(speech_part_argv([SpeechSlot(tmp_path / "voice.wav", 8 * AUDIO_RATE)], tmp_path / "speech_0.wav"), 30)
    voice_gain = gain_to(SPEECH_REFERENCE_LUFS, integrated_loudness(tmp_path / "speech_0.wav", 30))
    music_gain = gain_to(SPEECH_REFERENCE_LUFS - 10, integrated_loudness(tmp_path / "music.wav", 30))
    slots = [MusicSlot(tmp_path / "music.wav", 0, 8 * AUDIO_RATE, 8 * AUDIO_RATE, music_gain)]
    music = [pieces_within(slots, 0, 8 * AUDIO_RATE)]
    ffmpeg(premix_argv(tmp_path / "speech_0.wav", music, voice_gain, tmp_path / "premix_0.wav"), 30)
    (tmp_path / "premix.ffconcat").write_text(concat_list(["premix_0.wav"]))
    gain = gain_to(-16.0, integrated_loudness(tmp_path / "premix_0.wav", 30))
    master = Master(gain, -1.5, 8 * AUDIO_RATE, 128, request.param)
    ffmpeg(master_argv(tmp_path / "premix.ffconcat", master, tmp_path / "mix.m4a"), 30)
    return tmp_path / "mix.m4a"


def test_music_ducks_under_speech_and_comes_back_after(mixed: Path) -> None:
    speech = band_mean_db(mixed, 1.0, 3.5, "highpass=f=600")
    music_under_speech = band_mean_db(mixed, 1.0, 3.5, "lowpass=f=300")
    music_alone = band_mean_db(mixed, 5.5, 7.5, "lowpass=f=300")
    assert speech - music_under_speech >= 15, "speech must stand well above the music"
    assert music_alone - music_under_speech >= 6, "the music must come back up when speech stops"


def test_the_master_hits_its_loudness_target_without_clipping(mixed: Path) -> None:
    assert integrated_loudness(mixed, 30) == pytest.approx(-16.0, abs=1.0)
    result = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(mixed), "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    peak = re.search(r"max_volume: (-?[\d.]+) dB", result.stderr)
    assert peak is not None and float(peak.group(1)) <= -1.0
    frames = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=duration", "-of", "csv=p=0",
         str(mixed)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    assert float(frames.stdout) == pytest.approx(8.0, abs=0.03)


def test_adjacent_scene_cues_crossfade_without_a_dip(tmp_path: Path) -> None:
    """Two scenes' music, the first running one crossfade into the second (as the gateway asks):
    the music never dips at the join, as it would if one faded out before the other faded in."""
    make_tone(tmp_path / "a.wav", 5.0, 220, 44100, 2, volume=0.5)
    make_tone(tmp_path / "b.wav", 4.0, 330, 44100, 2, volume=0.5)
    make_tone(tmp_path / "silence.wav", 8.0, 1000, 48000, 1, volume=0.0)
    cues = [PlacedCue(tmp_path / "a.wav", 0.0, 5.0), PlacedCue(tmp_path / "b.wav", 4.0, 4.0)]
    layers = music_layers(cues, 8 * AUDIO_RATE)
    ffmpeg(speech_part_argv([SpeechSlot(tmp_path / "silence.wav", 8 * AUDIO_RATE)], tmp_path / "speech.wav"), 30)
    music = [pieces_within(slots, 0, 8 * AUDIO_RATE) for slots in layers]
    ffmpeg(premix_argv(tmp_path / "speech.wav", music, 0.0, tmp_path / "premix.wav"), 30)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tmp_path / "premix.wav"), "-ac", "1", "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    samples = np.frombuffer(raw, np.float32)
    window = AUDIO_RATE // 20  # 50 ms
    rms = [float(np.sqrt(np.mean(samples[i : i + window] ** 2))) for i in range(0, len(samples) - window, window)]
    steady = np.median(rms[int(1.5 * 20) : int(3.5 * 20)])
    join = rms[int(3.9 * 20) : int(5.1 * 20)]  # the crossfade, 4 s to 5 s
    assert min(join) > 0.5 * steady, f"the music dips to {min(join) / steady:.2f} of its level at the join"
