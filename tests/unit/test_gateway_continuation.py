"""A scene's shots from one another: where the visual backend continues from the previous clip
(DescribeBackend says so), the gateway renders a scene's shots one after another, each given the
clip before it, scenes side by side; where it does not (the animatic, the setting off, a service
older than the RPC), as before: side by side, no previous clip, the same request hashes.

Counted and recorded at the fake visual service, which answers DescribeBackend from its
configured backend as the real one does."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from gateway import messages
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import FakeServices, finished, submit, wait
from tests.unit.test_gateway_edits import calls_since, clip_hashes

STORY = (
    "Meera lived by the river. She lit the lantern every night. The boats came home. "
    "A storm rose over the water. Meera held the lantern high. The boats found the shore."
)
SCENES = [["s01_01", "s01_02", "s01_03"], ["s02_01", "s02_02", "s02_03"]]
"""The fake planner's cut of STORY at three shots a scene."""


@pytest.fixture
def continuing(fakes: FakeServices) -> FakeServices:
    fakes.visual_backend, fakes.shots_per_scene = visual_pb.VISUAL_BACKEND_COMFYUI, 3
    return fakes


def done(client: TestClient, story: str = STORY) -> str:
    job_id = submit(client, story)
    job = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    return job_id


def at(fakes: FakeServices, event: str, shot_id: str) -> int:
    return fakes.render_log.index((event, shot_id))


def test_a_continuing_backend_gets_each_shot_after_the_first_from_the_clip_before_it(
    client: TestClient, continuing: FakeServices
) -> None:
    fakes = continuing
    fakes.hold_renders()
    job_id = submit(client, STORY)
    # Scenes side by side: both scenes' first shots are in flight at once.
    wait(client, job_id, lambda _: fakes.count("RenderShot") == 2)
    assert {shot for _, shot in fakes.render_log} == {"s01_01", "s02_01"}
    fakes.release_renders()
    assert finished(client, job_id)["state"] == "done"
    assert len(fakes.describes) == 1 and fakes.describes[0].backend == visual_pb.VISUAL_BACKEND_UNSPECIFIED
    for shots in SCENES:
        assert fakes.requests[shots[0]].previous_clip_key == ""
        for before, shot in itertools.pairwise(shots):
            assert fakes.requests[shot].previous_clip_key == fakes.requests[before].output_key
            assert at(fakes, "start", shot) > at(fakes, "end", before), "a shot waits for the clip it starts from"
    assert fakes.count("RenderShot") == 6


@pytest.mark.parametrize(
    ("backend", "continue_in_scene", "old"),
    [
        (visual_pb.VISUAL_BACKEND_ANIMATIC, True, False),
        (visual_pb.VISUAL_BACKEND_COMFYUI, False, False),
        (visual_pb.VISUAL_BACKEND_COMFYUI, True, True),  # a service older than DescribeBackend
    ],
    ids=["animatic", "comfyui-setting-off", "old-service"],
)
def test_a_backend_that_does_not_continue_renders_a_scenes_shots_side_by_side_with_the_same_hashes(
    client: TestClient, fakes: FakeServices, backend: visual_pb.VisualBackend, continue_in_scene: bool,
    old: bool,
) -> None:
    fakes.visual_backend, fakes.continue_in_scene, fakes.visual_is_old = backend, continue_in_scene, old
    fakes.shots_per_scene = 3
    fakes.hold_renders(after=1)  # the scene's first shot goes; then both later shots are in flight at once
    job_id = submit(client, "Meera lived by the river. She lit the lantern every night. The boats came home.")
    wait(client, job_id, lambda _: fakes.count("RenderShot") == 3)
    fakes.release_renders()
    assert finished(client, job_id)["state"] == "done"
    assert len(fakes.describes) == (0 if old else 1)
    for shot_id in SCENES[0]:
        sent = fakes.requests[shot_id]
        assert sent.previous_clip_key == ""
        # The hash (in the clip's name) is of the request as it was before previous_clip_key existed.
        bare = visual_pb.RenderShotRequest()
        bare.CopyFrom(sent)
        for made_here in ("output_key", "keyframe_key", "scene_keyframe_key"):  # set after the hash
            bare.ClearField(made_here)
        assert sent.output_key.endswith(f"/{shot_id}-{messages.request_hash(bare)}.mp4")


def test_a_job_made_by_an_older_service_keeps_its_clips_once_the_service_says_it_does_not_continue(
    client: TestClient, fakes: FakeServices
) -> None:
    fakes.visual_is_old = True
    job_id = done(client)
    fakes.visual_is_old = False  # upgraded; the animatic does not continue
    before = fakes.calls.copy()
    assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202
    assert finished(client, job_id)["state"] == "done"
    assert len(fakes.describes) == 1
    assert not [key for key in calls_since(fakes, before) if key[0] == "RenderShot"], "nothing drawn again"


def test_rerolling_a_shot_of_a_continuing_backend_redoes_the_later_shots_of_its_scene_only(
    client: TestClient, continuing: FakeServices
) -> None:
    fakes = continuing
    job_id = done(client)
    clips, before = clip_hashes(client, job_id), fakes.calls.copy()
    assert client.post(f"/v1/jobs/{job_id}/shots/s01_02/reroll", json={}).status_code == 202
    assert finished(client, job_id)["state"] == "done"
    assert calls_since(fakes, before) == {
        ("RenderShot", "s01_02"): 1, ("RenderShot", "s01_03"): 1, ("Compose", ""): 1,
    }
    after = clip_hashes(client, job_id)
    assert {shot for shot in clips if clips[shot] != after[shot]} == {"s01_02", "s01_03"}
    assert fakes.requests["s01_03"].previous_clip_key == fakes.requests["s01_02"].output_key
    assert len(fakes.describes) == 2, "asked once per run"
    # Nothing changed since: rendering again draws nothing (the previous clips' keys hash the same).
    before = fakes.calls.copy()
    assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202
    assert finished(client, job_id)["state"] == "done"
    assert not [key for key in calls_since(fakes, before) if key[0] == "RenderShot"]


def test_rerolling_a_shot_of_the_animatic_redoes_that_shot_only(client: TestClient, fakes: FakeServices) -> None:
    fakes.shots_per_scene = 3
    job_id = done(client)
    before = fakes.calls.copy()
    assert client.post(f"/v1/jobs/{job_id}/shots/s01_02/reroll", json={}).status_code == 202
    assert finished(client, job_id)["state"] == "done"
    assert calls_since(fakes, before) == {("RenderShot", "s01_02"): 1, ("Compose", ""): 1}


def test_a_job_that_chooses_a_continuing_backend_is_described_with_it(
    client: TestClient, fakes: FakeServices
) -> None:
    fakes.shots_per_scene = 3  # the service's own backend is the animatic; the job asks for ComfyUI
    job_id = submit(client, STORY, visual_backend="comfyui")
    assert finished(client, job_id)["state"] == "done"
    assert [request.backend for request in fakes.describes] == [visual_pb.VISUAL_BACKEND_COMFYUI]
    assert fakes.requests["s02_03"].previous_clip_key == fakes.requests["s02_02"].output_key
