"""Re-roll, storyboard edits and cancel through the real services: only what depends on a change
is made again (compared by the files' hashes), and a cancel stops the render in the service."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stack import LocalStack
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e

STORY = (
    "Old Meera lived by the river at the edge of the village, in a small house with a blue door.\n\n"
    'At night a storm came over the water. "Hold the lantern high," she said, and the boats came home.'
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    small = {"STORYREEL_GATEWAY_WIDTH": "320", "STORYREEL_GATEWAY_HEIGHT": "180"}  # what is redone is tested
    running = LocalStack(work_dir=tmp_path_factory.mktemp("edit-stack"), extra_env=small)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def client(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        yield http


def _wait(client: httpx.Client, job_id: str, until: Any, timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        assert job["state"] != "failed", job["error"]
        time.sleep(0.1)


def _done(client: httpx.Client, job_id: str) -> dict[str, Any]:
    return _wait(client, job_id, lambda job: job["state"] == "done")


def _digests(client: httpx.Client, job: dict[str, Any]) -> dict[str, str]:
    """Each shot's clip, and the film, by content."""
    digests = {s["id"]: hashlib.sha256(client.get(s["links"]["clip"]).content).hexdigest() for s in job["shots"]}
    digests["film"] = hashlib.sha256(client.get(job["links"]["video"]).content).hexdigest()
    return digests


def _clip_links(job: dict[str, Any]) -> set[str]:
    """A clip's link carries its version (the hash of the request that made it)."""
    return {shot["links"]["clip"] for shot in job["shots"]}


def _files(stack: LocalStack, job_id: str, folder: str) -> dict[str, int]:
    root = stack.work_dir / "artifacts" / "jobs" / job_id / folder
    return {path.name: path.stat().st_mtime_ns for path in root.glob("[!.]*")}


@pytest.fixture(scope="module")
def done_job(stack: LocalStack) -> str:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        job_id = str(client.post("/v1/jobs", json={"story": STORY}).json()["id"])
        job = _done(client, job_id)
    assert len(job["shots"]) >= 3, "the test needs a few shots"
    return job_id


def test_reroll_changes_only_that_shots_clip(stack: LocalStack, client: httpx.Client, done_job: str) -> None:
    job = client.get(f"/v1/jobs/{done_job}").json()
    before, speech, music = _digests(client, job), _files(stack, done_job, "speech"), _files(stack, done_job, "music")
    parts = set(_files(stack, done_job, "parts"))
    assert sorted(name.split("-")[0] for name in parts).count("sound") == 1 and len(parts) >= 2
    target = job["shots"][-1]["id"]
    response = client.post(f"/v1/jobs/{done_job}/shots/{target}/reroll", json={"prompt": "a lantern on dark water"})
    assert response.status_code == 202
    after = _digests(client, _done(client, done_job))
    assert {name for name in before if before[name] != after[name]} == {target, "film"}
    assert _files(stack, done_job, "speech") == speech and _files(stack, done_job, "music") == music
    # The composer kept the film's parts: one segment is new (the re-rolled shot's), the old take's is gone,
    # the others and the sound were reused.
    parts_after = set(_files(stack, done_job, "parts"))
    assert [name.split("-")[0] for name in parts_after - parts] == ["segment"]
    assert [name.split("-")[0] for name in parts - parts_after] == ["segment"]


