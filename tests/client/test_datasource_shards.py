"""``ds.datasource.shards`` / ``list_shard`` / ``list_raw_samples(shards=N)``: the windows, the
requests each sends, how pages are joined and how a sharded listing resumes."""

from __future__ import annotations

import base64
import json
import pickle
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from lightly_async import InvalidInputError, LightlySession, RawSamplesShard, _http
from lightly_async.resources import datasource

BASE = "https://api.test"
DS = "a" * 24
LIST = f"/v1/datasets/{DS}/datasource/list"


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(str(request.url)).query) if k != "token"}


class Bucket:
    """A mock API listing file ``t`` (one per second in ``files``) two rows a page, with
    ``from``/``to`` inclusive and an opaque cursor, as lightly 1.5.20 describes it."""

    def __init__(self, seconds: range) -> None:
        self.seconds = list(seconds)
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        query = _query(request)
        if "cursor" in query:
            state = json.loads(base64.b64decode(query["cursor"]))
            lo, hi, offset = state["lo"], state["hi"], state["offset"]
        else:
            lo, hi, offset = int(query.get("from", 0)), int(query.get("to", 10**9)), 0
        chosen = [t for t in self.seconds if lo <= t <= hi]
        page = chosen[offset:offset + 2]
        cursor = base64.b64encode(json.dumps(
            {"lo": lo, "hi": hi, "offset": offset + len(page)}).encode()).decode()
        return httpx.Response(200, json={
            "hasMore": offset + len(page) < len(chosen), "cursor": cursor,
            "data": [{"fileName": f"f{t}", "readUrl": f"https://r.test/f{t}?sig=x"}
                     for t in page]})

    def session(self, api: str = "latest") -> LightlySession:
        async def handle(request: httpx.Request) -> httpx.Response:
            return self.handle(request)

        return LightlySession(token="tok-0123456789", base_url=BASE, api=api,
                              transport=_http.mock_transport(handle))


@pytest.mark.asyncio
async def test_shards_split_the_span_into_consecutive_inclusive_windows() -> None:
    async with Bucket(range(0)).session() as session:
        source = session.dataset(DS).datasource
        shards = source.shards(3, from_=10, to=19, relevant_filenames_file_name="keep.txt")
        assert [(s.index, s.count, s.from_, s.to) for s in shards] == [
            (0, 3, 10, 12), (1, 3, 13, 15), (2, 3, 16, 19)]
        assert {s.dataset_id for s in shards} == {DS}
        assert {s.relevant_filenames_file_name for s in shards} == {"keep.txt"}
        # every second in exactly one window
        covered = [t for s in shards for t in range(s.from_, s.to + 1)]
        assert covered == list(range(10, 20))
        # fewer windows than asked when the span has fewer seconds
        assert [(s.from_, s.to) for s in source.shards(8, from_=5, to=7)] == [
            (5, 5), (6, 6), (7, 7)]
        # frozen, picklable, and nothing secret inside
        assert pickle.loads(pickle.dumps(shards[1])) == shards[1]
        assert "tok-" not in repr(pickle.dumps(shards[1]))
        with pytest.raises(AttributeError):
            shards[0].to = 1  # type: ignore[misc]


