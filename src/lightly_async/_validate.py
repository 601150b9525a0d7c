"""Argument checks run before any request is sent; each failure names the field.

The constraints themselves (patterns, ranges, enum sets) and their messages live in
``_constraints``, shared with the fake server; this module turns a problem into an
``InvalidInputError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar

from lightly_async import _constraints as c
from lightly_async._constraints import kind
from lightly_async.bitmask import BitMask
from lightly_async.errors import InvalidInputError

__all__ = [
    "bitmask",
    "dataset_name",
    "enum_value",
    "is_loopback",
    "non_negative_int",
    "object_id",
    "path_safe_name",
    "positive_int",
    "satisfies",
    "score_type",
    "tag_name",
    "timestamp",
]

E = TypeVar("E", bound=Enum)


def object_id(field: str, value: Any) -> str:
    """A MongoDB ObjectId: 24 lowercase hex characters."""
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a 24-character hex id, got {kind(value)}")
    return _pattern(field, value, c.OBJECT_ID)


def tag_name(field: str, value: Any) -> str:
    """A ``TagName``: at least 3 characters, starting alphanumeric."""
    return _pattern(field, value, c.TAG_NAME)


def dataset_name(field: str, value: Any) -> str:
    """A dataset name (newest spec, ``DatasetCreateRequest.name``): >= 3 characters."""
    return _pattern(field, value, c.DATASET_NAME)


def path_safe_name(field: str, value: Any) -> str:
    """A ``PathSafeName`` (task names)."""
    return _pattern(field, value, c.PATH_SAFE_NAME)


def score_type(field: str, value: Any) -> str:
    """An ``ActiveLearningScoreType``."""
    return _pattern(field, value, c.SCORE_TYPE)


def timestamp(field: str, value: Any) -> int:
    """A ``Timestamp``: an int64 >= 0."""
    checked: int = _range(field, value, c.TIMESTAMP)
    return checked


def non_negative_int(field: str, value: Any) -> int:
    """An integer (not a bool) >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(field, f"must be an integer >= 0, got {kind(value)}")
    if value < 0:
        raise InvalidInputError(field, f"must be >= 0, got {value}")
    return value


def positive_int(field: str, value: Any) -> int:
    """An integer (not a bool) >= 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(field, f"must be an integer >= 1, got {kind(value)}")
    if value < 1:
        raise InvalidInputError(field, f"must be >= 1, got {value}")
    return value


def satisfies(field: str, value: Any, constraint: c.Pattern | c.Range | c.OneOf) -> Any:
    """``value`` if it satisfies ``constraint``, else an ``InvalidInputError`` for ``field``."""
    problem = constraint.problem(value)
    if problem:
        raise InvalidInputError(field, problem)
    return value


def enum_value(field: str, value: Any, enum_cls: type[E]) -> E:
    """A member of ``enum_cls``, given as the member or its wire string."""
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum_cls)
        raise InvalidInputError(field, f"must be one of {allowed}, got {value!r}") from None


def bitmask(field: str, value: Any, tot_size: int | None = None) -> BitMask:
    """A ``BitMask`` or ``0x…`` string, with no bit at or beyond ``tot_size``."""
    if isinstance(value, BitMask):
        mask = value
    elif isinstance(value, str):
        try:
            mask = BitMask.from_hex(value)
        except ValueError:
            raise InvalidInputError(
                field, f"must match {c.BITMASK_HEX.regex.pattern}, got {value!r}") from None
    else:
        raise InvalidInputError(field, f"must be a BitMask or a '0x…' string, got {kind(value)}")
    if tot_size is not None and not mask.fits(tot_size):
        raise InvalidInputError(
            field, f"has bit {mask.to_int().bit_length() - 1} set, beyond tot_size={tot_size}")
    return mask


def non_empty(field: str, values: Iterable[Any]) -> list[Any]:
    """A list that must hold at least one item."""
    items = list(values)
    if not items:
        raise InvalidInputError(field, "must not be empty")
    return items


def _pattern(field: str, value: Any, pattern: c.Pattern) -> str:
    checked: str = satisfies(field, value, pattern)
    return checked


def _range(field: str, value: Any, rule: c.Range) -> Any:
    return satisfies(field, value, rule)


def is_loopback(host: str) -> bool:
    """``host`` is this machine: ``localhost`` (or a ``.localhost`` name) or a loopback IP."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress  # only when a URL is checked

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
