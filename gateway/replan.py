"""Re-plan one scene from new text, the pieces that need no service: the scene as text to
rewrite, the new text's speakers matched to the story's cast, the text's outlines as one outline
for the scene.

The calls themselves (PlanScenes reads the text, PlanShots cuts it into the scene's shots) are a
step of the job's run (gateway.pipeline.JobRun._replan), made like every other call. The rest of
the storyboard is untouched, so only the scene's speech, pictures and music and the film are made
again.
"""

from __future__ import annotations

from collections.abc import Iterable

from storyreel.domain import Character, Scene, Storyboard
from storyreel.planner.v1 import planner_service_pb2 as planner_pb

__all__ = ["match_cast", "one_outline", "scene_text"]


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
