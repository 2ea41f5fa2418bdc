"""The per-service load test: each target's calls reach a real service process and are counted;
a service that is not there stops the run at once with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import load
from cli.stack import free_port


@pytest.mark.parametrize("target", list(load.Target))
def test_every_target_loads_its_service_and_reports_each_level(
    target: load.Target, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quick_visual = ["--env", "STORYREEL_VISUAL_BACKEND=simulated", "--env", "STORYREEL_VISUAL_SIMULATED_RENDER_S=0.1"]
    args = load.parse_args([target.value, "--seconds", "0.5", "--concurrency", "1", "2", "--timeout", "60",
                            "--artifact-root", str(tmp_path / "artifacts"), *quick_visual])
    levels = load.run(args)
    assert [level.concurrency for level in levels] == [1, 2]
    for level in levels:
        assert level.latencies_s and not level.errors
        assert level.calls_per_s > 0 and level.percentile_ms(50) <= level.percentile_ms(99)
    report = capsys.readouterr().out
    assert f"{target} calls to the {target.service} service" in report and "vs first" in report
    outputs = list((tmp_path / "artifacts" / "load" / target.value).glob("*"))
    assert len(outputs) <= 2 * load.KEYS_PER_CALLER * 2, "outputs are overwritten, not piled up"


def test_a_service_that_is_not_there_stops_the_run_with_a_reason(tmp_path: Path) -> None:
    args = load.parse_args(["speech", "--address", f"127.0.0.1:{free_port()}", "--timeout", "2",
                            "--artifact-root", str(tmp_path)])
    with pytest.raises(SystemExit, match=r"the first speech call failed \((UNAVAILABLE|DEADLINE_EXCEEDED)"):
        load.run(args)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(SystemExit):
        load.parse_args(["speech", "--concurrency", "0"])
    with pytest.raises(SystemExit):
        load.parse_args(["speech", "--env", "NO_EQUALS_SIGN"])
