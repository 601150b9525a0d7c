"""Cancelling bulk work half-way leaves nothing behind and keeps the session usable.

A bulk upload is cancelled while requests are in flight (each upsert is held 10 ms by a
latency fault, so at any moment up to 16 are on the wire) in three ways: an anyio
``CancelScope`` cancelled after N completions, a ``move_on_after`` deadline, and plain
``asyncio`` ``task.cancel()``. Afterwards: no task is left pending, no "never awaited" or
"destroyed but pending" warning is emitted (RuntimeWarning is an error in this project, and
each test also records warnings across a ``gc.collect()``), the httpx connection pool holds no
queued request and no busy connection, what the fake stored is exactly what was sent, and
the same session answers a further call. Leaving ``async with`` always closes the client.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import pytest

from lightly_async import LightlySession, _http
from lightly_async.testing import FakeLightly

from .server import (
    FAST_RETRY,
    TOKEN,
    CancelAfter,
    anyio_backend,  # noqa: F401 (the fixture: asyncio and trio, default pool)
    assert_pool_drained,
    busy_connections,
    file_names,
    singletons_for,
    stored,
    task_schemas,
)

ITEMS = 200
CANCEL_AFTER = 40
VERSION = 1_700_000_000_000
UPSERTS = "/v1/datasets/*/predictions/samples/*"


@pytest.fixture(autouse=True)
def _httpx2_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx2's own pool: the checks read its queue and connections (``assert_pool_drained``)."""
    monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx2")


