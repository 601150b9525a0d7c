"""``ds.tags`` exports and helpers of issue 21: the exact requests and how answers decode.

Each test answers from a scripted mock transport and asserts the method, path and query of
every request the call sent, in both dialects where the operation is in both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from lightly_async import DecodeError, InvalidInputError, LightlySession, NameNotFoundError, _http
from lightly_async.bitmask import BitMask
from lightly_async.models import SamaTask, SamaTaskData, TagData, TagFileExport

BASE = "https://api.test"
DS = "a" * 24
TAG = "b" * 24
PARENT = "c" * 24
FILENAMES = f"/v1/datasets/{DS}/tags/{TAG}/export/basic/filenames"

Handler = Callable[[httpx.Request], httpx.Response]


def _session(handler: Handler, requests: list[httpx.Request], api: str = "latest"
             ) -> LightlySession:
    async def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handler(request)

    return LightlySession(token="tok-0123456789", base_url=BASE, api=api,
                          transport=_http.mock_transport(handle))


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(str(request.url)).query) if k != "token"}


NAMES = [f"img_{i}.jpg" for i in range(5)]


def _text_pages(request: httpx.Request) -> httpx.Response:
    """The tag's five files, paged, in the asked format, as text/plain."""
    query = _query(request)
    fmt = query.get("fileNameFormat", "NAME")
    rows = {"NAME": NAMES,
            "REDIRECTED_READ_URL": [f"https://r.test/{n}?sig=s{i}" for i, n in enumerate(NAMES)],
            "DATASOURCE_FULL": [f"s3://bucket/{n}" for n in NAMES]}[fmt]
    start, size = int(query["pageOffset"]), int(query["pageSize"])
    return httpx.Response(200, text="\n".join(rows[start:start + size]),
                          headers={"content-type": "text/plain; charset=utf-8"})


@pytest.mark.asyncio
@pytest.mark.parametrize("api", ["latest", "seed"])
async def test_export_files_pages_each_format_and_joins_them_by_position(api: str) -> None:
    requests: list[httpx.Request] = []
    async with _session(_text_pages, requests, api) as session:
        rows = await session.dataset(DS).tags.export_files(TAG, page_size=2, expires_in=60)
    assert rows == [TagFileExport(file_name=n, read_url=f"https://r.test/{n}?sig=s{i}",
                                  datasource_url=f"s3://bucket/{n}") for i, n in enumerate(NAMES)]
    assert {r.url.path for r in requests} == {FILENAMES}
    assert {r.method for r in requests} == {"GET"}
    # three pages per format (2 + 2 + 1 rows: the short page is the last), offsets in rows
    sent = sorted((q["fileNameFormat"], int(q["pageOffset"]), q["pageSize"], q["expiresIn"])
                  for q in map(_query, requests))
    assert sent == sorted((f, o, "2", "60") for f in ("NAME", "REDIRECTED_READ_URL",
                                                       "DATASOURCE_FULL") for o in (0, 2, 4))


@pytest.mark.asyncio
async def test_export_files_asks_only_for_the_formats_given_and_leaves_the_rest_none() -> None:
    requests: list[httpx.Request] = []
    async with _session(_text_pages, requests) as session:
        rows = await session.dataset(DS).tags.export_files(TAG, formats=["DATASOURCE_FULL"])
    assert rows == [TagFileExport(datasource_url=f"s3://bucket/{n}") for n in NAMES]
    assert [_query(r) for r in requests] == [
        {"fileNameFormat": "DATASOURCE_FULL", "pageSize": "2500", "pageOffset": "0"}]


@pytest.mark.asyncio
async def test_export_files_reads_a_json_string_answer_and_an_empty_tag() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        text = "x.jpg\ny.jpg" if _query(request)["pageOffset"] == "0" else ""
        return httpx.Response(200, json=text)

    requests: list[httpx.Request] = []
    async with _session(answer, requests) as session:
        rows = await session.dataset(DS).tags.export_files(TAG, formats=["NAME"], page_size=2)
        assert rows == [TagFileExport(file_name="x.jpg"), TagFileExport(file_name="y.jpg")]
        # a full page is followed by one more request, which answers nothing
        assert [_query(r)["pageOffset"] for r in requests] == ["0", "2"]

        def empty(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, text="", headers={"content-type": "text/plain"})

    async with _session(empty, []) as session:
        assert await session.dataset(DS).tags.export_files(TAG) == []


@pytest.mark.asyncio
async def test_export_files_refuses_listings_of_different_lengths() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        short = _query(request)["fileNameFormat"] == "DATASOURCE_FULL"
        return httpx.Response(200, text="a\nb" if short else "a\nb\nc",
                              headers={"content-type": "text/plain"})

    async with _session(answer, []) as session:
        with pytest.raises(DecodeError, match="differ in length"):
            await session.dataset(DS).tags.export_files(TAG)


