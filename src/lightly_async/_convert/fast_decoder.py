"""The fast decoder: structuring functions generated at run time, one per model class.

The response decoder (``get_decoder()``: no error bookkeeping) structures an attrs class, or
a list of one, with code generated here: every key read and checked inline, the instance
made without its ``__init__`` where that is the same thing. Any failure raises some
exception without detail; the session then asks the detailed converter what is wrong
(:func:`lightly_async._convert.explainer.explain_failure`).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import attrs
from cattrs import Converter

from lightly_async._convert.strict import EXACT, WrongTypeError, union_members
from lightly_async._convert.wire_names import renamed, wire_aliases, wire_name

__all__ = ["fast_list_fn", "fast_structure_fn", "slot_setters"]


def fast_structure_fn(cls: type, conv: Converter) -> Any:
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


def fast_list_fn(cls: type, conv: Converter) -> Any:
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
    direct = slot_setters(cls)
    namespace.update({"__cl": cls, "__wrong": _wrong_type, "__wrong_type": WrongTypeError,
                      "__new": object.__new__, "__renamed": renamed})
    lines: list[str] = [
        f"if {key!r} not in {src} and {alias!r} in {src}: "
        f"{src} = __renamed({src}, {alias!r}, {key!r})"
        for key, alias in wire_aliases(cls)]
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
                        f" or {var}.__class__ is int and not -{EXACT} <= {var} <= {EXACT})")
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


def slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]] | None:
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
    members = union_members(tp)
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

