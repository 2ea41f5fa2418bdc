"""Re-plan one scene from new text: the planner reads the text into an outline (PlanScenes), the
outline's speakers are matched to the story's characters, and the planner cuts it into shots for
this scene alone (PlanShots). The rest of the storyboard is untouched, so only the scene's speech,
pictures and music and the film are made again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import TypeVar

import grpc

from gateway.clients import ServiceName, Services
from storyreel.convert import from_proto, proto_enum_value, to_proto
from storyreel.domain import Character, Scene, Storyboard
from storyreel.errors import InvalidInput
from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from storyreel.storyboard.v1 import storyboard_pb2

R = TypeVar("R")


class PlannerFailed(Exception):
    """The planner could not re-plan the scene; the message says why, in a user's words."""


def scene_text(storyboard: Storyboard, scene_id: str) -> str:
    """The scene as story text, for a user to rewrite (or to plan again as it is): a paragraph a
    shot, a character's lines in quotes. The planner narrates speech tags ('said Meera.') as lines
    of their own, so the text reads back into the same lines and speakers. KeyError: no such scene."""
    scene = next((scene for scene in storyboard.scenes if scene.id == scene_id), None)
    if scene is None:
        raise KeyError(scene_id)
    paragraphs = (" ".join(f"“{line.text}”" if line.speaker_id else line.text for line in shot.lines)
                  for shot in scene.shots)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def match_cast(cast: list[Character], found: Iterable[Character]) -> tuple[list[Character], dict[str, str]]:
    """The story's cast with the characters the new text brings, and each found id's id in that
    cast: a found character is the story's character of the same name, id or alias (any case);
    one the story does not have joins it, under an id of its own."""
    known = {name.casefold(): character.id for character in cast
             for name in (character.id, character.name, *character.aliases)}
    merged, ids, taken = list(cast), {}, {character.id for character in cast}
    for character in found:
        names = (character.name, character.id, *character.aliases)
        match = next((known[name.casefold()] for name in names if name.casefold() in known), None)
        if match is None:
            match = _free_id(character.id, taken)
            merged.append(character.model_copy(update={"id": match}))
            taken.add(match)
        ids[character.id] = match
    return merged, ids


def _free_id(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate


def one_outline(
    outlines: Iterable[planner_pb.SceneOutline], scene: Scene, ids: dict[str, str]
) -> planner_pb.SceneOutline:
    """The text's outlines as one outline for `scene`: its id and title kept, the setting, time and
    mood read from the new text, every sentence in order with speakers renamed to the story's ids."""
    outlines = list(outlines)
    merged = planner_pb.SceneOutline()
    merged.scene.CopyFrom(outlines[0].scene)
    merged.scene.id, merged.scene.title = scene.id, scene.title
    for outline in outlines:
        for sentence in outline.sentences:
            copy = merged.sentences.add()
            copy.CopyFrom(sentence)
            for line in copy.lines:
                line.line.speaker_id = ids.get(line.line.speaker_id, line.line.speaker_id)
    return merged


async def replan_scene(
    services: Services, job_id: str, storyboard: Storyboard, scene_id: str, text: str, timeout_s: float
) -> Storyboard:
    """The storyboard with scene `scene_id` planned again from `text`. KeyError for an unknown
    scene, InvalidInput for text the planner cannot use, PlannerFailed when the planner fails."""
    index = next((i for i, scene in enumerate(storyboard.scenes) if scene.id == scene_id), None)
    if index is None:
        raise KeyError(scene_id)
    language = proto_enum_value(storyboard.language)
    scenes_request = planner_pb.PlanScenesRequest(story=text, language=language)  # type: ignore[arg-type]
    read = await _ask(services.planner.PlanScenes(scenes_request, timeout=timeout_s), services, timeout_s, job_id)
    if not read.outlines or not any(outline.sentences for outline in read.outlines):
        raise InvalidInput("the new text has no sentences to narrate")
    found = [from_proto(character, Character) for character in read.storyboard.characters]
    cast, ids = match_cast(storyboard.characters, found)
    request = planner_pb.PlanShotsRequest(
        outline=one_outline(read.outlines, storyboard.scenes[index], ids),
        characters=[to_proto(character, storyboard_pb2.Character) for character in cast],
        language=language,  # type: ignore[arg-type]
        seed_key=read.seed_key,
    )
    planned = await _ask(services.planner.PlanShots(request, timeout=timeout_s), services, timeout_s, job_id)
    result = storyboard.model_copy(deep=True)
    result.scenes[index] = from_proto(planned.scene, Scene)
    result.characters = cast
    return result


async def _ask(call: Awaitable[R], services: Services, timeout_s: float, job_id: str) -> R:
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise InvalidInput(error.details() or "the planner cannot use the new text") from None
        raise PlannerFailed(services.explain(ServiceName.PLANNER, error, timeout_s, job_id)) from None
