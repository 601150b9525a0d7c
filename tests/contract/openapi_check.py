"""Checks HTTP answers against the vendored API descriptions (OpenAPI 3.0 -> JSON Schema 2020-12).

One checker, built for any of the repository's specs (``SPECS``):

* ``"seed"``: ``spec/seed/lightly-api.yaml``, the seed contract (``LIGHTLY_SPEC`` may point at
  another copy);
* ``"latest"``: ``spec/latest/lightly-api-latest.yaml``, the newest API (all of lightly 1.5.20's
  operations and models). Here each seed operation is checked at its newest path (which the
  seed's samples and exports moved from), with the seed spec's statuses and its body from
  ``x-operation-bodies`` (keyed by the seed ``operationId`` in snake case); the samples
  operations (``x-out-of-scope``: their shapes changed too) entirely by the newest
  description. Error answers are the newest ``ApiErrorResponse`` ``{code, error, requestId?}``;
* ``"beyond-seeds"``: ``spec/beyond-seeds.yaml``, datasets, embeddings and mappings.

``SpecChecker("latest", "beyond-seeds")`` checks against several; :func:`checker_for_api`
builds the one for each mode of the fake.
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

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"
SEED_SPEC = SPEC_DIR / "seed" / "lightly-api.yaml"
SPECS = {
    "seed": SEED_SPEC,
    "latest": SPEC_DIR / "latest" / "lightly-api-latest.yaml",
    "beyond-seeds": SPEC_DIR / "beyond-seeds.yaml",
}

JOB_STATUS = ("GET", "/v1/jobs/{jobId}", "get_job_status_by_id")
"""Not a seed path: lightly 1.5.20's ``JobsApi.get_job_status_by_id`` (``session.jobs`` polls)."""


def spec_path(name: str = "seed") -> Path:
    """Where spec ``name`` is (the seed spec: ``LIGHTLY_SPEC`` if set, else the vendored copy)."""
    path = SPECS[name]
    if name == "seed":
        path = Path(os.environ.get("LIGHTLY_SPEC") or path)
    if not path.is_file():
        raise FileNotFoundError(f"the API spec is missing: {path}")
    return path


@cache
def load_spec(name: str = "seed") -> dict[str, Any]:
    with spec_path(name).open() as f:
        spec: dict[str, Any] = yaml.safe_load(f)
    return spec


def snake_case(operation_id: str) -> str:
    """``getTagsByDatasetId`` -> ``get_tags_by_dataset_id`` (the latest spec's keys)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _seed_operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in load_spec("seed")["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def _newest_paths() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path template, operation) in the newest description."""
    return {op["operationId"]: (method.upper(), path, op)
            for path, item in load_spec("latest")["paths"].items()
            for method, op in item.items() if method in METHODS}


