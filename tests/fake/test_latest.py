"""``FakeLightly(api="latest")``: the newest request fields and answer shapes, over raw HTTP.

Each newest behaviour is shown in both modes: the seed contract refuses the newest field (or
answers the seed shape), the newest mode accepts it, stores it and echoes it back. Keys
neither contract knows are refused in both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from fake.api import FILES, create_tag, initial_tag
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    DatasourceConfigLOCAL,
    DatasourceConfigS3,
    PredictionSingletonSemanticSegmentation,
    TagCreateRequest,
    TagUpdateRequest,
)
from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly
from lightly_async.testing import _latest as L

RUN_ID = "a" * 24
TS = 1_700_000_000_000


@pytest.fixture(params=["seed", "latest"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake(mode: str) -> FakeLightly:
    return FakeLightly(api=mode)


@pytest_asyncio.fixture
async def http(fake: FakeLightly) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=fake.transport(), base_url=FAKE_BASE_URL,
                                 params={"token": DEFAULT_TOKEN}) as c:
        yield c


@pytest.fixture
def ds(fake: FakeLightly) -> str:
    return fake.create_dataset("five", FILES)


def test_api_mode_is_refused_when_unknown() -> None:
    with pytest.raises(ValueError, match="api must be one of 'seed', 'latest'"):
        FakeLightly(api="v2")


@pytest.mark.asyncio
async def test_error_body_has_the_modes_shape_when_a_request_fails(
    http: httpx.AsyncClient, mode: str,
) -> None:
    r = await http.get(f"/v1/datasets/{'f' * 24}/tags")
    assert r.status_code == 404
    body = r.json()
    if mode == "seed":
        assert set(body) == {"code", "message"}
    else:
        assert set(body) == {"code", "error", "requestId"}
        assert body["code"] == "DATASET_UNKNOWN"
        other = (await http.get(f"/v1/datasets/{'f' * 24}/tags")).json()["requestId"]
        assert other != body["requestId"]


@pytest.mark.asyncio
async def test_injected_fault_has_the_modes_error_shape_when_it_fires(
    http: httpx.AsyncClient, fake: FakeLightly, ds: str, mode: str,
) -> None:
    fake.faults.add(path="/v1/*", status=503, times=1)
    r = await http.get(f"/v1/datasets/{ds}/tags")
    assert r.status_code == 503
    assert ("error" in r.json()) is (mode == "latest")


@pytest.mark.asyncio
async def test_run_id_is_stored_and_echoed_only_when_latest(
    http: httpx.AsyncClient, ds: str, mode: str,
) -> None:
    r = await http.post(f"/v1/datasets/{ds}/tags/initial",
                        json={"imgType": "full", "runId": RUN_ID})
    if mode == "seed":
        assert r.status_code == 400
        assert "runId" in r.json()["message"]
        return
    assert r.status_code == 201
    tag = (await http.get(f"/v1/datasets/{ds}/tags/{r.json()['id']}")).json()
    assert tag["runId"] == RUN_ID
    assert tag["changes"] == [{"userId": tag["changes"][0]["userId"], "creator": "UNKNOWN",
                               "ts": tag["createdAt"], "changes": {"initial": {"runId": RUN_ID}}}]


@pytest.mark.asyncio
async def test_changes_are_a_list_of_entries_after_an_upsize_when_latest(
    http: httpx.AsyncClient, fake: FakeLightly, ds: str, mode: str,
) -> None:
    await initial_tag(http, ds)
    fake.add_samples(ds, ["f.jpg"])
    r = await http.post(f"/v1/datasets/{ds}/tags/upsize",
                        json={"upsizeTagName": "more", "upsizeTagCreator": "USER_PIP"})
    assert r.status_code == 201
    changes = (await http.get(f"/v1/datasets/{ds}/tags/{r.json()['id']}")).json()["changes"]
    if mode == "seed":
        assert changes == {"upsize": {"from": 5, "to": 6}}
    else:
        assert [(e["creator"], e["changes"]) for e in changes] == [
            ("USER_PIP", {"upsize": {"from": 5, "to": 6}})]


@pytest.mark.asyncio
async def test_tag_update_sets_bitmask_and_creator_only_when_latest(
    http: httpx.AsyncClient, fake: FakeLightly, ds: str, mode: str,
) -> None:
    initial = await initial_tag(http, ds)
    tag_id = await create_tag(http, ds, "some", initial, "0x3")
    r = await http.put(f"/v1/datasets/{ds}/tags/{tag_id}", json={
        "name": "other", "bitMaskData": "0x1c", "updateCreator": "USER_WEBAPP"})
    stored = {t.id: t for t in fake.tags(ds)}[tag_id]
    if mode == "seed":
        assert r.status_code == 400
        assert (stored.name, stored.bit_mask_data.to_hex()) == ("some", "0x3")
        return
    assert r.status_code == 200
    assert (stored.name, stored.bit_mask_data.to_hex()) == ("other", "0x1c")
    [entry] = (await http.get(f"/v1/datasets/{ds}/tags/{tag_id}")).json()["changes"]
    assert entry["creator"] == "USER_WEBAPP"
    assert entry["changes"] == {"rename": {"from": "some", "to": "other"}, "samples": {
        "method": "selected", "count": 3, "added": 3, "removed": 2}}
    beyond = await http.put(f"/v1/datasets/{ds}/tags/{tag_id}",
                            json={"name": "other", "bitMaskData": "0x20"})
    assert beyond.status_code == 400


@pytest.mark.asyncio
async def test_unknown_keys_are_refused_in_both_modes(http: httpx.AsyncClient, ds: str) -> None:
    initial = await initial_tag(http, ds)
    r = await http.put(f"/v1/datasets/{ds}/tags/{initial}",
                       json={"name": "renamed", "colour": "red"})
    assert r.status_code == 400
    r = await http.post(f"/v1/datasets/{ds}/tags", json={
        "name": "x-tag", "prevTagId": initial, "bitMaskData": "0x1", "totSize": 5,
        "runID": RUN_ID})
    assert r.status_code == 400


@pytest.mark.asyncio
async def test_datasource_purpose_and_web_server_location_are_echoed_only_when_latest(
    http: httpx.AsyncClient, ds: str, mode: str,
) -> None:
    config = {"type": "LOCAL", "fullPath": "images", "purpose": "INPUT",
              "webServerLocation": "http://localhost:3456"}
    r = await http.put(f"/v1/datasets/{ds}/datasource", json=config)
    if mode == "seed":
        assert r.status_code == 400
        return
    assert r.status_code == 200
    assert (await http.get(f"/v1/datasets/{ds}/datasource")).json() == config
    wrong = await http.get(f"/v1/datasets/{ds}/datasource", params={"purpose": "LIGHTLY"})
    assert wrong.status_code == 404
    bad = await http.put(f"/v1/datasets/{ds}/datasource", json={**config, "purpose": "BOTH"})
    assert bad.status_code == 400
    # a seed-shaped config gets the default purpose
    await http.put(f"/v1/datasets/{ds}/datasource", json={"type": "LIGHTLY", "fullPath": "p"})
    got = (await http.get(f"/v1/datasets/{ds}/datasource")).json()
    assert got == {"type": "LIGHTLY", "fullPath": "p", "purpose": "INPUT_OUTPUT"}


@pytest.mark.asyncio
async def test_verify_reports_can_overwrite_only_when_latest(
    http: httpx.AsyncClient, fake: FakeLightly, ds: str, mode: str,
) -> None:
    fake.set_datasource(ds)
    fake.set_verify(ds, can_write=False)
    body = (await http.get(f"/v1/datasets/{ds}/datasource/verify")).json()
    if mode == "seed":
        assert body == {"canRead": True, "canWrite": False, "canList": True}
    else:
        assert body["canOverwrite"] is True
        assert list(body["errors"]) == ["canWrite"]


async def _schema(http: httpx.AsyncClient, ds: str, **params: int) -> httpx.Response:
    return await http.post(f"/v1/datasets/{ds}/predictions/tasks", params=params, json={
        "name": "cars", "type": "OBJECT_DETECTION", "categories": [{"id": 0, "name": "car"}]})


@pytest.mark.asyncio
async def test_task_schema_list_is_wrapped_only_when_latest(
    http: httpx.AsyncClient, ds: str, mode: str,
) -> None:
    assert (await _schema(http, ds, predictionUUIDTimestamp=TS)).status_code == 201
    body = (await http.get(f"/v1/datasets/{ds}/predictions/tasks")).json()
    schema = {"name": "cars", "type": "OBJECT_DETECTION", "categories": [{"id": 0, "name": "car"}]}
    if mode == "seed":
        assert body == [schema]
    else:
        assert body == {"predictionUUIDTimestamp": TS, "schemas": [schema]}


@pytest.mark.asyncio
async def test_missing_prediction_version_means_the_newest_only_when_latest(
    http: httpx.AsyncClient, fake: FakeLightly, ds: str, mode: str,
) -> None:
    await _schema(http, ds, predictionUUIDTimestamp=TS)
    await _schema(http, ds, predictionUUIDTimestamp=TS + 1)
    sample = fake.sample_ids(ds)[0]
    singleton = {"type": "OBJECT_DETECTION", "taskName": "cars", "categoryId": 0,
                 "score": 0.5, "bbox": [1, 2, 3, 4]}
    r = await http.post(f"/v1/datasets/{ds}/predictions/samples/{sample}", json=[singleton])
    if mode == "seed":
        assert r.status_code == 400
        assert "predictionUUIDTimestamp" in r.json()["message"]
        return
    assert r.status_code == 201
    assert sample in fake.store.datasets[ds].predictions[TS + 1]
    got = await http.get(f"/v1/datasets/{ds}/predictions/samples/{sample}",
                         params={"predictionUUIDTimestamp": TS + 1})
    assert [s["bbox"] for s in got.json()] == [[1, 2, 3, 4]]


@pytest.mark.asyncio
async def test_float_bbox_is_accepted_only_when_latest(
    http: httpx.AsyncClient, fake: FakeLightly, ds: str, mode: str,
) -> None:
    await _schema(http, ds, predictionUUIDTimestamp=TS)
    sample = fake.sample_ids(ds)[0]
    singleton = {"type": "OBJECT_DETECTION", "taskName": "cars", "categoryId": 0,
                 "score": 0.5, "bbox": [1.5, 2.0, 3.25, 4.0]}
    r = await http.post(f"/v1/datasets/{ds}/predictions/samples/{sample}",
                        params={"predictionUUIDTimestamp": TS}, json=[singleton])
    if mode == "seed":
        assert r.status_code == 400
        return
    assert r.status_code == 201
    got = await http.get(f"/v1/datasets/{ds}/predictions/samples/{sample}",
                         params={"predictionUUIDTimestamp": TS})
    assert got.json() == [singleton]
    negative = {**singleton, "bbox": [-1.0, 0, 1, 1]}
    r = await http.post(f"/v1/datasets/{ds}/predictions/samples/{sample}",
                        params={"predictionUUIDTimestamp": TS}, json=[negative])
    assert r.status_code == 400
    assert "bbox[0]" in r.json()["error"]


@pytest.mark.parametrize(("value", "parts"), [
    (TagCreateRequest(name="abc", prev_tag_id=RUN_ID, bit_mask_data=BitMask.from_hex("0x1"),
                      tot_size=1, run_id=RUN_ID), ["runId"]),
    (TagCreateRequest(name="abc", prev_tag_id=RUN_ID, bit_mask_data=BitMask.from_hex("0x1"),
                      tot_size=1), []),
    (TagUpdateRequest(name="abc", update_creator="USER_PIP"), ["updateCreator"]),
    (DatasourceConfigLOCAL(full_path="p", web_server_location="http://h"),
     ["webServerLocation"]),
    ([PredictionSingletonSemanticSegmentation(
        task_name="x1", category_id=0, score=0.5, segmentation=[1, 2])],
     ["type 'SEMANTIC_SEGMENTATION'"]),
])
def test_newest_only_names_what_the_seed_contract_lacks_when_a_body_has_it(
    value: object, parts: list[str],
) -> None:
    assert L.newest_only(value) == parts


def test_newest_only_names_a_field_by_its_wire_key_when_that_is_no_plain_camel_case() -> None:
    value = DatasourceConfigS3(full_path="b/p", s3_region="eu-west-1", s3_access_key_id="id",
                               s3_secret_access_key="secret", s3_server_side_encryption_kms_key="k")
    assert L.newest_only(value) == ["s3ServerSideEncryptionKMSKey"]  # not ...KmsKey


@pytest.mark.lightly_api("latest")
def test_lightly_fake_fixture_speaks_latest_when_marked(lightly_fake: FakeLightly) -> None:
    assert lightly_fake.api == "latest"


@pytest.mark.parametrize(("lightly_fake", "expected"), [("seed", False), ("latest", True)],
                         indirect=["lightly_fake"])
def test_lightly_fake_fixture_takes_the_mode_when_parametrized(
    lightly_fake: FakeLightly, expected: bool,
) -> None:
    assert lightly_fake.store.latest is expected


def test_lightly_fake_fixture_speaks_latest_when_unmarked(lightly_fake: FakeLightly) -> None:
    assert lightly_fake.api == "latest"
