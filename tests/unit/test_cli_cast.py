"""storyreel render --cast NAME=FILE: the file is checked before anything starts; once the story is
planned the name is looked up among its characters and the picture sent (PUT .../reference), so
every shot of that character is drawn from it; a name that is no character is one line, exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from cli.main import main
from tests.gateway_fakes import STORY, FakeServices, live_gateway


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    return path


def _picture(path: Path, colour: tuple[int, int, int], kind: str = "PNG") -> Path:
    out = io.BytesIO()
    Image.new("RGB", (64, 96), colour).save(out, format=kind)
    path.write_bytes(out.getvalue())
    return path


def test_cast_gives_a_character_the_users_picture_for_every_one_of_her_shots(
    tmp_path: Path, fakes: FakeServices, story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meera = _picture(tmp_path / "meera.jpg", (200, 30, 40), "JPEG")
    film = tmp_path / "out" / "film.mp4"
    with live_gateway(tmp_path, fakes) as url, pytest.raises(SystemExit) as ended:
        main(["render", str(story), "--gateway", url, "-o", str(film), "--cast", f"meera={meera}"])  # an id works
    assert ended.value.code == 0, capsys.readouterr().err
    uploads = [r for r in fakes.reference_requests if r.upload_key]
    assert uploads and uploads[-1].character.id == "meera" and uploads[-1].upload_key.endswith(".jpg")
    latest = {shot: refs for shot, refs, _ in fakes.shot_references}
    picture = {refs["meera"] for refs in latest.values() if refs}
    assert {shot for shot, refs in latest.items() if refs} == {"s01_01", "s03_01"} and len(picture) == 1
    with Image.open(fakes.files.path(picture.pop())) as used:
        red, green, blue = used.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert red > 150 and green < 80 and blue < 80, "her shots are drawn from the JPEG, stored as PNG"
    assert film.stat().st_size > 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"not a picture at all", "is not a PNG or JPEG picture"),
     (b"\x89PNG\r\n\x1a\n broken", "not a picture Pillow can read")],
)
def test_a_bad_cast_file_is_one_line_before_anything_starts(
    tmp_path: Path, story: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    bad = tmp_path / "agnes.png"
    bad.write_bytes(content)
    with pytest.raises(SystemExit) as ended:  # no gateway listens on port 9: nothing may be sent
        main(["render", str(story), "--gateway", "http://127.0.0.1:9", "--cast", f"Agnes={bad}"])
    assert ended.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--cast Agnes=" in err[0] and reason in err[0], err


def test_a_missing_cast_file_and_a_bad_pair_are_one_line(
    tmp_path: Path, story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for value, reason in ((f"Agnes={tmp_path / 'none.png'}", "cannot read"), ("Agnes", "write NAME=FILE")):
        with pytest.raises(SystemExit) as ended:
            main(["render", str(story), "--gateway", "http://127.0.0.1:9", "--cast", value])
        assert ended.value.code == 2 and reason in capsys.readouterr().err


def test_a_cast_name_that_is_no_character_cancels_the_job_with_one_line(
    tmp_path: Path, fakes: FakeServices, story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agnes = _picture(tmp_path / "agnes.png", (10, 10, 200))
    fakes.hold_renders()  # the job cannot finish before the CLI has looked at its cast
    with live_gateway(tmp_path, fakes) as url, pytest.raises(SystemExit) as ended:
        main(["render", str(story), "--gateway", url, "-o", str(tmp_path / "film.mp4"), "--cast", f"Agnes={agnes}"])
    assert ended.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "the story has no character 'Agnes' (its characters: Meera)" in err[-1] and "is cancelled" in err[-1], err
    assert not [r for r in fakes.reference_requests if r.upload_key], "nothing was sent for her"
