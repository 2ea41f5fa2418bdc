"""Finished clips: with STORYREEL_GATEWAY_FINISH_CLIPS on and a visual backend that encodes its
own clips (the animatic), the gateway asks the composer once how each shot's clip is finished
(Finish), renders every shot with its own finish, and composes with the tags the visual service
gave back, so the composer joins the clips instead of encoding them again. Off, or with a
backend that does not finish clips, nothing changes.

The fake composer answers Finish with the real composer's own function and refuses, as the real
one does, a clip finished for other settings; the fake visual service says finishes_clips for the
animatic only and echoes a finish's tag, as the real one does."""

from __future__ import annotations

from pathlib import Path

from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from tests.gateway_fakes import STORY, FakeServices, finished, gateway, submit


def test_each_shot_is_rendered_with_its_own_finish_and_composed_with_its_tag(
    tmp_path: Path, fakes: FakeServices
) -> None:
    with gateway(tmp_path, fakes, finish_clips=True) as client:
        job_id = submit(client, STORY)
        job = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    assert fakes.count("Finish") == 1
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
    with gateway(tmp_path, fakes) as client:
        assert finished(client, submit(client, STORY))["state"] == "done"
    fakes.visual_backend = visual_pb.VISUAL_BACKEND_COMFYUI
    with gateway(tmp_path / "comfyui", fakes, finish_clips=True) as client:
        assert finished(client, submit(client, STORY))["state"] == "done"
    assert fakes.count("Finish") == 0
    assert not any(request.HasField("finish") for request in fakes.requests.values())
    assert all(not shot.finish_tag for film in fakes.compositions for shot in film.shots)
