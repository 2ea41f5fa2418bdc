"""A job as the REST API shows it, computed from the job record, its stored results, the calls in
flight and the measured step rates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway import timeline
from gateway.jobs import JobState, JobView, SceneView, ShotState, ShotView, Step, StepProgress
from gateway.progress import TRACK, Pace, eta_s, fraction_done, step_items, step_progress
from gateway.results import COMPOSE, MUSIC_UPLOAD, STORYBOARD, result_name
from gateway.store import JobRecord
from storyreel.domain import Scene, Storyboard

Active = Mapping[tuple[Step, str], float]
"""The calls in flight for a job: (step, shot or scene id) -> how far along (0 to 1) it says it is."""


def job_links(job_id: str, film_version: str = "") -> dict[str, str]:
    """Links of a job; the film's carry its version, so a browser never shows a stale film."""
    base = f"/v1/jobs/{job_id}"
    version = f"?v={film_version}" if film_version else ""
    return {
        "self": base,
        "events": f"{base}/events",
        "video": f"{base}/video{version}",
        "subtitles": f"{base}/subtitles.srt{version}",
        "subtitles_vtt": f"{base}/subtitles.vtt{version}",
        "storyboard": f"{base}/storyboard",
        "render": f"{base}/render",
    }


def shot_links(job_id: str, shot_id: str, version: str) -> dict[str, str]:
    """Links of a rendered shot; the version (its request's hash) changes when it is re-rendered."""
    base = f"/v1/jobs/{job_id}/shots/{shot_id}"
    return {"clip": f"{base}/clip?v={version}", "keyframe": f"{base}/keyframe?v={version}", "reroll": f"{base}/reroll"}


def stored_storyboard(results: Mapping[str, Any]) -> Storyboard | None:
    stored = results.get(STORYBOARD)
    return Storyboard.model_validate(stored["storyboard"]) if stored else None


def job_view(
    record: JobRecord, results: Mapping[str, Any], active: Active | None = None, pace: Pace | None = None
) -> JobView:
    storyboard = stored_storyboard(results)
    active = active or {}
    steps = _step_progress(storyboard, results, (pace or Pace()).rates)
    compose = results.get(COMPOSE)
    return JobView(
        id=record.id,
        state=record.state,
        title=storyboard.title if storyboard and storyboard.title else record.request.title,
        progress=fraction_done(record.state, steps),
        eta_s=eta_s(record.state, steps, _film_s(storyboard, results), pace or Pace()),
        steps=steps,
        scenes=_scene_views(record, storyboard, results, active),
        shots=_shot_views(record, storyboard, results, active),
        duration_s=float(compose["duration_s"]) if compose else None,
        error=record.error,
        options=record.request.options(),
        revision=record.revision,
        created_at=record.created_at,
        updated_at=record.updated_at,
        links=job_links(record.id, str(compose.get("hash", "")) if compose else ""),
    )


def _film_s(storyboard: Storyboard | None, results: Mapping[str, Any]) -> float:
    if storyboard is None:
        return 0.0
    return sum(
        float(results[name]["duration_s"]) if (name := result_name(Step.SPEECH, shot.id)) in results
        else shot.duration_s
        for shot in storyboard.shots()
    )


def _step_progress(
    storyboard: Storyboard | None, results: Mapping[str, Any], rates: Mapping[str, float]
) -> dict[Step, StepProgress]:
    items = step_items(storyboard, own_track=MUSIC_UPLOAD in results)
    finished = {
        name: float(results[name]["seconds"]) if "seconds" in results[name] else None
        for names in items.values() for name in names if name in results
    }
    return step_progress(items, finished, rates)


def _shot_state(record: JobRecord, shot_id: str, results: Mapping[str, Any], active: Active) -> ShotState:
    if record.state == JobState.FAILED and record.error and record.error.shot_id == shot_id:
        return ShotState.FAILED
    if result_name(Step.VISUALS, shot_id) in results:
        return ShotState.DONE
    if (Step.VISUALS, shot_id) in active:
        return ShotState.RENDERING
    if (Step.SPEECH, shot_id) in active:
        return ShotState.SPEAKING
    if result_name(Step.SPEECH, shot_id) in results:
        return ShotState.SPOKEN
    return ShotState.PENDING


def _shot_views(
    record: JobRecord, storyboard: Storyboard | None, results: Mapping[str, Any], active: Active
) -> list[ShotView]:
    if storyboard is None:
        return []
    views = []
    for scene in storyboard.scenes:
        for shot in scene.shots:
            speech = results.get(result_name(Step.SPEECH, shot.id))
            visual = results.get(result_name(Step.VISUALS, shot.id))
            rendering = active.get((Step.VISUALS, shot.id))
            views.append(ShotView(
                id=shot.id, scene_id=scene.id, state=_shot_state(record, shot.id, results, active),
                speech_done=speech is not None, visual_done=visual is not None,
                duration_s=float(speech["duration_s"]) if speech else None,
                render_progress=1.0 if visual else rendering,
                visual_prompt=shot.visual_prompt,
                links=shot_links(record.id, shot.id, str(visual.get("hash", ""))) if visual else {},
            ))
    return views


def _scene_views(
    record: JobRecord, storyboard: Storyboard | None, results: Mapping[str, Any], active: Active
) -> list[SceneView]:
    if storyboard is None:
        return []
    music_done = result_name(Step.MUSIC, TRACK) in results if MUSIC_UPLOAD in results else None
    return [_scene_view(record, scene, results, active, music_done) for scene in storyboard.scenes]


def _scene_view(
    record: JobRecord, scene: Scene, results: Mapping[str, Any], active: Active, track_done: bool | None
) -> SceneView:
    states = [_shot_state(record, shot.id, results, active) for shot in scene.shots]
    music = track_done if track_done is not None else result_name(Step.MUSIC, scene.id) in results
    if ShotState.FAILED in states:
        state = ShotState.FAILED
    elif music and all(s == ShotState.DONE for s in states):
        state = ShotState.DONE
    elif music or any(s != ShotState.PENDING for s in states):
        state = ShotState.RENDERING
    else:
        state = ShotState.PENDING
    return SceneView(
        id=scene.id, title=scene.title, state=state, shots_done=states.count(ShotState.DONE),
        shots_total=len(states), music_done=music,
    )


def timed_storyboard(results: Mapping[str, Any], air_s: float, min_s: float, fps: int) -> Storyboard | None:
    """The stored storyboard with each spoken shot's length set from its speech."""
    storyboard = stored_storyboard(results)
    if storyboard is None:
        return None
    for shot in storyboard.shots():
        speech = results.get(result_name(Step.SPEECH, shot.id))
        if speech is not None:
            shot.duration_s = timeline.shot_duration_s(float(speech["duration_s"]), air_s, min_s, fps)
    return storyboard
