"""A wrong JSON type in any scalar field of an answer is a DecodeError naming its JSON path.

The table is generated from both contracts, ``spec/seed/lightly-api.yaml`` and
``spec/latest/lightly-api-latest.yaml``: for each response body the client decodes, a body
with every property present is built from the schema (each union variant separately), and each
scalar field in turn gets a value of every JSON type the schema does not allow there (an int is
allowed where the schema says number). The answer goes through the whole pipeline (mock
transport, resource call) and must raise ``DecodeError`` whose message ends in ``@ <path>``:
no coercion (float→int, str→number, list→str, bool→int), no silent acceptance.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from lightly_async import DecodeError, LightlySession, _http
from lightly_async._convert import get_converter, get_decoder
from lightly_async.testing._transports import mock_transport

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
SPECS = {"seed": ROOT / "spec" / "seed" / "lightly-api.yaml",
         "latest": ROOT / "spec" / "latest" / "lightly-api-latest.yaml"}
ID = "0123456789abcdef01234567"

Call = Callable[[LightlySession], Awaitable[Any]]


async def _first_page(s: LightlySession) -> Any:
    async for page in s.dataset(ID).datasource.list_raw_samples().pages():
        return page
    raise AssertionError("the pager yielded no page")


#: the call that decodes a body -> its schema in (seed, latest); "[X]" is an array of X
RESPONSES: list[tuple[str, Call, str | None, str | None]] = [
    ("tags.get", lambda s: s.dataset(ID).tags.get(ID), "TagData", "TagData"),
    ("samples.get", lambda s: s.dataset(ID).samples.get(ID), "SampleData", None),
    ("datasource.get", lambda s: s.dataset(ID).datasource.get(),
     "DatasourceConfig", "DatasourceConfig"),
    ("datasource.verify", lambda s: s.dataset(ID).datasource.verify(),
     "DatasourceConfigVerifyData", "DatasourceConfigVerifyData"),
    ("datasource.get_processed_until", lambda s: s.dataset(ID).datasource.get_processed_until(),
     "DatasourceProcessedUntilTimestampResponse", "DatasourceProcessedUntilTimestampResponse"),
    ("datasource.list_raw_samples", _first_page,
     "DatasourceRawSamplesData", "DatasourceRawSamplesData"),
    ("predictions.get", lambda s: s.dataset(ID).predictions.get(ID, prediction_uuid_timestamp=1),
     "PredictionSingletons", "[PredictionSingleton]"),
    ("predictions.get_task_schema", lambda s: s.dataset(ID).predictions.get_task_schema(
        "task", prediction_uuid_timestamp=1), "PredictionTaskSchema", "PredictionTaskSchema"),
    ("predictions.list_task_schemas", lambda s: s.dataset(ID).predictions.list_task_schemas(),
     "[PredictionTaskSchema]", "PredictionTaskSchemas"),
    ("tags.export_label_studio", lambda s: s.dataset(ID).tags.export_label_studio(ID),
     "LabelStudioTasks", "[LabelStudioTask]"),
    ("tags.export_label_box", lambda s: s.dataset(ID).tags.export_label_box(ID),
     "LabelBoxDataRows", "[LabelBoxDataRow]"),
    ("tags.arithmetics", lambda s: s.dataset(ID).tags.arithmetics(ID, ID, "UNION"),
     "TagArithmeticsResponse", "TagArithmeticsResponse"),
    ("tags.arithmetics_bitmask", lambda s: s.dataset(ID).tags.arithmetics_bitmask(
        ID, ID, "UNION"), "TagBitMaskResponse", "TagBitMaskResponse"),
    ("tags.create_initial", lambda s: s.dataset(ID).tags.create_initial(),
     "CreateEntityResponse", "CreateEntityResponse"),
    ("samplings.trigger", lambda s: s.dataset(ID).samplings.trigger(
        ID, new_tag_name="picked", method="RANDOM", config=None), "AsyncTaskData", "AsyncTaskData"),
    ("jobs.get", lambda s: s.jobs.get("job-1"), None, "JobStatusData"),
    # the Lightly Worker (DockerApi)
    ("workers.list", lambda s: s.workers.list(), None, "[DockerWorkerRegistryEntryData]"),
    ("workers.get_config", lambda s: s.workers.get_config(ID), None,
     "DockerWorkerConfigVXData"),
    ("runs.scheduled", lambda s: s.dataset(ID).runs.scheduled(), None,
     "[DockerRunScheduledData]"),
    ("runs.get", lambda s: s.runs.get(ID), None, "DockerRunData"),
]

#: Where the client is deliberately more lenient than a contract about ``null`` in a required
#: field: (schema, key) -> why. Everything else required and not nullable must refuse null.
NULL_ALLOWED: dict[tuple[str, str], str] = {
    # newest-API fields a seed-era server does not send: optional in the models
    **{(f"DatasourceConfig{v}", "purpose"): "newer field" for v in (
        "Azure", "GCS", "LIGHTLY", "LOCAL", "OBS", "S3", "S3DelegatedAccess")},
    ("DatasourceConfigVerifyData", "canOverwrite"): "newer field",
    ("PredictionSingletonInstanceSegmentation", "bbox"): "newer field",
    ("PredictionTaskSchemaCategory", "id"): "optional in the seed contract",
    ("PredictionTaskSchemaCategory", "name"): "optional in the seed contract",
    ("PredictionTaskSchemaCategoryKeypoints", "id"): "one category class for both contracts",
    ("PredictionTaskSchemaCategoryKeypoints", "name"): "one category class for both contracts",
    ("ApiErrorResponse", "error"): "the seed contract sends message instead",
    # seed-era 2021 samples: mode=ids answers carry only _id (DESIGN.md)
    **{("SampleData", key): "mode=ids" for key in ("isThumbnail", "thumbName", "meta")},
}

#: Where the models take more JSON types than a contract: (schema, key) -> the extra types.
WIDENED: dict[tuple[str, str], set[str]] = {
    # the trainer's precision: an enum of the integers 16 and 32, which the description
    # calls a string enum (the owner is the config that reaches it through ``allOf``s)
    **{(f"DockerWorkerConfigV{v}{data}", "precision"): {"integer"}
       for v in (2, 3, 4) for data in ("", "Data")},
    # the seed era sent int pixels; the newest API sends numbers: the models hold both
    ("PredictionSingletonObjectDetection", "bbox"): {"number"},
    ("PredictionSingletonKeypointDetection", "keypoints"): {"number"},
}

WRONG_VALUES: dict[str, Any] = {
    "null": None, "boolean": True, "integer": 7, "number": 2.5, "string": "7",
    "array": [{}], "object": {"x": {}},
}
ALLOWED = {"string": {"string"}, "integer": {"integer"}, "number": {"integer", "number"},
           "boolean": {"boolean"}}


class _Leaf:
    """A scalar field of a generated body: where it is, what it may be."""

    def __init__(self, path: list[str | int], kinds: set[str], null_ok: bool) -> None:
        self.path, self.kinds, self.null_ok = path, kinds, null_ok

    @property
    def json_path(self) -> str:
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)

    def under(self, index: int) -> _Leaf:
        return _Leaf([index, *self.path], self.kinds, self.null_ok)


class _Bodies:
    """Bodies with every property present, built from one spec's schemas."""

    def __init__(self, spec: str) -> None:
        self.schemas = yaml.safe_load(SPECS[spec].read_text())["components"]["schemas"]

    def variants(self, name: str) -> Iterator[tuple[str, Any, list[_Leaf]]]:
        """(variant name, body, its scalar leaves) for each member of a union, or the one."""
        schema = self.schemas.get(name.strip("[]"), {})
        if name.startswith("[") or (schema.get("type") == "array" and "$ref" in schema["items"]):
            item = name[1:-1] if name.startswith("[") else self._ref(schema["items"])
            for label, body, leaves in self.variants(item):
                yield label, [body], [leaf.under(0) for leaf in leaves]
            return
        if "oneOf" in schema and name != "PredictionTaskSchema":  # by tag, or by shape
            for member, tag in self._members(schema):
                leaves: list[_Leaf] = []
                yield member, self.build(self.schemas[member], [], leaves, member, tag=tag), leaves
            return
        leaves = []
        yield name, self.build(schema, [], leaves, name), leaves

    @staticmethod
    def _ref(schema: dict[str, Any]) -> str:
        return str(schema["$ref"].rsplit("/", 1)[1])

    def _members(self, schema: dict[str, Any]) -> list[tuple[str, str | None]]:
        mapping = schema.get("discriminator", {}).get("mapping", {})
        tags = {self._ref({"$ref": ref}): tag for tag, ref in mapping.items()}
        return [(self._ref(r), tags.get(self._ref(r))) for r in schema["oneOf"]]

    def _merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An ``allOf`` of objects as one object (later parts win); ``$ref``s resolved."""
        while "$ref" in schema:
            schema = self.schemas[self._ref(schema)]
        if "allOf" not in schema:
            return schema
        out: dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            part = self._merged(part)
            if "properties" not in part:
                return {**part, "nullable": schema.get("nullable", part.get("nullable"))}
            out["properties"].update(part["properties"])
            out["required"] += part.get("required", [])
        out["type"] = "object"
        return out

    def build(self, schema: dict[str, Any], path: list[str | int], leaves: list[_Leaf],
              owner: str, *, null_ok: bool = False, tag: str | None = None) -> Any:
        nullable = null_ok or bool(schema.get("nullable"))
        if "$ref" in schema:
            owner = self._ref(schema)
        schema = self._merged(schema)
        nullable = nullable or bool(schema.get("nullable"))
        if "oneOf" in schema:  # a nested union: its first member
            member, member_tag = self._members(schema)[0]
            return self.build(self.schemas[member], path, leaves, member, null_ok=nullable,
                              tag=member_tag)
        kind = schema.get("type")
        if kind == "object" and schema.get("properties"):
            required = set(schema.get("required", []))
            out = {}
            for key, sub in schema["properties"].items():
                if key == "type" and tag is not None:
                    out[key] = tag
                    leaves.append(_Leaf([*path, key], {"string"}, False))
                    continue
                lenient = key not in required or (owner, key) in NULL_ALLOWED
                out[key] = self.build(sub, [*path, key], leaves, owner, null_ok=lenient)
            return out
        if kind == "array":
            n = max(1, schema.get("minItems", 1))
            return [self.build(schema["items"], [*path, i], leaves, owner) for i in range(n)]
        if kind in ALLOWED:
            key = next(p for p in reversed(path) if isinstance(p, str))
            kinds = ALLOWED[kind] | WIDENED.get((owner, key), set())
            leaves.append(_Leaf(path, kinds, nullable))
            return _valid(schema, path)
        return {}  # free-form


def _valid(schema: dict[str, Any], path: list[str | int]) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema["type"]
    if kind == "string":
        return "0x5" if path[-1:] == ["bitMaskData"] else "s"
    return {"integer": 1, "number": 0.5, "boolean": True}[kind]


def _cases() -> Iterator[Any]:
    builders = {spec: _Bodies(spec) for spec in SPECS}
    for label, call, *names in RESPONSES:
        for spec, name in zip(SPECS, names, strict=True):
            if name is None:
                continue
            for variant, body, leaves in builders[spec].variants(name):
                for leaf in leaves:
                    for wrong, value in WRONG_VALUES.items():
                        if wrong in leaf.kinds or (wrong == "null" and leaf.null_ok):
                            continue
                        yield pytest.param(
                            call, body, leaf.path, value, leaf.json_path,
                            id=f"{spec}-{label}-{variant}-{leaf.json_path}-{wrong}")


CASES = list(_cases())


def _answer(call: Call, content: bytes) -> Any:
    def handler(request: Any) -> Any:
        return _http.Response(200, content=content, headers={"content-type": "application/json"})

    async def main() -> Any:
        async with LightlySession(token="tok-9f2c41", base_url="https://api.test", max_retries=0,
                                  transport=mock_transport(handler)) as session:
            return await call(session)

    return anyio.run(main)


def test_the_table_covers_both_contracts_and_every_json_type() -> None:
    ids = [case.id for case in CASES]
    assert any(i.startswith("seed-") for i in ids)
    assert any(i.startswith("latest-") for i in ids)
    for wrong in WRONG_VALUES:
        assert any(i.endswith(f"-{wrong}") for i in ids), wrong


def test_every_generated_body_decodes_before_it_is_broken() -> None:
    seen = set()
    for case in CASES:
        call, body = case.values[0], case.values[1]
        key = json.dumps(body, sort_keys=True)
        if key not in seen:
            seen.add(key)
            _answer(call, key.encode())


@pytest.mark.parametrize(("call", "body", "where", "value", "json_path"), CASES)
def test_a_wrong_json_type_is_a_decode_error_naming_its_path(
    call: Call, body: Any, where: list[str | int], value: Any, json_path: str
) -> None:
    broken = copy.deepcopy(body)
    node = broken
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    with pytest.raises(DecodeError) as caught:
        _answer(call, json.dumps(broken).encode())
    assert f"@ {json_path}" in caught.value.message


#: JSON numbers (or would-be numbers) no float field may hold: raw tokens, as a server sends them
NOT_NUMBERS = {
    "nan": "NaN", "infinity": "Infinity", "minus-infinity": "-Infinity", "overflow": "1e400",
    "minus-overflow": "-1e400", "40-digit-integer": "1" + "0" * 39,
    "integer-past-int64": str(2**63 + 1), "negative-past-int64": str(-(2**63) - 1),
}


def _number_cases() -> Iterator[Any]:
    for case in CASES:
        call, body, where, _, json_path = case.values
        if case.id.endswith("-string") and "number" in _kinds_at(case):
            for name, token in NOT_NUMBERS.items():
                yield pytest.param(call, body, where, token, json_path,
                                   id=case.id.removesuffix("-string") + f"-{name}")


def _kinds_at(case: Any) -> set[str]:
    return {k for k in WRONG_VALUES if not any(
        c.id == case.id.removesuffix("-string") + f"-{k}" for c in CASES)} - {"null"}


NUMBER_CASES = list(_number_cases())


def test_the_number_table_covers_float_fields_and_lists_of_them() -> None:
    ids = [case.id for case in NUMBER_CASES]
    assert any(".score-nan" in i for i in ids)
    assert any(".bbox[0]-overflow" in i for i in ids)
    assert len(ids) >= 10 * len(NOT_NUMBERS)


@pytest.mark.parametrize(("call", "body", "where", "token", "json_path"), NUMBER_CASES)
def test_a_non_finite_or_inexact_number_is_a_decode_error_naming_its_path(
    call: Call, body: Any, where: list[str | int], token: str, json_path: str
) -> None:
    broken = copy.deepcopy(body)
    node = broken
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = "@@number@@"
    raw = json.dumps(broken).replace('"@@number@@"', token).encode()
    with pytest.raises(DecodeError) as caught:
        _answer(call, raw)
    assert f"@ {json_path}" in caught.value.message


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_a_non_json_number_token_is_refused_even_in_a_free_form_field(token: str) -> None:
    body = json.dumps({"id": ID, "type": "LOCAL", "fullPath": "/x", "purpose": "INPUT_OUTPUT",
                       "thumbSuffix": None, "extra": {"deep": [1, "@@token@@"]}})
    raw = body.replace('"@@token@@"', token).encode()
    with pytest.raises(DecodeError) as caught:
        _answer(lambda s: s.dataset(ID).datasource.get(), raw)
    assert f"{token} is not a JSON number @ $.extra.deep[1]" in caught.value.message


def test_integers_a_float_holds_exactly_stay_exact_ints() -> None:
    for conv in (get_converter(), get_decoder()):
        # int64 (the API's integers) or exactly a float: kept as the exact int
        for exact in (2**53, 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 10**22, -(10**22)):
            value = conv.structure(exact, float)
            assert value == exact
            assert value.__class__ is int
