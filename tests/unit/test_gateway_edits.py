"""Re-roll a shot, edit the storyboard, render again with other options: only what depends on
the change is made again (counted at the fake services, and seen in the files' bytes)."""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import FakeServices, finished, submit


@pytest.fixture
def done_job(client: TestClient) -> str:
    job_id = submit(client)
    assert finished(client, job_id)["state"] == "done"
    return job_id


def clip_hashes(client: TestClient, job_id: str) -> dict[str, str]:
    job = client.get(f"/v1/jobs/{job_id}").json()
    return {shot["id"]: hashlib.sha256(client.get(shot["links"]["clip"]).content).hexdigest() for shot in job["shots"]}


def calls_since(fakes: FakeServices, before: Counter[tuple[str, str]]) -> dict[tuple[str, str], int]:
    return {key: count - before[key] for key, count in fakes.calls.items() if count > before[key]}


def edit(client: TestClient, job_id: str, change: Any) -> dict[str, Any]:
    storyboard = client.get(f"/v1/jobs/{job_id}/storyboard").json()
    change(storyboard)
    response = client.put(f"/v1/jobs/{job_id}/storyboard", json=storyboard)
    assert response.status_code == 202, response.text
    job: dict[str, Any] = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    return job


def shot(storyboard: dict[str, Any], shot_id: str) -> dict[str, Any]:
    return next(s for scene in storyboard["scenes"] for s in scene["shots"] if s["id"] == shot_id)