@contextmanager
def no_stray_warnings() -> Iterator[None]:
    """Fails if a coroutine was never awaited, a task destroyed pending, a socket leaked..."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    relevant = [
        w for w in caught
        if issubclass(w.category, RuntimeWarning | ResourceWarning)
        and not _is_httpx_in_memory_body(w)
    ]
    assert relevant == [], [str(w.message) for w in relevant]


def _is_httpx_in_memory_body(w: warnings.WarningMessage) -> bool:
    """Trio reports httpx's request-body generator, cancelled while being sent.

    ``httpx._content.ByteStream.__aiter__`` yields the one in-memory ``bytes``
    object of a JSON body: it holds no socket, file or task, so nothing leaks
    when it is collected unfinished. Connections and tasks are checked apart.
    """
    return "httpx._content.ByteStream.__aiter__" in str(w.message)


def _prepare(fake: FakeLightly) -> tuple[str, dict[str, list[object]]]:
    dataset_id = fake.create_dataset("cancel", file_names(ITEMS))
    sent = {sid: singletons_for(n) for n, sid in enumerate(fake.sample_ids(dataset_id))}
    return dataset_id, sent


async def _add_schemas(session: LightlySession, dataset_id: str) -> None:
    for schema in task_schemas():
        await session.dataset(dataset_id).predictions.upsert_task_schema(
            schema, prediction_uuid_timestamp=VERSION)


def _assert_partial(fake: FakeLightly, dataset_id: str, sent: dict[str, list[object]]) -> None:
    held = stored(fake, dataset_id, VERSION)
    assert CANCEL_AFTER <= len(held) < ITEMS
    assert all(held[sid] == sent[sid] for sid in held)


async def _still_works(session: LightlySession, dataset_id: str, sample_id: str) -> None:
    ds = session.dataset(dataset_id)
    assert len(await ds.tags.list()) == 0
    await ds.predictions.upsert(sample_id, [], prediction_uuid_timestamp=VERSION)
    assert await ds.predictions.get(sample_id, prediction_uuid_timestamp=VERSION) == []


@pytest.mark.anyio
async def test_bulk_upload_stops_cleanly_when_its_cancel_scope_is_cancelled_half_way(
    fake: FakeLightly,
) -> None:
    dataset_id, sent = _prepare(fake)
    with no_stray_warnings():
        async with fake.serve() as base_url:
            async with LightlySession(token=TOKEN, base_url=base_url, retry=FAST_RETRY) as s:
                await _add_schemas(s, dataset_id)
                fake.faults.add(method="POST", path=UPSERTS, latency=0.01)
                busy_at_cancel = []

                def cancel() -> None:
                    busy_at_cancel.append(busy_connections(s))
                    scope.cancel()

                with anyio.CancelScope() as scope:
                    await s.dataset(dataset_id).predictions.upsert_many(
                        sent, prediction_uuid_timestamp=VERSION,
                        progress=CancelAfter(CANCEL_AFTER, cancel))
                assert scope.cancelled_caught
                assert busy_at_cancel[0] > 0  # requests really were in flight
                assert_pool_drained(s)
                _assert_partial(fake, dataset_id, sent)
                fake.faults.clear()
                await _still_works(s, dataset_id, next(iter(sent)))
                assert_pool_drained(s)
            assert s._client.is_closed


@pytest.mark.anyio
async def test_bulk_upload_stops_cleanly_when_a_deadline_scope_expires(
    fake: FakeLightly,
) -> None:
    dataset_id, sent = _prepare(fake)
    with no_stray_warnings():
        async with fake.serve() as base_url:
            async with LightlySession(token=TOKEN, base_url=base_url, retry=FAST_RETRY) as s:
                await _add_schemas(s, dataset_id)
                # 200 items x 20 ms / 16 at a time: the run needs at least 0.25 s.
                fake.faults.add(method="POST", path=UPSERTS, latency=0.02)
                with anyio.move_on_after(0.1) as scope:
                    await s.dataset(dataset_id).predictions.upsert_many(
                        sent, prediction_uuid_timestamp=VERSION)
                assert scope.cancelled_caught
                assert_pool_drained(s)
                held = stored(fake, dataset_id, VERSION)
                assert len(held) < ITEMS
                assert all(held[sid] == sent[sid] for sid in held)
                fake.faults.clear()
                await _still_works(s, dataset_id, next(iter(sent)))
            assert s._client.is_closed


@pytest.mark.asyncio
async def test_bulk_upload_leaves_no_task_when_its_asyncio_task_is_cancelled(
    fake: FakeLightly,
) -> None:
    dataset_id, sent = _prepare(fake)
    with no_stray_warnings():
        async with fake.serve() as base_url:
            async with LightlySession(token=TOKEN, base_url=base_url, retry=FAST_RETRY) as s:
                await _add_schemas(s, dataset_id)
                fake.faults.add(method="POST", path=UPSERTS, latency=0.01)
                halfway = asyncio.Event()
                before = asyncio.all_tasks()
                task = asyncio.create_task(s.dataset(dataset_id).predictions.upsert_many(
                    sent, prediction_uuid_timestamp=VERSION,
                    progress=CancelAfter(CANCEL_AFTER, halfway.set)))
                await halfway.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert asyncio.all_tasks() == before
                assert_pool_drained(s)
                _assert_partial(fake, dataset_id, sent)
                fake.faults.clear()
                await _still_works(s, dataset_id, next(iter(sent)))
            assert s._client.is_closed
        assert asyncio.all_tasks() == {asyncio.current_task()}


@pytest.mark.anyio
async def test_leaving_async_with_closes_the_client_when_cancelled_mid_upload(
    fake: FakeLightly,
) -> None:
    dataset_id, sent = _prepare(fake)
    async with fake.serve() as base_url:
        session = LightlySession(token=TOKEN, base_url=base_url, retry=FAST_RETRY)
        with anyio.CancelScope() as scope:
            async with session as s:
                await _add_schemas(s, dataset_id)
                fake.faults.add(method="POST", path=UPSERTS, latency=0.01)
                await s.dataset(dataset_id).predictions.upsert_many(
                    sent, prediction_uuid_timestamp=VERSION,
                    progress=CancelAfter(CANCEL_AFTER, scope.cancel))
        assert scope.cancelled_caught
        assert session._client.is_closed
        with pytest.raises(RuntimeError, match="closed"):
            await session.dataset(dataset_id).tags.list()


@pytest.mark.anyio
async def test_leaving_async_with_closes_the_client_when_an_error_escapes(
    fake: FakeLightly,
) -> None:
    session = fake.session()
    with pytest.raises(LookupError, match="boom"):
        async with session as s:
            raise LookupError("boom")
    assert s._client.is_closed
