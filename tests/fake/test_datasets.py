"""Datasets, embeddings and mappings in the fake: real state, per user, paged, spec-checked.

Every answer is validated against both ``spec/seed`` and ``spec/beyond-seeds.yaml``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from contract.openapi_check import SpecChecker
from fake.api import FILES, assert_error, create_tag, initial_tag
from fake.conftest import _client
from lightly_async.testing import DEFAULT_TOKEN, FakeLightly

pytestmark = pytest.mark.asyncio

OTHER = "other-token"


@pytest_asyncio.fixture
async def client(fake: FakeLightly) -> AsyncIterator[httpx.AsyncClient]:
    checker = SpecChecker("seed", "beyond-seeds")
    async with _client(fake, checker, params={"token": DEFAULT_TOKEN}) as c:
        yield c


@pytest_asyncio.fixture
async def other(fake: FakeLightly) -> AsyncIterator[httpx.AsyncClient]:
    """A second user's client."""
    fake.add_user(OTHER)
    checker = SpecChecker("seed", "beyond-seeds")
    async with _client(fake, checker, params={"token": OTHER}) as c:
        yield c


async def create(client: httpx.AsyncClient, name: str, **extra: Any) -> str:
    r = await client.post("/v1/datasets", json={"name": name, **extra})
    assert r.status_code == 201, r.text
    dataset_id: str = r.json()["id"]
    return dataset_id


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [d["name"] for d in response.json()]


# -- create / get ---------------------------------------------------------------------------------
async def test_created_dataset_is_reported_with_the_fields_sent_when_fetched(
        client: httpx.AsyncClient, fake: FakeLightly) -> None:
    dataset_id = await create(client, "my videos", type="Videos", imgType="thumbnail",
                              creator="USER_PIP")
    data = (await client.get(f"/v1/datasets/{dataset_id}")).json()
    assert (data["id"], data["name"], data["type"], data["imgType"]) == (
        dataset_id, "my videos", "Videos", "thumbnail")
    assert (data["nSamples"], data["sizeInBytes"]) == (0, 0)
    assert data["userId"] == fake.store.default_user.id
    assert data["createdAt"] == data["lastModifiedAt"] > 0


async def test_create_without_type_makes_an_images_dataset_when_type_is_absent(
        client: httpx.AsyncClient) -> None:
    dataset_id = await create(client, "plain")
    assert (await client.get(f"/v1/datasets/{dataset_id}")).json()["type"] == "Images"


async def test_samples_count_and_size_follow_the_samples_when_some_are_added(
        client: httpx.AsyncClient, fake: FakeLightly, ds: str) -> None:
    before = (await client.get(f"/v1/datasets/{ds}")).json()
    fake.add_samples(ds, ["f.jpg"])
    after = (await client.get(f"/v1/datasets/{ds}")).json()
    assert (before["nSamples"], after["nSamples"]) == (5, 6)
    assert after["sizeInBytes"] > before["sizeInBytes"] > 0


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"name": "ab"}, 400, "MALFORMED_REQUEST"),
    ({"name": "a.b.c"}, 400, "MALFORMED_REQUEST"),
    ({"name": "okay", "type": "Pictures"}, 400, "MALFORMED_REQUEST"),
    ({"name": "okay", "imgType": "huge"}, 400, "MALFORMED_REQUEST"),
    ({"name": "okay", "creator": "ME"}, 400, "MALFORMED_REQUEST"),
    ({"name": "okay", "color": "red"}, 400, "MALFORMED_REQUEST"),
    ({"name": "okay", "type": None}, 400, "MALFORMED_REQUEST"),
    ({"name": "okay", "parentDatasetId": "f" * 24}, 404, "DATASET_UNKNOWN"),
    ({"name": "five"}, 409, "DATASET_NAME_EXISTS"),
])
async def test_create_is_refused_when_the_body_is_invalid(
        client: httpx.AsyncClient, ds: str, body: dict[str, Any], status: int, code: str) -> None:
    assert_error(await client.post("/v1/datasets", json=body), status, code)
    assert names(await client.get("/v1/datasets")) == ["five"]


async def test_another_users_dataset_is_invisible_when_listed_or_fetched(
        client: httpx.AsyncClient, other: httpx.AsyncClient, ds: str) -> None:
    theirs = await create(other, "theirs")
    await create(other, "five")  # names are unique per user, not across users
    assert names(await client.get("/v1/datasets")) == ["five"]
    assert names(await other.get("/v1/datasets")) == ["theirs", "five"]
    assert names(await client.get("/v1/datasets/query/name/theirs")) == []
    assert_error(await client.get(f"/v1/datasets/{theirs}"), 403, "FORBIDDEN")
    assert_error(await client.put(f"/v1/datasets/{theirs}", json={"name": "mine"}), 403,
                 "FORBIDDEN")
    assert_error(await client.delete(f"/v1/datasets/{theirs}"), 403, "FORBIDDEN")
    assert_error(await client.get(f"/v1/datasets/{theirs}/mappings",
                                  params={"field": "_id"}), 403, "FORBIDDEN")
    assert (await other.get(f"/v1/datasets/{theirs}")).status_code == 200


