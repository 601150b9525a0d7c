"""The one cattrs converter, shared by the client and the fake server.

It owns the wire format: camelCase keys (with per-field exceptions such as the 2021 samples'
``_id``), ``BitMask`` as ``0x…`` strings, unions chosen by ``type``, unknown enum values kept
as plain ``str``, unknown keys ignored (or refused, with ``strict=True``), and optional fields
left unset omitted rather than sent as ``null``.
"""

from __future__ import annotations

import re
import types
import typing
from enum import Enum
from functools import cache
from typing import Any

import attrs
import cattrs
from cattrs import Converter
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter
from cattrs.strategies import configure_tagged_union

from lightly_async.bitmask import BitMask
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.datasources import DatasourceConfig
from lightly_async.models.predictions import PredictionSingleton
from lightly_async.models.tags import TagArithmeticsResponse, TagBitMaskResponse

__all__ = ["explain_failure", "get_converter", "get_decoder", "make_converter", "wire_name"]


def make_converter(*, strict: bool = False, detailed: bool = True) -> Converter:
    """Build a converter; ``strict=True`` refuses unknown keys (the fake parses with it).

    ``detailed=False`` skips cattrs' error bookkeeping (about half the cost of structuring a
    large page); on a failure, the detailed converter is run to say where the body is wrong.
    """
    conv = make_json_converter(
        omit_if_default=True, forbid_extra_keys=strict, detailed_validation=detailed)
    conv.register_structure_hook_factory(attrs.has, _structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_factory)
    conv.register_structure_hook_factory(_is_enum_or_str, _enum_or_str_factory)
    conv.register_structure_hook(BitMask, _structure_bitmask)
    conv.register_unstructure_hook(BitMask, BitMask.to_hex)
    conv.register_unstructure_hook(Enum, _enum_value)
    conv.register_structure_hook(
        TagArithmeticsResponse, lambda value, _: _structure_arithmetics_response(conv, value))
    for union in (DatasourceConfig, PredictionSingleton):
        configure_tagged_union(union, conv, tag_name="type", tag_generator=_tag_of)
    return conv


@cache
def get_converter(*, strict: bool = False) -> Converter:
    """The shared converter (built once per process, on first use)."""
    return make_converter(strict=strict)


@cache
def get_decoder() -> Converter:
    """The converter that decodes responses: no error bookkeeping, see ``explain_failure``."""
    return make_converter(strict=False, detailed=False)


def explain_failure(data: Any, cast: Any) -> tuple[Any, str | None]:
    """Re-structure ``data`` with the detailed converter after the decoder failed.

    Returns ``(value, None)`` if it succeeds after all, else ``(None, what is wrong)``.
    """
    try:
        return get_converter().structure(data, cast), None
    except cattrs.BaseValidationError as exc:
        return None, "; ".join(cattrs.transform_error(exc))
    except Exception as exc:  # cattrs raises many types; all mean "not the schema"
        return None, f"{type(exc).__name__}: {exc}"


def wire_name(attribute: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, else camelCase."""
    explicit = attribute.metadata.get("wire")
    return explicit if isinstance(explicit, str) else _camel(attribute.name)


def _camel(name: str) -> str:
    return _SNAKE_RE.sub(lambda m: m.group(1).upper(), name)


_SNAKE_RE = re.compile(r"_([a-z0-9])")


def _structure_factory(cls: type, conv: Converter) -> Any:
    overrides = {a.name: override(rename=wire_name(a)) for a in attrs.fields(cls)}
    return make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]


def _unstructure_factory(cls: type, conv: Converter) -> Any:
    overrides = {}
    for a in attrs.fields(cls):
        # A union variant's defaulted `type` tag must always be sent.
        keep = a.name == "type" and a.default is not attrs.NOTHING
        overrides[a.name] = override(
            rename=wire_name(a), omit_if_default=False if keep else None
        )
    return make_dict_unstructure_fn(
        cls, conv, _cattrs_omit_if_default=conv.omit_if_default, **overrides  # type: ignore[arg-type]
    )


def _enum_args(tp: Any) -> tuple[type[Enum], bool] | None:
    """For ``E | str`` (optionally ``| None``) with a str-Enum ``E``: (E, allows None)."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(tp)
    others = [a for a in args if a is not type(None)]
    if len(others) != 2 or str not in others:
        return None
    enum_cls = next(a for a in others if a is not str)
    if isinstance(enum_cls, type) and issubclass(enum_cls, Enum):
        return enum_cls, len(others) != len(args)
    return None


def _is_enum_or_str(tp: Any) -> bool:
    return _enum_args(tp) is not None


def _enum_or_str_factory(tp: Any) -> Any:
    found = _enum_args(tp)
    assert found is not None
    enum_cls, nullable = found

    def structure(value: Any, _: Any) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise TypeError(f"expected a string for {enum_cls.__name__}, got {value!r}")
        try:
            return enum_cls(value)
        except ValueError:
            return value  # an unknown server value stays a plain str

    return structure


def _structure_bitmask(value: Any, _: Any) -> BitMask:
    if isinstance(value, BitMask):
        return value
    return BitMask.from_hex(value)


def _enum_value(member: Enum) -> Any:
    return member.value


def _structure_arithmetics_response(conv: Converter, value: Any) -> TagArithmeticsResponse:
    if isinstance(value, dict) and "id" in value:
        return conv.structure(value, CreateEntityResponse)
    return conv.structure(value, TagBitMaskResponse)


def _tag_of(cls: type) -> str:
    return str(attrs.fields_dict(cls)["type"].default)
