from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import UserError, main, read_story


def test_non_utf8_story_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("latin-1"))
    with pytest.raises(UserError, match=r"not UTF-8 text \(byte 0xe9 at offset 3\)"):
        read_story(path)


def test_empty_and_missing_stories(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n ")
    with pytest.raises(UserError, match="is empty"):
        read_story(empty)
    with pytest.raises(UserError, match="cannot read"):
        read_story(tmp_path / "absent.txt")


def test_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffकहानी".encode())
    assert read_story(path) == "कहानी"


def test_render_of_a_bad_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe broken")
    with pytest.raises(SystemExit) as exit_info:
        main(["render", str(path), "-o", str(tmp_path / "film.mp4")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("storyreel: error:")


def test_unreachable_gateway_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.stack import free_port

    path = tmp_path / "story.txt"
    path.write_text("A short story.")
    with pytest.raises(SystemExit) as exit_info:
        main(["render", str(path), "--gateway", f"http://127.0.0.1:{free_port()}"])
    assert exit_info.value.code == 1
    assert "cannot reach the gateway" in capsys.readouterr().err
