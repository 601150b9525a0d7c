"""A bulk run against a server that is gone for good stops early (issue 23.7).

After ``bulk_give_up_after`` consecutive connection failures no new item starts; the items
not started are ``not_attempted`` and ``result.stopped_by`` says why. On every pool.
"""

from __future__ import annotations

import socket

import anyio
import pytest

from lightly_async import APIConnectionError, LightlySession, RetryPolicy
from lightly_async.models import PredictionSingletonClassification

from .server import DS, TOKEN, Received, Reply, hostile_server, sample_id

pytestmark = pytest.mark.anyio

ITEMS = 200
RETRY = RetryPolicy(max_retries=2, initial_backoff=0.001, max_backoff=0.002)


def _dead_url() -> str:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _predictions(n: int) -> dict[str, list[PredictionSingletonClassification]]:
    return {sample_id(i): [PredictionSingletonClassification(
        task_name="task", category_id=0, score=0.5)] for i in range(n)}


@pytest.mark.parametrize(("give_up_after", "concurrency"), [(10, 4), (3, 1)])
async def test_a_bulk_run_against_a_dead_server_stops_after_consecutive_connection_failures(
    pool: str, give_up_after: int, concurrency: int,
) -> None:
    with anyio.fail_after(30):
        async with LightlySession(token=TOKEN, base_url=_dead_url(), retry=RETRY,
                                  bulk_give_up_after=give_up_after) as session:
            result = await session.dataset(DS).predictions.upsert_many(
                _predictions(ITEMS), prediction_uuid_timestamp=1, concurrency=concurrency,
                progress=False)

    assert result.total == ITEMS
    # the items that ended the run, plus at most those already running beside them
    assert give_up_after <= len(result.failed) <= give_up_after + concurrency - 1
    assert len(result.not_attempted) == ITEMS - len(result.failed)
    assert isinstance(result.stopped_by, APIConnectionError)
    assert all(isinstance(e, APIConnectionError) for e in result.failed.values())
    assert session.stats.requests == 3 * len(result.failed)  # each with its retries
    assert "stopped_by=APIConnectionError" in repr(result)


async def test_none_tries_every_item_and_a_success_resets_the_count(pool: str) -> None:
    answered = 0

    async def every_third_answers(request: Received, reply: Reply) -> None:
        nonlocal answered
        answered += 1
        if answered % 3 == 0:
            await reply.json({"id": "0" * 24})
        # the others: the connection closes without an answer (a connection failure)

    with anyio.fail_after(30):
        async with hostile_server(every_third_answers) as server, LightlySession(
                token=TOKEN, base_url=server.url, retry=RetryPolicy(max_retries=0),
                bulk_give_up_after=3) as session:
            result = await session.dataset(DS).predictions.upsert_many(
                _predictions(30), prediction_uuid_timestamp=1, concurrency=1, progress=False)
        async with LightlySession(token=TOKEN, base_url=_dead_url(), retry=RETRY,
                                  bulk_give_up_after=None) as session:
            everything = await session.dataset(DS).predictions.upsert_many(
                _predictions(20), prediction_uuid_timestamp=1, concurrency=4, progress=False)

    assert len(result.succeeded) == 10  # two failures in a row, then a success: never three
    assert result.not_attempted == []
    assert result.stopped_by is None
    assert len(everything.failed) == 20
    assert everything.not_attempted == []
