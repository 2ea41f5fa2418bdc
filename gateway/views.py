"""A job as the REST API shows it, computed from the job record, its stored results (read
through gateway.results' models), the calls in flight and the measured step rates."""

from __future__ import annotations

from collections.abc import Mapping

from gateway import timeline
from gateway.jobs import JobState, JobView, SceneView, ShotState, ShotView, Step, StepProgress
from gateway.messages import FilmProfile
from gateway.progress import Pace, eta_basis, eta_s, fraction_done, step_items, step_progress
from gateway.results import TRACK, JobResults, result_name
from gateway.store import JobRecord
from storyreel.domain import Scene, Storyboard

__all__ = ["Active", "job_links", "job_view", "shot_links", "timed_storyboard"]

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


def job_view(
    record: JobRecord, results: JobResults, active: Active | None = None, pace: Pace | None = None
) -> JobView:
    storyboard = results.storyboard()
    active = active or {}
    pace = pace or Pace()
    options = record.request.options()
    film_frame = FilmProfile.for_job(options, *pace.frame, fps=1)  # the rate does not matter here
    priors = pace.priors((film_frame.width, film_frame.height), options.visual_backend)
    steps = _step_progress(storyboard, results, pace.rates, priors)
    film = results.film()
    eta = eta_s(record.state, steps, _film_s(storyboard, results), pace)
    return JobView(
        id=record.id,
        state=record.state,
        title=storyboard.title if storyboard and storyboard.title else record.request.title,
        progress=fraction_done(record.state, steps),
        eta_s=eta,
        eta_basis=eta_basis(eta, steps),
        steps=steps,
        scenes=_scene_views(record, storyboard, results, active),
        shots=_shot_views(record, storyboard, results, active),
        duration_s=film.duration_s if film else None,
        subtitles=film.subtitles if film else None,
        error=record.error,
        options=options,
        plan_notes=results.plan_notes(),
        revision=record.revision,
        created_at=record.created_at,
        updated_at=record.updated_at,
        links=job_links(record.id, film.hash if film else ""),
    )


def _film_s(storyboard: Storyboard | None, results: JobResults) -> float:
    if storyboard is None:
        return 0.0
    return sum(speech.duration_s if (speech := results.speech(shot.id)) else shot.duration_s
               for shot in storyboard.shots())


def _step_progress(
    storyboard: Storyboard | None, results: JobResults, rates: Mapping[str, float], priors: Mapping[str, float]
) -> dict[Step, StepProgress]:
    items = step_items(storyboard, own_track=results.own_track())
    finished = {name: results.seconds(name) for names in items.values() for name in names if name in results}
    return step_progress(items, finished, rates, priors)


def _shot_state(record: JobRecord, shot_id: str, results: JobResults, active: Active) -> ShotState:
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
    record: JobRecord, storyboard: Storyboard | None, results: JobResults, active: Active
) -> list[ShotView]:
    if storyboard is None:
        return []
    views = []
    for scene in storyboard.scenes:
        for shot in scene.shots:
            speech, visual = results.speech(shot.id), results.clip(shot.id)
            rendering = active.get((Step.VISUALS, shot.id))
            views.append(ShotView(
                id=shot.id, scene_id=scene.id, state=_shot_state(record, shot.id, results, active),
                speech_done=speech is not None, visual_done=visual is not None,
                duration_s=speech.duration_s if speech else None,
                render_progress=1.0 if visual else rendering,
                visual_prompt=shot.visual_prompt,
                links=shot_links(record.id, shot.id, visual.hash) if visual else {},
            ))
    return views


def _scene_views(
    record: JobRecord, storyboard: Storyboard | None, results: JobResults, active: Active
) -> list[SceneView]:
    if storyboard is None:
        return []
    music_done = result_name(Step.MUSIC, TRACK) in results if results.own_track() else None
    return [_scene_view(record, scene, results, active, music_done) for scene in storyboard.scenes]


def _scene_view(
    record: JobRecord, scene: Scene, results: JobResults, active: Active, track_done: bool | None
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


def timed_storyboard(results: JobResults, air_s: float, min_s: float, fps: int) -> Storyboard | None:
    """The stored storyboard with each spoken shot's length set from its speech."""
    storyboard = results.storyboard()
    if storyboard is None:
        return None
    for shot in storyboard.shots():
        if (speech := results.speech(shot.id)) is not None:
            shot.duration_s = timeline.shot_duration_s(speech.duration_s, air_s, min_s, fps)
    return storyboard
