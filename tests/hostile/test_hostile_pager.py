"""The raw-samples pager against a server whose cursors cycle or whose pages fail midway."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from typing import Any

import anyio
import pytest

from lightly_async import DecodeError, LightlySession, RetryPolicy, ServerError
from lightly_async.models import DatasourceRawSamplesData, DatasourceRawSamplesDataRow

from .server import DS, TOKEN, Handler, Hostile, Received, Reply, hostile_server

pytestmark = pytest.mark.anyio

LIMIT = 20
LIST = f"/v1/datasets/{DS}/datasource/list"


def _session(server: Hostile) -> LightlySession:
    return LightlySession(token=TOKEN, base_url=server.url, retry=RetryPolicy(max_retries=0))


def _pages(book: dict[str | None, tuple[list[str], bool, str]], *,
           fail_once: frozenset[str] = frozenset()) -> Handler:
    """A handler answering ``book[cursor] = (file names, hasMore, next cursor)``; a cursor in
    ``fail_once`` gets one 500 first."""
    failed: set[str] = set()

    async def handler(request: Received, reply: Reply) -> None:
        assert request.path == LIST
        cursor = request.query.get("cursor")
        if cursor in fail_once and cursor not in failed:
            failed.add(cursor)
            await reply.whole(500, b'{"code": "INTERNAL", "message": "page lost"}')
            return
        names, has_more, following = book[cursor]
        await reply.whole(200, json.dumps({
            "hasMore": has_more, "cursor": following,
            "data": [{"fileName": n, "readUrl": f"https://s3.test/{n}?sig=x"} for n in names],
        }).encode())

    return handler


async def _collect(pager: AsyncIterable[Any], into: list[Any]) -> None:
    async for item in pager:
        into.append(item)


def _cursors(server: Hostile) -> list[str | None]:
    return [r.query.get("cursor") for r in server.requests_to(LIST)]


# -- 11.5 a cycling cursor ends the iteration ------------------------------------------------------
async def test_pager_ends_with_decode_error_naming_the_cycle_when_cursors_loop(pool: str) -> None:
    book = {None: (["a"], True, "c1"), "c1": (["b"], True, "c2"), "c2": (["c"], True, "c1")}
    seen: list[DatasourceRawSamplesDataRow] = []
    with anyio.fail_after(LIMIT):
        async with hostile_server(_pages(book)) as server, _session(server) as session:
            with pytest.raises(DecodeError, match="'c1' -> 'c2' -> 'c1'"):
                await _collect(session.dataset(DS).datasource.list_raw_samples(from_=1), seen)

    assert [row.file_name for row in seen] == ["a", "b"]  # the page pointing back is not handed out
    assert _cursors(server) == [None, "c1", "c2"]


async def test_pager_ends_with_decode_error_when_a_page_points_back_to_the_start_cursor(
    pool: str,
) -> None:
    book = {"start": (["a"], True, "c1"), "c1": (["b"], True, "start")}
    with anyio.fail_after(LIMIT):
        async with hostile_server(_pages(book)) as server, _session(server) as session:
            pager = session.dataset(DS).datasource.list_raw_samples(cursor="start")
            with pytest.raises(DecodeError, match="'start' -> 'c1' -> 'start'"):
                await _collect(pager.pages(), [])

    assert _cursors(server) == ["start", "c1"]


# -- 11.5 resuming from pager.cursor ---------------------------------------------------------------
BOOK = {None: (["a", "b"], True, "c1"), "c1": (["c", "d"], True, "c2"),
        "c2": (["e"], False, "c3")}


async def test_pager_cursor_resumes_without_losing_a_row_when_a_page_fails(pool: str) -> None:
    rows: list[DatasourceRawSamplesDataRow] = []
    with anyio.fail_after(LIMIT):
        async with hostile_server(_pages(BOOK, fail_once=frozenset({"c2"}))) as server, \
                _session(server) as session:
            raw = session.dataset(DS).datasource
            pager = raw.list_raw_samples(from_=1, to=9)
            assert pager.cursor is None  # nothing consumed: start over with the filters
            with pytest.raises(ServerError):
                await _collect(pager, rows)
            assert pager.cursor == "c2"
            assert not pager.exhausted
            resumed = raw.list_raw_samples(cursor=pager.cursor)
            await _collect(resumed, rows)
            assert resumed.exhausted

    assert [row.file_name for row in rows] == ["a", "b", "c", "d", "e"]  # each exactly once
    assert _cursors(server) == [None, "c1", "c2", "c2"]


async def test_pager_cursor_repeats_the_unfinished_page_when_the_consumer_stops_mid_page(
    pool: str,
) -> None:
    rows: list[str] = []
    with anyio.fail_after(LIMIT):
        async with hostile_server(_pages(BOOK)) as server, _session(server) as session:
            raw = session.dataset(DS).datasource
            pager = raw.list_raw_samples()
            async for row in pager:
                rows.append(row.file_name)
                if row.file_name == "c":
                    break  # say the consumer crashed while handling "c"
            assert pager.cursor == "c1"  # the page holding "c" and "d"
            rows += [row.file_name async for row in raw.list_raw_samples(cursor=pager.cursor)]

    assert rows == ["a", "b", "c", "c", "d", "e"]  # "c" again, nothing lost


async def test_pages_cursor_points_at_the_next_page_when_page_iteration_fails(
    pool: str,
) -> None:
    pages: list[DatasourceRawSamplesData] = []
    with anyio.fail_after(LIMIT):
        async with hostile_server(_pages(BOOK, fail_once=frozenset({"c1"}))) as server, \
                _session(server) as session:
            pager = session.dataset(DS).datasource.list_raw_samples()
            with pytest.raises(ServerError):
                await _collect(pager.pages(), pages)
            assert pager.cursor == "c1"

    assert [[row.file_name for row in page.data] for page in pages] == [["a", "b"]]
