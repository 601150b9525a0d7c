"""The one cattrs converter, shared by the client and the fake server.

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

import re
import types
import typing
from collections.abc import Callable, Sequence
from enum import Enum
from functools import cache
from typing import Any, Final

import attrs
import cattrs
from cattrs import Converter
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter

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

__all__ = [
    "camel_case",
    "describe_error",
    "explain_failure",
    "get_converter",
    "get_decoder",
    "make_converter",
    "wire_name",
]


def make_converter(*, strict: bool = False, detailed: bool = True) -> Converter:
    """Build a converter; ``strict=True`` refuses unknown keys (the fake parses with it).

    ``detailed=False`` skips cattrs' error bookkeeping (about half the cost of structuring a
    large page); on a failure, the detailed converter is run to say where the body is wrong.
    """
    conv = make_json_converter(
        omit_if_default=True, forbid_extra_keys=strict, detailed_validation=detailed)
    for scalar, hook in _SCALAR_HOOKS.items():
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
    for union, fallback in _TAGGED_UNIONS.items():
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


class WrongTypeError(TypeError):
    """A JSON value of the wrong type for its field (never coerced)."""

    def __init__(self, expected: str, value: Any) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        super().__init__(f"expected {expected}, got {_json_type(value)} {shown}")


def wire_name(attribute: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, else camelCase."""
    explicit = attribute.metadata.get("wire")
    return explicit if isinstance(explicit, str) else camel_case(attribute.name)


def _wire_aliases(cls: type) -> list[tuple[str, str]]:
    """(key, alias) of each field that another API dialect sends under ``wire_alias``.

    The 2021 samples' ``_id`` is ``id`` in the newest API: either decodes, ``key`` wins when
    both are present, and ``key`` is what is sent.
    """
    return [(wire_name(a), a.metadata["wire_alias"]) for a in attrs.fields(cls)
            if "wire_alias" in a.metadata]


def _renamed(value: dict[str, Any], alias: str, key: str) -> dict[str, Any]:
    renamed = {k: v for k, v in value.items() if k != alias}
    renamed[key] = value[alias]
    return renamed


def camel_case(name: str) -> str:
    """The camelCase form of a snake_case name: ``run_id`` -> ``runId``."""
    return _SNAKE_RE.sub(lambda m: m.group(1).upper(), name)


_SNAKE_RE = re.compile(r"_([a-z0-9])")


def _structure_factory(cls: type, conv: Converter) -> Any:
    if not conv.detailed_validation and not conv.forbid_extra_keys:
        return _fast_structure_fn(cls, conv)
    overrides = {a.name: override(rename=wire_name(a)) for a in attrs.fields(cls)}
    fn: Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls, conv, **overrides)  # type: ignore[arg-type]
    expected = f"an object ({cls.__name__})"
    aliases = _wire_aliases(cls)

    def structure(value: Any, tp: Any) -> Any:
        if value.__class__ is not dict:
            raise WrongTypeError(expected, value)
        for key, alias in aliases:
            if key not in value and alias in value:
                value = _renamed(value, alias, key)
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


def _fast_structure_fn(cls: type, conv: Converter) -> Any:
    """The decoder's structuring function for an attrs class: scalar type checks inlined.

    Same rules as the detailed converter's (``make_dict_structure_fn`` with the strict scalar
    hooks), but a ``str``/``int``/``float``/``bool`` field (optionally ``| None``) is checked
    in the generated code instead of through a hook call: on a 10,000-row page those calls
    are most of the structuring time. Any failure raises some exception without detail; the
    session then asks the detailed converter what is wrong (``explain_failure``).
    """
    namespace: dict[str, Any] = {}
    body = _build_lines(cls, conv, namespace, "o", "x")
    lines = ["def structure(o, _=None):", *(f"  {line}" for line in body), "  return x"]
    return _compile(cls, "\n".join(lines), namespace)


def _fast_list_fn(cls: type, conv: Converter) -> Any:
    """``list[cls]`` for the decoder: one loop building every element, no call per element."""
    namespace: dict[str, Any] = {"__expected": f"an array of {cls.__name__}"}
    body = _build_lines(cls, conv, namespace, "o", "x")
    lines = [
        "def structure(value, _=None):",
        "  if value.__class__ is not list: raise __wrong_type(__expected, value)",
        "  out = []",
        "  append = out.append",
        "  for o in value:",
        *(f"    {line}" for line in body),
        "    append(x)",
        "  return out",
    ]
    return _compile(cls, "\n".join(lines), namespace)