@pytest.mark.asyncio
async def test_export_files_refuses_text_that_is_not_utf8() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"\xff\xfe", headers={"content-type": "text/plain"})

    async with _session(answer, []) as session:
        with pytest.raises(DecodeError, match="not UTF-8"):
            await session.dataset(DS).tags.export_files(TAG, formats=["NAME"])


@pytest.mark.asyncio
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"formats": []}, "formats"),
    ({"formats": "NAME"}, "formats"),
    ({"formats": ["NAME", "NAME"]}, "formats"),
    ({"formats": ["URL"]}, "formats"),
    ({"expires_in": 0}, "expires_in"),
    ({"page_size": 0}, "page_size"),
])
async def test_export_files_checks_its_arguments_before_any_request(
    kwargs: dict[str, object], field: str
) -> None:
    async with _session(_text_pages, requests := []) as session:
        with pytest.raises(InvalidInputError) as info:
            await session.dataset(DS).tags.export_files(TAG, **kwargs)  # type: ignore[arg-type]
        assert info.value.field == field
        with pytest.raises(InvalidInputError):
            await session.dataset(DS).tags.export_files("not-an-id")
    assert requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize("api", ["latest", "seed"])
async def test_export_sama_pages_in_the_newest_api_and_decodes_tasks(api: str) -> None:
    task = {"data": {"id": 0, "url": "https://r.test/a?sig=1", "lightlyFileName": "a.jpg"},
            "reserve_for": 3}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[task] if _query(request).get("pageOffset", "0") == "0"
                              else [])

    requests: list[httpx.Request] = []
    async with _session(answer, requests, api) as session:
        tasks = await session.dataset(DS).tags.export_sama(TAG, page_size=1, expires_in=5)
    assert tasks == [SamaTask(data=SamaTaskData(id=0, url="https://r.test/a?sig=1",
                                                lightly_file_name="a.jpg"), reserve_for=3)]
    assert {r.url.path for r in requests} == {f"/v1/datasets/{DS}/tags/{TAG}/export/Sama/tasks"}
    if api == "latest":
        assert [_query(r) for r in requests] == [
            {"expiresIn": "5", "pageSize": "1", "pageOffset": "0"},
            {"expiresIn": "5", "pageSize": "1", "pageOffset": "1"}]
    else:
        assert [_query(r) for r in requests] == [{"expiresIn": "5"}]
    assert "sig=1" not in repr(tasks)


def _tag(tag_id: str, name: str, prev: str | None, mask: str) -> dict[str, object]:
    return {"id": tag_id, "datasetId": DS, "prevTagId": prev, "name": name,
            "bitMaskData": mask, "totSize": 4, "createdAt": 1, "changes": None}


@pytest.mark.asyncio
async def test_delete_by_name_looks_the_tag_up_then_deletes_it_by_id() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[_tag(PARENT, "initial-tag", None, "0xf"),
                                             _tag(TAG, "mine", PARENT, "0x3")])
        return httpx.Response(200)

    requests: list[httpx.Request] = []
    async with _session(answer, requests) as session:
        await session.dataset(DS).tags.delete_by_name("mine")
        assert [(r.method, r.url.path) for r in requests] == [
            ("GET", f"/v1/datasets/{DS}/tags"), ("DELETE", f"/v1/datasets/{DS}/tags/{TAG}")]
        with pytest.raises(NameNotFoundError):
            await session.dataset(DS).tags.delete_by_name("absent")
    assert [r.method for r in requests] == ["GET", "DELETE", "GET"]


@pytest.mark.asyncio
async def test_file_names_from_bitmask_excluding_the_parent_asks_for_the_difference() -> None:
    tag = TagData(id=TAG, dataset_id=DS, prev_tag_id=PARENT, name="mine",
                  bit_mask_data=BitMask(0x7), tot_size=4, created_at=1)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/arithmetics/bitmask"):
            return httpx.Response(200, json={"bitMaskData": "0x4"})
        return httpx.Response(200, json=["a", "b", "c", "d"])  # the sample mapping

    requests: list[httpx.Request] = []
    async with _session(answer, requests) as session:
        tags = session.dataset(DS).tags
        assert await tags.file_names_from_bitmask(tag) == ["a", "b", "c"]
        assert await tags.file_names_from_bitmask(tag, exclude_parent=True) == ["c"]
        with pytest.raises(InvalidInputError):
            await tags.file_names_from_bitmask(tag, exclude_parent="yes")  # type: ignore[arg-type]
    arithmetic = [r for r in requests if r.url.path.endswith("/arithmetics/bitmask")]
    assert len(arithmetic) == 1
    assert json.loads(arithmetic[0].content) == {
        "tagId1": TAG, "tagId2": PARENT, "operation": "DIFFERENCE"}
