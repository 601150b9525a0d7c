"""Checks HTTP answers against ``spec/lightly-api.yaml`` (OpenAPI 3.0 -> JSON Schema 2020-12).

The seed-era spec is vendored in the repository (``spec/seed/lightly-api.yaml``); ``LIGHTLY_SPEC``
may point at another copy.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "patch")


SEED_SPEC = Path(__file__).resolve().parents[2] / "spec" / "seed" / "lightly-api.yaml"


def spec_path() -> Path:
    """Where the seed-era spec is: ``LIGHTLY_SPEC`` if set, else the vendored copy."""
    path = Path(os.environ.get("LIGHTLY_SPEC") or SEED_SPEC)
    if not path.is_file():
        raise FileNotFoundError(f"the API spec is missing: {path}")
    return path


@cache
def load_spec() -> dict[str, Any]:
    with spec_path().open() as f:
        spec: dict[str, Any] = yaml.safe_load(f)
    return spec


def operations() -> Iterator[tuple[str, str]]:
    """Every (METHOD, path template) of the spec."""
    for path, item in load_spec()["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` becomes a ``null`` type/enum member."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: to_json_schema(v)
        for k, v in node.items()
        if k not in ("nullable", "discriminator", "example") and not k.startswith("x-")
    }
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


IDS_ONLY: Any = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["_id"],
        "additionalProperties": False,
        "properties": {"_id": {"$ref": "#/components/schemas/MongoObjectID"}},
    },
}


class SpecError(AssertionError):
    """An answer does not conform to the spec."""


class SpecChecker:
    """Validates answers; ``checked`` counts (METHOD, template, status) seen."""

    def __init__(self) -> None:
        spec = load_spec()
        self.components = to_json_schema(spec["components"])
        self.templates = sorted(
            ((p, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$")) for p in spec["paths"]),
            key=lambda t: t[0].count("{"),
        )
        self.checked: set[tuple[str, str, int]] = set()

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for template, pattern in self.templates:
            item = load_spec()["paths"][template]
            if pattern.match(path) and method.lower() in item:
                return template, item[method.lower()]
        return None

    def check(
        self, method: str, path: str, status: int, body: bytes, query: dict[str, str] | None = None
    ) -> None:
        """Raise :class:`SpecError` unless the answer matches the operation's response."""
        found = self.operation(method, path)
        if found is None:
            return  # beyond the spec (jobs, blobs) or an unknown route
        template, op = found
        self.checked.add((method, template, status))
        response = op["responses"].get(str(status))
        if response is None:
            if status < 400:
                raise SpecError(f"{method} {template}: status {status} is not in the spec")
            # the spec has no body for this status (429, 5xx, 409): an ApiErrorResponse whose
            # code may be outside the seed-era enum (NOTES 3: clients tolerate unknown codes)
            error = self.components["schemas"]["ApiErrorResponse"]
            schema: Any = {
                **error,
                "properties": {**error["properties"], "code": {"type": "string"}},
            }
        else:
            if "$ref" in response:
                response = load_spec()["components"]["responses"][response["$ref"].split("/")[-1]]
            content = response.get("content", {}).get("application/json")
            if content is None:
                if body:
                    raise SpecError(f"{method} {template} {status}: expected no body, got {body!r}")
                return
            schema = to_json_schema(content["schema"])
            ids_only = status == 200 and (query or {}).get("mode") == "ids"
            if template.endswith("/samples") and ids_only:
                schema = IDS_ONLY  # NOTES 4: which fields `ids` returns is unspecified
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise SpecError(f"{method} {template} {status}: body is not JSON: {body!r}") from exc
        validator = jsonschema.Draft202012Validator({**schema, "components": self.components})
        errors = sorted(validator.iter_errors(data), key=str)
        if errors:
            raise SpecError(f"{method} {template} {status}: {errors[0].message} in {data!r}")
