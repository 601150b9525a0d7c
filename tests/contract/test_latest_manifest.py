"""``spec/latest/``: the description of the whole newest API agrees with its manifest.

``scripts/derive_latest_spec.py`` wrote both from lightly 1.5.20's generated client:
``lightly-api-latest.yaml`` (OpenAPI 3.0.3, every operation and model) and ``manifest.json``
(the operation ids per API class, the totals, the deprecated operations, the enums and unions).
:func:`disagreements` lists every way they differ or the description is incomplete; it must find
nothing in the vendored files, and it must find each planted defect.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from contract.openapi_check import METHODS, SPEC_DIR, body_schema, load_spec

MANIFEST = SPEC_DIR / "latest" / "manifest.json"

#: lightly 1.5.20's generated client: 17 API classes, 137 operations, 46 enums, 7 oneOf unions
API_CLASSES, OPERATIONS, ENUMS, UNIONS = 17, 137, 46, 7


def load_manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(MANIFEST.read_text())
    return manifest


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            yield method, path, op


def _refs(node: Any, where: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{where}[{i}]")


def _resolves(spec: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    node: Any = spec
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _body(op: Any, role: str) -> Any:
    """The JSON schema an operation sends (``request``) or answers on success (``response``)."""
    if role == "request":
        return op.get("requestBody", {}).get("content", {}).get("application/json", {}).get(
            "schema")
    for status, answer in op.get("responses", {}).items():
        if str(status).startswith("2"):
            return answer.get("content", {}).get("application/json", {}).get("schema")
    return None


def disagreements(spec: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    """Every way the description and the manifest disagree, or the description is incomplete."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    by_class: dict[str, list[str]] = {}
    deprecated: list[str] = []
    for method, path, op in _operations(spec):
        where = f"{method.upper()} {path}"
        if method not in METHODS:
            problems.append(f"{where}: not an HTTP method")
            continue
        op_id = op.get("operationId")
        if not op_id:
            problems.append(f"{where}: no operationId")
            continue
        if op_id in seen:
            problems.append(f"{op_id}: both {seen[op_id]} and {where}")
        seen[op_id] = where
        tags = op.get("tags") or []
        if len(tags) != 1:
            problems.append(f"{op_id}: {len(tags)} API classes, not one")
        else:
            by_class.setdefault(tags[0], []).append(op_id)
        responses = op.get("responses") or {}
        if not any(str(s).startswith("2") for s in responses):
            problems.append(f"{op_id}: no success response")
        for status, answer in responses.items():
            if str(status)[0] in "45" and answer.get("content", {}).get(
                    "application/json", {}).get("schema") != body_schema("ApiErrorResponse"):
                problems.append(f"{op_id}: error {status} is not an ApiErrorResponse")
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        templated = set(re.findall(r"\{([^}]+)\}", path))
        if declared != templated:
            problems.append(f"{op_id}: path parameters {sorted(declared)} != {sorted(templated)}")
        if op.get("deprecated"):
            deprecated.append(op_id)

    classes = manifest.get("api_classes", {})
    for name in sorted(set(classes) | set(by_class)):
        listed = classes.get(name, {}).get("operations", [])
        described = sorted(by_class.get(name, []))
        if listed != described:
            problems.append(f"{name}: manifest {listed} != description {described}")
        if classes.get(name, {}).get("count") != len(described):
            problems.append(f"{name}: manifest count {classes.get(name, {}).get('count')} "
                            f"!= {len(described)} described")
    listed_ids = [op for entry in classes.values() for op in entry.get("operations", [])]
    for op_id in sorted({o for o in listed_ids if listed_ids.count(o) > 1}):
        problems.append(f"{op_id}: listed more than once in the manifest")
    if sorted(manifest.get("deprecated_operations", [])) != sorted(deprecated):
        problems.append(f"deprecated: manifest {manifest.get('deprecated_operations')} "
                        f"!= description {sorted(deprecated)}")

    schemas = spec.get("components", {}).get("schemas", {})
    enums = sorted(n for n, s in schemas.items() if "enum" in s)
    unions = sorted(n for n, s in schemas.items() if "oneOf" in s)
    if manifest.get("enums") != enums:
        problems.append(f"enums: manifest {manifest.get('enums')} != description {enums}")
    if manifest.get("unions") != unions:
        problems.append(f"unions: manifest {manifest.get('unions')} != description {unions}")
    actual = {
        "api_classes": len(by_class), "operations": len(seen),
        "deprecated_operations": len(deprecated), "paths": len(spec.get("paths", {})),
        "schemas": len(schemas), "model_classes": len(schemas) - len(enums),
        "enums": len(enums), "unions": len(unions),
    }
    totals = manifest.get("totals", {})
    for key, value in actual.items():
        if totals.get(key) != value:
            problems.append(f"totals.{key}: manifest {totals.get(key)} != description {value}")

    for where, ref in _refs(spec):
        if not _resolves(spec, ref):
            problems.append(f"{where}: $ref {ref} does not resolve")

    # the spec checker's table of the seed operations' bodies names the same schemas
    by_id = {op["operationId"]: op for _, _, op in _operations(spec) if "operationId" in op}
    renamed = spec.get("x-seed-renamed", {})
    for seed_id, entry in spec.get("x-operation-bodies", {}).items():
        if seed_id == "(any error)":
            continue
        op_id = renamed.get(seed_id, seed_id)
        if op_id not in by_id:
            problems.append(f"x-operation-bodies: {op_id} is not an operation")
            continue
        for role in ("request", "response"):
            expected = body_schema(entry[role]) if role in entry else None
            if _body(by_id[op_id], role) != expected:
                problems.append(f"x-operation-bodies: {op_id} {role} is not "
                                f"{_body(by_id[op_id], role)}")
    return problems


