"""Finished clips: with STORYREEL_GATEWAY_FINISH_CLIPS on (the default) and a visual backend that encodes its
own clips (the animatic), the gateway asks the composer once how each shot's clip is finished
(Finish), renders every shot with its own finish, and composes with the tags the visual service
gave back, so the composer joins the clips instead of encoding them again. Off, or with a
backend that does not finish clips, nothing changes.

The fake composer answers Finish with the real composer's own function and refuses, as the real
one does, a clip finished for other settings; the fake visual service says finishes_clips for the
animatic only and echoes a finish's tag, as the real one does."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import STORY, FakeServices, finished, gateway, submit


def test_each_shot_is_rendered_with_its_own_finish_and_composed_with_its_tag(
    tmp_path: Path, fakes: FakeServices
) -> None:
    with gateway(tmp_path, fakes, finish_clips=True) as client:
        job_id = submit(client, STORY)
        job = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    assert len(fakes.finish_requests) == 1
    requests = fakes.requests
    tags = {shot_id: request.finish.tag for shot_id, request in requests.items()}
    assert all(requests[shot_id].HasField("finish") for shot_id in requests)
    assert len(set(tags.values())) == len(tags), "every shot has a finish of its own"
    composed = fakes.compositions[-1]
    assert {shot.shot_id: shot.finish_tag for shot in composed.shots} == tags
    # the finish follows the film: the scene's first shot fades in (not the film's first), its last fades out
    shots = [shot.shot_id for shot in composed.shots]
    assert requests[shots[0]].finish.fade_in_s == 0 and requests[shots[-1]].finish.fade_out_s == 0
    assert requests["s02_01"].finish.fade_in_s > 0 and requests["s01_02"].finish.fade_out_s > 0
    assert requests["s01_01"].finish.fade_out_s == 0
    # the shot's own subtitles, from the shot's start, burned in
    cue_text = composed.shots[1].cues[0].text.split()[0]
    assert cue_text in requests[shots[1]].finish.subtitles_ass
    assert "Dialogue: 0,0:00:00" in requests[shots[1]].finish.subtitles_ass


def test_off_or_with_a_backend_that_does_not_finish_clips_the_clips_stay_plain(
    tmp_path: Path, fakes: FakeServices
) -> None:
    with gateway(tmp_path, fakes, finish_clips=False) as client:
        assert finished(client, submit(client, STORY))["state"] == "done"
    fakes.visual_backend = visual_pb.VISUAL_BACKEND_COMFYUI
    with gateway(tmp_path / "comfyui", fakes, finish_clips=True) as client:
        assert finished(client, submit(client, STORY))["state"] == "done"
    assert fakes.finish_requests == []
    assert not any(request.HasField("finish") for request in fakes.requests.values())
    assert all(not shot.finish_tag for film in fakes.compositions for shot in film.shots)


def test_new_subtitles_render_every_finished_clip_again_and_nothing_else_but_the_film(
    tmp_path: Path, fakes: FakeServices
) -> None:
    """A finished clip shows its subtitles, so their style is part of every shot's request."""
    with gateway(tmp_path, fakes) as client:  # the default: finished clips
        job_id = submit(client, STORY)
        first = finished(client, job_id)
        assert first["state"] == "done", first["error"]
        before = fakes.calls.copy()
        response = client.post(f"/v1/jobs/{job_id}/render", json={"subtitles": {"position": "top"}})
        assert response.status_code == 202, response.text
        again = finished(client, job_id)
    assert again["state"] == "done", again["error"]
    since = {key: count - before[key] for key, count in fakes.calls.items() if count > before[key]}
    shots = [shot["id"] for shot in first["shots"]]
    assert since == {("Compose", ""): 1, **{("RenderShot", shot): 1 for shot in shots}}
    assert len(fakes.finish_requests) == 2, "each run asks once"
    scripts = [fakes.requests[shot].finish.subtitles_ass for shot in shots]
    assert any(scripts) and all(alignment(script) == "8" for script in scripts if script), "top centre (ASS 8)"


def alignment(ass: str) -> str:
    """The Default style's Alignment (numpad: 2 bottom centre, 8 top centre)."""
    style = next(line for line in ass.splitlines() if line.startswith("Style:"))
    return style.split(":", 1)[1].split(",")[18]


def test_a_composer_that_cannot_say_how_leaves_the_clips_plain_and_the_job_is_done(
    client: TestClient, fakes: FakeServices
) -> None:
    fakes.composer_is_old = True  # older than Finish (and Prepare): UNIMPLEMENTED
    job = finished(client, submit(client, STORY))
    assert job["state"] == "done", job["error"]
    assert not any(request.HasField("finish") for request in fakes.requests.values())
    assert all(not shot.finish_tag for shot in fakes.compositions[-1].shots)
