"""Samples (2021 API): list, get, update, read and write URLs and the signed blob store."""

from __future__ import annotations

import json

import httpx
import pytest

from fake.api import FILES, assert_error
from lightly_async.testing import FakeLightly


@pytest.mark.asyncio
async def test_list_returns_full_samples_in_index_order_when_mode_is_default(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    r = await client.get(f"/users/datasets/{ds}/samples")
    assert r.status_code == 200
    rows = r.json()
    assert [row["_id"] for row in rows] == fake.sample_ids(ds)
    assert rows[0]["thumbName"] == "a_thumb.webp"
    assert rows[0]["isThumbnail"] is False
    assert set(rows[0]["meta"]) >= {"sharpness", "sizeInBytes", "shape"}


@pytest.mark.asyncio
async def test_list_returns_only_ids_when_mode_is_ids(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    r = await client.get(f"/users/datasets/{ds}/samples", params={"mode": "ids"})
    assert r.json() == [{"_id": i} for i in fake.sample_ids(ds)]


@pytest.mark.asyncio
async def test_list_filters_by_exact_file_name_when_filename_is_given(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    r = await client.get(f"/users/datasets/{ds}/samples", params={"filename": "c.jpg"})
    assert [row["_id"] for row in r.json()] == [fake.sample_ids(ds)[2]]
    r = await client.get(f"/users/datasets/{ds}/samples", params={"filename": "c"})
    assert r.json() == []


@pytest.mark.asyncio
async def test_list_is_400_when_mode_is_not_in_the_enum(client: httpx.AsyncClient, ds: str):
    r = await client.get(f"/users/datasets/{ds}/samples", params={"mode": "some"})
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_get_returns_the_sample_when_it_exists(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[1]
    r = await client.get(f"/users/datasets/{ds}/samples/{sid}")
    assert r.status_code == 200
    assert r.json()["_id"] == sid
    assert r.json()["thumbName"] == "b_thumb.webp"


@pytest.mark.asyncio
async def test_get_is_404_sample_unknown_when_the_sample_is_not_in_the_dataset(
    client: httpx.AsyncClient, ds: str
):
    r = await client.get(f"/users/datasets/{ds}/samples/{'1' * 24}")
    assert_error(r, 404, "SAMPLE_UNKNOWN")


@pytest.mark.asyncio
async def test_get_is_400_when_the_sample_id_is_malformed(client: httpx.AsyncClient, ds: str):
    r = await client.get(f"/users/datasets/{ds}/samples/XYZ")
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_update_merges_given_fields_and_returns_the_sample_when_body_is_valid(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[0]
    body = {"sample": {"_id": sid, "isThumbnail": True, "thumbName": "custom.webp"}}
    r = await client.put(f"/users/datasets/{ds}/samples/{sid}", json=body)
    assert r.status_code == 200
    assert r.json()["isThumbnail"] is True
    assert r.json()["thumbName"] == "custom.webp"
    again = await client.get(f"/users/datasets/{ds}/samples/{sid}")
    assert again.json() == r.json()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        {"sample": {"_id": "f" * 24}},  # another sample's id
        {"sample": {"_id": None}},  # explicit null
        {"sample": {"isThumbnail": "yes"}},  # no id, wrong type
        {"unknown": 1},  # unknown key
    ],
)
async def test_update_is_400_when_the_body_is_invalid(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, body: object
):
    sid = fake.sample_ids(ds)[0]
    r = await client.put(f"/users/datasets/{ds}/samples/{sid}", json=body)
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_written_blob_is_read_back_when_uploaded_to_the_write_url(
    fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[0]
    w = await client.get(
        f"/users/datasets/{ds}/samples/{sid}/writeurl", params={"fileName": FILES[0]}
    )
    assert w.status_code == 200
    put = await anon.put(w.json()["signedWriteUrl"], content=b"\x89PNG-bytes")
    assert put.status_code == 200
    read = await client.get(f"/users/datasets/{ds}/samples/{sid}/readurl")
    url = read.json()
    assert isinstance(url, str)
    assert url.startswith("http://fake.lightly/")
    got = await anon.get(url)
    assert (got.status_code, got.content) == (200, b"\x89PNG-bytes")


@pytest.mark.asyncio
async def test_thumbnail_url_differs_and_reads_the_thumb_blob_when_type_is_thumbnail(
    fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[0]
    w = await client.get(
        f"/users/datasets/{ds}/samples/{sid}/writeurl", params={"fileName": "a_thumb.webp"}
    )
    await anon.put(w.json()["signedWriteUrl"], content=b"thumb")
    full = (await client.get(f"/users/datasets/{ds}/samples/{sid}/readurl")).json()
    url = f"/users/datasets/{ds}/samples/{sid}/readurl"
    thumb = (await client.get(url, params={"type": "thumbnail"})).json()
    assert full != thumb
    assert (await anon.get(thumb)).content == b"thumb"
    assert (await anon.get(full)).status_code == 404  # the full image was never uploaded


@pytest.mark.asyncio
async def test_signed_url_is_refused_when_the_signature_is_tampered_with(
    fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[0]
    w = await client.get(f"/users/datasets/{ds}/samples/{sid}/writeurl", params={"fileName": "x"})
    url = w.json()["signedWriteUrl"]
    r = await anon.put(url.replace("sig=", "sig=0"), content=b"evil")
    assert_error(r, 403, "FORBIDDEN")
    # a write signature does not allow reading
    assert (await anon.get(url)).status_code == 403


@pytest.mark.asyncio
async def test_write_url_is_400_when_file_name_is_missing(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[0]
    r = await client.get(f"/users/datasets/{ds}/samples/{sid}/writeurl")
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_read_url_is_400_when_type_is_not_in_the_enum(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    sid = fake.sample_ids(ds)[0]
    r = await client.get(f"/users/datasets/{ds}/samples/{sid}/readurl", params={"type": "big"})
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_added_samples_get_the_next_indices_when_appended(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    new = fake.add_samples(ds, ["f.jpg"])
    r = await client.get(f"/users/datasets/{ds}/samples", params={"mode": "ids"})
    assert [row["_id"] for row in r.json()][5:] == new


@pytest.mark.asyncio
@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
async def test_update_is_400_and_the_sample_unchanged_when_a_number_is_not_finite(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, number: str
):
    sid = fake.sample_ids(ds)[0]
    before = (await client.get(f"/users/datasets/{ds}/samples/{sid}")).json()
    meta = {**before["meta"], "sharpness": "SHARPNESS"}
    raw = json.dumps({"sample": {"_id": sid, "meta": meta}}).replace('"SHARPNESS"', number)
    r = await client.put(
        f"/users/datasets/{ds}/samples/{sid}",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert_error(r, 400, "MALFORMED_REQUEST")
    assert (await client.get(f"/users/datasets/{ds}/samples/{sid}")).json() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(("tail", "param"), [("", "mode"), ("/{sid}/readurl", "type")])
async def test_enum_parameter_is_400_when_sent_empty(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, tail: str, param: str
):
    # an empty value is not the default: only an absent parameter is
    path = f"/users/datasets/{ds}/samples" + tail.format(sid=fake.sample_ids(ds)[0])
    assert_error(await client.get(path, params={param: ""}), 400, "MALFORMED_REQUEST")
