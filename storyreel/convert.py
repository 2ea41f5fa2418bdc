"""One generic conversion pair between the Pydantic domain and protobuf messages.

Fields are matched by name. Enums are matched by member name: the proto value MOOD_CALM is
the domain member Mood.CALM (the domain's enums, and storyreel.profiles' output choices:
SUBTITLE_SIZE_LARGE is SubtitleSize.LARGE). The proto zero value (..._UNSPECIFIED) becomes "not set", so the
domain model's default applies.

`proto_enum_value(member, storyboard_pb2.Mood)` gives a domain member as the proto enum a field
is typed with, so a request is built without casts.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, TypeVar, get_args, overload

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel

from storyreel import domain, profiles
from storyreel.storyboard.v1 import storyboard_pb2

__all__ = ["enum_prefix", "from_proto", "proto_enum_value", "to_proto"]

M = TypeVar("M", bound=Message)
B = TypeVar("B", bound=BaseModel)
P = TypeVar("P", bound=int)

_DOMAIN_ENUMS: dict[str, type[Enum]] = {
    name: value
    for module in (domain, profiles)  # profiles: the output choices the gateway and the composer share
    for name, value in vars(module).items()
    if isinstance(value, type) and issubclass(value, Enum) and value.__module__ == module.__name__
}


def enum_prefix(enum_descriptor: EnumDescriptor) -> str:
    """TimeOfDay -> "TIME_OF_DAY_"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum_descriptor.name).upper() + "_"


def _domain_enum(enum_descriptor: EnumDescriptor) -> type[Enum]:
    try:
        return _DOMAIN_ENUMS[enum_descriptor.name]
    except KeyError:
        raise TypeError(f"no domain enum named {enum_descriptor.name}") from None


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _enum_to_proto(field: FieldDescriptor, value: Any) -> int:
    member = _domain_enum(field.enum_type)(value)
    return int(field.enum_type.values_by_name[enum_prefix(field.enum_type) + member.name].number)


@overload
def proto_enum_value(member: Enum) -> int: ...


@overload
def proto_enum_value(member: Enum, enum_type: type[P]) -> P: ...


def proto_enum_value(member: Enum, enum_type: Any = None) -> Any:
    """A domain enum member as its proto enum value: Mood.SAD -> MOOD_SAD. Given the proto enum
    (`storyboard_pb2.Mood`), the value is typed as that enum, as a message field wants it;
    without it, a plain int. TypeError when the enum is not the member's own."""
    if enum_type is None:
        descriptor = storyboard_pb2.DESCRIPTOR.enum_types_by_name[type(member).__name__]
    else:  # a generated enum is typed as a class, but is an EnumTypeWrapper holding its descriptor
        descriptor = enum_type.DESCRIPTOR
        if descriptor.name != type(member).__name__:
            raise TypeError(f"{type(member).__name__}.{member.name} is not a value of the proto enum {descriptor.name}")
    return descriptor.values_by_name[enum_prefix(descriptor) + member.name].number


def _enum_from_proto(field: FieldDescriptor, number: int) -> Any:
    name = field.enum_type.values_by_number[number].name
    member_name = name.removeprefix(enum_prefix(field.enum_type))
    if member_name == "UNSPECIFIED":
        return None
    return _domain_enum(field.enum_type)[member_name].value


def _fill(message: Message, data: dict[str, Any]) -> None:
    for field in message.DESCRIPTOR.fields:
        value = data.get(field.name)
        if value is None:
            continue
        if field.message_type is not None:
            if _is_repeated(field):
                for item in value:
                    _fill(getattr(message, field.name).add(), item)
            else:
                getattr(message, field.name).SetInParent()
                _fill(getattr(message, field.name), value)
        elif field.enum_type is not None:
            if _is_repeated(field):
                getattr(message, field.name).extend(_enum_to_proto(field, v) for v in value)
            else:
                setattr(message, field.name, _enum_to_proto(field, value))
        elif _is_repeated(field):
            getattr(message, field.name).extend(value)
        else:
            setattr(message, field.name, value)


def _read(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.message_type is not None:
            if _is_repeated(field):
                data[field.name] = [_read(item) for item in value]
            elif message.HasField(field.name):
                data[field.name] = _read(value)
        elif field.enum_type is not None:
            if _is_repeated(field):
                data[field.name] = [_enum_from_proto(field, v) for v in value]
            else:
                converted = _enum_from_proto(field, value)
                if converted is not None:
                    data[field.name] = converted
        elif _is_repeated(field):
            data[field.name] = list(value)
        else:
            data[field.name] = value
    return data


def to_proto(model: BaseModel, message_type: type[M]) -> M:
    """A domain model as the protobuf message of the same shape."""
    message: M = message_type()
    _fill(message, model.model_dump(mode="json"))
    return message


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (`Voice`, `list[Line]`, `Voice | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in get_args(annotation) if (m := _model_in(arg)) is not None), None)


def _known_fields(data: dict[str, Any], model_type: type[BaseModel]) -> dict[str, Any]:
    """Only the fields the model has, at every depth: a field added to a message later (protos
    only grow) must not make an older service refuse the whole request."""
    kept: dict[str, Any] = {}
    for name, field in model_type.model_fields.items():
        if name not in data:
            continue
        value, inner = data[name], _model_in(field.annotation)
        if inner is not None and isinstance(value, dict):
            value = _known_fields(value, inner)
        elif inner is not None and isinstance(value, list):
            value = [_known_fields(item, inner) if isinstance(item, dict) else item for item in value]
        kept[name] = value
    return kept


def from_proto(message: Message, model_type: type[B]) -> B:
    """A protobuf message as the domain model of the same shape (validated). Fields the model
    does not know are ignored, as proto3 itself ignores unknown fields."""
    return model_type.model_validate(_known_fields(_read(message), model_type))
