"""Checks HTTP answers of the operations beyond the seeds against ``spec/beyond-seeds.yaml``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contract.openapi_check import METHODS, SpecChecker, to_json_schema

BEYOND_SEEDS_SPEC = Path(__file__).resolve().parents[2] / "spec" / "beyond-seeds.yaml"


@cache
def load_beyond_seeds() -> dict[str, Any]:
    with BEYOND_SEEDS_SPEC.open() as f:
        spec: dict[str, Any] = yaml.safe_load(f)
    return spec


def beyond_seed_operations() -> set[tuple[str, str]]:
    """Every (METHOD, path template) of ``spec/beyond-seeds.yaml``."""
    return {(m.upper(), path) for path, item in load_beyond_seeds()["paths"].items()
            for m in METHODS if m in item}


class BeyondSeedsChecker(SpecChecker):
    """:class:`SpecChecker` over ``spec/beyond-seeds.yaml`` (other paths pass unchecked)."""

    def __init__(self) -> None:
        import re

        spec = load_beyond_seeds()
        self.components = to_json_schema(spec["components"])
        # fewer templated segments first, as SpecChecker does; the ``$ref`` responses resolve
        # by name (BadRequest, ...), which both specs define alike
        self.templates = sorted(
            ((p, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$")) for p in spec["paths"]),
            key=lambda t: t[0].count("{"),
        )
        self.checked: set[tuple[str, str, int]] = set()

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for template, pattern in self.templates:
            item = load_beyond_seeds()["paths"][template]
            if pattern.match(path) and method.lower() in item:
                return template, item[method.lower()]
        return None