def test_a_storyboard_edit_reruns_only_what_depends_on_it(
    stack: LocalStack, client: httpx.Client, done_job: str
) -> None:
    job = client.get(f"/v1/jobs/{done_job}").json()
    before, speech = _digests(client, job), _files(stack, done_job, "speech")
    board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    shots = [shot for scene in board["scenes"] for shot in scene["shots"]]
    shots[0]["visual_prompt"] = "a small house with a blue door, morning light"  # picture only
    new_line = "The lantern swung in the wind, and the old woman laughed."
    shots[1]["lines"][0]["text"] = new_line  # speech, then its picture (its length may change)
    assert client.put(f"/v1/jobs/{done_job}/storyboard", json=board).status_code == 202
    edited = _done(client, done_job)
    after = _digests(client, edited)
    rerendered = {shot["id"] for shot in edited["shots"] if shot["links"]["clip"] not in _clip_links(job)}
    assert rerendered == {shots[0]["id"], shots[1]["id"]}
    assert {name for name in before if before[name] != after[name]} - rerendered == {"film"}
    new_speech = _files(stack, done_job, "speech")
    assert {name for name in new_speech if speech.get(name) != new_speech[name]} == {
        name for name in new_speech if name.startswith(shots[1]["id"] + "-")}
    assert "laughed" in client.get(f"/v1/jobs/{done_job}/subtitles.srt").text  # (lines wrap on screen)


def test_replanning_the_last_scene_changes_only_its_shots_in_the_film(client: httpx.Client) -> None:
    two_scenes = STORY + "\n\n* * *\n\nThe next morning the river was calm, and the children ran down to the boats."
    done_job = str(client.post("/v1/jobs", json={"story": two_scenes}).json()["id"])
    job = _done(client, done_job)
    last = job["scenes"][-1]["id"]
    before = _digests(client, job)
    text = 'The storm passed before dawn. "Every boat is home," Meera said, and she put out the lantern.'
    response = client.post(f"/v1/jobs/{done_job}/scenes/{last}/replan", json={"text": text})
    assert response.status_code == 202, response.text
    replanned = _done(client, done_job)
    after = _digests(client, replanned)
    others = {shot["id"] for shot in replanned["shots"] if shot["scene_id"] != last}
    assert others, "the test needs a scene that is not re-planned"
    assert all(before[shot] == after[shot] for shot in others), "other scenes' clips are the same files"
    assert before["film"] != after["film"]
    assert "Every boat is home" in client.get(f"/v1/jobs/{done_job}/subtitles.srt").text


def _children(pid: int) -> list[int]:
    """The processes a process started (the visual service's ffmpeg runs), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cancelled_calls(stack: LocalStack, job_id: str) -> list[str]:
    log = (stack.work_dir / "logs" / "visual.log").read_text("utf-8").splitlines()
    return [line for line in log if job_id in line and '"rpc"' in line and '"CANCELLED"' in line]


def test_cancel_mid_render_stops_the_render_in_the_visual_service(stack: LocalStack, client: httpx.Client) -> None:
    story = (SAMPLES / "the_lantern_keeper.txt").read_text("utf-8")
    job_id = str(client.post("/v1/jobs", json={"story": story}).json()["id"])
    _wait(client, job_id, lambda job: job["steps"]["visuals"]["done"] >= 1)
    visual = stack.pid("visual")
    # Freeze the service and its ffmpeg runs: no render can end before the cancel reaches it.
    frozen = [visual, *_children(visual)]
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        response = client.delete(f"/v1/jobs/{job_id}")
    finally:
        os.kill(visual, signal.SIGCONT)  # the service alone: it learns of the cancel while its ffmpeg stays frozen
    try:
        deadline = time.monotonic() + 120
        while not _cancelled_calls(stack, job_id):  # it gives a frozen render STOP_GRACE_S to stop, then ends the call
            assert time.monotonic() < deadline, "the visual service never saw its render cancelled"
            time.sleep(0.2)
    finally:
        for pid in frozen[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    at_cancel = response.json()["steps"]["visuals"]["done"]
    job = client.get(f"/v1/jobs/{job_id}").json()
    assert job["state"] == "cancelled" and job["steps"]["visuals"]["done"] < job["steps"]["visuals"]["total"]
    # A render whose last step had ended when the cancel arrived may still land its file (the two
    # reach the service in either order); the job takes nothing after its cancel.
    assert job["steps"]["visuals"]["done"] == at_cancel, "the job stored a render after its cancel"
    codes = [json.loads(line).get("code") for line in _cancelled_calls(stack, job_id)]
    assert "CANCELLED" in codes, "the visual service never saw its render cancelled"
