"""Services die (kill -9) mid-job, through the real local stack: the launcher starts each one
again on the same address, the gateway's retries carry the job on, and nothing that finished is
done again. A service that stays down fails the job naming it, and the job resumes once it is back.

Each service is frozen (SIGSTOP) before the job reaches its step, so the job provably waits in
that step, its calls to the service in flight, when the kill comes: no test hangs on how fast
anything runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.settings import LauncherSettings
from cli.stack import LocalStack
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

STORY = (
    "Meera lived by the river. She lit the lantern every night.\n\n"
    "The boats came home. A storm rose over the water. Meera held the lantern high."
)
STEP_OF = {"planner": "planning", "audio": "speaking", "visual": "rendering", "composer": "composing"}
WAIT_S = 240.0
SCRATCH_HOLDER = """
import sys
from pathlib import Path
from services.composer.scratch import scratch_folder
with scratch_folder(Path(sys.argv[1])) as folder:
    (folder / "seg_0000.mp4").write_bytes(bytes(100_000))
    print(folder, flush=True)
    sys.stdin.read()
"""


def _quiet(_: str) -> None:
    """The launcher's notes still go to <work dir>/logs/launcher.log."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = LocalStack(work_dir=tmp_path_factory.mktemp("fault-stack"), say=_quiet)
    running.start()
    yield running
    running.stop()


