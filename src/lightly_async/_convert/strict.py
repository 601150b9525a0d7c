"""The strict JSON type rules: a JSON value of the wrong type is an error, never coerced.

``value.__class__ is …`` rather than isinstance: bool is a subclass of int, and json.loads
only ever builds the exact types. No float→int, str→number, list→str, bool→int; an int is
taken where a number is expected and kept as the int it was.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, Final

__all__ = [
    "EXACT",
    "JSON_TYPES",
    "SCALAR_HOOKS",
    "NotANumberError",
    "WrongTypeError",
    "json_type",
    "union_members",
]


class WrongTypeError(TypeError):
    """A JSON value of the wrong type for its field (never coerced)."""

    def __init__(self, expected: str, value: Any) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        super().__init__(f"expected {expected}, got {json_type(value)} {shown}")



def _structure_str(value: Any, _: Any) -> str:
    if value.__class__ is str:
        return value
    raise WrongTypeError("a string", value)


def _structure_int(value: Any, _: Any) -> int:
    if value.__class__ is int:
        return value
    raise WrongTypeError("an integer", value)


def _structure_float(value: Any, _: Any) -> float:
    # JSON has one number type: an int is a valid number and stays the int it was (lossless),
    # if it is an int64 or a float holds it exactly. NaN and the infinities (a ``NaN`` token,
    # ``1e400``) are no numbers a strict decoder takes.
    if value.__class__ is float:
        if value - value == 0:  # inf - inf and nan - nan are nan
            return value
        raise NotANumberError(f"expected a finite number, got {value!r}")
    if value.__class__ is int:
        if -_INT64 <= value < _INT64 or _float_holds(value):
            return value
        shown = str(value) if len(str(value)) <= 40 else f"{str(value)[:37]}..."
        raise NotANumberError(
            f"expected a number (an int64, or an integer a float holds exactly), got {shown}")
    raise WrongTypeError("a number", value)


#: Every integer up to 2**53 in magnitude is exactly a float (IEEE 754 double); the fast
#: decoder checks that much inline and leaves larger ones to ``_structure_float``.
EXACT: Final = 2**53
#: The API's integers are int64 (``format: int64``): one of those is a number too, kept as
#: the exact int it was, even where a float would round it.
_INT64: Final = 2**63


def _float_holds(value: int) -> bool:
    try:
        return int(float(value)) == value
    except OverflowError:
        return False


class NotANumberError(ValueError):
    """A JSON number no float field may hold: NaN, an infinity, an integer past int64 that a
    float would round (a 40-digit integer)."""


def _structure_bool(value: Any, _: Any) -> bool:
    if value.__class__ is bool:
        return value
    raise WrongTypeError("a boolean", value)


SCALAR_HOOKS: dict[type, Callable[[Any, Any], Any]] = {
    str: _structure_str, int: _structure_int, float: _structure_float, bool: _structure_bool}


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (``string``, ``array``...)."""
    return JSON_TYPES.get(value.__class__, type(value).__name__)


JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
               list: "array", dict: "object", type(None): "null"}



def union_members(tp: Any) -> tuple[Any, ...] | None:
    """The members of a union type, or ``None`` for any other type."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    return typing.get_args(tp)