def test_reroll_renders_only_that_shot_then_composes_again(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    clips, film = clip_hashes(client, done_job), client.get(f"/v1/jobs/{done_job}/video").content
    before = fakes.calls.copy()
    response = client.post(f"/v1/jobs/{done_job}/shots/s02_01/reroll", json={"prompt": "boats at dawn, wide"})
    assert response.status_code == 202 and response.json()["revision"] == 1
    job = finished(client, done_job)
    assert job["state"] == "done"
    assert calls_since(fakes, before) == {("RenderShot", "s02_01"): 1, ("Compose", ""): 1}
    after = clip_hashes(client, done_job)
    assert {s for s in clips if clips[s] != after[s]} == {"s02_01"}
    assert client.get(f"/v1/jobs/{done_job}/video").content != film
    sent = fakes.requests["s02_01"].shot
    assert sent.visual_prompt == "boats at dawn, wide" and sent.seed != 2, "a re-roll draws a new seed"
    clips_on_disk = list((fakes.files.root / "jobs" / done_job / "clips").glob("*.mp4"))
    assert len(clips_on_disk) == 5, "the replaced clip is removed"


def test_reroll_with_a_seed_and_unknown_shots(client: TestClient, fakes: FakeServices, done_job: str) -> None:
    assert client.post(f"/v1/jobs/{done_job}/shots/s01_01/reroll", json={"seed": 42}).status_code == 202
    finished(client, done_job)
    assert fakes.requests["s01_01"].shot.seed == 42
    assert client.post(f"/v1/jobs/{done_job}/shots/s99_99/reroll", json={}).status_code == 404
    assert client.post(f"/v1/jobs/{done_job}/shots/s01_01/reroll", json={"seed": -1}).status_code == 422
    assert client.post("/v1/jobs/nope/shots/s01_01/reroll", json={}).status_code == 404


def test_a_prompt_edit_rerenders_only_that_shot(client: TestClient, fakes: FakeServices, done_job: str) -> None:
    before = fakes.calls.copy()
    edit(client, done_job, lambda board: shot(board, "s03_01").update(visual_prompt="a lantern in the storm"))
    assert calls_since(fakes, before) == {("RenderShot", "s03_01"): 1, ("Compose", ""): 1}


def test_a_line_edit_respeaks_and_rerenders_that_shot_and_rescores_its_scene(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    before = fakes.calls.copy()
    longer = "The boats came home late, heavy with fish, their sails torn by the long hard wind of the day."
    edit(client, done_job, lambda board: shot(board, "s02_01")["lines"][0].update(text=longer))
    assert calls_since(fakes, before) == {
        ("Speak", "s02_01"): 1, ("RenderShot", "s02_01"): 1, ("ComposeMusic", "s02"): 1, ("Compose", ""): 1}
    srt = client.get(f"/v1/jobs/{done_job}/subtitles.srt").text
    assert longer in srt


def test_a_description_edit_rerenders_the_shots_that_show_the_character(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    before = fakes.calls.copy()
    edit(client, done_job, lambda board: board["characters"][0].update(description="a girl in a red coat"))
    assert calls_since(fakes, before) == {("RenderReference", "meera"): 1,  # her cast picture: a new look
                                          ("RenderShot", "s01_01"): 1, ("RenderShot", "s03_01"): 1,
                                          ("Compose", ""): 1}


def test_a_voice_edit_respeaks_but_keeps_pictures_whose_length_did_not_change(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    before = fakes.calls.copy()
    edit(client, done_job, lambda board: board["characters"][0]["voice"].update(pitch=80))
    changed = calls_since(fakes, before)
    every_shot = ("s01_01", "s01_02", "s02_01", "s02_02", "s03_01")
    assert {key for key in changed if key[0] == "Speak"} == {("Speak", s) for s in every_shot}  # cast together
    assert not [key for key in changed if key[0] in ("RenderShot", "ComposeMusic")]


def test_storyboard_edits_are_checked(client: TestClient, done_job: str) -> None:
    board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    cases: list[tuple[Callable[[dict[str, Any]], Any], str]] = [
        (lambda b: shot(b, "s01_02").update(id="s01_01"), "used twice"),
        (lambda b: shot(b, "s01_02").update(id="../../x"), "must be 1-64 letters"),
        (lambda b: shot(b, "s01_02").update(character_ids=["ghost"]), "not among the characters"),
        (lambda b: shot(b, "s01_02")["lines"][0].update(speaker_id="ghost"), "who are not characters"),
        (lambda b: b.update(scenes=[]), "no shots"),
        (lambda b: b["scenes"][1].update(shots=[]), "scene s02 has no shots"),
    ]
    for change, reason in cases:
        edited = copy.deepcopy(board)
        change(edited)
        response = client.put(f"/v1/jobs/{done_job}/storyboard", json=edited)
        assert response.status_code == 422 and reason in response.text, (reason, response.text)
    response = client.put(f"/v1/jobs/{done_job}/storyboard", json={**board, "surprise": 1})
    assert response.status_code == 422
    assert client.get(f"/v1/jobs/{done_job}").json()["revision"] == 0, "a refused edit changes nothing"


def test_render_again_with_a_style_redoes_pictures_and_film_only(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    before = fakes.calls.copy()
    response = client.post(f"/v1/jobs/{done_job}/render", json={"style": "watercolour"})
    assert response.status_code == 202 and response.json()["options"]["style"] == "watercolour"
    assert finished(client, done_job)["state"] == "done"
    changed = calls_since(fakes, before)
    assert {method for method, _ in changed} == {"RenderShot", "Compose"} and fakes.count("RenderShot") == 10
    assert fakes.requests["s01_01"].shot.visual_prompt.endswith(", watercolour")


def test_preview_then_final_redoes_only_pictures_and_film(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    assert fakes.requests["s01_01"].backend == visual_pb.VISUAL_BACKEND_UNSPECIFIED
    before = fakes.calls.copy()
    response = client.post(f"/v1/jobs/{done_job}/render", json={"visual_backend": "comfyui"})
    assert response.status_code == 202 and response.json()["options"]["visual_backend"] == "comfyui"
    assert finished(client, done_job)["state"] == "done"
    assert {method for method, _ in calls_since(fakes, before)} == {"RenderReference", "RenderShot", "Compose"}
    assert fakes.requests["s01_01"].backend == visual_pb.VISUAL_BACKEND_COMFYUI
    response = client.post(f"/v1/jobs/{done_job}/render", json={"visual_backend": "dalle"})
    assert response.status_code == 422 and "is not one of: animatic, comfyui" in response.text
    assert submit_status(client, visual_backend="comfyui") == 202
    assert submit_status(client, visual_backend="Bad Name") == 422


def test_a_profile_sets_the_film_size_and_encoding_and_changing_it_redoes_pictures_and_film_only(
    client: TestClient, fakes: FakeServices
) -> None:
    job_id = submit(client, profile="preview")
    assert finished(client, job_id)["state"] == "done"
    rendered = fakes.requests["s01_01"]
    assert (rendered.width, rendered.height, rendered.fps) == (640, 360, 24)
    composed = fakes.compositions[-1]
    assert composed.profile_name == composer_pb.PROFILE_NAME_PREVIEW
    assert (composed.profile.width, composed.profile.height) == (640, 360)
    before = fakes.calls.copy()
    response = client.post(f"/v1/jobs/{job_id}/render", json={"profile": "1080p"})
    assert response.status_code == 202 and response.json()["options"]["profile"] == "1080p"
    assert finished(client, job_id)["state"] == "done"
    assert {method for method, _ in calls_since(fakes, before)} == {"RenderShot", "Compose"}  # the cast is kept
    assert (fakes.requests["s01_01"].width, fakes.requests["s01_01"].height) == (1920, 1080)
    assert fakes.compositions[-1].profile_name == composer_pb.PROFILE_NAME_HD1080
    assert submit_status(client, profile="4k") == 422


def test_without_a_profile_the_gateway_settings_size_the_film(client: TestClient, fakes: FakeServices) -> None:
    assert finished(client, submit(client))["state"] == "done"
    assert (fakes.requests["s01_01"].width, fakes.requests["s01_01"].height) == (320, 180)  # gateway_settings
    composed = fakes.compositions[-1]
    assert composed.profile_name == composer_pb.PROFILE_NAME_UNSPECIFIED and composed.profile.width == 320


def submit_status(client: TestClient, **options: Any) -> int:
    return client.post("/v1/jobs", json={"story": "Meera smiled.", **options}).status_code


def test_voices_chosen_at_submission_reach_the_storyboard(client: TestClient, fakes: FakeServices) -> None:
    job_id = submit(client, voices={"MEERA": {"pitch": 77}, "narrator": {"rate_wpm": 140}, "nobody": {"pitch": 1}})
    assert finished(client, job_id)["state"] == "done"
    board = client.get(f"/v1/jobs/{job_id}/storyboard").json()
    assert board["characters"][0]["voice"]["pitch"] == 77
    assert board["narrator_voice"]["rate_wpm"] == 140


NEW_SCENE = (
    'Next morning the river lay calm. "We kept the light burning all night," said Meera. '
    'A fisherman named Kabir rowed up to the steps. "The lantern brought me home," Kabir said.'
)


def test_replanning_a_scene_from_new_text_redoes_only_that_scene(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    before_board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    before_clips, before = clip_hashes(client, done_job), fakes.calls.copy()
    response = client.post(f"/v1/jobs/{done_job}/scenes/s02/replan", json={"text": NEW_SCENE})
    assert response.status_code == 202, response.text
    assert finished(client, done_job)["state"] == "done"

    board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    scene = next(s for s in board["scenes"] if s["id"] == "s02")
    assert scene["title"] == "Scene 2", "the scene keeps its id and title"
    lines = [line for shot in scene["shots"] for line in shot["lines"]]
    assert " ".join(line["text"] for line in lines).startswith("Next morning the river lay calm.")
    spoken = {line["text"]: line["speaker_id"] for line in lines}
    assert spoken["We kept the light burning all night,"] == "meera", "Meera is the story's Meera"
    kabir = next(c for c in board["characters"] if c["name"] == "Kabir")
    assert spoken["The lantern brought me home,"] == kabir["id"], "a new name joins the cast"
    others = [s for s in board["scenes"] if s["id"] != "s02"]
    assert others == [s for s in before_board["scenes"] if s["id"] != "s02"], "other scenes are untouched"

    changed = calls_since(fakes, before)
    new_shots = {shot["id"] for shot in scene["shots"]}
    assert {item for (method, item) in changed if method == "RenderShot"} == new_shots
    assert changed[("PlanShots", "s02")] == 1 and changed[("Compose", "")] == 1
    assert ("Plan", "") not in changed, "the story is not planned again"
    # Kabir joined the cast, and voices are cast together: every shot was spoken again, but only
    # the re-planned scene's pictures were redone (the other shots kept their lengths).
    after_clips = clip_hashes(client, done_job)
    assert all(after_clips[shot] == digest for shot, digest in before_clips.items() if not shot.startswith("s02"))

    before = fakes.calls.copy()
    same_cast = 'That night the wind fell. "Rest now," said Meera.'
    assert client.post(f"/v1/jobs/{done_job}/scenes/s03/replan", json={"text": same_cast}).status_code == 202
    assert finished(client, done_job)["state"] == "done"
    changed = calls_since(fakes, before)
    s03 = {shot["id"] for s in client.get(f"/v1/jobs/{done_job}/storyboard").json()["scenes"] if s["id"] == "s03"
           for shot in s["shots"]}
    assert {item for (method, item) in changed if method in ("Speak", "RenderShot")} == s03, "no new name: one scene"


def test_a_replan_that_cannot_be_done_leaves_the_job_as_it_was(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    url = f"/v1/jobs/{done_job}/scenes/s02/replan"
    assert client.post(f"/v1/jobs/{done_job}/scenes/s99/replan", json={"text": NEW_SCENE}).status_code == 404
    assert client.post(url, json={"text": ""}).status_code == 422
    blank = client.post(url, json={"text": "   \n  "})
    assert blank.status_code == 422 and "the story is empty" in blank.json()["detail"]
    assert client.get(f"/v1/jobs/{done_job}").json()["revision"] == 0, "a refused text changes nothing"

    board, film = client.get(f"/v1/jobs/{done_job}/storyboard").json(), client.get(f"/v1/jobs/{done_job}/video")
    before = fakes.calls.copy()
    fakes.planner_down = True
    accepted = client.post(url, json={"text": NEW_SCENE})
    assert accepted.status_code == 202 and accepted.json()["revision"] == 1, accepted.text
    job = finished(client, done_job)
    assert job["state"] == "failed" and job["error"]["step"] == "planning" and job["error"]["service"] == "planner"
    assert "planner service" in job["error"]["reason"] and "storyboard is as it was" in job["error"]["reason"]
    assert calls_since(fakes, before)[("PlanScenes", "")] > 1, "retried like every call"
    assert client.get(f"/v1/jobs/{done_job}/storyboard").json() == board, "the storyboard is unchanged"
    assert client.get(f"/v1/jobs/{done_job}/video").content == film.content, "the film is still there"

    fakes.planner_down = False  # the planner is back: rendering again carries out the re-plan
    assert client.post(f"/v1/jobs/{done_job}/render", json={}).status_code == 202
    assert finished(client, done_job)["state"] == "done"
    scene = next(s for s in client.get(f"/v1/jobs/{done_job}/storyboard").json()["scenes"] if s["id"] == "s02")
    assert scene["shots"][0]["lines"][0]["text"].startswith("Next morning the river lay calm.")


def test_a_text_the_planner_refuses_fails_the_job_once_and_is_dropped(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    fakes.planner_refuses = True
    assert client.post(f"/v1/jobs/{done_job}/scenes/s02/replan", json={"text": NEW_SCENE}).status_code == 202
    job = finished(client, done_job)
    assert job["state"] == "failed" and job["error"]["step"] == "planning", job["error"]
    assert "finds no story in it" in job["error"]["reason"] and "storyboard is as it was" in job["error"]["reason"]
    assert fakes.calls[("PlanScenes", "")] == 1, "a refusal is not retried"
    fakes.planner_refuses = False
    before = fakes.calls.copy()
    assert client.post(f"/v1/jobs/{done_job}/render", json={}).status_code == 202
    assert finished(client, done_job)["state"] == "done"
    assert calls_since(fakes, before) == {}, "the refused text is not tried again, and nothing else changed"
    assert client.get(f"/v1/jobs/{done_job}/storyboard").json() == board


def test_a_storyboard_edit_replaces_a_replan_still_to_do(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    fakes.planner_down = True
    assert client.post(f"/v1/jobs/{done_job}/scenes/s02/replan", json={"text": NEW_SCENE}).status_code == 202
    assert finished(client, done_job)["state"] == "failed"
    fakes.planner_down = False
    before = fakes.calls.copy()
    job = edit(client, done_job, lambda board: shot(board, "s01_01").update(visual_prompt="a lantern, close"))
    assert ("PlanScenes", "") not in calls_since(fakes, before), "the whole storyboard was given: it wins"
    assert job["revision"] == 2 and job["error"] is None


def test_a_scene_reads_back_as_text_and_replans_as_it_is(client: TestClient, done_job: str) -> None:
    text = client.get(f"/v1/jobs/{done_job}/scenes/s01/text")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.text == "Meera lived by the river.\n\nShe lit the lantern every night."
    assert client.get(f"/v1/jobs/{done_job}/scenes/s99/text").status_code == 404

    assert client.post(f"/v1/jobs/{done_job}/scenes/s02/replan", json={"text": NEW_SCENE}).status_code == 202
    assert finished(client, done_job)["state"] == "done"
    said = client.get(f"/v1/jobs/{done_job}/scenes/s02/text").text
    assert "“We kept the light burning all night,” said Meera." in said, said

    def lines() -> list[tuple[str, str]]:
        board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
        scene = next(s for s in board["scenes"] if s["id"] == "s02")
        return [(line["text"], line["speaker_id"]) for shot in scene["shots"] for line in shot["lines"]]

    before = lines()
    assert client.post(f"/v1/jobs/{done_job}/scenes/s02/replan", json={}).status_code == 202  # as it is
    assert finished(client, done_job)["state"] == "done"
    assert lines() == before, "the text reads back into the same lines and speakers"
