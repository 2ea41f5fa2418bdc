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


def test_an_oversized_story_exits_2_with_one_line_before_anything_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.stack import free_port

    monkeypatch.setenv("STORYREEL_GATEWAY_MAX_STORY_BYTES", "100")
    path = tmp_path / "long.txt"
    path.write_text("Meera lit the lantern. " * 10, encoding="utf-8")  # 230 bytes
    with pytest.raises(SystemExit) as exit_info:  # no gateway listens there: sending would exit 1
        main(["render", str(path), "--gateway", f"http://127.0.0.1:{free_port()}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "230 bytes, over the limit of 100" in err[0] and "STORYREEL_GATEWAY_MAX_STORY_BYTES" in err[0]


def test_the_launcher_keeps_the_users_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.stack import LocalStack

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("STORYREEL_GATEWAY_DATABASE_URL", raising=False)
    own = LocalStack(work_dir=tmp_path / "work")
    own_url = own._gateway_defaults()["STORYREEL_GATEWAY_DATABASE_URL"]
    assert own_url == f"sqlite:///{tmp_path / 'work' / 'jobs.sqlite3'}"

    users = "postgresql+psycopg://storyreel@db.example/jobs"
    monkeypatch.setenv("STORYREEL_GATEWAY_DATABASE_URL", users)
    stack = LocalStack(work_dir=tmp_path / "work")
    stack.addresses = {service: "127.0.0.1:1" for service in ("planner", "audio", "visual", "composer")}
    stack._gateway_env = stack._gateway_defaults()
    assert stack._environment("gateway")["STORYREEL_GATEWAY_DATABASE_URL"] == users

    monkeypatch.delenv("STORYREEL_GATEWAY_DATABASE_URL")
    (tmp_path / ".env").write_text(f"STORYREEL_GATEWAY_DATABASE_URL={users}\n")
    assert "STORYREEL_GATEWAY_DATABASE_URL" not in LocalStack(work_dir=tmp_path / "work")._gateway_defaults()


def test_restarts_back_off_then_give_up_and_a_quiet_window_starts_afresh() -> None:
    from collections import deque

    from cli.stack import RestartPolicy

    policy = RestartPolicy(limit=3, window_s=60.0, backoff_s=0.5, backoff_max_s=1.5)
    restarts: deque[float] = deque()
    delays = []
    for now in (0.0, 1.0, 2.0):
        delays.append(policy.delay_s(restarts, now))
        restarts.append(now)
    assert delays == [0.5, 1.0, 1.5], "doubling, capped"
    assert policy.delay_s(restarts, 3.0) is None, "the fourth exit within the window: give up"
    assert policy.delay_s(restarts, 61.5) == 1.0, "restarts older than the window no longer count"
    assert policy.delay_s(deque(), 0.0) == 0.5
    assert RestartPolicy(limit=0, window_s=1, backoff_s=1, backoff_max_s=1).delay_s(deque(), 0.0) is None


def test_serve_stops_with_exit_1_naming_the_process_it_gave_up_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    from collections.abc import Callable, Iterator

    from cli import main as cli_main
    from cli.stack import LocalStack

    @contextlib.contextmanager
    def gives_up_on_visual(work_dir: Path, host: str, gateway_port: int,
                           on_give_up: Callable[[str], None]) -> Iterator[LocalStack]:
        stack = LocalStack(work_dir=work_dir, host=host, gateway_port=gateway_port)
        on_give_up("visual")  # as the supervisor does, from its thread, once the limit is reached
        yield stack

    monkeypatch.setattr(cli_main, "running_stack", gives_up_on_visual)
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--work-dir", str(tmp_path), "--port", "0"])
    assert exit_info.value.code == 1
    assert "the visual process kept exiting, so the stack was stopped" in capsys.readouterr().err


def test_the_gateways_retries_outlast_a_supervised_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.settings import LauncherSettings
    from gateway.settings import GatewaySettings

    monkeypatch.delenv("STORYREEL_GATEWAY_RPC_RETRIES", raising=False)
    gateway, launcher = GatewaySettings(), LauncherSettings()
    waited_s = sum(gateway.rpc_retry_backoff_s * 2**attempt for attempt in range(gateway.rpc_retries))
    # the launcher's longest wait before a restart, plus a start of a few seconds; a container
    # restart in compose or Kubernetes takes up to about 30 s
    assert waited_s >= max(30.0, launcher.restart_backoff_max_s + 10)

