"""Wire names: the JSON key of a model field, the one camelCase rule (client, fake, CLI).

A field's key is its ``wire`` metadata when it has one (``_id``,
``stoppingConditionMinimumDistance``...), else :func:`camel_case` of its name. A field that
another API dialect sends under another key carries ``wire_alias`` (the 2021 samples' ``_id``
is ``id`` in the newest API).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import attrs

__all__ = ["camel_case", "renamed", "wire_aliases", "wire_name"]


def wire_name(attribute: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, else camelCase."""
    explicit = attribute.metadata.get("wire")
    return explicit if isinstance(explicit, str) else camel_case(attribute.name)


def wire_aliases(cls: type) -> list[tuple[str, str]]:
    """(key, alias) of each field that another API dialect sends under ``wire_alias``.

    The 2021 samples' ``_id`` is ``id`` in the newest API: either decodes, ``key`` wins when
    both are present, and ``key`` is what is sent.
    """
    import attrs

    return [(wire_name(a), a.metadata["wire_alias"]) for a in attrs.fields(cls)
            if "wire_alias" in a.metadata]


def renamed(value: dict[str, Any], alias: str, key: str) -> dict[str, Any]:
    """``value`` with its ``alias`` key renamed to ``key``."""
    renamed = {k: v for k, v in value.items() if k != alias}
    renamed[key] = value[alias]
    return renamed


def camel_case(name: str) -> str:
    """The camelCase form of a snake_case name: ``run_id`` -> ``runId``."""
    return _SNAKE_RE.sub(lambda m: m.group(1).upper(), name)


_SNAKE_RE = re.compile(r"_([a-z0-9])")
