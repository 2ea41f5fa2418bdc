"""The command line refuses a bad option or setting before it starts anything: exit 2, one line
naming the option or the key, no process, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli_main
from cli.checks import OptionError, check_settings, parse_voices
from cli.main import main, output_paths

ROOT = Path(__file__).resolve().parents[2]


class _NoStack:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the stack was started for a command that should have been refused")


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setattr(cli_main, "LocalStack", _NoStack)
    monkeypatch.setattr(cli_main, "running_stack", _NoStack)
    path = tmp_path / "story.txt"
    path.write_text('Old Meera lit the lantern. "Hold it high," she said.', encoding="utf-8")
    return path


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and not captured.out
    return lines[0]


@pytest.mark.parametrize(("options", "says"), [
    (["--max-minutes", "-1"], "--max-minutes: input should be greater than or equal to 0"),
    (["--max-minutes", "601"], "--max-minutes: input should be less than or equal to 600"),
    (["--max-minutes", "soon"], "argument --max-minutes: invalid float value: 'soon'"),
    (["--language", "fr"], "argument --language: invalid choice: 'fr'"),
    (["--profile", "4k"], "argument --profile: invalid choice: '4k'"),
    (["--visual-backend", "dall-e"], "--visual-backend 'dall-e' is not one of: animatic, comfyui, diffusers"),
    (["--style", "x" * 301], "--style: string should have at most 300 characters"),
    (["--title", "t" * 301], "--title: string should have at most 300 characters"),
    (["--voice", "Meera"], "--voice 'Meera': write NAME=VOICE"),
    (["--voice", "Meera=klingon:kx"], "--voice Meera: input should be 'espeak', 'parler' or 'piper'"),
    (["-o", "film.avi"], "-o film.avi: the film is an MP4"),
    (["--colour", "red"], "unrecognized arguments: --colour red"),
    (["--subtitles", "karaoke"], "argument --subtitles: invalid choice: 'karaoke'"),
    (["--subtitle-size", "huge"], "argument --subtitle-size: invalid choice: 'huge'"),
    (["--subtitle-position", "middle"], "argument --subtitle-position: invalid choice: 'middle'"),
])
def test_a_bad_render_option_exits_2_with_one_line_before_anything_starts(
    story: Path, capsys: pytest.CaptureFixture[str], options: list[str], says: str
) -> None:
    line = _refused(["render", str(story), *options], capsys)
    assert says in line, line
    assert line.startswith("storyreel")


def test_a_bad_port_for_serve(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "99999 is not a port (0 to 65535)" in _refused(["serve", "--port", "99999"], capsys)


@pytest.mark.parametrize(("key", "value", "says"), [
    ("STORYREEL_GATEWAY_WIDHT", "320", "unknown setting STORYREEL_GATEWAY_WIDHT in the environment; did you mean "
                                       "STORYREEL_GATEWAY_WIDTH?"),
    ("STORYREEL_ARTIFACTS_ROOT", "/tmp", "unknown setting STORYREEL_ARTIFACTS_ROOT in the environment; did you "
                                         "mean STORYREEL_ARTIFACT_ROOT?"),
    ("STORYREEL_VISUAL_NOTHING_LIKE_IT", "1", "unknown setting STORYREEL_VISUAL_NOTHING_LIKE_IT in the environment"),
    ("STORYREEL_GATEWAY_WIDTH", "wide", "setting STORYREEL_GATEWAY_WIDTH='wide' is not valid: input should be"),
    ("STORYREEL_LAUNCHER_RESTART_LIMIT", "-3", "setting STORYREEL_LAUNCHER_RESTART_LIMIT='-3' is not valid"),
])
def test_a_misspelled_or_invalid_setting_names_the_key_in_one_line(
    story: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str, value: str, says: str
) -> None:
    monkeypatch.setenv(key, value)
    for command in (["render", str(story)], ["serve"]):
        assert says.casefold() in _refused(command, capsys).casefold()


def test_a_secret_that_is_refused_is_not_echoed(story: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYREEL_SERVICE_TOKEN", "hunter2")
    line = _refused(["serve"], capsys)
    assert "STORYREEL_SERVICE_TOKEN" in line and "hunter2" not in line


def test_settings_in_dotenv_are_checked_and_script_keys_are_left_alone(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("STORYREEL_COMPOSER_PROFLE=720p\n")
    with pytest.raises(OptionError, match=f"STORYREEL_COMPOSER_PROFLE in {env_file}; did you mean "
                                          "STORYREEL_COMPOSER_PROFILE"):
        check_settings({}, env_file)
    env_file.write_text("STORYREEL_COMPOSER_PROFILE=720p\n")
    check_settings({"STORYREEL_TAG": "dev", "STORYREEL_COMFYUI_HOME": "/opt/comfy"}, env_file)


def test_voices_parse_to_the_apis_voice_choices() -> None:
    assert parse_voices(["Meera=f3", "narrator = piper:en_US-joe-medium"]) == {
        "Meera": {"voice_id": "f3"}, "narrator": {"engine": "piper", "voice_id": "en_US-joe-medium"}}


def test_the_storyboard_is_named_after_the_film(tmp_path: Path) -> None:
    film, srt, storyboard = output_paths(tmp_path / "lantern.mp4")
    assert (film.name, srt.name, storyboard.name) == ("lantern.mp4", "lantern.srt", "lantern.storyboard.json")
    assert output_paths(tmp_path / "other.mp4")[2] != storyboard  # a second film in the folder keeps the first's


def test_the_real_command_refuses_at_once_without_starting_the_stack(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Meera lit the lantern.", encoding="utf-8")
    work = tmp_path / "work"
    done = subprocess.run(
        [sys.executable, "-m", "cli", "render", str(story), "--max-minutes", "-2", "--work-dir", str(work)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == ["storyreel: error: --max-minutes: input should be greater than or "
                                                "equal to 0"]
    assert not work.exists(), "the launcher made its work dir: something started"  # no clock: a busy CI is slow


def test_voices_from_the_command_line_reach_the_job_and_a_voice_the_engine_lacks_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from tests.gateway_fakes import STORY, FakeServices, live_gateway

    monkeypatch.chdir(tmp_path)
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    fakes = FakeServices(tmp_path / "artifacts").start()
    try:
        with live_gateway(tmp_path, fakes) as url:
            argv = ["render", str(story), "--gateway", url, "-o", str(tmp_path / "out" / "film.mp4"),
                    "--voice", "narrator=m7", "--voice", "Meera=espeak:f3"]
            with pytest.raises(SystemExit) as ended:
                main(argv)
            assert ended.value.code == 0, capsys.readouterr().err
            job = httpx.get(f"{url}/v1/jobs").json()["jobs"][0]
            assert job["options"]["voices"] == {
                "narrator": {"engine": None, "voice_id": "m7", "pitch": None, "rate_wpm": None,
                             "description": None},
                "Meera": {"engine": "espeak", "voice_id": "f3", "pitch": None, "rate_wpm": None,
                          "description": None},
            }
            capsys.readouterr()
            line = _refused(["render", str(story), "--gateway", url, "--voice", "narrator=zz-nothing"], capsys)
            assert "zz-nothing" in line, line
    finally:
        fakes.stop()


def test_a_film_over_its_cap_is_said_not_hidden() -> None:
    from cli.main import over_cap

    job = {"options": {"max_minutes": 0.5}, "duration_s": 31.2}
    assert over_cap(job).startswith("the film is 31.2 s, over --max-minutes 0.5 (30 s)")
    assert over_cap({"options": {"max_minutes": 0.5}, "duration_s": 29.9}) == ""
    assert over_cap({"options": {"max_minutes": 0}, "duration_s": 900.0}) == ""


@pytest.mark.parametrize(("argv", "words"), [
    (["render"], "give a story file to render, or --final JOB"),
    (["render", "story.txt", "--final", "abc"], "give no story file"),
    (["render", "--final", "abc", "--voice", "narrator=m7"], "--voice: for a new story only"),
    (["render", "--final", "abc", "--max-minutes", "2", "--aspect", "9:16"], "--max-minutes, --aspect: for a new"),
    (["render", "--final", "abc", "--profile", "preview"], "the final cut is 720p or 1080p"),
])
def test_final_is_checked_before_anything_starts(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert words in _refused(argv, capsys)


def test_final_makes_the_final_cut_of_a_preview_reusing_its_speech(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from tests.gateway_fakes import STORY, FakeServices, live_gateway

    monkeypatch.chdir(tmp_path)
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    fakes = FakeServices(tmp_path / "artifacts").start()
    try:
        with live_gateway(tmp_path, fakes) as url:
            with pytest.raises(SystemExit) as ended:
                main(["render", str(story), "--gateway", url, "--profile", "preview", "-o", str(tmp_path / "p.mp4")])
            assert ended.value.code == 0, capsys.readouterr().err
            job_id = httpx.get(f"{url}/v1/jobs").json()["jobs"][0]["id"]
            spoken, widths = fakes.count("Speak"), {r.width for r in fakes.requests.values()}
            with pytest.raises(SystemExit) as ended:
                main(["render", "--final", job_id, "--gateway", url, "-o", str(tmp_path / "final.mp4")])
            err = capsys.readouterr().err
            assert ended.value.code == 0, err
            job = httpx.get(f"{url}/v1/jobs/{job_id}").json()
            assert f"job {job_id} again at 720p" in err and "final.mp4" in err
            assert (tmp_path / "final.mp4").is_file() and (tmp_path / "final.storyboard.json").is_file()
            assert job["options"]["profile"] == "720p" and job["state"] == "done"
            assert widths == {640} and {r.width for r in fakes.requests.values()} == {1280}
            assert fakes.count("Speak") == spoken, "the final cut spoke again"
            assert "no job" in _refused(["render", "--final", "nosuchjob", "--gateway", url], capsys)
    finally:
        fakes.stop()


def test_the_subtitle_options_reach_the_composer_and_final_can_change_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from storyreel.composer.v1 import composer_service_pb2 as composer_pb
    from tests.gateway_fakes import STORY, FakeServices, live_gateway

    monkeypatch.chdir(tmp_path)
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    fakes = FakeServices(tmp_path / "artifacts").start()
    try:
        with live_gateway(tmp_path, fakes) as url:
            with pytest.raises(SystemExit) as ended:
                main(["render", str(story), "--gateway", url, "--profile", "preview", "--subtitles", "soft",
                      "--subtitle-size", "large", "-o", str(tmp_path / "p.mp4")])
            assert ended.value.code == 0, capsys.readouterr().err
            sent = fakes.compositions[-1].subtitles
            assert (sent.mode, sent.size, sent.position) == (
                composer_pb.SUBTITLE_MODE_SOFT, composer_pb.SUBTITLE_SIZE_LARGE, 0)  # bottom: the default, unset
            job_id = httpx.get(f"{url}/v1/jobs").json()["jobs"][0]["id"]
            assert httpx.get(f"{url}/v1/jobs/{job_id}").json()["subtitles"] == "soft"
            with pytest.raises(SystemExit) as ended:
                main(["render", "--final", job_id, "--gateway", url, "--subtitle-position", "top",
                      "-o", str(tmp_path / "final.mp4")])
            assert ended.value.code == 0, capsys.readouterr().err
            job = httpx.get(f"{url}/v1/jobs/{job_id}").json()
            assert job["options"]["subtitles"] == {"mode": "soft", "size": "large", "position": "top"}
            assert fakes.compositions[-1].subtitles.position == composer_pb.SUBTITLE_POSITION_TOP
    finally:
        fakes.stop()
