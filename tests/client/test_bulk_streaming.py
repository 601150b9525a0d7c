"""Streaming bulk: items pulled lazily, outcomes handed over as they end (on_result=,
bulk.stream()), memory bounded by the concurrency, not the item count."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

import lightly_async as la
from lightly_async import bulk
from lightly_async.bulk import BulkOutcome, run_bulk

pytestmark = pytest.mark.anyio
TOKEN = "tok-stream-0123456789"
DATASET = "5f0c1c6e2a9b4c1d8e7f6a5b"


def _session(answer: Callable[[httpx.Request], httpx.Response] | None = None,
             **kwargs: Any) -> la.LightlySession:
    return la.LightlySession(TOKEN, base_url="https://api.test", max_retries=0,
                             transport=httpx.MockTransport(answer or _never), **kwargs)


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected: {request.method} {request.url.path}")


def _sid(i: int) -> str:
    return f"{i:024x}"


class Counter:
    """Items pulled and outcomes seen, and the most ever pulled ahead of their outcomes."""

    def __init__(self) -> None:
        self.pulled = self.ended = self.ahead = 0
        self.failed: list[Any] = []

    def items(self, n: int, call: Callable[[int], Callable[[], Awaitable[Any]]]
              ) -> Iterator[tuple[int, Callable[[], Awaitable[Any]]]]:
        for i in range(n):
            self.pulled += 1
            self.ahead = max(self.ahead, self.pulled - self.ended)
            yield i, call(i)

    def on_result(self, outcome: BulkOutcome[Any, Any]) -> None:
        self.ended += 1
        if not outcome.ok:
            self.failed.append(outcome.key)


def _work(i: int) -> Callable[[], Awaitable[int]]:
    async def call() -> int:
        await anyio.lowlevel.checkpoint()
        if i % 100 == 7:
            raise la.InvalidInputError("item", f"{i} is unlucky")
        return i * 2

    return call


async def test_a_generator_is_pulled_lazily_and_outcomes_handed_over() -> None:
    counter = Counter()
    async with _session(concurrency=8) as session:
        result = await run_bulk(session, counter.items(2000, _work), concurrency=4,
                                on_result=counter.on_result)
    assert counter.ended == 2000
    assert counter.ahead <= 4  # never more items pulled than in flight
    assert result.summary_only
    assert result.n_succeeded == 1980
    assert result.n_failed == 20
    assert result.total == 2000
    assert result.succeeded == []  # only counts and failures are kept
    assert result.results == {}
    assert sorted(result.failed) == sorted(counter.failed)
    assert isinstance(result.failed[7], la.InvalidInputError)
    assert not result.ok


async def test_an_async_iterable_and_a_coroutine_on_result() -> None:
    seen: dict[int, Any] = {}

    async def source() -> AsyncIterator[tuple[int, Callable[[], Awaitable[int]]]]:
        for i in range(300):
            await anyio.lowlevel.checkpoint()
            yield i, _work(i)

    async def on_result(outcome: BulkOutcome[int, int]) -> None:
        await anyio.lowlevel.checkpoint()
        seen[outcome.key] = outcome.value if outcome.ok else outcome.error

    async with _session() as session:
        result = await run_bulk(session, source(), concurrency=16, on_result=on_result)
    assert len(seen) == 300
    assert seen[10] == 20
    assert isinstance(seen[107], la.InvalidInputError)
    assert result.n_succeeded == 297


async def test_without_on_result_a_stream_keeps_every_outcome() -> None:
    async with _session() as session:
        result = await run_bulk(session, ((i, _work(i)) for i in range(250)), concurrency=5)
    assert not result.summary_only
    assert sorted(result.succeeded) == [i for i in range(250) if i % 100 != 7]
    assert result.results[3] == 6
    with pytest.raises(la.InvalidInputError, match="given twice"):
        async with _session() as session:
            await run_bulk(session, ((i % 5, _work(i)) for i in range(10)))


async def test_fail_fast_reports_the_rest_of_a_stream_as_not_attempted() -> None:
    outcomes: list[BulkOutcome[int, int]] = []
    async with _session() as session:
        result = await run_bulk(session, ((i, _work(i)) for i in range(200)), concurrency=1,
                                fail_fast=True, on_result=outcomes.append)
    assert [o.key for o in outcomes] == list(range(200))  # every item, in order
    assert [o.status for o in outcomes[:8]] == ["succeeded"] * 7 + ["failed"]
    assert {o.status for o in outcomes[8:]} == {"not_attempted"}
    assert isinstance(result.stopped_by, la.InvalidInputError)
    assert result.n_not_attempted == 192
    assert result.total == 200


async def test_an_error_in_on_result_stops_the_run_and_is_raised() -> None:
    calls = 0

    def on_result(outcome: BulkOutcome[int, int]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyError("consumer bug")

    async with _session() as session:
        with pytest.raises(KeyError, match="consumer bug"):
            await run_bulk(session, ((i, _work(i)) for i in range(10_000)), concurrency=2,
                           on_result=on_result)
    assert calls == 3


async def test_stream_iterates_outcomes_of_a_helper() -> None:
    async with _session() as session:
        async with bulk.stream(run_bulk, session, ((i, _work(i)) for i in range(120)),
                               concurrency=6) as outcomes:
            keys = [o.key async for o in outcomes if o.ok]
        assert sorted(keys) == [i for i in range(120) if i % 100 != 7]
        assert outcomes.result is not None
        assert outcomes.result.summary_only
        assert outcomes.result.n_succeeded == 118
        assert sorted(outcomes.result.failed) == [7, 107]


async def test_leaving_a_stream_early_cancels_the_run() -> None:
    pulled = 0

    def items() -> Iterator[tuple[int, Callable[[], Awaitable[int]]]]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield i, _work(i)

    async with _session() as session:
        async with bulk.stream(run_bulk, session, items(), concurrency=4) as outcomes:
            async for outcome in outcomes:
                if outcome.key >= 20:
                    break
        assert pulled < 100
        assert not session.is_closed


async def test_a_helper_error_is_raised_by_the_stream() -> None:
    async with _session() as session:
        ds = session.dataset(DATASET)

        async def consume() -> None:
            async with bulk.stream(ds.predictions.upsert_many, {"x": []},
                                   prediction_uuid_timestamp=1) as outcomes:
                async for _ in outcomes:
                    raise AssertionError("no outcome expected")

        with pytest.raises(la.InvalidInputError) as info:
            await consume()
        assert "predictions['x']" in info.value.field
        with pytest.raises(la.InvalidInputError, match="on_result"):
            bulk.stream(run_bulk, session, [], on_result=print)


async def test_upsert_many_streams_pairs_checking_each_when_pulled() -> None:
    bodies: dict[str, Any] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        bodies[request.url.path.split("/")[-1]] = json.loads(request.content)
        return httpx.Response(200, json={"id": "5f0c1c6e2a9b4c1d8e7f6a5d"})

    def pairs() -> Iterator[tuple[str, list[la.PredictionSingleton]]]:
        for i in range(50):
            yield (_sid(i) if i != 9 else "not-an-id"), [
                la.PredictionSingletonClassification(task_name="task", category_id=i % 3,
                                                     score=0.5)]

    rows: list[dict[str, Any]] = []
    async with _session(answer) as session:
        result = await session.dataset(DATASET).predictions.upsert_many(
            pairs(), prediction_uuid_timestamp=5, concurrency=4,
            on_result=lambda o: rows.append(o.to_row()))
    assert result.n_succeeded == 49
    assert list(result.failed) == ["not-an-id"]
    assert isinstance(result.failed["not-an-id"], la.InvalidInputError)
    assert len(bodies) == 49
    assert bodies[_sid(4)][0]["categoryId"] == 1
    assert len(rows) == 50
    assert next(r for r in rows if not r["ok"])["error_type"] == "InvalidInputError"


async def test_a_stream_item_that_is_no_pair_ends_the_run() -> None:
    async with _session() as session:
        with pytest.raises(la.InvalidInputError, match="pairs"):
            await session.dataset(DATASET).predictions.upsert_many(
                iter(["just-an-id"]), prediction_uuid_timestamp=5)


MEMORY_SCRIPT = textwrap.dedent("""
    import gc, json, resource, sys
    import anyio, httpx
    import lightly_async as la
    from lightly_async.bulk import run_bulk

    N = int(sys.argv[1])

    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()

    async def work(i: int) -> int:
        await anyio.sleep(0)
        if i % 1000 == 0:
            raise la.InvalidInputError("item", "unlucky")
        return i

    def items(n: int):
        for i in range(n):
            yield f"{i:024x}", lambda i=i: work(i)

    async def main() -> dict:
        ended = 0
        highest = 0

        def on_result(outcome) -> None:
            nonlocal ended, highest
            ended += 1
            if not ended % 5000:
                highest = max(highest, rss())

        transport = httpx.MockTransport(lambda request: httpx.Response(500))
        async with la.LightlySession("t0ken-0123456789", base_url="https://api.test",
                                     transport=transport, concurrency=64) as session:
            await run_bulk(session, items(2000), on_result=on_result)  # warm up
            gc.collect()
            before = rss()
            keep = None if len(sys.argv) > 2 else on_result  # "keep": the mapping-era run
            result = await run_bulk(session, items(N), on_result=keep)
            after = rss()
        return {"before": before, "after": after, "highest": max(highest, after),
                "n_succeeded": result.n_succeeded, "n_failed": result.n_failed,
                "ended": ended}

    print(json.dumps(anyio.run(main)))
""")


def measure(n: int, *extra: str) -> dict[str, int]:
    """Run ``n`` items through a streamed bulk run in a fresh process; its memory figures
    (RSS in bytes before the run, after it, and the highest sampled every 5000 items)."""
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(n), *extra], check=True,
                         capture_output=True, text=True, timeout=600)
    figures: dict[str, int] = json.loads(out.stdout)
    return figures


def test_memory_stays_bounded_by_the_concurrency_not_the_item_count() -> None:
    n = 100_000
    figures = measure(n)
    assert figures["ended"] == n + 2000
    assert figures["n_succeeded"] == n - n // 1000
    assert figures["n_failed"] == n // 1000  # failures are kept: 100 errors
    growth = figures["highest"] - figures["before"]
    # Keeping every item, as a run without on_result does, grows by ~19 MiB here (the
    # mapping-era helpers kept ~680 bytes more per item); streamed, ~0.1 MiB.
    assert growth < 8 * 2**20, figures
