"""``spec/beyond-seeds.yaml`` against the code: the eight operations beyond the seeds.

Every operation has a route in the fake, every fact names its 1.5.20 source, the client's
models carry exactly the spec's fields, and the fake's answers match the schemas.
"""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import jsonschema
import pytest
from starlette.routing import Route

from contract.openapi_check import SpecChecker, SpecError, load_spec, operations, to_json_schema
from lightly_async._convert import wire_name
from lightly_async.models import (
    CreateEntityResponse,
    DatasetCreateRequest,
    DatasetData,
    DatasetEmbeddingData,
    DatasetUpdateRequest,
)
from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly
from lightly_async.testing._app import METHOD_NOT_ALLOWED

EXPECTED = {
    ("GET", "/v1/datasets"),
    ("POST", "/v1/datasets"),
    ("GET", "/v1/datasets/query/name/{datasetName}"),
    ("GET", "/v1/datasets/{datasetId}"),
    ("PUT", "/v1/datasets/{datasetId}"),
    ("DELETE", "/v1/datasets/{datasetId}"),
    ("GET", "/v1/datasets/{datasetId}/embeddings"),
    ("GET", "/v1/datasets/{datasetId}/mappings"),
}


def test_spec_lists_exactly_the_eight_operations_when_loaded() -> None:
    assert set(operations("beyond-seeds")) == EXPECTED
    assert not EXPECTED & set(operations())  # none of them is a seed operation


def test_every_operation_parameter_and_schema_names_its_source_when_read() -> None:
    spec = load_spec("beyond-seeds")
    missing = []
    for path, item in spec["paths"].items():
        for p in item.get("parameters", []):
            if "$ref" not in p and "x-source" not in p:
                missing.append(f"{path} parameter {p['name']}")
        for method, op in item.items():
            if method == "parameters":
                continue
            if "lightly 1.5.20" not in op.get("x-source", ""):
                missing.append(f"{method.upper()} {path}")
            missing += [f"{method.upper()} {path} parameter {p['name']}"
                        for p in op.get("parameters", []) if "$ref" not in p
                        and "x-source" not in p]
    for kind in ("schemas", "parameters", "securitySchemes"):
        missing += [f"{kind}/{name}" for name, node in spec["components"][kind].items()
                    if "lightly 1.5.20" not in node.get("x-source", "")]
    assert missing == []


def test_every_schema_is_valid_json_schema_when_converted() -> None:
    for name, schema in to_json_schema(load_spec("beyond-seeds")["components"]["schemas"]).items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema, name


def test_every_operation_has_a_route_in_the_fake_when_the_app_is_built() -> None:
    routes = set()
    for route in FakeLightly(api="seed").app.routes:
        assert isinstance(route, Route)
        if route.name != METHOD_NOT_ALLOWED:
            routes |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    assert routes >= EXPECTED


@pytest.mark.parametrize(
    ("model", "schema"),
    [(DatasetData, "DatasetData"), (DatasetCreateRequest, "DatasetCreateRequest"),
     (DatasetUpdateRequest, "DatasetUpdateRequest"),
     (DatasetEmbeddingData, "DatasetEmbeddingData"),
     (CreateEntityResponse, "CreateEntityResponse")])
def test_model_fields_are_the_schemas_properties_when_compared(model: type, schema: str) -> None:
    node = load_spec("beyond-seeds")["components"]["schemas"][schema]
    fields = attrs.fields(model)
    assert {wire_name(a) for a in fields} == set(node["properties"])
    # (DatasetCreateRequest's ``type`` defaults to Images, so that it is always sent: still
    # optional, as in the spec)
    required = {wire_name(a) for a in fields if a.default is attrs.NOTHING}
    assert required == set(node["required"])


def test_checker_rejects_an_answer_when_it_breaks_the_schema() -> None:
    checker = SpecChecker("beyond-seeds")
    with pytest.raises(SpecError, match="required"):
        checker.check("GET", f"/v1/datasets/{'a' * 24}", 200, b'{"id": "x"}')
    with pytest.raises(SpecError, match="is not of type"):
        checker.check("GET", f"/v1/datasets/{'a' * 24}/mappings", 200, b"[1]")
    with pytest.raises(SpecError, match="expected no body"):
        checker.check("PUT", f"/v1/datasets/{'a' * 24}", 200, b"{}")


@pytest.mark.asyncio
async def test_every_operation_answers_per_the_spec_when_driven_through_a_tour() -> None:
    fake = FakeLightly(seed=3, api="seed")
    checker = SpecChecker("beyond-seeds")
    other = "other-user-token"
    fake.add_user(other)
    ds = fake.create_dataset("tour-ds", ["a.jpg", "b.jpg"])
    foreign = fake.create_dataset("foreign", ["x.jpg"], owner_token=other)
    fake.add_embedding(ds, name="emb")
    statuses: list[tuple[str, int]] = []

    async def check(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        checker.check(request.method, request.url.path, response.status_code,
                      response.content, dict(request.url.params))
        statuses.append((request.method, response.status_code))

    async with httpx.AsyncClient(transport=fake.transport(), base_url=FAKE_BASE_URL,
                                 params={"token": DEFAULT_TOKEN},
                                 event_hooks={"response": [check]}) as c:
        created = await c.post("/v1/datasets", json={"name": "made here", "imgType": "full"})
        assert created.status_code == 201, created.text
        new_id = created.json()["id"]
        answers: list[Any] = [
            await c.get("/v1/datasets", params={"pageSize": 1, "pageOffset": 1}),
            await c.get("/v1/datasets/query/name/tour-ds", params={"exact": "true"}),
            await c.get(f"/v1/datasets/{new_id}"),
            await c.put(f"/v1/datasets/{new_id}", json={"name": "renamed"}),
            await c.get(f"/v1/datasets/{ds}/embeddings"),
            await c.get(f"/v1/datasets/{ds}/mappings", params={"field": "fileName"}),
            await c.get(f"/v1/datasets/{ds}/mappings", params={"field": "_id", "pageSize": 1}),
            await c.delete(f"/v1/datasets/{new_id}", params={"force": "true"}),
            # and the errors
            await c.post("/v1/datasets", json={"name": "x"}),
            await c.post("/v1/datasets", json={"name": "tour-ds"}),
            await c.get(f"/v1/datasets/{foreign}"),
            await c.get(f"/v1/datasets/{new_id}"),
            await c.get(f"/v1/datasets/{ds}/mappings", params={"field": "thumbName"}),
            await c.get("/v1/datasets", params={"token": "wrong"}),
        ]
    assert [r.status_code for r in answers] == [
        200, 200, 200, 200, 200, 200, 200, 200, 400, 409, 403, 404, 400, 401]
    assert answers[0].json()[0]["name"] == "made here"  # offset 1: the second dataset
    assert [d["id"] for d in answers[1].json()] == [ds]
    assert answers[5].json() == ["a.jpg", "b.jpg"]
    assert answers[6].json() == fake.sample_ids(ds)[:1]
    seen = {(m, t) for m, t, s in checker.checked if s < 300}
    assert seen == EXPECTED