def _wait(client: httpx.Client, job_id: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def _submit(client: httpx.Client) -> str:
    response = client.post("/v1/jobs", json={"story": STORY, "profile": "preview"})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _files(stack: LocalStack, job_id: str) -> dict[str, int]:
    """Every finished file of the job (not in-flight temporaries) and when it was written. The
    composer's parts are touched each time they are reused (so a prune spares them): those count
    by inode, which only writing them again (a new file renamed over the key) changes."""
    folder = stack.work_dir / "artifacts" / "jobs" / job_id
    return {
        str(p.relative_to(folder)): p.stat().st_ino if p.parent.name == "parts" else p.stat().st_mtime_ns
        for p in folder.rglob("[!.]*") if p.is_file()
    }


def _calls(stack: LocalStack, job_id: str) -> Counter[tuple[str, str]]:
    """(method, shot or scene) -> calls of this job that a service finished, from every log line a
    live service wrote when a call ended (a killed process writes none for the call it was in)."""
    calls: Counter[tuple[str, str]] = Counter()
    for log in (stack.work_dir / "logs").glob("*.log"):
        for line in log.read_text("utf-8", "replace").splitlines():
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record.get("job_id") == job_id and record.get("rpc") and record.get("code"):
                item = record.get("shot_id") or record.get("scene_id") or ""
                calls[record["rpc"].rsplit("/", 1)[-1], item] += 1
    return calls


def _assert_each_done_once(
    stack: LocalStack, job: dict[str, Any], calls: Counter[tuple[str, str]]
) -> None:
    shots = [shot["id"] for shot in job["shots"]]
    scenes = [scene["id"] for scene in job["scenes"]]
    # One cast-sheet picture per character and recurring setting, each drawn once (a picture drawn
    # twice writes the same file again, so the files count pictures and the logs count calls).
    cast_pictures = len(list((stack.work_dir / "artifacts" / "jobs" / job["id"] / "cast").glob("*.png")))
    assert cast_pictures >= 1, "the story's Meera has a cast picture"
    expected = Counter({("Plan", ""): 1, ("Compose", ""): 1, ("RenderReference", ""): cast_pictures})
    expected.update({(method, shot): 1 for shot in shots for method in ("SpeakStream", "RenderShotStream")})
    expected.update({("ComposeMusicStream", scene): 1 for scene in scenes})
    # DescribeBackend is a question each run asks once (a resumed job asks again), not an item of work;
    # Prepare is asked as scenes finish (what it makes is counted by the segments below).
    asked = calls.pop(("DescribeBackend", ""), 0)
    calls.pop(("Prepare", ""), 0)
    calls.pop(("Finish", ""), 0)  # how to finish the clips: asked each run, before the pictures
    assert asked >= 1, "the gateway asks how the visual backend renders"
    assert calls == expected, "an item was done twice, or not at all"
    parts = stack.work_dir / "artifacts" / "jobs" / job["id"] / "parts"
    segments = len(list(parts.glob("segment-*.mp4")))
    assert segments >= 1 and _made_segments(stack, job["id"]) == segments, "a segment was made twice"


def _made_segments(stack: LocalStack, job_id: str) -> int:
    """Segments the composer finished making (encoding, or joining finished clips) for this job, ahead
    of the film or in it (a killed composer logs none for the segment it was in)."""
    log = stack.work_dir / "logs" / "composer.log"
    records = [json.loads(line) for line in log.read_text("utf-8", "replace").splitlines() if line.startswith("{")]
    made = ("encoded segment", "joined segment")  # joined: of finished clips, which need no encode
    return sum(1 for r in records if r.get("job_id") == job_id and r.get("msg") in made)


def _launcher_log(stack: LocalStack) -> str:
    path = stack.work_dir / "logs" / "launcher.log"
    return path.read_text("utf-8") if path.exists() else ""


def _leave_scratch_behind(root: Path) -> Path:
    """A scratch folder whose composer was killed mid-film."""
    holder = subprocess.Popen([sys.executable, "-c", SCRATCH_HOLDER, str(root)], cwd=REPO_ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None
    folder = Path(holder.stdout.readline().strip())
    holder.kill()
    holder.communicate(timeout=30)
    assert folder.is_dir()
    return folder


@pytest.mark.parametrize("service", ["planner", "audio", "visual", "composer"])
def test_a_service_killed_in_its_step_comes_back_and_the_job_completes_redoing_nothing(
    stack: LocalStack, service: str
) -> None:
    pid, address = stack.pid(service), stack.addresses[service]
    if service == "composer":
        left_behind = _leave_scratch_behind(stack.work_dir / "artifacts" / ".scratch" / "composer")
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        os.kill(pid, signal.SIGSTOP)  # the job cannot get past this service's step
        try:
            job_id = _submit(client)
            _wait(client, job_id, lambda job: job["state"] == STEP_OF[service])
            before = _files(stack, job_id)
        finally:
            os.kill(pid, signal.SIGKILL)
        job = _wait(client, job_id, lambda job: job["state"] in ("done", "failed"))
        assert job["state"] == "done", job["error"]
        assert client.get(f"/v1/jobs/{job_id}/video").content[4:8] == b"ftyp"

    assert stack.pid(service) != pid
    notes = _launcher_log(stack)
    assert f"the {service} process exited (code -9); starting it again" in notes
    assert f"started the {service} process again on {address}" in notes
    after = _files(stack, job_id)
    assert {name: after[name] for name in before} == before, "a finished file was made again"
    _assert_each_done_once(stack, job, _calls(stack, job_id))
    if service == "composer":  # the composer that came back swept the dead one's scratch
        assert not left_behind.exists()
        assert '"msg": "removed stale scratch"' in (stack.work_dir / "logs" / "composer.log").read_text()


def test_a_service_left_down_fails_the_job_naming_it_and_render_resumes_it_once_it_is_back(
    tmp_path: Path,
) -> None:
    given_up: list[str] = []
    quick_retries = {"STORYREEL_GATEWAY_RPC_RETRIES": "1", "STORYREEL_GATEWAY_RPC_RETRY_BACKOFF_S": "0.2"}
    stack = LocalStack(work_dir=tmp_path / "stack", settings=LauncherSettings(restart_limit=0),
                       on_give_up=given_up.append, say=_quiet, extra_env=quick_retries)
    stack.start()
    try:
        pid = stack.pid("visual")
        with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
            os.kill(pid, signal.SIGSTOP)
            try:
                job_id = _submit(client)
                _wait(client, job_id, lambda job: job["state"] == "rendering")
            finally:
                os.kill(pid, signal.SIGKILL)
            failed = _wait(client, job_id, lambda job: job["state"] in ("done", "failed"))
            assert failed["state"] == "failed"
            # The visual service's first call of a job draws the cast sheet (beside speech), so that
            # is the step it was in when it died.
            assert failed["error"]["service"] == "visual" and failed["error"]["step"] == "cast"
            assert f"the visual service at {stack.addresses['visual']} is unreachable" in failed["error"]["reason"]
            assert given_up == ["visual"]
            assert "error: the visual process exited (code -9) and was restarted 0 times" in _launcher_log(stack)
            assert stack.pid("visual") == pid, "left down"
            before = _files(stack, job_id)

            stack.bring_back("visual")
            assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202
            job = _wait(client, job_id, lambda job: job["state"] in ("done", "failed"))
            assert job["state"] == "done", job["error"]
    finally:
        stack.stop()
    after = _files(stack, job_id)
    assert {name: after[name] for name in before} == before, "a finished file was made again"
    _assert_each_done_once(stack, job, _calls(stack, job_id))
