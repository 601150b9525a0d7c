"""Closing a session with calls in flight, on every pool (issue 23.1).

A call that is sending, waiting for its answer, waiting to retry, or transferring a file when
its session closes ends with ``SessionClosedError`` (never the pool's own error);
``aclose()`` cancels such calls, and returns once the pool is closed. The sync facade raises
``SessionClosedError`` after ``close()`` too.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import anyio
import pytest

from lightly_async import LightlySession, RetryPolicy, SessionClosedError
from lightly_async import sync as lsync

from .conftest import pool_in_use
from .server import DS, TOKEN, Hostile, Received, Reply, hostile_server, sample_id

pytestmark = pytest.mark.anyio

LIMIT = 20
N = 6


def _session(server: Hostile, **kwargs: Any) -> LightlySession:
    return LightlySession(token=TOKEN, base_url=server.url, **kwargs)


def _pool_closed(session: LightlySession) -> bool:
    client = session._client
    transport = getattr(client._transport, "chosen", client._transport)
    aio = getattr(transport, "_session", None)
    return bool(client.is_closed and (aio is None or aio.closed))


async def _wait_for(server: Hostile, prefix: str, n: int) -> None:
    for _ in range(2000):  # bounded: 20 s of 10 ms steps
        if len(server.requests_to(prefix)) >= n:
            return
        await anyio.sleep(0.01)
    raise AssertionError(f"only {len(server.requests_to(prefix))} of {n} requests arrived")


async def _hang(request: Received, reply: Reply) -> None:
    await anyio.sleep_forever()


async def test_aclose_ends_calls_in_flight_with_session_closed_and_closes_the_pool(
    pool: str,
) -> None:
    outcomes: list[BaseException | None] = []

    async def call(session: LightlySession) -> None:
        try:
            await session.dataset(DS).tags.list()
        except Exception as exc:
            outcomes.append(exc)
        else:
            outcomes.append(None)

    with anyio.fail_after(LIMIT):
        async with hostile_server(_hang) as server:
            session = _session(server)
            async with anyio.create_task_group() as tg:
                for _ in range(N):
                    tg.start_soon(call, session)
                await _wait_for(server, "/v1/datasets", N)
                await session.aclose()
                assert len(outcomes) == N  # aclose returned after every call unwound
                assert _pool_closed(session)

    assert pool_in_use(session) == pool
    assert all(isinstance(o, SessionClosedError) for o in outcomes), outcomes
    with pytest.raises(SessionClosedError):
        await session.dataset(DS).tags.list()


async def test_a_call_waiting_to_retry_ends_with_session_closed_when_the_session_closes(
    pool: str,
) -> None:
    async def unavailable(request: Received, reply: Reply) -> None:
        await reply.whole(503, b'{"message": "later"}')

    retry = RetryPolicy(max_retries=5, initial_backoff=30.0, max_backoff=30.0)
    caught: list[BaseException] = []

    async def call(session: LightlySession) -> None:
        with pytest.raises(SessionClosedError) as info:
            await session.dataset(DS).tags.list()
        caught.append(info.value)

    with anyio.fail_after(LIMIT):
        async with hostile_server(unavailable) as server:
            session = _session(server, retry=retry)
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, session)
                await _wait_for(server, "/v1/datasets", 1)
                await anyio.sleep(0.05)  # into the 30 s backoff
                await session.aclose()

    assert len(caught) == 1
    assert len(server.received) == 1  # no retry after the close
    assert session.stats.retries == 1


async def test_downloads_in_flight_fail_with_session_closed_and_leave_no_partial_file(
    pool: str, tmp_path: Path,
) -> None:
    ids = [sample_id(n) for n in range(3)]

    async def trickle(request: Received, reply: Reply) -> None:
        await reply.head(200, {"Content-Length": "1000000"})
        await reply.send(b"x" * 1000)
        await anyio.sleep_forever()

    with anyio.fail_after(LIMIT):
        async with hostile_server(trickle) as server:
            session = _session(server)
            result: Any = None

            async def run() -> None:
                nonlocal result
                result = await session.dataset(DS).samples.download(ids, tmp_path)

            async with anyio.create_task_group() as tg:
                tg.start_soon(run)
                await _wait_for(server, "/blob/", 3)
                await session.aclose()

    assert sorted(result.failed) == sorted(ids)
    assert all(isinstance(e, SessionClosedError) for e in result.failed.values())
    assert [p async for p in anyio.Path(tmp_path).iterdir()] == []


def test_sync_session_after_close_raises_session_closed() -> None:
    with lsync.LightlySession(token=TOKEN, base_url="http://127.0.0.1:9") as session:
        pass
    with pytest.raises(SessionClosedError):
        session.dataset(DS).tags.list()
    with pytest.raises(SessionClosedError):
        session.jobs.get("job-1")


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_sync_close_from_another_thread_ends_a_call_in_flight(anyio_backend: str) -> None:
    with anyio.fail_after(LIMIT):
        async with hostile_server(_hang) as server:
            session = lsync.LightlySession(token=TOKEN, base_url=server.url)
            errors: list[BaseException] = []

            def call() -> None:
                try:
                    session.dataset(DS).tags.list()
                except BaseException as exc:
                    errors.append(exc)

            thread = threading.Thread(target=call)
            thread.start()
            await _wait_for(server, "/v1/datasets", 1)
            await anyio.to_thread.run_sync(session.close)
            await anyio.to_thread.run_sync(thread.join, 10)

    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], SessionClosedError)
