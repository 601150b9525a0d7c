"""Predictions: task schemas and singletons, versioned by predictionUUIDTimestamp."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fake.api import assert_error
from lightly_async.testing import FakeLightly

V1, V2 = 1_600_000_000_000, 1_700_000_000_000
CARS = {
    "name": "cars",
    "type": "OBJECT_DETECTION",
    "categories": [{"id": 0, "name": "car"}, {"id": 7, "name": "truck"}],
}
CLS = {"name": "weather", "type": "CLASSIFICATION", "categories": [{"id": 1, "name": "sunny"}]}


def det(category: int = 0, score: float = 0.9) -> dict[str, Any]:
    return {
        "type": "OBJECT_DETECTION",
        "taskName": "cars",
        "categoryId": category,
        "score": score,
        "bbox": [1, 2, 30, 40],
    }


def tasks(ds: str) -> str:
    return f"/v1/datasets/{ds}/predictions/tasks"


def preds(ds: str, sample: str = "") -> str:
    return f"/v1/datasets/{ds}/predictions/samples" + (f"/{sample}" if sample else "")


async def put_schema(client: httpx.AsyncClient, ds: str, schema: dict[str, Any], v: int) -> str:
    r = await client.post(tasks(ds), json=schema, params={"predictionUUIDTimestamp": v})
    assert r.status_code == 201, r.text
    schema_id: str = r.json()["id"]
    return schema_id


@pytest.mark.asyncio
async def test_task_schema_is_found_by_name_when_created_at_that_version(
    client: httpx.AsyncClient, ds: str
):
    await put_schema(client, ds, CARS, V1)
    r = await client.get(f"{tasks(ds)}/cars", params={"predictionUUIDTimestamp": V1})
    assert r.json() == CARS
    r = await client.get(f"{tasks(ds)}/cars", params={"predictionUUIDTimestamp": V2})
    assert_error(r, 404, "PREDICTION_TASK_SCHEMA_UNKNOWN")


@pytest.mark.asyncio
async def test_task_schema_update_keeps_its_id_when_posted_again_under_the_same_name(
    client: httpx.AsyncClient, ds: str
):
    first = await put_schema(client, ds, CARS, V1)
    again = await put_schema(client, ds, {**CARS, "categories": [{"id": 3, "name": "bus"}]}, V1)
    assert first == again
    got = await client.get(f"{tasks(ds)}/cars", params={"predictionUUIDTimestamp": V1})
    assert got.json()["categories"] == [{"id": 3, "name": "bus"}]


@pytest.mark.asyncio
async def test_task_schema_list_defaults_to_the_newest_version_when_no_timestamp_is_given(
    client: httpx.AsyncClient, ds: str
):
    assert (await client.get(tasks(ds))).json() == []
    await put_schema(client, ds, CARS, V1)
    await put_schema(client, ds, CLS, V2)
    assert [s["name"] for s in (await client.get(tasks(ds))).json()] == ["weather"]
    older = await client.get(tasks(ds), params={"predictionUUIDTimestamp": V1})
    assert [s["name"] for s in older.json()] == ["cars"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("schema", "code"),
    [
        (
            {**CARS, "categories": [{"id": 1}, {"id": 1}]},
            "PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE",
        ),
        ({**CARS, "name": "bad/name"}, "MALFORMED_REQUEST"),
        ({**CARS, "type": "SEMANTIC_SEGMENTATION"}, "MALFORMED_REQUEST"),
        ({**CARS, "categories": [{"id": -1}]}, "MALFORMED_REQUEST"),
        ({"name": "cars", "type": "CLASSIFICATION"}, "MALFORMED_REQUEST"),
    ],
)
async def test_task_schema_is_400_when_invalid(
    client: httpx.AsyncClient, ds: str, schema: dict[str, Any], code: str
):
    r = await client.post(tasks(ds), json=schema, params={"predictionUUIDTimestamp": V1})
    assert_error(r, 400, code)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/v1/datasets/{ds}/predictions/tasks/cars", "/v1/datasets/{ds}/predictions/samples"]
)
async def test_prediction_reads_are_400_when_the_required_timestamp_is_missing(
    client: httpx.AsyncClient, ds: str, path: str
):
    assert_error(await client.get(path.format(ds=ds)), 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_singletons_replace_the_samples_predictions_when_posted_again(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await put_schema(client, ds, CARS, V1)
    sid = fake.sample_ids(ds)[0]
    v1 = {"predictionUUIDTimestamp": V1}
    r = await client.post(preds(ds, sid), json=[det(0), det(7)], params=v1)
    assert r.status_code == 201
    assert (await client.get(preds(ds, sid), params=v1)).json() == [det(0), det(7)]
    await client.post(preds(ds, sid), json=[det(7, 0.5)], params=v1)
    assert (await client.get(preds(ds, sid), params=v1)).json() == [det(7, 0.5)]


@pytest.mark.asyncio
async def test_singletons_are_separate_per_version_when_two_versions_exist(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await put_schema(client, ds, CARS, V1)
    await put_schema(client, ds, CARS, V2)
    sid = fake.sample_ids(ds)[0]
    await client.post(preds(ds, sid), json=[det(0)], params={"predictionUUIDTimestamp": V1})
    await client.post(preds(ds, sid), json=[det(7)], params={"predictionUUIDTimestamp": V2})
    got1 = await client.get(preds(ds, sid), params={"predictionUUIDTimestamp": V1})
    got2 = await client.get(preds(ds, sid), params={"predictionUUIDTimestamp": V2})
    assert (got1.json(), got2.json()) == ([det(0)], [det(7)])


@pytest.mark.asyncio
async def test_dataset_predictions_are_one_list_per_sample_when_filtered_by_task(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await put_schema(client, ds, CARS, V1)
    await put_schema(client, ds, CLS, V1)
    ids = fake.sample_ids(ds)
    v1 = {"predictionUUIDTimestamp": V1}
    sunny = {
        "type": "CLASSIFICATION",
        "taskName": "weather",
        "categoryId": 1,
        "score": 1,
        "probabilities": [1.0],
    }
    await client.post(preds(ds, ids[2]), json=[det(0), sunny], params=v1)
    await client.post(preds(ds, ids[4]), json=[sunny], params=v1)
    everything = (await client.get(preds(ds), params=v1)).json()
    assert everything == [[], [], [det(0), sunny], [], [sunny]]
    cars = (await client.get(preds(ds), params={**v1, "taskName": "cars"})).json()
    assert cars == [[], [], [det(0)], [], []]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("singleton", "status", "code"),
    [
        ({**det(), "taskName": "boats"}, 404, "PREDICTION_TASK_SCHEMA_UNKNOWN"),
        (det(category=5), 400, "MALFORMED_REQUEST"),
        (det(score=1.5), 400, "MALFORMED_REQUEST"),
        ({**det(), "bbox": [1, 2, 3]}, 400, "MALFORMED_REQUEST"),
        ({**det(), "bbox": [1.5, 2, 3, 4]}, 400, "MALFORMED_REQUEST"),
        ({**det(), "type": "CLASSIFICATION"}, 400, "MALFORMED_REQUEST"),
        ({**det(), "type": "SEMANTIC_SEGMENTATION"}, 400, "MALFORMED_REQUEST"),
    ],
)
async def test_singletons_are_refused_when_they_do_not_fit_the_task_schema(
    fake: FakeLightly,
    client: httpx.AsyncClient,
    ds: str,
    singleton: dict[str, Any],
    status: int,
    code: str,
):
    await put_schema(client, ds, CARS, V1)
    sid = fake.sample_ids(ds)[0]
    r = await client.post(preds(ds, sid), json=[singleton], params={"predictionUUIDTimestamp": V1})
    assert_error(r, status, code)


@pytest.mark.asyncio
async def test_singletons_are_refused_when_the_schema_exists_only_at_another_version(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await put_schema(client, ds, CARS, V1)
    sid = fake.sample_ids(ds)[0]
    r = await client.post(preds(ds, sid), json=[det()], params={"predictionUUIDTimestamp": V2})
    assert_error(r, 404, "PREDICTION_TASK_SCHEMA_UNKNOWN")


@pytest.mark.asyncio
async def test_singletons_are_404_when_the_sample_is_unknown(client: httpx.AsyncClient, ds: str):
    r = await client.get(preds(ds, "e" * 24), params={"predictionUUIDTimestamp": V1})
    assert_error(r, 404, "SAMPLE_UNKNOWN")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/v1/datasets/{ds}/predictions/tasks", "/v1/datasets/{ds}/predictions/samples"]
)
async def test_prediction_reads_are_400_when_the_timestamp_is_beyond_int64(
    client: httpx.AsyncClient, ds: str, path: str
):
    r = await client.get(path.format(ds=ds), params={"predictionUUIDTimestamp": 2**63})
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_task_schema_is_400_when_a_category_id_is_beyond_int64(
    client: httpx.AsyncClient, ds: str
):
    schema = {**CARS, "categories": [{"id": 2**63, "name": "huge"}]}
    r = await client.post(tasks(ds), json=schema, params={"predictionUUIDTimestamp": V1})
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("schema", "singleton"),
    [
        (CARS, {**det(), "bbox": [1, 2, 3, 2**63]}),
        (
            {"name": "pose", "type": "KEYPOINT_DETECTION", "categories": [{"id": 0}]},
            {
                "type": "KEYPOINT_DETECTION",
                "taskName": "pose",
                "categoryId": 0,
                "score": 0.5,
                "keypoints": [1, 2, 2**63],
            },
        ),
    ],
)
async def test_singletons_are_400_when_a_coordinate_is_beyond_int64(
    fake: FakeLightly,
    client: httpx.AsyncClient,
    ds: str,
    schema: dict[str, Any],
    singleton: dict[str, Any],
):
    await put_schema(client, ds, schema, V1)
    sid = fake.sample_ids(ds)[0]
    params = {"predictionUUIDTimestamp": V1}
    r = await client.post(preds(ds, sid), json=[singleton], params=params)
    assert_error(r, 400, "MALFORMED_REQUEST")
    assert "int64" in r.json()["message"]
    ok = (
        {**singleton, "bbox": [1, 2, 3, 4]}
        if "bbox" in singleton
        else {**singleton, "keypoints": [1, 2, 2]}
    )
    assert (await client.post(preds(ds, sid), json=[ok], params=params)).status_code == 201
