"""Timeouts and deadlines: a stalled server yields APITimeoutError, retries stay bounded.

Per-request timeouts are real socket timeouts, so those tests run over loopback
(``fake.serve()``; the in-process ASGI transport enforces none). The total ``deadline`` is an
anyio cancel scope around the call and its retries, so those tests run in-process under both
backends. No test asserts wall-clock time: each would instead hang for the fault's full
latency or Retry-After (tens of seconds) and then fail on the error type, if the bound did
not hold.
"""

from __future__ import annotations

import pytest

from lightly_async import APITimeoutError, LightlySession, RetryPolicy
from lightly_async.testing import FakeLightly

from .server import (
    FAST_RETRY,
    TOKEN,
    anyio_backend,  # noqa: F401 (the fixture: asyncio and trio, default pool)
    file_names,
)

TAGS = "/v1/datasets/*/tags"
STALL = 0.5  # the server sleeps this long; every bound below is far shorter


@pytest.mark.anyio
async def test_stalled_server_raises_api_timeout_error_when_the_read_timeout_runs_out(
    fake: FakeLightly,
) -> None:
    dataset_id = fake.create_dataset("t", file_names(3))
    fake.faults.add(method="GET", path=TAGS, latency=STALL)
    async with fake.serve() as base_url, LightlySession(
            token=TOKEN, base_url=base_url, timeout=0.1, max_retries=0) as session:
        with pytest.raises(APITimeoutError) as caught:
            await session.dataset(dataset_id).tags.list()
    assert caught.value.method == "GET"
    assert str(caught.value.url).endswith("/tags")
    assert caught.value.may_have_been_sent  # a read timeout: the server did get it
    assert session.stats.requests == 1


@pytest.mark.anyio
async def test_each_retry_of_a_stalled_get_times_out_when_retries_are_allowed(
    fake: FakeLightly,
) -> None:
    dataset_id = fake.create_dataset("t", file_names(3))
    fake.faults.add(method="GET", path=TAGS, latency=STALL)
    policy = RetryPolicy(max_retries=2, initial_backoff=0.01, max_backoff=0.02)
    async with fake.serve() as base_url, LightlySession(
            token=TOKEN, base_url=base_url, timeout=0.1, retry=policy) as session:
        with pytest.raises(APITimeoutError):
            await session.dataset(dataset_id).tags.list()
    assert (session.stats.requests, session.stats.retries) == (3, 2)


@pytest.mark.anyio
async def test_a_view_with_a_short_timeout_times_out_when_the_session_default_would_not(
    fake: FakeLightly,
) -> None:
    dataset_id = fake.create_dataset("t", file_names(3))
    fake.faults.add(method="GET", path=TAGS, latency=0.3, times=1)
    async with fake.serve() as base_url, LightlySession(
            token=TOKEN, base_url=base_url, max_retries=0) as session:
        with pytest.raises(APITimeoutError):
            await session.with_options(timeout=0.05).dataset(dataset_id).tags.list()
        fake.faults.add(method="GET", path=TAGS, latency=0.1, times=1)
        assert await session.dataset(dataset_id).tags.list() == []  # 30 s default: fine


@pytest.mark.anyio
async def test_deadline_bounds_a_call_including_its_retries_when_the_server_keeps_failing(
    fake: FakeLightly,
) -> None:
    dataset_id = fake.create_dataset("t", file_names(3))
    fake.faults.add(method="GET", path=TAGS, status=503)
    # 1,000 retries of >= 5 ms each would take >= 5 s: only the deadline can stop this early.
    policy = RetryPolicy(max_retries=1_000, initial_backoff=0.01, max_backoff=0.01)
    async with fake.session(retry=policy, deadline=0.2) as session:
        with pytest.raises(APITimeoutError, match=r"deadline of 0\.2s exceeded") as caught:
            await session.dataset(dataset_id).tags.list()
        assert 1 < session.stats.requests < 1_000
        # A retry is counted when it is scheduled; the deadline may strike during its wait.
        assert session.stats.retries in (session.stats.requests - 1, session.stats.requests)
    assert caught.value.method == "GET"


@pytest.mark.anyio
async def test_deadline_cuts_a_long_retry_after_short_when_the_server_rate_limits(
    fake: FakeLightly,
) -> None:
    dataset_id = fake.create_dataset("t", file_names(3))
    fake.faults.add(method="GET", path=TAGS, status=429, retry_after=30)
    async with fake.session(deadline=0.1) as session:  # default policy honours 30 s
        with pytest.raises(APITimeoutError, match="deadline"):
            await session.dataset(dataset_id).tags.list()
        assert session.stats.requests == 1


@pytest.mark.anyio
async def test_deadline_bounds_a_single_stalled_attempt_when_timeouts_are_off(
    fake: FakeLightly,
) -> None:
    dataset_id = fake.create_dataset("t", file_names(3))
    fake.faults.add(method="GET", path=TAGS, latency=30)
    async with fake.session(timeout=None, deadline=0.1, retry=FAST_RETRY) as session:
        with pytest.raises(APITimeoutError, match="deadline"):
            await session.dataset(dataset_id).tags.list()
        fake.faults.clear()
        assert await session.dataset(dataset_id).tags.list() == []  # the session recovers
