"""The operations beyond the seeds send the request ``spec/beyond-seeds.yaml`` describes.

One table row per single-request call (method, path, query with the token and nothing unset,
JSON body, decoded answer); the paged and two-step calls get their own tests below.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

import lightly_async as la
from lightly_async import LightlySession
from lightly_async.models import DatasetData, DatasetEmbeddingData, DatasetType, ImageType

BASE_URL = "https://api.test"
TOKEN = "tok-beyond-0123456789"
DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
DS2 = "6a0c1c6e2a9b4c1d8e7f6a5c"
EID = "63d4e5f60718293a4b5c6d7e"
EID2 = "64d4e5f60718293a4b5c6d7f"
NOTHING = object()

DATASET_JSON: dict[str, Any] = {
    "id": DS, "name": "my data", "userId": "user-1", "type": "Images", "imgType": "full",
    "nSamples": 7, "sizeInBytes": 1234, "createdAt": 1_600_000_000_000,
    "lastModifiedAt": 1_600_000_000_500, "datasources": ["ds-a"], "accessRole": "0b111111",
    "someNewerField": {"ignored": True},
}
EMBEDDINGS_JSON = [
    {"id": EID, "name": "default_20230522", "isProcessed": True, "createdAt": 2},
    {"id": EID2, "name": "other", "isProcessed": False, "createdAt": 1, "is2d": True},
]


def _check_dataset(result: Any) -> None:
    assert isinstance(result, DatasetData)
    assert (result.id, result.name, result.user_id) == (DS, "my data", "user-1")
    assert result.type is DatasetType.IMAGES
    assert result.img_type is ImageType.FULL
    assert (result.n_samples, result.size_in_bytes) == (7, 1234)
    assert (result.created_at, result.last_modified_at) == (1_600_000_000_000, 1_600_000_000_500)
    assert result.datasources == ["ds-a"]
    assert result.access_role == "0b111111"
    assert result.parent_dataset_id is None


def _check_embeddings(result: Any) -> None:
    assert result == [
        DatasetEmbeddingData(id=EID, name="default_20230522", is_processed=True, created_at=2),
        DatasetEmbeddingData(id=EID2, name="other", is_processed=False, created_at=1,
                             is2d=True)]


def _is_none(result: Any) -> None:
    assert result is None


@dataclass
class Case:
    id: str
    call: Callable[[LightlySession], Awaitable[Any]]
    method: str
    path: str
    params: dict[str, str]
    body: Any
    response: Any
    check: Callable[[Any], None]


V1 = f"/v1/datasets/{DS}"
CASES = [
    Case("datasets.get", lambda s: s.datasets.get(DS), "GET", V1, {}, NOTHING, DATASET_JSON,
         _check_dataset),
    Case("datasets.update", lambda s: s.datasets.update(DS, name="new name"), "PUT", V1, {},
         {"name": "new name"}, NOTHING, _is_none),
    Case("datasets.delete", lambda s: s.datasets.delete(DS), "DELETE", V1, {}, NOTHING,
         NOTHING, _is_none),
    Case("datasets.delete force", lambda s: s.datasets.delete(DS, force=True), "DELETE", V1,
         {"force": "true"}, NOTHING, NOTHING, _is_none),
    Case("datasets.get_by_name",
         lambda s: s.datasets.get_by_name("my data"), "GET", "/v1/datasets/query/name/my%20data",
         {"exact": "true", "shared": "false", "pageSize": "5000", "pageOffset": "0"}, NOTHING,
         [DATASET_JSON], _check_dataset),
    Case("embeddings.list", lambda s: s.dataset(DS).embeddings.list(), "GET",
         f"{V1}/embeddings", {}, NOTHING, EMBEDDINGS_JSON, _check_embeddings),
    Case("embeddings.get", lambda s: s.dataset(DS).embeddings.get(EID2), "GET",
         f"{V1}/embeddings", {}, NOTHING, EMBEDDINGS_JSON,
         lambda r: _equal(r, DatasetEmbeddingData(id=EID2, name="other", is_processed=False,
                                                  created_at=1, is2d=True))),
    Case("embeddings.get_by_name",
         lambda s: s.dataset(DS).embeddings.get_by_name("default_20230522"), "GET",
         f"{V1}/embeddings", {}, NOTHING, EMBEDDINGS_JSON,
         lambda r: _equal(r, DatasetEmbeddingData(id=EID, name="default_20230522",
                                                  is_processed=True, created_at=2))),
    Case("mappings.file_names", lambda s: s.dataset(DS).mappings.file_names(), "GET",
         f"{V1}/mappings", {"field": "fileName", "pageSize": "25000", "pageOffset": "0"},
         NOTHING, ["a.jpg", "b.jpg"], lambda r: _equal(r, ["a.jpg", "b.jpg"])),
    Case("mappings.sample_ids", lambda s: s.dataset(DS).mappings.sample_ids(), "GET",
         f"{V1}/mappings", {"field": "_id", "pageSize": "25000", "pageOffset": "0"},
         NOTHING, [EID, EID2], lambda r: _equal(r, [EID, EID2])),
    Case("samplings.trigger with DatasetEmbeddingData",
         lambda s: s.dataset(DS).samplings.trigger(
             DatasetEmbeddingData(id=EID2, name="other", is_processed=True, created_at=1),
             new_tag_name="picked", method="RANDOM"),
         "POST", f"{V1}/embeddings/{EID2}/sampling", {},
         {"newTagName": "picked", "method": "RANDOM", "config": {}}, {"jobId": "job-1"},
         lambda r: _equal(r.job_id, "job-1")),
]


def _equal(result: Any, expected: Any) -> None:
    assert result == expected


@pytest.mark.asyncio
@pytest.mark.parametrize("api", ["latest", "seed"])  # the same paths in either dialect
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_operation_sends_spec_request_and_decodes_answer_when_called(
    case: Case, api: str
) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        answer = httpx.Response(200) if case.response is NOTHING else httpx.Response(
            200, json=case.response)
        route = router.route(method=case.method).mock(return_value=answer)
        async with LightlySession(token=TOKEN, base_url=BASE_URL, api=api) as session:
            result = await case.call(session)

    assert route.call_count == 1
    request = route.calls.last.request
    assert request.url.raw_path.split(b"?")[0] == case.path.encode()
    query = request.url.params
    assert len(query.multi_items()) == len(case.params) + 1  # nothing repeated or extra
    assert dict(query.items()) == {**case.params, "token": TOKEN}
    if case.body is NOTHING:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == case.body
    case.check(result)


@pytest.mark.asyncio
async def test_create_posts_the_request_then_gets_the_dataset_when_called() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        post = router.post("/v1/datasets").respond(201, json={"id": DS})
        get = router.get(V1).respond(200, json=DATASET_JSON)
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            created = await session.datasets.create("my data", img_type="full")
            await session.datasets.create(
                "my data", type=la.DatasetType.VIDEOS, creator="USER_WEBAPP",
                parent_dataset_id=DS2)

    assert [json.loads(c.request.content) for c in post.calls] == [
        {"name": "my data", "type": "Images", "imgType": "full", "creator": "USER_PIP"},
        {"name": "my data", "type": "Videos", "creator": "USER_WEBAPP", "parentDatasetId": DS2},
    ]
    assert get.call_count == 2
    _check_dataset(created)


@pytest.mark.asyncio
async def test_create_is_not_replayed_when_the_post_fails_with_503() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        post = router.post("/v1/datasets").respond(503, json={"code": "X", "error": "busy"})
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.ServerError):
                await session.datasets.create("my data")
    assert post.call_count == 1


@pytest.mark.asyncio
async def test_list_pages_by_offset_until_a_short_page_when_iterated() -> None:
    rows = [{**DATASET_JSON, "id": f"{i:024x}", "name": f"ds {i}"} for i in range(5)]
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get("/v1/datasets").mock(side_effect=[
            httpx.Response(200, json=rows[:2]), httpx.Response(200, json=rows[2:4]),
            httpx.Response(200, json=rows[4:])])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            pager = session.datasets.list(page_size=2)
            assert route.call_count == 0  # nothing until iteration starts
            names = [d.name async for d in pager]

    assert names == [f"ds {i}" for i in range(5)]
    assert [(dict(c.request.url.params)) for c in route.calls] == [
        {"shared": "false", "pageSize": "2", "pageOffset": str(o), "token": TOKEN}
        for o in (0, 2, 4)]


@pytest.mark.asyncio
async def test_list_asks_once_more_when_the_last_page_is_exactly_full() -> None:
    rows = [{**DATASET_JSON, "id": f"{i:024x}"} for i in range(2)]
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get("/v1/datasets").mock(side_effect=[
            httpx.Response(200, json=rows), httpx.Response(200, json=[])])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            pages = [page async for page in session.datasets.list(page_size=2).pages()]
            assert route.call_count == 2
    assert [[d.id for d in p] for p in pages] == [[r["id"] for r in rows]]


@pytest.mark.asyncio
async def test_mappings_concatenate_pages_in_index_order_when_several_are_needed() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(f"{V1}/mappings").mock(side_effect=[
            httpx.Response(200, json=["a", "b"]), httpx.Response(200, json=["c"])])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            names = await session.dataset(DS).mappings.file_names(page_size=2)
    assert names == ["a", "b", "c"]
    assert [c.request.url.params["pageOffset"] for c in route.calls] == ["0", "2"]


@pytest.mark.asyncio
async def test_get_by_name_raises_ambiguous_name_error_listing_ids_when_two_match() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get("/v1/datasets/query/name/my%20data").respond(
            200, json=[DATASET_JSON, {**DATASET_JSON, "id": DS2}])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.AmbiguousNameError) as info:
                await session.datasets.get_by_name("my data")
    assert info.value.ids == [DS, DS2]
    assert isinstance(info.value, LookupError)
    assert DS2 in str(info.value)


@pytest.mark.asyncio
async def test_get_by_name_ignores_prefix_matches_and_raises_when_none_is_exact() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get("/v1/datasets/query/name/my%20data").respond(
            200, json=[{**DATASET_JSON, "name": "my data 2"}])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.NameNotFoundError, match="no dataset named 'my data'"):
                await session.datasets.get_by_name("my data")


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "message"), [
    (lambda ds: ds.embeddings.get_by_name("nope"),
     "no embedding named 'nope' \\(there are: 'default_20230522', 'other'\\)"),
    (lambda ds: ds.embeddings.get(DS2), f"no embedding with id '{DS2}'"),
])
async def test_embedding_lookup_raises_name_not_found_when_absent(
        call: Callable[[Any], Awaitable[Any]], message: str) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(f"{V1}/embeddings").respond(200, json=EMBEDDINGS_JSON)
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.NameNotFoundError, match=message):
                await call(session.dataset(DS))


@pytest.mark.asyncio
async def test_embedding_get_by_name_raises_ambiguous_name_error_when_two_share_it() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(f"{V1}/embeddings").respond(
            200, json=[EMBEDDINGS_JSON[0], {**EMBEDDINGS_JSON[1], "name": "default_20230522"}])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.AmbiguousNameError) as info:
                await session.dataset(DS).embeddings.get_by_name("default_20230522")
    assert info.value.ids == [EID, EID2]


@pytest.mark.asyncio
async def test_unknown_enum_values_from_the_server_stay_strings_when_decoded() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(V1).respond(200, json={**DATASET_JSON, "type": "PointClouds",
                                          "imgType": "hologram", "accessType": "READ"})
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            dataset = await session.datasets.get(DS)
    assert (dataset.type, dataset.img_type, dataset.access_type) == (
        "PointClouds", "hologram", "READ")


@pytest.mark.asyncio
@pytest.mark.parametrize("missing", ["id", "name", "userId", "type", "nSamples", "createdAt"])
async def test_dataset_without_a_required_field_is_a_decode_error_when_received(
        missing: str) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(V1).respond(200, json={k: v for k, v in DATASET_JSON.items() if k != missing})
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.DecodeError, match="DatasetData"):
                await session.datasets.get(DS)


@pytest.mark.asyncio
@pytest.mark.parametrize("broken", [
    {"nSamples": "7"}, {"createdAt": 1.5}, {"name": None}, {"datasources": "ds-a"},
    {"nSamples": True}])
async def test_dataset_with_a_wrong_json_type_is_a_decode_error_when_received(
        broken: dict[str, Any]) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(V1).respond(200, json={**DATASET_JSON, **broken})
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.DecodeError, match="DatasetData"):
                await session.datasets.get(DS)


@pytest.mark.asyncio
@pytest.mark.parametrize("broken", [{"isProcessed": "yes"}, {"is2d": 1}, {"id": 5}])
async def test_embedding_with_a_wrong_json_type_is_a_decode_error_when_received(
        broken: dict[str, Any]) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(f"{V1}/embeddings").respond(200, json=[{**EMBEDDINGS_JSON[0], **broken}])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.DecodeError):
                await session.dataset(DS).embeddings.list()


@pytest.mark.asyncio
async def test_mappings_with_a_non_string_entry_is_a_decode_error_when_received() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(f"{V1}/mappings").respond(200, json=["a.jpg", 3])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(la.DecodeError):
                await session.dataset(DS).mappings.file_names()


def test_session_dataset_accepts_a_dataset_data_when_given_one() -> None:
    session = LightlySession(token=TOKEN, base_url=BASE_URL)
    data = DatasetData(id=DS, name="abc", user_id="u", type="Images", n_samples=0,
                       size_in_bytes=0, created_at=0, last_modified_at=0)
    assert session.dataset(data) == session.dataset(DS)
    assert session.dataset(data).id == DS


@pytest.mark.asyncio
async def test_list_makes_no_further_request_when_the_loop_breaks_early() -> None:
    rows = [{**DATASET_JSON, "id": f"{i:024x}"} for i in range(2)]
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get("/v1/datasets").respond(200, json=rows)
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            async for dataset in session.datasets.list(page_size=2):
                first = dataset
                break
    assert route.call_count == 1
    assert first.id == rows[0]["id"]