async def test_unknown_and_malformed_ids_are_404_and_400_when_fetched(
        client: httpx.AsyncClient) -> None:
    assert_error(await client.get(f"/v1/datasets/{'0' * 24}"), 404, "DATASET_UNKNOWN")
    assert_error(await client.get("/v1/datasets/not-an-id"), 400, "MALFORMED_REQUEST")
    assert_error(await client.get("/v1/datasets", params={"token": "nope"}), 401, "UNAUTHORIZED")


# -- list / query by name -------------------------------------------------------------------------
async def test_list_pages_by_offset_and_size_when_asked(client: httpx.AsyncClient) -> None:
    for i in range(5):
        await create(client, f"ds {i}")
    page = {"pageSize": 2}
    assert names(await client.get("/v1/datasets", params={**page, "pageOffset": 0})) == [
        "ds 0", "ds 1"]
    assert names(await client.get("/v1/datasets", params={**page, "pageOffset": 4})) == ["ds 4"]
    assert names(await client.get("/v1/datasets", params={**page, "pageOffset": 9})) == []
    assert names(await client.get("/v1/datasets", params={"pageOffset": 3})) == ["ds 3", "ds 4"]
    assert names(await client.get("/v1/datasets", params={"shared": "true"})) == []
    assert names(await client.get("/v1/datasets", params={"getAssetsOfTeam": "true"})) == []
    assert len(names(await client.get(
        "/v1/datasets", params={"getAssetsOfTeamInclusiveSelf": "true"}))) == 5
    for bad in ({"pageSize": 0}, {"pageOffset": -1}, {"pageSize": "x"}, {"shared": "maybe"}):
        assert_error(await client.get("/v1/datasets", params=bad), 400, "MALFORMED_REQUEST")


async def test_query_by_name_matches_exactly_or_by_prefix_when_exact_says_so(
        client: httpx.AsyncClient, fake: FakeLightly) -> None:
    for name in ("cars", "cars 2", "my cars"):
        await create(client, name)
    fake.create_dataset("cars")  # the admin path allows a duplicate on purpose
    url = "/v1/datasets/query/name/cars"
    assert names(await client.get(url, params={"exact": "true"})) == ["cars", "cars"]
    assert names(await client.get(url)) == ["cars", "cars 2", "cars"]
    assert names(await client.get(url, params={"exact": "true", "pageSize": 1,
                                               "pageOffset": 1})) == ["cars"]
    assert names(await client.get("/v1/datasets/query/name/my%20cars",
                                  params={"exact": "true"})) == ["my cars"]


# -- update / delete ------------------------------------------------------------------------------
async def test_rename_changes_the_name_and_last_modified_when_put(
        client: httpx.AsyncClient, fake: FakeLightly, ds: str) -> None:
    clock = iter([2_000_000_000.0])
    fake.store.clock = lambda: next(clock)
    r = await client.put(f"/v1/datasets/{ds}", json={"name": "renamed"})
    assert (r.status_code, r.content) == (200, b"")
    data = (await client.get(f"/v1/datasets/{ds}")).json()
    assert (data["name"], data["lastModifiedAt"]) == ("renamed", 2_000_000_000_000)
    assert names(await client.get("/v1/datasets/query/name/five")) == []


async def test_rename_is_refused_when_the_name_is_taken_or_invalid(
        client: httpx.AsyncClient, ds: str) -> None:
    await create(client, "taken")
    assert_error(await client.put(f"/v1/datasets/{ds}", json={"name": "taken"}), 409,
                 "DATASET_NAME_EXISTS")
    assert_error(await client.put(f"/v1/datasets/{ds}", json={"name": "x"}), 400,
                 "MALFORMED_REQUEST")
    assert_error(await client.put(f"/v1/datasets/{ds}", json={}), 400, "MALFORMED_REQUEST")
    assert (await client.put(f"/v1/datasets/{ds}", json={"name": "five"})).status_code == 200