def _compile(cls: type, source: str, namespace: dict[str, Any]) -> Any:
    exec(compile(source, f"<lightly_async decoder for {cls.__qualname__}>", "exec"), namespace)
    return namespace["structure"]


def _build_lines(
    cls: type, conv: Converter, namespace: dict[str, Any], src: str, dst: str,
) -> list[str]:
    """Code that reads the dict ``src`` and leaves the new instance of ``cls`` in ``dst``.

    Every key is read and checked first; the instance is made only from checked values. A
    plain slotted model (all 64 here: frozen, no validators, converters or init hooks) is
    made without its ``__init__``: ``object.__new__`` and each slot's descriptor, which is
    what the generated ``__init__`` does, minus its per-call overhead. The tests compare the
    result with ``__init__``'s for every model class.
    """
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    direct = _slot_setters(cls)
    namespace.update({"__cl": cls, "__wrong": _wrong_type, "__wrong_type": WrongTypeError,
                      "__new": object.__new__, "__renamed": _renamed})
    lines: list[str] = [
        f"if {key!r} not in {src} and {alias!r} in {src}: "
        f"{src} = __renamed({src}, {alias!r}, {key!r})"
        for key, alias in _wire_aliases(cls)]
    required: list[str] = []
    optional = [a for a in fields if a.default is not attrs.NOTHING]
    if optional and direct is None:
        lines.append("kw = {}")
    assigns: list[str] = []
    for i, a in enumerate(fields):
        key, var = wire_name(a), f"v{i}"
        inline, nullable = _inline_check(a.type)
        if inline is None:
            namespace[f"h{i}"], namespace[f"t{i}"] = conv.get_structure_hook(a.type), a.type
            value = [f"{var} = h{i}({src}[{key!r}], t{i})"]
        else:
            test = " and ".join(f"{var}.__class__ is not {t}" for t in inline)
            if "float" in inline:  # a finite float, or an int a float holds exactly
                test = (f"({test} or {var}.__class__ is float and {var} - {var} != 0"
                        f" or {var}.__class__ is int and not -{_EXACT} <= {var} <= {_EXACT})")
            if nullable:
                test = f"{var} is not None and {test}"
            value = [f"{var} = {src}[{key!r}]", f"if {test}: __wrong()"]
        if direct is not None:
            namespace[f"s{i}"] = direct[a.name]
            assigns.append(f"s{i}({dst}, {var})")
        if a.default is attrs.NOTHING:
            lines += value
            required.append(f"{a.alias}={var}")
        elif direct is not None:
            namespace[f"d{i}"] = a.default
            lines += [f"if {key!r} in {src}:", *(f"  {line}" for line in value),
                      "else:", f"  {var} = d{i}"]
        else:
            lines += [f"if {key!r} in {src}:", *(f"  {line}" for line in value),
                      f"  kw[{a.alias!r}] = {var}"]
    if direct is not None:
        return [*lines, f"{dst} = __new(__cl)", *assigns]
    arguments = [*required, "**kw"] if optional else required
    return [*lines, f"{dst} = __cl({', '.join(arguments)})"]


def _slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]] | None:
    """Each field's slot ``__set__``, if an instance may be made without ``__init__``."""
    if "__slots__" not in cls.__dict__ or any(
        hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return None
    setters: dict[str, Callable[[Any, Any], None]] = {}
    slots: set[str] = set()
    for klass in cls.__mro__:
        slots.update(klass.__dict__.get("__slots__", ()))
    for a in attrs.fields(cls):
        plain_default = a.default is attrs.NOTHING or not isinstance(
            a.default, attrs.Factory)  # type: ignore[arg-type]  # attrs.Factory is a class
        if (not a.init or a.validator is not None or a.converter is not None
                or a.alias != a.name or not plain_default):
            return None
        descriptor = next((k.__dict__[a.name] for k in cls.__mro__ if a.name in k.__dict__),
                          None)
        if not isinstance(descriptor, types.MemberDescriptorType):
            return None
        setters[a.name] = descriptor.__set__
    if slots - set(setters) - {"__weakref__"}:
        return None  # a slot __init__ also fills (a cached hash, say)
    return setters


def _inline_check(tp: Any) -> tuple[tuple[str, ...] | None, bool]:
    """(the exact classes a scalar field may hold, whether it may be null); (None, _) if not."""
    members = _union_members(tp)
    nullable = members is not None and type(None) in members
    if members is not None:
        others = [m for m in members if m is not type(None)]
        if len(others) != 1:
            return None, False
        tp = others[0]
    return _INLINE.get(tp), nullable


_INLINE: dict[Any, tuple[str, ...]] = {
    str: ("str",), int: ("int",), bool: ("bool",), float: ("float", "int")}


def _wrong_type() -> None:
    raise TypeError("wrong JSON type")  # the detailed converter says which and where


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


# -- strict scalars -----------------------------------------------------------------------------
# ``value.__class__ is …`` rather than isinstance: bool is a subclass of int, and json.loads only
# ever builds the exact types.

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
_EXACT: Final = 2**53
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


_SCALAR_HOOKS: dict[type, Callable[[Any, Any], Any]] = {
    str: _structure_str, int: _structure_int, float: _structure_float, bool: _structure_bool}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(value.__class__, type(value).__name__)


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
               list: "array", dict: "object", type(None): "null"}