def test_the_description_and_the_manifest_agree() -> None:
    assert disagreements(load_spec("latest"), load_manifest()) == []


def test_the_manifest_holds_the_whole_newest_api() -> None:
    manifest = load_manifest()
    totals = manifest["totals"]
    assert (totals["api_classes"], totals["operations"]) == (API_CLASSES, OPERATIONS)
    assert (totals["enums"], totals["unions"]) == (ENUMS, UNIONS)
    assert len(manifest["api_classes"]) == API_CLASSES
    assert sum(c["count"] for c in manifest["api_classes"].values()) == OPERATIONS
    # the moved Samples operations and the paged exports (issue 18) are among them
    spec = load_spec("latest")
    paths = {(method.upper(), path): op["operationId"] for method, path, op in _operations(spec)}
    assert paths["GET", "/v1/datasets/{datasetId}/samples/{sampleId}"] == "get_sample_by_id"
    assert paths["GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelStudio/tasks"] == (
        "export_tag_to_label_studio_tasks")
    assert "export_tag_to_label_box_data_rows" in manifest["deprecated_operations"]
    # every seed operation's body the checker uses is described, each exactly once
    assert len(spec["x-operation-bodies"]) == 27


def _mutations() -> Iterator[tuple[str, Any]]:
    """(what is planted, a function planting it in copies of (spec, manifest))."""
    def drop_operation(spec: Any, manifest: Any) -> None:
        del spec["paths"]["/v1/jobs/{jobId}"]["get"]

    def duplicate_id(spec: Any, manifest: Any) -> None:
        spec["paths"]["/v1/jobs"]["get"]["operationId"] = "get_job_status_by_id"

    def move_class(spec: Any, manifest: Any) -> None:
        spec["paths"]["/v1/jobs"]["get"]["tags"] = ["TagsApi"]

    def no_responses(spec: Any, manifest: Any) -> None:
        spec["paths"]["/v1/jobs"]["get"]["responses"] = {"404": {"description": "x"}}

    def dangling_ref(spec: Any, manifest: Any) -> None:
        del spec["components"]["schemas"]["JobStatusData"]

    def wrong_count(spec: Any, manifest: Any) -> None:
        manifest["api_classes"]["JobsApi"]["count"] += 1

    def listed_twice(spec: Any, manifest: Any) -> None:
        manifest["api_classes"]["TagsApi"]["operations"].append("get_jobs")

    def undeprecated(spec: Any, manifest: Any) -> None:
        del spec["paths"]["/v1/datasets/{datasetId}/datasource"]["get"]["deprecated"]

    def path_parameter(spec: Any, manifest: Any) -> None:
        spec["paths"]["/v1/jobs/{jobId}"]["get"]["parameters"][0]["name"] = "id"

    def error_body(spec: Any, manifest: Any) -> None:
        answer = spec["paths"]["/v1/jobs/{jobId}"]["get"]["responses"]["404"]
        answer["content"]["application/json"]["schema"] = {"type": "object"}

    def lost_enum(spec: Any, manifest: Any) -> None:
        del spec["components"]["schemas"]["SampleSortBy"]["enum"]

    def seed_body(spec: Any, manifest: Any) -> None:
        spec["x-operation-bodies"]["get_tag_by_tag_id"]["response"] = "[TagData]"

    for plant in (drop_operation, duplicate_id, move_class, no_responses, dangling_ref,
                  wrong_count, listed_twice, undeprecated, path_parameter, error_body,
                  lost_enum, seed_body):
        yield plant.__name__, plant


@pytest.mark.parametrize(("name", "plant"), list(_mutations()), ids=[n for n, _ in _mutations()])
def test_each_planted_disagreement_is_found(name: str, plant: Any) -> None:
    spec, manifest = copy.deepcopy(load_spec("latest")), copy.deepcopy(load_manifest())
    plant(spec, manifest)
    assert disagreements(spec, manifest) != []


@pytest.fixture(scope="module")
def openapi_30_validator() -> Any:
    """The OpenAPI 3.0 meta-schema schemathesis (a test dependency) ships, if it still does."""
    definitions = pytest.importorskip("schemathesis.specs.openapi.definitions")
    meta = getattr(definitions, "OPENAPI_30", None)
    if meta is None:
        pytest.skip("schemathesis no longer ships the OpenAPI 3.0 meta-schema")
    return jsonschema.Draft4Validator(meta)


def test_the_description_is_valid_openapi_3_0(openapi_30_validator: Any) -> None:
    spec = load_spec("latest")
    assert spec["openapi"] == "3.0.3"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in
              openapi_30_validator.iter_errors(spec)]
    assert errors == []


def test_the_openapi_validation_can_fail(openapi_30_validator: Any) -> None:
    spec = copy.deepcopy(load_spec("latest"))
    spec["paths"]["/v1/jobs"]["get"]["parameters"] = [{"name": "x", "in": "body"}]
    assert not openapi_30_validator.is_valid(spec)
