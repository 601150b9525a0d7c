"""The explainer: what is wrong where in a body the decoder refused (a ``DecodeError``).

The fast decoder fails without detail; :func:`explain_failure` runs the detailed converter
on the same data and :func:`describe_error` turns cattrs' nested errors into one line per
problem, each with the JSON path of the wire keys (``$.data[3].fileName``).
"""

from __future__ import annotations

from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError

from lightly_async._convert.converter import get_converter
from lightly_async._convert.strict import NotANumberError, WrongTypeError
from lightly_async._convert.wire_names import wire_name

__all__ = ["describe_error", "explain_failure"]


def explain_failure(data: Any, cast: Any) -> tuple[Any, str | None]:
    """Re-structure ``data`` with the detailed converter after the decoder failed.

    Returns ``(value, None)`` if it succeeds after all, else ``(None, what is wrong)``.
    """
    try:
        return get_converter().structure(data, cast), None
    except Exception as exc:  # cattrs raises many types; all mean "not the schema"
        return None, "; ".join(describe_error(exc, data=data))


def describe_error(exc: BaseException, path: str = "$", *, data: Any = None) -> list[str]:
    """What is wrong where, one line per problem, with JSON paths of wire keys.

    Like ``cattrs.transform_error`` but naming each attribute by its JSON key
    (``$.data[3].fileName``, not ``data[3].file_name``).
    """
    if isinstance(exc, ClassValidationError):
        fields = attrs.fields_dict(exc.cl) if attrs.has(exc.cl) else {}
        lines: list[str] = []
        for inner, note in exc.group_exceptions()[0]:
            field = fields.get(note.name)
            key = wire_name(field) if field is not None else note.name
            alias = field.metadata.get("wire_alias") if field is not None else None
            if isinstance(alias, str) and isinstance(data, dict) and key not in data \
                    and alias in data:
                key = alias  # the body said it the other dialect's way: name it as sent
            inner_data = data.get(key) if isinstance(data, dict) else None
            lines.extend(describe_error(inner, f"{path}.{key}", data=inner_data))
        return lines + [f"{_describe_leaf(e)} @ {path}" for e in exc.group_exceptions()[1]]
    if isinstance(exc, IterableValidationError):
        found, other = exc.group_exceptions()
        return [line for inner, note in found
                for line in describe_error(inner, f"{path}[{note.index!r}]", data=_item(
                    data, note.index))] + [
            f"{_describe_leaf(e)} @ {path}" for e in other]
    if isinstance(exc, cattrs.BaseValidationError):
        return [line for inner in exc.exceptions
                for line in describe_error(inner, path, data=data)]
    return [f"{_describe_leaf(exc)} @ {path}"]


def _item(data: Any, index: Any) -> Any:
    """``data[index]`` of a JSON array or object, else ``None``."""
    if isinstance(data, list) and isinstance(index, int) and 0 <= index < len(data):
        return data[index]
    return data.get(index) if isinstance(data, dict) else None


def _describe_leaf(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, WrongTypeError | NotANumberError | cattrs.ForbiddenExtraKeysError):
        return str(exc)
    return f"invalid value ({type(exc).__name__}: {exc})"
