"""The converter: the one cattrs converter, shared by the client and the fake server.

It owns the wire format: camelCase keys (with per-field exceptions such as the 2021 samples'
``_id``), ``BitMask`` as ``0x…`` strings, unions chosen by ``type``, unknown enum values kept
as plain ``str``, unknown keys ignored (or refused, with ``strict=True``), and optional fields
left unset omitted rather than sent as ``null``.

Types are strict, shape is lenient: a JSON value of the wrong type is an error, never coerced
(no float→int, str→number, list→str, bool→int; an int is taken where a number is expected and
kept as the int it was). An unknown union ``type`` decodes to the union's fallback class
(``DatasourceConfigUnknown``, ``PredictionSingletonUnknown``) holding the object as received,
which unstructures back to that same object; with ``strict=True`` (the fake) it is refused.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from enum import Enum
from functools import cache
from typing import Any

import attrs
import cattrs
from cattrs import Converter
from cattrs.errors import AttributeValidationNote, ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter

from lightly_async._convert.fast_decoder import fast_list_fn, fast_structure_fn
from lightly_async._convert.strict import (
    JSON_TYPES,
    SCALAR_HOOKS,
    WrongTypeError,
    union_members,
)
from lightly_async._convert.wire_names import renamed, wire_aliases, wire_name
from lightly_async.bitmask import BitMask
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.datasources import DatasourceConfig, DatasourceConfigUnknown
from lightly_async.models.docker import (
    AutoTask,
    AutoTaskUnknown,
    DockerWorkerConfigOmniVXCreateRequest,
    DockerWorkerConfigOmniVXCreateRequestUnknown,
    DockerWorkerConfigVXData,
    DockerWorkerConfigVXDataUnknown,
)
from lightly_async.models.predictions import PredictionSingleton, PredictionSingletonUnknown
from lightly_async.models.tags import TagArithmeticsResponse, TagBitMaskResponse

__all__ = ["TAGGED_UNIONS", "TAG_KEYS", "get_converter", "get_decoder", "make_converter"]


def make_converter(*, strict: bool = False, detailed: bool = True) -> Converter:
    """Build a converter; ``strict=True`` refuses unknown keys (the fake parses with it).

    ``detailed=False`` skips cattrs' error bookkeeping (about half the cost of structuring a
    large page); on a failure, the detailed converter is run to say where the body is wrong.
    """
    conv = make_json_converter(
        omit_if_default=True, forbid_extra_keys=strict, detailed_validation=detailed)
    for scalar, hook in SCALAR_HOOKS.items():
        conv.register_structure_hook(scalar, hook)
    conv.register_structure_hook_factory(_is_list, _list_factory)
    conv.register_structure_hook_factory(_is_dict, _dict_factory)
    conv.register_structure_hook_factory(_is_json_union, _json_union_factory)
    conv.register_structure_hook_factory(attrs.has, _structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_factory)
    conv.register_structure_hook_factory(_is_enum_or_str, _enum_or_str_factory)
    conv.register_structure_hook(BitMask, _structure_bitmask)
    conv.register_unstructure_hook(BitMask, BitMask.to_hex)
    conv.register_unstructure_hook(Enum, _enum_value)
    conv.register_structure_hook(
        TagArithmeticsResponse, lambda value, _: _structure_arithmetics_response(conv, value))
    for union, fallback in TAGGED_UNIONS.items():
        _configure_tagged_union(conv, union, None if strict else fallback)
    return conv


@cache
def get_converter(*, strict: bool = False) -> Converter:
    """The shared converter (built once per process, on first use)."""
    return make_converter(strict=strict)


@cache
def get_decoder() -> Converter:
    """The converter that decodes responses: no error bookkeeping, see ``explain_failure``."""
    return make_converter(strict=False, detailed=False)



def _structure_factory(cls: type, conv: Converter) -> Any:
    if not conv.detailed_validation and not conv.forbid_extra_keys:
        return fast_structure_fn(cls, conv)
    overrides = {a.name: override(rename=wire_name(a)) for a in attrs.fields(cls)}
    fn: Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls, conv, **overrides)  # type: ignore[arg-type]
    expected = f"an object ({cls.__name__})"
    aliases = wire_aliases(cls)

    def structure(value: Any, tp: Any) -> Any:
        if value.__class__ is not dict:
            raise WrongTypeError(expected, value)
        for key, alias in aliases:
            if key not in value and alias in value:
                value = renamed(value, alias, key)
        return fn(value, tp)

    return structure


def _unstructure_factory(cls: type, conv: Converter) -> Any:
    overrides = {}
    for a in attrs.fields(cls):
        # A union variant's defaulted tag (`type`, `version`) must always be sent.
        keep = (a.name in _TAG_KEYS_USED and a.default is not attrs.NOTHING
                and a.default is not None)
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
        if value.__class__ is not str:
            raise WrongTypeError(f"a string ({enum_cls.__name__})", value)
        try:
            return enum_cls(value)
        except ValueError:
            return value  # an unknown server value stays a plain str

    return structure


def _structure_bitmask(value: Any, _: Any) -> BitMask:
    if isinstance(value, BitMask):
        return value
    if value.__class__ is not str:
        raise WrongTypeError("a 0x... hex string", value)
    return BitMask.from_hex(value)


def _enum_value(member: Enum) -> Any:
    return member.value


def _structure_arithmetics_response(conv: Converter, value: Any) -> TagArithmeticsResponse:
    if isinstance(value, dict) and "id" in value:
        return conv.structure(value, CreateEntityResponse)
    return conv.structure(value, TagBitMaskResponse)


def _tag_of(cls: type, key: str = "type") -> str:
    return str(attrs.fields_dict(cls)[key].default)



# -- strict containers --------------------------------------------------------------------------
def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) in (list, Sequence)


def _list_factory(tp: Any, conv: Converter) -> Any:
    args = typing.get_args(tp)
    elem = args[0] if args else Any
    if not conv.detailed_validation and not conv.forbid_extra_keys and attrs.has(elem):
        return fast_list_fn(elem, conv)
    # cattrs' own list hook: fast without detailed validation, with element indices with it.
    inner = cattrs.cols.list_structure_factory(list[elem], conv)  # type: ignore[valid-type]

    def structure(value: Any, _: Any) -> Any:
        if value.__class__ is not list:
            raise WrongTypeError("an array", value)
        return inner(value, tp)

    return structure


def _is_dict(tp: Any) -> bool:
    return typing.get_origin(tp) is dict or tp is dict


def _dict_factory(tp: Any, conv: Converter) -> Any:
    args = typing.get_args(tp)
    if not args or args[1] is Any:
        def free_form(value: Any, _: Any) -> Any:
            if value.__class__ is not dict:
                raise WrongTypeError("an object", value)
            return value  # free-form: kept exactly as received
        return free_form
    inner = conv.gen_structure_mapping(tp)

    def structure(value: Any, _: Any) -> Any:
        if value.__class__ is not dict:
            raise WrongTypeError("an object", value)
        return inner(value, tp)

    return structure




def _is_json_union(tp: Any) -> bool:
    members = union_members(tp)
    return (members is not None and tp not in TAGGED_UNIONS
            and tp is not TagArithmeticsResponse and not _is_enum_or_str(tp))


def _json_union_factory(tp: Any, conv: Converter) -> Any:
    members = union_members(tp)
    assert members is not None
    nullable = type(None) in members
    choices: list[tuple[tuple[type, ...], Any, Any]] = []
    for member in members:
        if member is not type(None):
            choices.append((_json_kinds(member), conv.get_structure_hook(member), member))
    if len(choices) == 1:
        ((_, only, only_type),) = choices

        def optional(value: Any, _: Any) -> Any:
            if value is None:
                return None
            return only(value, only_type)

        return optional
    expected = " or ".join(_kind_name(kinds) for kinds, _, _ in choices)

    def structure(value: Any, _: Any) -> Any:
        if value is None and nullable:
            return None
        for kinds, hook, member in choices:
            if value.__class__ in kinds:
                return hook(value, member)
        raise WrongTypeError(expected, value)

    return structure


def _json_kinds(tp: Any) -> tuple[type, ...]:
    """The JSON value classes a value of ``tp`` may arrive as."""
    if tp is Any:
        return (str, int, float, bool, list, dict, type(None))
    if tp is float:
        return (float, int)
    if tp in (str, int, bool):
        return (tp,)
    if _is_list(tp):
        return (list,)
    if _is_dict(tp) or attrs.has(tp):
        return (dict,)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return (str,)
    return (str, int, float, bool, list, dict)  # anything else: let its own hook decide


def _kind_name(kinds: tuple[type, ...]) -> str:
    return "/".join(JSON_TYPES.get(k, k.__name__) for k in kinds)


# -- unions by ``type``, with a fallback for types this client does not know --------------------
# cattrs' ``configure_tagged_union(default=...)`` cannot send a fallback back unchanged (it
# overwrites the tag with the class), and a non-dict body fails it with a bare TypeError.
def _configure_tagged_union(conv: Converter, union: Any, fallback: type | None) -> None:
    # The fallback classes have no default tag; with ``fallback=None`` they are refused.
    key = TAG_KEYS.get(union, "type")
    members = [m for m in typing.get_args(union)
               if attrs.fields_dict(m)[key].default is not attrs.NOTHING]
    by_tag = {_tag_of(m, key): m for m in members}
    expected = ", ".join(sorted(by_tag))
    # Each member's hooks are made when a value of it first comes: making them all here would
    # generate code for every worker config class on a session's first decode of anything.
    structure_hooks: dict[type, Any] = {}
    unstructure_hooks: dict[type, Any] = {}

    def structure(value: Any, _: Any) -> Any:
        if value.__class__ is not dict:
            raise WrongTypeError("an object", value)
        tag = value.get(key)
        member = by_tag.get(tag) if tag.__class__ is str else None
        if member is not None:
            hook = structure_hooks.get(member)
            if hook is None:
                hook = structure_hooks[member] = conv.get_structure_hook(member)
            return hook(value, member)
        if key not in value:
            raise _at_tag(KeyError(key), members[0], key)
        if tag.__class__ is not str:
            raise _at_tag(WrongTypeError("a string", tag), members[0], key)
        if fallback is None:
            raise _at_tag(ValueError(f"unknown {key} {tag!r}, expected one of {expected}"),
                          members[0], key)
        return fallback(**{key: tag}, raw=value)

    def unstructure(value: Any) -> Any:
        cls = value.__class__
        if fallback is not None and cls is fallback:
            return _raw_of(value)
        hook = unstructure_hooks.get(cls)
        if hook is None:
            if cls not in members:
                raise KeyError(cls)
            hook = unstructure_hooks[cls] = conv.get_unstructure_hook(cls)
        return hook(value)

    conv.register_structure_hook(union, structure)
    conv.register_unstructure_hook(union, unstructure)
    if fallback is not None:
        # A fallback unstructured on its own (not through the union) is its raw object too.
        conv.register_unstructure_hook(fallback, _raw_of)


def _at_tag(exc: Exception, member: type, key: str = "type") -> ClassValidationError:
    """``exc`` as a problem of the tag key, so the message names ``$….type``."""
    exc.__notes__ = [
        AttributeValidationNote("the union's tag", key, str)]
    return ClassValidationError("the union's type tag", [exc], member)


def _raw_of(value: Any) -> Any:
    return value.raw


#: Each union chosen by a tag key, and its fallback class for tags this client does not know.
TAGGED_UNIONS: dict[Any, type] = {
    DatasourceConfig: DatasourceConfigUnknown,
    PredictionSingleton: PredictionSingletonUnknown,
    AutoTask: AutoTaskUnknown,
    DockerWorkerConfigOmniVXCreateRequest: DockerWorkerConfigOmniVXCreateRequestUnknown,
    DockerWorkerConfigVXData: DockerWorkerConfigVXDataUnknown,
}
#: The key of each tagged union that is not ``type``.
TAG_KEYS: dict[Any, str] = {
    DockerWorkerConfigOmniVXCreateRequest: "version",
    DockerWorkerConfigVXData: "version",
}
_TAG_KEYS_USED = frozenset({"type", *TAG_KEYS.values()})
