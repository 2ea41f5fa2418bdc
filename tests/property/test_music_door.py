"""The door's music check on any bytes: it answers what the file is or refuses it in words
(InvalidInput, a 422), never with another exception (a 500): whatever was uploaded, however cut
or corrupted."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.musicfile import MusicInfo, check_music
from storyreel.errors import InvalidInput
from tests.music_files import tiny_wav


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("music")
    made = [tiny_wav(1.2)]
    for suffix, extra in ((".mp3", ["-b:a", "32k"]), (".ogg", []), (".opus", []), (".flac", [])):
        out = folder / f"tone{suffix}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1.5",
                        *extra, str(out)], check=True, timeout=60)
        made.append(out.read_bytes())
    return made


def answer(data: bytes) -> MusicInfo | str:
    try:
        return check_music(io.BytesIO(data), "upload")
    except InvalidInput as refused:
        return str(refused)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"RIFF", b"OggS", b"fLaC", b"ID3", b"\xff\xfb", b"\xff\xf8"]).flatmap(
        lambda head: st.binary(max_size=200).map(lambda tail: head + tail)),
))
def test_any_bytes_get_an_answer_or_a_refusal_in_words(data: bytes) -> None:
    result = answer(data)
    assert isinstance(result, MusicInfo | str)
    if isinstance(result, str):
        assert result.startswith("the music file 'upload' cannot be used: ")


FLIPS = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 4), cut=st.floats(0, 1), flips=FLIPS)
def test_cut_or_corrupted_audio_files_get_an_answer_or_a_refusal_in_words(
    samples: list[bytes], which: int, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(samples[which][: max(1, round(len(samples[which]) * cut))])
    for where, value in flips:
        data[min(len(data) - 1, round(where * len(data)))] = value
    result = answer(bytes(data))
    if cut == 1 and not flips:
        assert isinstance(result, MusicInfo), result


def test_the_whole_samples_are_accepted(samples: list[bytes]) -> None:
    kinds = [answer(data) for data in samples]
    assert [info.kind for info in kinds if isinstance(info, MusicInfo)] == ["wav", "mp3", "ogg", "ogg", "flac"]


def test_a_path_is_not_needed(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(tiny_wav())
    with path.open("rb") as handle:
        assert check_music(handle, "x.wav").kind == "wav"
