"""A job as the REST API shows it, computed from the job record and its stored results."""

from __future__ import annotations

from typing import Any

from gateway.jobs import JobState, JobView, ShotProgress, Step, StepProgress
from gateway.orchestrator import COMPOSE, STORYBOARD, result_name
from gateway.store import JobRecord
from storyreel.domain import Storyboard

# Share of the whole job each step stands for, by the time it usually takes.
_STEP_WEIGHTS = {Step.PLANNING: 0.05, Step.SPEECH: 0.2, Step.VISUALS: 0.45, Step.MUSIC: 0.1, Step.COMPOSING: 0.2}


def job_links(job_id: str) -> dict[str, str]:
    base = f"/v1/jobs/{job_id}"
    return {
        "self": base,
        "video": f"{base}/video",
        "subtitles": f"{base}/subtitles.srt",
        "storyboard": f"{base}/storyboard",
    }


def job_view(record: JobRecord, results: dict[str, dict[str, Any]]) -> JobView:
    storyboard = Storyboard.model_validate(results[STORYBOARD]["storyboard"]) if STORYBOARD in results else None
    steps = _step_progress(storyboard, results)
    progress = 1.0 if record.state == JobState.DONE else sum(
        _STEP_WEIGHTS[step] * (p.done / p.total if p.total else 0.0) for step, p in steps.items()
    )
    compose = results.get(COMPOSE)
    return JobView(
        id=record.id,
        state=record.state,
        title=storyboard.title if storyboard else record.request.title,
        progress=round(min(progress, 1.0), 4),
        steps=steps,
        shots=_shot_progress(storyboard, results),
        duration_s=float(compose["duration_s"]) if compose else None,
        error=record.error,
        created_at=record.created_at,
        updated_at=record.updated_at,
        links=job_links(record.id),
    )


def _count(results: dict[str, Any], step: Step) -> int:
    prefix = f"{step.value}/"
    return sum(1 for name in results if name.startswith(prefix))


def _step_progress(storyboard: Storyboard | None, results: dict[str, Any]) -> dict[Step, StepProgress]:
    shots = len(storyboard.shots()) if storyboard else 0
    scenes = len(storyboard.scenes) if storyboard else 0
    return {
        Step.PLANNING: StepProgress(done=int(storyboard is not None), total=1),
        Step.SPEECH: StepProgress(done=_count(results, Step.SPEECH), total=shots),
        Step.VISUALS: StepProgress(done=_count(results, Step.VISUALS), total=shots),
        Step.MUSIC: StepProgress(done=_count(results, Step.MUSIC), total=scenes),
        Step.COMPOSING: StepProgress(done=int(COMPOSE in results), total=1),
    }


def _shot_progress(storyboard: Storyboard | None, results: dict[str, Any]) -> list[ShotProgress]:
    if storyboard is None:
        return []
    shots = []
    for scene in storyboard.scenes:
        for shot in scene.shots:
            speech = results.get(result_name(Step.SPEECH, shot.id))
            shots.append(
                ShotProgress(
                    id=shot.id,
                    scene_id=scene.id,
                    speech_done=speech is not None,
                    visual_done=result_name(Step.VISUALS, shot.id) in results,
                    duration_s=float(speech["duration_s"]) if speech else None,
                )
            )
    return shots