async def test_delete_removes_the_dataset_with_its_tags_predictions_and_samples(
        client: httpx.AsyncClient, anon: httpx.AsyncClient, fake: FakeLightly, ds: str) -> None:
    initial = await initial_tag(client, ds)
    await create_tag(client, ds, "some", initial, "0x3")
    sample = fake.sample_ids(ds)[0]
    schema = {"name": "det", "type": "OBJECT_DETECTION", "categories": [{"id": 0, "name": "car"}]}
    v = {"predictionUUIDTimestamp": 1}
    assert (await client.post(f"/v1/datasets/{ds}/predictions/tasks", params=v,
                              json=schema)).status_code == 201
    url = (await client.get(f"/users/datasets/{ds}/samples/{sample}/writeurl",
                            params={"fileName": "a.jpg"})).json()["signedWriteUrl"]
    assert (await anon.put(url, content=b"img")).status_code == 200
    assert fake.blob(f"{ds}/samples/{sample}/a.jpg") == b"img"
    keep = await create(client, "keep me")

    r = await client.delete(f"/v1/datasets/{ds}")
    assert (r.status_code, r.content) == (200, b"")
    for path in ("", "/tags", f"/tags/{initial}", "/predictions/tasks", "/embeddings"):
        assert_error(await client.get(f"/v1/datasets/{ds}{path}"), 404, "DATASET_UNKNOWN")
    assert_error(await client.get(f"/users/datasets/{ds}/samples/{sample}"), 404,
                 "DATASET_UNKNOWN")
    assert fake.blob(f"{ds}/samples/{sample}/a.jpg") is None
    assert names(await client.get("/v1/datasets")) == ["keep me"]
    assert_error(await client.delete(f"/v1/datasets/{ds}"), 404, "DATASET_UNKNOWN")
    assert (await client.get(f"/v1/datasets/{keep}")).status_code == 200


async def test_delete_of_a_parent_needs_force_and_then_takes_the_children(
        client: httpx.AsyncClient) -> None:
    parent = await create(client, "parent")
    child = await create(client, "crops", type="Crops", parentDatasetId=parent)
    assert (await client.get(f"/v1/datasets/{child}")).json()["parentDatasetId"] == parent
    assert_error(await client.delete(f"/v1/datasets/{parent}"), 400,
                 "ILLEGAL_ACTION_RESOURCE_IN_USE")
    assert (await client.delete(f"/v1/datasets/{parent}", params={"force": "true"})
            ).status_code == 200
    assert names(await client.get("/v1/datasets")) == []


# -- embeddings -----------------------------------------------------------------------------------
async def test_embeddings_are_listed_newest_first_when_added(
        client: httpx.AsyncClient, fake: FakeLightly, ds: str) -> None:
    first = fake.add_embedding(ds, name="first")
    second = fake.add_embedding(ds, name="second")
    listed = (await client.get(f"/v1/datasets/{ds}/embeddings")).json()
    assert [(e["id"], e["name"]) for e in listed] == [(second, "second"), (first, "first")]
    assert all(e["isProcessed"] is True and isinstance(e["createdAt"], int) for e in listed)
    empty = await create(client, "no embeddings")
    assert (await client.get(f"/v1/datasets/{empty}/embeddings")).json() == []


# -- mappings -------------------------------------------------------------------------------------
async def test_mappings_follow_the_sample_order_including_samples_added_later(
        client: httpx.AsyncClient, fake: FakeLightly, ds: str) -> None:
    url = f"/v1/datasets/{ds}/mappings"
    assert (await client.get(url, params={"field": "fileName"})).json() == FILES
    fake.add_samples(ds, ["z.jpg", "y.jpg"])
    assert (await client.get(url, params={"field": "fileName"})).json() == [
        *FILES, "z.jpg", "y.jpg"]
    assert (await client.get(url, params={"field": "_id"})).json() == fake.sample_ids(ds)
    assert (await client.get(url, params={"field": "fileName", "pageSize": 3,
                                          "pageOffset": 5})).json() == ["z.jpg", "y.jpg"]


@pytest.mark.parametrize("params", [{}, {"field": "thumbName"}, {"field": ""},
                                    {"field": "_id", "pageSize": 0}])
async def test_mappings_are_refused_when_the_field_or_paging_is_invalid(
        client: httpx.AsyncClient, ds: str, params: dict[str, Any]) -> None:
    assert_error(await client.get(f"/v1/datasets/{ds}/mappings", params=params), 400,
                 "MALFORMED_REQUEST")


async def test_other_methods_are_405_with_allow_when_a_path_lacks_them(
        client: httpx.AsyncClient, ds: str) -> None:
    r = await client.patch("/v1/datasets", json={})
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST", "HEAD"}
    r = await client.post(f"/v1/datasets/{ds}")
    assert set(r.headers["allow"].split(", ")) == {"GET", "PUT", "DELETE", "HEAD"}