# -- strict containers --------------------------------------------------------------------------
def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) in (list, Sequence)


def _list_factory(tp: Any, conv: Converter) -> Any:
    args = typing.get_args(tp)
    elem = args[0] if args else Any
    if not conv.detailed_validation and not conv.forbid_extra_keys and attrs.has(elem):
        return _fast_list_fn(elem, conv)
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


# -- unions of JSON types (``str | list[int]``, ``dict | list[Entry]``, ``X | None``) --------------
def _union_members(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    return typing.get_args(tp)


def _is_json_union(tp: Any) -> bool:
    members = _union_members(tp)
    return (members is not None and tp not in _TAGGED_UNIONS
            and tp is not TagArithmeticsResponse and not _is_enum_or_str(tp))


def _json_union_factory(tp: Any, conv: Converter) -> Any:
    members = _union_members(tp)
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
    return "/".join(_JSON_TYPES.get(k, k.__name__) for k in kinds)


# -- unions by ``type``, with a fallback for types this client does not know --------------------
# cattrs' ``configure_tagged_union(default=...)`` cannot send a fallback back unchanged (it
# overwrites the tag with the class), and a non-dict body fails it with a bare TypeError.
def _configure_tagged_union(conv: Converter, union: Any, fallback: type | None) -> None:
    # The fallback classes have no default tag; with ``fallback=None`` they are refused.
    key = _TAG_KEYS.get(union, "type")
    members = [m for m in typing.get_args(union)
               if attrs.fields_dict(m)[key].default is not attrs.NOTHING]
    by_tag = {_tag_of(m, key): (conv.get_structure_hook(m), m) for m in members}
    expected = ", ".join(sorted(by_tag))

    def structure(value: Any, _: Any) -> Any:
        if value.__class__ is not dict:
            raise WrongTypeError("an object", value)
        tag = value.get(key)
        found = by_tag.get(tag) if tag.__class__ is str else None
        if found is not None:
            return found[0](value, found[1])
        if key not in value:
            raise _at_tag(KeyError(key), members[0], key)
        if tag.__class__ is not str:
            raise _at_tag(WrongTypeError("a string", tag), members[0], key)
        if fallback is None:
            raise _at_tag(ValueError(f"unknown {key} {tag!r}, expected one of {expected}"),
                          members[0], key)
        return fallback(**{key: tag}, raw=value)

    unstructure_hooks = {m: conv.get_unstructure_hook(m) for m in members}

    def unstructure(value: Any) -> Any:
        if fallback is not None and value.__class__ is fallback:
            return _raw_of(value)
        return unstructure_hooks[value.__class__](value)

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


_TAGGED_UNIONS: dict[Any, type] = {
    DatasourceConfig: DatasourceConfigUnknown,
    PredictionSingleton: PredictionSingletonUnknown,
    AutoTask: AutoTaskUnknown,
    DockerWorkerConfigOmniVXCreateRequest: DockerWorkerConfigOmniVXCreateRequestUnknown,
    DockerWorkerConfigVXData: DockerWorkerConfigVXDataUnknown,
}
#: The key of each tagged union that is not ``type``.
_TAG_KEYS: dict[Any, str] = {
    DockerWorkerConfigOmniVXCreateRequest: "version",
    DockerWorkerConfigVXData: "version",
}
_TAG_KEYS_USED = frozenset({"type", *_TAG_KEYS.values()})
