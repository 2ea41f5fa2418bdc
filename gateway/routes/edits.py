"""Changing a job: edit its storyboard, re-roll one shot, or plan one scene again from new text.
Each starts a new revision of the job, which redoes only the steps whose requests changed (see
gateway.messages); a scene to plan again is an order the run carries out first (gateway.pipeline),
so the planner is called as every service is, outside the HTTP request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, status
from fastapi.responses import PlainTextResponse

from gateway import edits
from gateway.deps import Gateway, GatewayDep, require_api_key
from gateway.jobs import EventKind, JobView, ReplanRequest, RerollRequest
from gateway.replan import scene_text
from gateway.results import REPLAN, STORYBOARD, ReplanOrder, StoredStoryboard, load, replan_name
from gateway.routes.docs import JobId, SceneId, ShotId, errors
from gateway.routes.jobs import current_view, job_record
from storyreel.domain import Storyboard, check_story

router = APIRouter(prefix="/v1/jobs", tags=["edits"], dependencies=[Depends(require_api_key)])

EXAMPLE_STORYBOARD = {
    "title": "The lantern",
    "language": "en",
    "characters": [{"id": "meera", "name": "Meera", "description": "an old woman in a blue shawl",
                    "voice": {"engine": "espeak", "pitch": 70}}],
    "scenes": [{"id": "s01", "title": "The river", "mood": "calm", "shots": [
        {"id": "s01_01", "visual_prompt": "an old woman by a river at dusk, holding a lantern",
         "lines": [{"text": "Old Meera lived by the river."}], "character_ids": ["meera"], "seed": 7}]}],
}


def _planned(gateway: Gateway, job_id: str) -> Storyboard:
    record = job_record(gateway, job_id)
    stored = load(StoredStoryboard, gateway.store.result(job_id, STORYBOARD))
    if stored is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"job {job_id} is {record.state.value} and has no storyboard to change yet")
    return stored.storyboard


async def _store_and_rerun(gateway: Gateway, job_id: str, storyboard: Storyboard) -> JobView:
    gateway.store.put_result(job_id, STORYBOARD, StoredStoryboard(storyboard=storyboard))
    await gateway.orchestrator.revise(job_id)
    gateway.runtime.publish(job_id, EventKind.STORYBOARD, {"shots": len(storyboard.shots())})
    return current_view(gateway, job_id)


@router.put(
    "/{job_id}/storyboard", status_code=status.HTTP_202_ACCEPTED, response_model=JobView,
    responses=errors(404, 409, 413, 422),
    summary="Edit the storyboard; only what depends on the change is made again",
    description="Send the whole storyboard (as GET returns it) with your changes: a shot's prompt or lines, a "
                "character's description or voice, scenes or shots added or removed. Shot lengths are ignored "
                "(they come from speech). A prompt edit re-renders that shot; a line edit re-speaks and "
                "re-renders it and re-scores its scene if its length changed; a description edit re-renders "
                "the shots that show the character; a voice edit re-speaks (voices are cast together), then "
                "re-renders only shots whose length changed. The film is composed again.",
)
async def edit_storyboard(
    job_id: JobId,
    storyboard: Annotated[Storyboard, Body(openapi_examples={"one shot": {"value": EXAMPLE_STORYBOARD}})],
    gateway: GatewayDep,
) -> JobView:
    planned = _planned(gateway, job_id)
    storyboard = edits.normalised(storyboard)
    edits.check_storyboard(storyboard)  # InvalidInput -> 422; nothing is stored
    if edits.names_new_voices(planned, storyboard):
        await edits.check_voices(gateway.runtime.services.audio, storyboard)
    gateway.store.drop_results(job_id, REPLAN)  # the whole storyboard is given: scenes waiting to be re-planned are not
    return await _store_and_rerun(gateway, job_id, storyboard)


@router.post(
    "/{job_id}/shots/{shot_id}/reroll", status_code=status.HTTP_202_ACCEPTED, response_model=JobView,
    responses=errors(404, 409, 422),
    summary="Render one shot again (optionally with a new prompt), then compose the film again",
    description="Nothing else is redone: the other shots, the speech and the music are kept.",
)
async def reroll_shot(job_id: JobId, shot_id: ShotId, change: RerollRequest, gateway: GatewayDep) -> JobView:
    planned = _planned(gateway, job_id)
    try:
        storyboard = edits.reroll(planned, shot_id, change)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} has no shot {shot_id!r}") from None
    return await _store_and_rerun(gateway, job_id, storyboard)


@router.post(
    "/{job_id}/scenes/{scene_id}/replan", status_code=status.HTTP_202_ACCEPTED, response_model=JobView,
    responses=errors(404, 409, 422),
    summary="Plan one scene again from new text; only that scene and the film are made again",
    description="Without text, the scene's current text (see GET .../text) is planned again as it is (with an "
                "LLM planner, a new take). Answered at once (202); the job then plans the scene (state "
                "`planning`): the planner reads the text (PlanScenes) and cuts it into shots for "
                "this scene alone (PlanShots), with the story's characters: a speaker named in the text is the story's "
                "character of that name, and a new name joins the cast. The scene keeps its id and title; "
                "its setting, time of day and mood come from the new text. Its speech, pictures and music "
                "are made again, then the film. Other scenes are untouched. If the planner fails or refuses the "
                "text, the job fails with its reason (`error`, step `planning`) and the storyboard is unchanged; "
                "POST .../render then renders the unchanged storyboard, after trying again a re-plan that failed "
                "only because the planner was unreachable.",
)
async def replan(job_id: JobId, scene_id: SceneId, change: ReplanRequest, gateway: GatewayDep) -> JobView:
    planned = _planned(gateway, job_id)
    try:
        text = scene_text(planned, scene_id) if change.text is None else change.text
        if all(scene.id != scene_id for scene in planned.scenes):
            raise KeyError(scene_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} has no scene {scene_id!r}") from None
    check_story(text, gateway.settings.max_story_bytes)  # InvalidInput -> 422; nothing is stored
    gateway.store.put_result(job_id, replan_name(scene_id), ReplanOrder(scene_id=scene_id, text=text))
    await gateway.orchestrator.revise(job_id)
    return current_view(gateway, job_id)


@router.get(
    "/{job_id}/scenes/{scene_id}/text", response_class=PlainTextResponse,
    responses={**errors(404, 409), 200: {"content": {"text/plain": {"example": "Meera lit the lantern.\n\n"
                                                                           "“Hold it high,” she said."}}}},
    summary="A scene as story text, to rewrite and send to .../replan",
    description="A paragraph a shot, a character's lines in quotes: the planner reads it back the same way.",
)
async def scene_as_text(job_id: JobId, scene_id: SceneId, gateway: GatewayDep) -> PlainTextResponse:
    try:
        return PlainTextResponse(scene_text(_planned(gateway, job_id), scene_id))
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} has no scene {scene_id!r}") from None
