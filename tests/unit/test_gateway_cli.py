"""The command line follows a job through the gateway's event stream, to done or cancelled."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from cli.client import GatewayClient
from cli.main import main
from cli.progress import follow
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import STORY, FakeServices, live_gateway
from tests.music_files import tiny_wav


def test_follow_draws_each_step_and_returns_the_finished_job(tmp_path: Path, fakes: FakeServices) -> None:
    console = Console(record=True, width=100, file=io.StringIO())
    with live_gateway(tmp_path, fakes) as url:
        client = GatewayClient(url)
        job = follow(client, client.submit(STORY), console)
        client.close()
    assert job["state"] == "done"
    drawn = console.export_text()
    assert all(step in drawn for step in ("planning", "speech", "visuals", "music", "composing"))
    assert "5/5" in drawn and "3/3" in drawn


def test_follow_ends_when_the_job_is_cancelled(tmp_path: Path, fakes: FakeServices) -> None:
    fakes.hold_renders()
    with live_gateway(tmp_path, fakes) as url:
        client = GatewayClient(url)
        job_id = client.submit(STORY)

        def cancel_when_rendering() -> None:
            while fakes.count("RenderShot") == 0:
                time.sleep(0.02)
            httpx.delete(f"{url}/v1/jobs/{job_id}", timeout=10).raise_for_status()

        threading.Thread(target=cancel_when_rendering, daemon=True).start()
        job = follow(client, job_id, Console(file=None, quiet=True))
        client.close()
    assert job["state"] == "cancelled"


def test_render_sends_every_option_and_the_music_file_and_saves_the_outputs(
    tmp_path: Path, fakes: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    story, music, film = tmp_path / "story.txt", tmp_path / "theme.ogg", tmp_path / "out" / "film.mp4"
    story.write_text(STORY, encoding="utf-8")
    music.write_bytes(tiny_wav())
    with live_gateway(tmp_path, fakes) as url:
        argv = ["render", str(story), "--gateway", url, "-o", str(film), "--profile", "preview",
                "--style", "ink wash", "--visual-backend", "animatic", "--music", str(music)]
        with pytest.raises(SystemExit) as ended:
            main(argv)
    assert ended.value.code == 0, capsys.readouterr().err
    rendered = fakes.requests["s01_01"]
    assert (rendered.width, rendered.height) == (640, 360)
    assert rendered.shot.visual_prompt.endswith(", ink wash")
    assert rendered.backend == visual_pb.VISUAL_BACKEND_ANIMATIC
    assert fakes.count("PrepareTrack") == 1 and fakes.count("ComposeMusic") == 0
    assert film.stat().st_size > 0 and film.with_suffix(".srt").read_text().startswith("1\n")
    assert film.with_suffix(".storyboard.json").is_file()


def test_render_refuses_a_missing_music_file_before_starting_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    with pytest.raises(SystemExit) as ended:
        main(["render", str(story), "--gateway", "http://127.0.0.1:9", "--music", str(tmp_path / "none.mp3")])
    assert ended.value.code == 2
    assert "the music file" in capsys.readouterr().err


def test_a_story_the_gateway_refuses_as_too_long_exits_2_with_one_line(
    tmp_path: Path, fakes: FakeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")  # under the local limit, over this gateway's
    with live_gateway(tmp_path, fakes, max_story_bytes=50) as url, pytest.raises(SystemExit) as ended:
        main(["render", str(story), "--gateway", url])
    assert ended.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "over the limit of 50" in err[0], err
