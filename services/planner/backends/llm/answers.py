"""What the two agents answer, as Pydantic models: their JSON schema goes to the server in
response_format, and every answer is validated against them, then checked for sense.

The model never writes the story's text: it answers with sentence numbers ("the scene opens at
sentence 12") and with what only it can judge (titles, settings, moods, framing, what is seen).
Every field is required (OpenAI's strict mode wants that, and small models skip optional ones).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from storyreel.domain import CameraMove, Mood, ShotType, TimeOfDay, Weather

_DEVANAGARI = re.compile("[\u0900-\u097f]")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneChoice(_Answer):
    first: int = Field(description="Number of the sentence that opens the scene.")
    title: str = Field(min_length=1, max_length=60, description="A short scene title.")
    setting: str = Field(
        min_length=2, max_length=100, description="Where it happens, in English words an illustrator can draw."
    )
    time_of_day: TimeOfDay
    weather: Weather
    mood: Mood
    summary: str = Field(min_length=2, max_length=200, description="One sentence: what happens in the scene.")


class CharacterNote(_Answer):
    id: str = Field(description="A character id from the list.")
    description: str = Field(
        min_length=3, max_length=120, description="How the character looks, in English (age, build, hair, clothes)."
    )


class ScenesAnswer(_Answer):
    scenes: list[SceneChoice] = Field(min_length=1)
    characters: list[CharacterNote]


class ShotChoice(_Answer):
    first: int = Field(description="Number of the sentence that opens the shot.")
    shot_type: ShotType
    camera: CameraMove
    characters: list[str] = Field(description="Ids of the characters in frame (at most three).", max_length=3)
    action: str = Field(min_length=3, max_length=160, description="What the picture shows, in English.")


class ShotsAnswer(_Answer):
    shots: list[ShotChoice] = Field(min_length=1)


def english(text: str, what: str) -> None:
    """Image models read English: a setting, description or action in Devanagari is refused."""
    if _DEVANAGARI.search(text):
        raise ValueError(f"{what} {text!r} is not in English: write it in English words")


def schema_of(answer_type: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with every $ref inlined (some servers' grammars do not follow $ref)."""
    schema = answer_type.model_json_schema()
    definitions = schema.pop("$defs", {})
    return _inline(schema, definitions)  # type: ignore[no-any-return]


def bound(schema: dict[str, Any], path: list[str], **limits: Any) -> dict[str, Any]:
    """A copy of schema with limits (minimum, maximum, enum, maxItems ...) set at a property path
    such as ["properties", "shots", "items", "properties", "first"]."""
    bounded = copy.deepcopy(schema)
    node = bounded
    for key in path:
        node = node[key]
    node.update(limits)
    return bounded


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = definitions[node["$ref"].rsplit("/", 1)[-1]]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _inline(merged, definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node
