"""``concurrency`` means what it says, and a view of a closed session knows it is closed.

* a bulk helper's ``concurrency=N`` has N requests in flight at once (not silently fewer);
* the session's ``concurrency`` is a ceiling shared by all its bulk work, defaulting to the
  pool's connection limit (64);
* a per-call value above the ceiling is an ``InvalidInputError`` naming both numbers, raised
  before any request is sent.
"""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from lightly_async import InvalidInputError, PredictionSingletonClassification, SessionClosedError

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TS = 1_700_000_000_000


def _ids(n: int) -> list[str]:
    return [f"{i:024x}" for i in range(1, n + 1)]


def _predictions(n: int) -> dict[str, list[PredictionSingletonClassification]]:
    singleton = PredictionSingletonClassification(task_name="task", category_id=0, score=0.5)
    return {sid: [singleton] for sid in _ids(n)}


class InFlight:
    """Answers each request only once ``expected`` are in flight together (or a timeout)."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.now = 0
        self.peak = 0
        self.enough = anyio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        if self.now >= self.expected:
            self.enough.set()
        with anyio.move_on_after(1.0):  # fewer in flight than asked: the peak shows it
            await self.enough.wait()
        await anyio.lowlevel.checkpoint()
        self.now -= 1
        return httpx.Response(200, json={"id": "0" * 24})


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.parametrize("wanted", [32, 64])
async def test_bulk_concurrency_runs_that_many_in_flight_when_asked(
    recorder: Any, anyio_backend: str, wanted: int
) -> None:
    probe = InFlight(wanted)
    recorder.answer(probe)
    async with recorder.session() as session:
        result = await session.dataset(DS).predictions.upsert_many(
            _predictions(2 * wanted), prediction_uuid_timestamp=TS, concurrency=wanted)
    assert result.ok
    assert probe.peak == wanted


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_session_ceiling_is_shared_by_bulk_runs_when_two_run_at_once(
    recorder: Any, anyio_backend: str
) -> None:
    probe = InFlight(12)  # more than the ceiling: never reached, the peak must stop at 8
    recorder.answer(probe)
    async with recorder.session(concurrency=8) as session:
        ds = session.dataset(DS)
        async with anyio.create_task_group() as tg:
            for version in (TS, TS + 1):
                tg.start_soon(lambda v=version: ds.predictions.upsert_many(
                    _predictions(16), prediction_uuid_timestamp=v, concurrency=6))
    assert probe.peak == 8


def test_session_ceiling_defaults_to_the_pool_connection_limit_when_not_given(
    recorder: Any,
) -> None:
    assert recorder.session().concurrency == 64
    assert recorder.session(concurrency=5).concurrency == 5


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_concurrency_above_the_ceiling_raises_before_sending_when_asked(
    recorder: Any, anyio_backend: str
) -> None:
    async with recorder.session(concurrency=16) as session:
        with pytest.raises(InvalidInputError, match=r"concurrency: 32 is above .* ceiling of 16"):
            await session.dataset(DS).predictions.upsert_many(
                _predictions(4), prediction_uuid_timestamp=TS, concurrency=32)
    assert recorder.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_view_of_closed_session_is_closed_and_raises_our_error_when_called(
    recorder: Any, anyio_backend: str
) -> None:
    recorder.answer(lambda request: httpx.Response(200, json=[]))
    session = recorder.session()
    view = session.with_options(timeout=3.0)
    await session.aclose()
    assert view.is_closed
    with pytest.raises(SessionClosedError, match="closed"):
        await view.dataset(DS).tags.list()
    assert recorder.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_closing_a_view_leaves_its_session_open_when_the_view_is_closed(
    recorder: Any, anyio_backend: str
) -> None:
    recorder.answer(lambda request: httpx.Response(200, json=[]))
    async with recorder.session() as session:
        view = session.with_options(max_retries=0)
        await view.aclose()
        assert view.is_closed
        assert not session.is_closed
        assert await session.dataset(DS).tags.list() == []
        with pytest.raises(SessionClosedError):
            await view.dataset(DS).tags.list()
