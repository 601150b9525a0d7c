"""Datasources: config, verify, processed-until bookmark and the cursor-paged raw listing."""

from __future__ import annotations

import base64

import httpx
import pytest

from fake.api import assert_error
from lightly_async.testing import FakeLightly

S3 = {
    "type": "S3",
    "fullPath": "bucket/images",
    "s3Region": "eu-central-1",
    "s3AccessKeyId": "AKIA",
    "s3SecretAccessKey": "secret",
    "thumbSuffix": ".lightly/thumbnails/[filename]_thumb.[extension]",
}


def url(ds: str, tail: str = "") -> str:
    return f"/v1/datasets/{ds}/datasource{tail}"


@pytest.mark.asyncio
@pytest.mark.parametrize("tail", ["", "/verify", "/processedUntilTimestamp", "/list"])
async def test_datasource_endpoints_are_404_when_no_datasource_is_configured(
    client: httpx.AsyncClient, ds: str, tail: str
):
    assert_error(await client.get(url(ds, tail)), 404, "DATASET_DATASOURCE_UNKNOWN")


@pytest.mark.asyncio
async def test_config_is_returned_as_stored_when_put_before(client: httpx.AsyncClient, ds: str):
    r = await client.put(url(ds), json=S3)
    assert (r.status_code, r.content) == (200, b"")
    assert (await client.get(url(ds))).json() == S3


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        {"type": "FTP", "fullPath": "x"},
        {"type": "S3", "fullPath": "x"},
        {**S3, "s3Region": "mars-1"},
        {**S3, "s3AccessKeyId": ""},
        {"type": "GCS", "fullPath": "x", "gcsProjectId": "", "gcsCredentials": "{}"},
        {"type": "LOCAL", "fullPath": "x", "extra": True},
        {"type": "LIGHTLY"},
    ],
)
async def test_config_put_is_400_when_the_body_violates_its_variant(
    client: httpx.AsyncClient, ds: str, body: object
):
    assert_error(await client.put(url(ds), json=body), 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_verify_reports_permissions_when_a_datasource_is_configured(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await client.put(url(ds), json={"type": "LOCAL", "fullPath": "/data"})
    assert (await client.get(url(ds, "/verify"))).json() == {
        "canRead": True,
        "canWrite": True,
        "canList": True,
    }
    fake.set_verify(ds, can_write=False)
    assert (await client.get(url(ds, "/verify"))).json()["canWrite"] is False


@pytest.mark.asyncio
async def test_processed_until_starts_at_zero_and_moves_when_put(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    fake.set_datasource(ds)
    assert (await client.get(url(ds, "/processedUntilTimestamp"))).json() == {
        "processedUntilTimestamp": 0
    }
    r = await client.put(
        url(ds, "/processedUntilTimestamp"), json={"processedUntilTimestamp": 1_700_000_000}
    )
    assert r.status_code == 200
    got = await client.get(url(ds, "/processedUntilTimestamp"))
    assert got.json() == {"processedUntilTimestamp": 1_700_000_000}


@pytest.mark.asyncio
@pytest.mark.parametrize("value", [-1, "1", None, 1.5])
async def test_processed_until_put_is_400_when_the_value_is_not_a_timestamp(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str, value: object
):
    fake.set_datasource(ds)
    r = await client.put(
        url(ds, "/processedUntilTimestamp"), json={"processedUntilTimestamp": value}
    )
    assert_error(r, 400, "MALFORMED_REQUEST")


async def _all_pages(client: httpx.AsyncClient, ds: str, **params: object) -> list[list[str]]:
    pages = []
    r = await client.get(url(ds, "/list"), params=params)
    while True:
        body = r.json()
        pages.append([row["fileName"] for row in body["data"]])
        if not body["hasMore"]:
            return pages
        # only the cursor: from/to travel inside it (a contradictory `from` is ignored)
        r = await client.get(url(ds, "/list"), params={"cursor": body["cursor"], "from": 10**9})


@pytest.fixture
def raw(fake: FakeLightly, ds: str) -> str:
    fake.add_raw_files(
        ds,
        [("z.jpg", 100), ("a.jpg", 100), ("m.jpg", 50), ("late.jpg", 300), ("mid.jpg", 200)],
    )
    return ds


@pytest.mark.asyncio
async def test_raw_listing_pages_in_time_then_name_order_when_page_size_is_small(
    fake: FakeLightly, client: httpx.AsyncClient, raw: str
):
    fake.page_size = 2
    pages = await _all_pages(client, raw)
    assert pages == [["m.jpg", "a.jpg"], ["z.jpg", "mid.jpg"], ["late.jpg"]]


@pytest.mark.asyncio
async def test_raw_listing_keeps_inclusive_bounds_across_pages_when_from_and_to_are_given(
    fake: FakeLightly, client: httpx.AsyncClient, raw: str
):
    fake.set_page_size(1)
    pages = await _all_pages(client, raw, **{"from": 100, "to": 200})
    assert pages == [["a.jpg"], ["z.jpg"], ["mid.jpg"]]


@pytest.mark.asyncio
async def test_raw_listing_is_one_final_page_when_everything_fits(
    client: httpx.AsyncClient, raw: str
):
    body = (await client.get(url(raw, "/list"), params={"from": 250})).json()
    assert body["hasMore"] is False
    assert isinstance(body["cursor"], str)
    assert [row["fileName"] for row in body["data"]] == ["late.jpg"]


@pytest.mark.asyncio
async def test_raw_read_url_serves_the_file_when_fetched_without_a_token(
    fake: FakeLightly, client: httpx.AsyncClient, anon: httpx.AsyncClient, ds: str
):
    fake.add_raw_files(ds, [("pic.png", 5, b"PNGDATA")])
    row = (await client.get(url(ds, "/list"))).json()["data"][0]
    assert (await anon.get(row["readUrl"])).content == b"PNGDATA"


@pytest.mark.asyncio
@pytest.mark.parametrize("params", [{"cursor": "not-base64!"}, {"from": "yesterday"}, {"to": -5}])
async def test_raw_listing_is_400_when_cursor_or_bounds_are_malformed(
    client: httpx.AsyncClient, raw: str, params: dict[str, object]
):
    assert_error(await client.get(url(raw, "/list"), params=params), 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params",
    [
        {"from": 2**63},  # Timestamp is format int64
        {"to": 2**63},
        {"from": " 5"},  # what int() would take, but not an integer
        {"from": "1_000"},
        {"to": "+5"},
    ],
)
async def test_raw_listing_is_400_when_a_bound_is_not_an_int64(
    client: httpx.AsyncClient, raw: str, params: dict[str, object]
):
    assert_error(await client.get(url(raw, "/list"), params=params), 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_raw_listing_is_400_when_the_cursor_offset_is_a_boolean(
    client: httpx.AsyncClient, raw: str
):
    cursor = base64.urlsafe_b64encode(b'{"o":true,"f":null,"t":null}').decode().rstrip("=")
    r = await client.get(url(raw, "/list"), params={"cursor": cursor})
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_processed_until_put_is_400_and_unchanged_when_beyond_int64(
    client: httpx.AsyncClient, raw: str
):
    r = await client.put(
        url(raw, "/processedUntilTimestamp"), json={"processedUntilTimestamp": 2**63}
    )
    assert_error(r, 400, "MALFORMED_REQUEST")
    r = await client.get(url(raw, "/processedUntilTimestamp"))
    assert r.json() == {"processedUntilTimestamp": 0}