def _seed_at_newest_paths() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(METHOD, newest path, seed operation id in snake case, seed operation) of the 30."""
    spec = load_spec("latest")
    newest, renamed = _newest_paths(), spec["x-seed-renamed"]
    for method, path, op in _seed_operations():
        key = snake_case(op["operationId"])
        moved = newest.get(renamed.get(key, key))
        yield (method, path if moved is None else moved[1], key, op)


def operations(name: str = "seed") -> Iterator[tuple[str, str]]:
    """Every (METHOD, path template) that spec ``name`` describes (``"latest"``: the seed
    operations at their newest paths, and the job status)."""
    if name == "latest":
        spec = load_spec("latest")
        scope = set(spec["x-operation-bodies"]) | set(spec["x-out-of-scope"])
        for method, path, key, _ in _seed_at_newest_paths():
            if key in scope:
                yield method, path
        yield JOB_STATUS[:2]
        return
    for path, item in load_spec(name)["paths"].items():
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


def body_schema(name: str) -> Any:
    """An ``x-operation-bodies`` name -> a schema: ``[X]`` is an array of ``X``."""
    if name.startswith("[") and name.endswith("]"):
        return {"type": "array", "items": body_schema(name[1:-1])}
    if name == "string":
        return {"type": "string"}
    return {"$ref": f"#/components/schemas/{name}"}


IDS_ONLY: Any = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["_id"],
        "additionalProperties": False,
        "properties": {"_id": {"$ref": "#/components/schemas/MongoObjectID"}},
    },
}

NO_BODY = None


class SpecError(AssertionError):
    """An answer does not conform to the spec."""


class _Operation:
    """One operation: per status its schema (``NO_BODY``: none), the schema of other errors,
    and the ``components`` its references resolve in."""

    def __init__(self, template: str, responses: dict[int, Any], error: Any,
                 components: Any) -> None:
        self.template, self.responses = template, responses
        self.error, self.components = error, components


def _error_schemas(components: Any) -> tuple[Any, Any]:
    """(the ``ApiErrorResponse`` as written, the same with any ``code`` string): statuses the
    spec lists for the operation use the first, others (429, 5xx, 409) the second (seed NOTES 3:
    clients tolerate unknown codes)."""
    error = components["schemas"]["ApiErrorResponse"]
    loose = {**error, "properties": {**error["properties"], "code": {"type": "string"}}}
    return {"$ref": "#/components/schemas/ApiErrorResponse"}, loose


def _from_paths(name: str) -> Iterator[tuple[str, str, _Operation]]:
    spec = load_spec(name)
    components = to_json_schema(spec["components"])
    _, loose = _error_schemas(components)
    for method, template in operations(name):
        op = spec["paths"][template][method.lower()]
        responses: dict[int, Any] = {}
        for status, response in op["responses"].items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
            content = response.get("content", {}).get("application/json")
            responses[int(status)] = NO_BODY if content is None else to_json_schema(
                content["schema"])
        yield method, template, _Operation(template, responses, loose, components)


def _latest() -> Iterator[tuple[str, str, _Operation]]:
    spec = load_spec("latest")
    components = to_json_schema(spec["components"])
    bodies, out_of_scope = spec["x-operation-bodies"], set(spec["x-out-of-scope"])
    error, loose = _error_schemas(components)
    newest = _newest_paths()
    for method, template, key, raw in _seed_at_newest_paths():
        if key in out_of_scope:
            # the samples moved and changed shape: the newest description is the contract
            yield method, template, _newest_operation(newest[key][2], template, error, loose,
                                                      components)
            if key == "get_samples_by_dataset_id":  # and its partial listing (mode=ids, ...)
                _, partial, op = newest["get_samples_partial_by_dataset_id"]
                yield method, partial, _newest_operation(op, partial, error, loose, components)
            continue
        response = bodies[key].get("response")
        schema = NO_BODY if response is None else body_schema(response)
        # the statuses the seed spec lists: its success bodies in the newest shape, its errors
        # the newest ApiErrorResponse; other error statuses: any ``code`` string
        answers = {int(s): schema if int(s) < 400 else error for s in raw["responses"]}
        yield method, template, _Operation(template, answers, loose, components)
    method, template, key = JOB_STATUS
    yield method, template, _Operation(
        template, {200: body_schema(bodies[key]["response"])}, loose, components)


def _newest_operation(op: dict[str, Any], template: str, error: Any, loose: Any,
                      components: Any) -> _Operation:
    """An operation of the newest description: ``2XX`` (no status given) is a 200 without
    a body, its listed errors the newest ``ApiErrorResponse``."""
    answers: dict[int, Any] = {}
    for status, response in op["responses"].items():
        code = 200 if status == "2XX" else int(status)
        content = response.get("content", {}).get("application/json")
        answers[code] = (error if code >= 400 else NO_BODY if content is None
                         else to_json_schema(content["schema"]))
    return _Operation(template, answers, loose, components)


def _operations_of(name: str) -> Iterator[tuple[str, str, _Operation]]:
    return _latest() if name == "latest" else _from_paths(name)


class SpecChecker:
    """Validates answers against ``specs`` (names of ``SPECS``); ``checked`` counts the
    (METHOD, template, status) seen. Answers of operations none of them describes pass
    unchecked.

    ``errors="latest"`` (or ``"seed"``) holds every error answer to that spec's
    ``ApiErrorResponse``, with any ``code`` string: the shape the fake's mode answers in.
    """

    def __init__(self, *specs: str, errors: str | None = None) -> None:
        self.specs = specs or ("seed",)
        self.errors = errors
        self.ops: dict[tuple[str, str], _Operation] = {}
        loose = None
        if errors is not None:
            _, loose = _error_schemas(to_json_schema(load_spec(errors)["components"]))
        for name in self.specs:
            for method, template, op in _operations_of(name):
                if loose is not None and name != errors:
                    op.error = loose
                    op.responses = {s: v for s, v in op.responses.items() if s < 400}
                self.ops.setdefault((method, template), op)
        # fewer templated segments first: ``/tags/initial`` before ``/tags/{tagId}``
        self.templates = sorted(
            {(t, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$"))
             for _, t in self.ops},
            key=lambda t: (t[0].count("{"), t[0]),
        )
        self.checked: set[tuple[str, str, int]] = set()

    def operation(self, method: str, path: str) -> _Operation | None:
        for template, pattern in self.templates:
            op = self.ops.get((method.upper(), template))
            if op is not None and pattern.match(path):
                return op
        return None

    def check(
        self, method: str, path: str, status: int, body: bytes, query: dict[str, str] | None = None
    ) -> None:
        """Raise :class:`SpecError` unless the answer matches the operation's response."""
        op = self.operation(method, path)
        if op is None:
            return  # beyond these specs (blobs) or an unknown route
        template = op.template
        self.checked.add((method, template, status))
        where = f"{method} {template} {status} ({'+'.join(self.specs)})"
        if status in op.responses:
            schema = op.responses[status]
            if schema is NO_BODY:
                if body:
                    raise SpecError(f"{where}: expected no body, got {body!r}")
                return
            ids_only = status == 200 and (query or {}).get("mode") == "ids"
            if template.endswith("/samples") and ids_only:
                schema = IDS_ONLY  # NOTES 4: which fields `ids` returns is unspecified
        elif status < 400:
            raise SpecError(f"{where}: status {status} is not in the spec")
        else:
            schema = op.error
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise SpecError(f"{where}: body is not JSON: {body!r}") from exc
        validator = jsonschema.Draft202012Validator({**schema, "components": op.components})
        errors = sorted(validator.iter_errors(data), key=str)
        if errors:
            raise SpecError(f"{where}: {errors[0].message} in {data!r}")


def checker_for_api(api: str) -> SpecChecker:
    """The checker of ``FakeLightly(api=api)``'s answers: the seed or newest bodies of the seed
    operations, ``spec/beyond-seeds.yaml`` for the rest, errors in that mode's shape."""
    if api == "seed":
        return SpecChecker("seed", "beyond-seeds")
    if api == "latest":
        return SpecChecker("latest", "beyond-seeds", errors="latest")
    raise ValueError(f"no spec for api={api!r}")