@pytest.mark.asyncio
async def test_shards_default_to_now_and_check_their_arguments() -> None:
    async with Bucket(range(0)).session() as session:
        source = session.dataset(DS).datasource
        [whole] = source.shards(1)
        assert whole.from_ == 0
        assert whole.to > 1_700_000_000
        for bad in ({"n": 0}, {"n": "2"}, {"n": 2, "from_": 5, "to": 4}, {"n": 2, "to": -1}):
            with pytest.raises(InvalidInputError):
                source.shards(**bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            source.list_raw_samples(shards=2, cursor="abc")
        with pytest.raises(InvalidInputError):
            source.list_shard(RawSamplesShard(dataset_id="b" * 24, index=0, count=1, from_=0,
                                              to=1))
        with pytest.raises(InvalidInputError):
            source.list_shard((0, 1))  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_list_shard_lists_its_window_with_from_and_to_inclusive() -> None:
    bucket = Bucket(range(100, 110))
    async with bucket.session() as session:
        source = session.dataset(DS).datasource
        shards = source.shards(2, from_=100, to=109)
        rows = [[r.file_name async for r in source.list_shard(s)] for s in shards]
    assert rows == [[f"f{t}" for t in range(100, 105)], [f"f{t}" for t in range(105, 110)]]
    firsts = [_query(r) for r in bucket.requests if "cursor" not in _query(r)]
    assert firsts == [{"from": "100", "to": "104"}, {"from": "105", "to": "109"}]


@pytest.fixture
def one_page_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step of a sharded listing reads one page per window (the smallest step)."""
    monkeypatch.setattr(datasource, "STEP_ROWS", 1)


@pytest.mark.asyncio
@pytest.mark.parametrize("api", ["latest", "seed"])
@pytest.mark.usefixtures("one_page_steps")
async def test_sharded_listing_yields_every_row_once_window_rows_in_cursor_order(api: str
                                                                                 ) -> None:
    bucket = Bucket(range(0, 30, 2))  # files at even seconds 0..28, windows end on odd ones
    async with bucket.session(api) as session:
        source = session.dataset(DS).datasource
        pages = [p async for p in source.list_raw_samples(from_=0, to=29, shards=3).pages()]
    names = [r.file_name for p in pages for r in p.data]
    assert sorted(names, key=lambda n: int(n[1:])) == [f"f{t}" for t in range(0, 30, 2)]
    assert len(names) == len(set(names))
    # windows [0, 9], [10, 19], [20, 29]: each step asks each unfinished window for a page
    # and the joined page holds them window by window
    assert [[r.file_name for r in p.data] for p in pages] == [
        ["f0", "f2", "f10", "f12", "f20", "f22"],
        ["f4", "f6", "f14", "f16", "f24", "f26"],
        ["f8", "f18", "f28"]]
    assert [p.has_more for p in pages] == [True, True, False]
    assert len(bucket.requests) == 9


@pytest.mark.asyncio
async def test_a_step_reads_each_window_up_to_the_row_budget(monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setattr(datasource, "STEP_ROWS", 4)  # two 2-row pages per window and step
    bucket = Bucket(range(0, 30, 2))
    async with bucket.session() as session:
        source = session.dataset(DS).datasource
        pages = [p async for p in source.list_raw_samples(from_=0, to=29, shards=3).pages()]
    assert [[r.file_name for r in p.data] for p in pages] == [
        ["f0", "f2", "f4", "f6", "f10", "f12", "f14", "f16", "f20", "f22", "f24", "f26"],
        ["f8", "f18", "f28"]]
    # with the default budget (1,000 rows) one step reads these small windows to their end
    monkeypatch.undo()
    async with Bucket(range(0, 30, 2)).session() as session:
        source = session.dataset(DS).datasource
        pages = [p async for p in source.list_raw_samples(from_=0, to=29, shards=3).pages()]
    assert len(pages) == 1
    assert not pages[0].has_more
    assert len(pages[0].data) == 15


@pytest.mark.asyncio
@pytest.mark.usefixtures("one_page_steps")
async def test_a_sharded_listing_resumes_from_its_cursor() -> None:
    bucket = Bucket(range(0, 30, 2))
    async with bucket.session() as session:
        source = session.dataset(DS).datasource
        pager = source.list_raw_samples(from_=0, to=29, shards=3)
        seen = []
        async for row in pager:
            seen.append(row.file_name)
            if len(seen) == 7:  # inside the second joined page
                break
        assert pager.cursor is not None
        rest = [r.file_name async for r in source.list_raw_samples(cursor=pager.cursor)]
        # the unfinished page comes again: nothing is lost
        assert rest == ["f4", "f6", "f14", "f16", "f24", "f26", "f8", "f18", "f28"]
        assert set(seen) | set(rest) == {f"f{t}" for t in range(0, 30, 2)}
        with pytest.raises(InvalidInputError):
            source.list_raw_samples(cursor="lightly-async-shards:not-base64!")
