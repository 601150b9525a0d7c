"""Argument checks run before any request is sent; each failure names the field.

Patterns come from the spec (dataset names from the newest one, lightly 1.5.20's
``DatasetCreateRequest``): ObjectIds ``^[a-f0-9]{24}$``, ``TagName``, ``PathSafeName``,
``ActiveLearningScoreType``; timestamps are integers >= 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum
from typing import Any, Final, TypeVar

from lightly_async.bitmask import BitMask
from lightly_async.errors import InvalidInputError

__all__ = [
    "bitmask",
    "dataset_name",
    "enum_value",
    "non_negative_int",
    "object_id",
    "path_safe_name",
    "score_type",
    "tag_name",
    "timestamp",
]

E = TypeVar("E", bound=Enum)

_OBJECT_ID: Final = re.compile(r"^[a-f0-9]{24}$")
_DATASET_NAME: Final = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 _-]+$")
_TAG_NAME: Final = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$")
_PATH_SAFE: Final = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 ._-]+$")
_SCORE_TYPE: Final = re.compile(r"^[a-zA-Z0-9_-]+$")


def object_id(field: str, value: Any) -> str:
    """A MongoDB ObjectId: 24 lowercase hex characters."""
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a 24-character hex id, got {_kind(value)}")
    if not _OBJECT_ID.fullmatch(value):
        raise InvalidInputError(field, f"must match ^[a-f0-9]{{24}}$, got {value!r}")
    return value


def tag_name(field: str, value: Any) -> str:
    """A ``TagName``: at least 3 characters, starting alphanumeric."""
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, got {_kind(value)}")
    if len(value) < 3 or not _TAG_NAME.fullmatch(value):
        raise InvalidInputError(
            field, f"must be >= 3 characters matching ^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$, "
            f"got {value!r}")
    return value


def dataset_name(field: str, value: Any) -> str:
    """A dataset name (newest spec, ``DatasetCreateRequest.name``): >= 3 characters."""
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, got {_kind(value)}")
    if len(value) < 3 or not _DATASET_NAME.fullmatch(value):
        raise InvalidInputError(
            field, f"must be >= 3 characters matching ^[a-zA-Z0-9][a-zA-Z0-9 _-]+$, "
            f"got {value!r}")
    return value


def path_safe_name(field: str, value: Any) -> str:
    """A ``PathSafeName`` (task names)."""
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, got {_kind(value)}")
    if not _PATH_SAFE.fullmatch(value):
        raise InvalidInputError(
            field, f"must match ^[a-zA-Z0-9][a-zA-Z0-9 ._-]+$, got {value!r}")
    return value


def score_type(field: str, value: Any) -> str:
    """An ``ActiveLearningScoreType``."""
    if not isinstance(value, str) or not _SCORE_TYPE.fullmatch(value):
        raise InvalidInputError(field, f"must match ^[a-zA-Z0-9_-]+$, got {value!r}")
    return value


def timestamp(field: str, value: Any) -> int:
    """A ``Timestamp``: an integer >= 0."""
    return non_negative_int(field, value)


def non_negative_int(field: str, value: Any) -> int:
    """An integer (not a bool) >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(field, f"must be an integer >= 0, got {_kind(value)}")
    if value < 0:
        raise InvalidInputError(field, f"must be >= 0, got {value}")
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
            raise InvalidInputError(field, f"must match ^0x[a-f0-9]+$, got {value!r}") from None
    else:
        raise InvalidInputError(field, f"must be a BitMask or a '0x…' string, got {_kind(value)}")
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


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:80]
