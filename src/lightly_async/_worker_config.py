"""Worker configs given as plain dicts (snake_case, as lightly 1.5.20 took them) -> models.

``config_from(path, value, cls)`` accepts a model instance as it is, or a mapping whose keys
are the model's field names (the wire's camelCase keys are accepted too). Every key is
checked against the model before anything is sent: an unknown one is an
:class:`InvalidInputError` naming its path and the closest valid key
(``selection.strategies[0].strategy.typ: unknown key; did you mean `type`?``); a value of the
wrong JSON type is one too, with the path of the field. Nested models, lists of models and the
``AutoTask`` union (chosen by ``type``) are followed; free-form objects (``target``) are kept.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import attrs

from lightly_async._convert import describe_error, get_converter, wire_name
from lightly_async._convert.converter import TAG_KEYS as _TAG_KEYS
from lightly_async._convert.converter import TAGGED_UNIONS as _TAGGED_UNIONS
from lightly_async.errors import InvalidInputError

__all__ = ["config_from"]

T = TypeVar("T")


def config_from(path: str, value: Any, cls: type[T]) -> T:
    """``value`` (a ``cls`` or a snake_case mapping) as a checked ``cls``."""
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise InvalidInputError(path, f"must be a dict or a {cls.__name__}, "
                                      f"got {type(value).__name__}")
    wire = _to_wire(value, cls, path)
    try:
        result: T = get_converter(strict=True).structure(wire, cls)
    except Exception as exc:  # cattrs raises many types; all mean "not the schema"
        problems = [_snake_path(line, path) for line in describe_error(exc)]
        raise InvalidInputError(path, "; ".join(problems)) from None
    return result


def _to_wire(value: Any, tp: Any, path: str) -> Any:
    """``value`` with snake_case keys renamed to the wire's, checked key by key."""
    tp = _without_none(tp)
    if tp in _TAGGED_UNIONS:
        return _union_to_wire(value, tp, path)
    if attrs.has(tp):
        if not isinstance(value, Mapping):
            return value  # the converter names the wrong type
        if isinstance(value, tp):
            return get_converter().unstructure(value)
        fields = {a.name: a for a in attrs.fields(attrs.resolve_types(tp))}
        by_wire = {wire_name(a): a for a in fields.values()}
        out: dict[str, Any] = {}
        for key, item in value.items():
            field = fields.get(key) if isinstance(key, str) else None
            field = field or (by_wire.get(key) if isinstance(key, str) else None)
            if field is None:
                raise InvalidInputError(f"{path}.{key}", _unknown(str(key), list(fields)))
            out[wire_name(field)] = _to_wire(item, field.type, f"{path}.{field.name}")
        return out
    if typing.get_origin(tp) is list and isinstance(value, list | tuple):
        (inner,) = typing.get_args(tp) or (Any,)
        return [_to_wire(item, inner, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Enum):
        return value.value
    return value


def _union_to_wire(value: Any, union: Any, path: str) -> Any:
    key = _TAG_KEYS.get(union, "type")
    members = {str(attrs.fields_dict(m)[key].default): m for m in typing.get_args(union)
               if attrs.fields_dict(m)[key].default is not attrs.NOTHING}
    if attrs.has(type(value)) and type(value) in members.values():
        return get_converter().unstructure(value)
    if not isinstance(value, Mapping):
        return value
    tag = value.get(key)
    if tag not in members:
        choices = ", ".join(f"`{t}`" for t in sorted(members))
        raise InvalidInputError(f"{path}.{key}", f"must be one of {choices}, got {tag!r}")
    return {key: tag, **_to_wire({k: v for k, v in value.items() if k != key},
                                 members[tag], path)}


def _unknown(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    if close:
        return f"unknown key; did you mean `{close[0]}`?"
    return f"unknown key; valid keys: {', '.join(sorted(valid))}"


def _without_none(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and tp not in _TAGGED_UNIONS:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


_WIRE_SEGMENT = re.compile(r"\.([A-Za-z0-9]+)")


def _snake_path(line: str, root: str) -> str:
    """``... @ $.strategies[0].randomSeed`` -> ``root.strategies[0].random_seed: ...``."""
    problem, _, where = line.rpartition(" @ ")
    if not problem:
        return line
    snake = _WIRE_SEGMENT.sub(lambda m: "." + re.sub(r"(?<!^)(?=[A-Z])", "_", m.group(1)).lower(),
                              where)
    return f"{root}{snake[1:]}: {problem}"
