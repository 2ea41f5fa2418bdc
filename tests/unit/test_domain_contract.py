"""Each Pydantic domain model and its protobuf message stay in step, and data survives the trip."""

from __future__ import annotations

import enum

import pytest
from pydantic import BaseModel

from storyreel import domain
from storyreel.convert import enum_prefix, from_proto, proto_enum_value, to_proto
from storyreel.storyboard.v1 import storyboard_pb2

MODELS = [domain.Voice, domain.Character, domain.Line, domain.Shot, domain.Scene, domain.Storyboard]
ENUMS = [
    v for v in vars(domain).values()
    if isinstance(v, type) and issubclass(v, enum.Enum) and v.__module__ == domain.__name__
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_model_fields_match_message_fields(model: type[BaseModel]) -> None:
    message = getattr(storyboard_pb2, model.__name__)
    assert set(model.model_fields) == {f.name for f in message.DESCRIPTOR.fields}


@pytest.mark.parametrize("domain_enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_members_match_proto_values(domain_enum: type[enum.Enum]) -> None:
    descriptor = storyboard_pb2.DESCRIPTOR.enum_types_by_name[domain_enum.__name__]
    proto_names = {v.name.removeprefix(enum_prefix(descriptor)) for v in descriptor.values}
    assert proto_names - {"UNSPECIFIED"} == {m.name for m in domain_enum}


def test_every_proto_enum_has_a_domain_twin() -> None:
    assert set(storyboard_pb2.DESCRIPTOR.enum_types_by_name) == {e.__name__ for e in ENUMS}


def _storyboard() -> domain.Storyboard:
    della = domain.Character(
        id="c_della", name="Della", aliases=["Mrs. Young"], description="young woman, long brown hair",
        voice=domain.Voice(voice_id="f2", pitch=70, rate_wpm=170),
    )
    shot = domain.Shot(
        id="s01_01",
        lines=[domain.Line(text="“One dollar,” she said.", speaker_id="c_della"),
               domain.Line(text="गुड़िया बोली।", language=domain.Language.HI)],
        visual_prompt="a flat at night", shot_type=domain.ShotType.CLOSE_UP, camera=domain.CameraMove.PUSH_IN,
        character_ids=["c_della"], duration_s=4.25, seed=1234567890123,
    )
    scene = domain.Scene(id="s01", title="The flat", time_of_day=domain.TimeOfDay.NIGHT, mood=domain.Mood.SAD,
                         weather=domain.Weather.SNOW, shots=[shot])
    return domain.Storyboard(title="Gift", language=domain.Language.MIXED, characters=[della], scenes=[scene])


def test_storyboard_round_trips_through_protobuf() -> None:
    storyboard = _storyboard()
    message = to_proto(storyboard, storyboard_pb2.Storyboard)
    assert message.scenes[0].mood == storyboard_pb2.MOOD_SAD
    assert message.scenes[0].shots[0].camera == storyboard_pb2.CAMERA_MOVE_PUSH_IN
    wire = storyboard_pb2.Storyboard.FromString(message.SerializeToString())
    assert from_proto(wire, domain.Storyboard) == storyboard


def test_unspecified_enum_takes_the_domain_default() -> None:
    scene = from_proto(storyboard_pb2.Scene(id="s01"), domain.Scene)
    assert scene.mood == domain.Mood.CALM


def test_proto_enum_value() -> None:
    assert proto_enum_value(domain.Language.HI) == storyboard_pb2.LANGUAGE_HI
    assert proto_enum_value(domain.TimeOfDay.NIGHT) == storyboard_pb2.TIME_OF_DAY_NIGHT
    for member in domain.Mood:  # typed as the proto enum, the same number
        assert proto_enum_value(member, storyboard_pb2.Mood) == proto_enum_value(member)
    scene = storyboard_pb2.Scene(mood=proto_enum_value(domain.Mood.SAD, storyboard_pb2.Mood))
    assert scene.mood == storyboard_pb2.MOOD_SAD
    with pytest.raises(TypeError, match=r"Mood\.SAD is not a value of the proto enum Language"):
        proto_enum_value(domain.Mood.SAD, storyboard_pb2.Language)


def test_storyboard_totals() -> None:
    storyboard = _storyboard()
    assert storyboard.total_duration_s() == pytest.approx(4.25)
    assert storyboard.character("c_della") is not None
    assert storyboard.character("c_nobody") is None


def test_fields_a_model_does_not_know_are_ignored_at_every_depth() -> None:
    """An older service must accept a request whose message has grown new fields."""

    class OldVoice(BaseModel):
        model_config = {"extra": "forbid"}
        pitch: int = 50

    class OldCharacter(BaseModel):
        model_config = {"extra": "forbid"}
        id: str
        voice: OldVoice = OldVoice()

    class OldStoryboard(BaseModel):
        model_config = {"extra": "forbid"}
        characters: list[OldCharacter] = []

    message = to_proto(_storyboard(), storyboard_pb2.Storyboard)
    old = from_proto(message, OldStoryboard)
    assert old.characters[0].id == "c_della"
    assert old.characters[0].voice.pitch == 70
