"""Retry rules, proved with a recording sleep: which requests are replayed, and how long we wait."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import anyio
import httpx
import pytest

from lightly_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    LightlySession,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from lightly_async import _pipeline as send_module
from lightly_async import _retry as retry_module
from lightly_async._retry import parse_retry_after
from lightly_async.models import PredictionTaskSchema, PredictionTaskSchemaCategory
from lightly_async.resources import Dataset
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TID = "61b2c3d4e5f60718293a4b5c"
TID2 = "62c3d4e5f60718293a4b5c6d"
SID = "60a1b2c3d4e5f60718293a4b"
EID = "63d4e5f60718293a4b5c6d7e"
NEW_ID = "64e5f60718293a4b5c6d7e8f"
NOW = 1_700_000_000.0

Call = Callable[[Dataset], Awaitable[Any]]


class Clock:
    """A fake monotonic clock the recording sleep advances (the 429 pause reads it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(send_module, "time", fake)
    monkeypatch.setattr(retry_module, "time", SimpleNamespace(time=lambda: NOW))
    return fake


def _session(recorder: Any, clock: Clock, max_retries: int = 3, **kwargs: Any) -> LightlySession:
    policy = RetryPolicy(max_retries=max_retries, sleep=clock.sleep, rng=random.Random(7))
    session: LightlySession = recorder.session(retry=policy, **kwargs)
    return session


def _ok(payload: Any = None, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=[] if payload is None else payload)


def _status(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": "X", "message": "try later"}, headers=headers)


SCHEMA = PredictionTaskSchema(name="weather", type="CLASSIFICATION",
                              categories=[PredictionTaskSchemaCategory(id=0, name="sun")])

NOT_REPLAY_SAFE: list[tuple[str, Call, Any]] = [
    ("tags.create", lambda ds: ds.tags.create(
        name="subset", prev_tag_id=TID, bit_mask_data="0x1", tot_size=1), {"id": NEW_ID}),
    ("tags.create_initial", lambda ds: ds.tags.create_initial(), {"id": NEW_ID}),
    ("tags.upsize", lambda ds: ds.tags.upsize(upsize_tag_name="grown"), {"id": NEW_ID}),
    ("samplings.trigger", lambda ds: ds.samplings.trigger(
        EID, new_tag_name="sampled", method="RANDOM"), {"jobId": "job-1"}),
    ("tags.arithmetics new_tag_name", lambda ds: ds.tags.arithmetics(
        TID, TID2, "UNION", new_tag_name="union-tag"), {"id": NEW_ID}),
]
REPLAY_SAFE_POSTS: list[tuple[str, Call, Any]] = [
    ("predictions.upsert", lambda ds: ds.predictions.upsert(
        SID, [], prediction_uuid_timestamp=1), {"id": NEW_ID}),
    ("predictions.upsert_task_schema", lambda ds: ds.predictions.upsert_task_schema(
        SCHEMA, prediction_uuid_timestamp=1), {"id": NEW_ID}),
    ("tags.arithmetics_bitmask", lambda ds: ds.tags.arithmetics_bitmask(TID, TID2, "UNION"),
     {"bitMaskData": "0x1"}),
    ("tags.arithmetics without new_tag_name",
     lambda ds: ds.tags.arithmetics(TID, TID2, "UNION"), {"bitMaskData": "0x1"}),
]
IDEMPOTENT: list[tuple[str, Call, Any]] = [
    ("GET tags.list", lambda ds: ds.tags.list(), []),
    ("PUT tags.update", lambda ds: ds.tags.update(TID, name="renamed"), None),
    ("DELETE tags.delete", lambda ds: ds.tags.delete(TID), None),
]


def _ids(cases: list[tuple[str, Call, Any]]) -> list[str]:
    return [c[0] for c in cases]


def _calls(cases: list[tuple[str, Call, Any]]) -> list[tuple[Call, Any]]:
    return [(c[1], c[2]) for c in cases]


def _answer(payload: Any) -> httpx.Response:
    return httpx.Response(200) if payload is None else httpx.Response(200, json=payload)


# -- which requests are replayed ------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_get_is_retried_and_succeeds_when_status_is_transient(
    recorder: Any, clock: Clock, status: int,
) -> None:
    recorder.script(_status(status), _status(status), _ok([]))
    async with _session(recorder, clock) as session:
        tags = await session.dataset(DS).tags.list()

    assert tags == []
    assert len(recorder.requests) == 3
    assert session.stats.retries == 2
    assert session.stats.requests == 3
    if status == 429:  # the shared rate-limit pause may add to the retry's own wait
        assert len(clock.waits) >= 2
    else:
        assert len(clock.waits) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("error", [
    httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.RemoteProtocolError("eof"),
    httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.WriteError("broken pipe"),
], ids=lambda e: type(e).__name__)
async def test_get_is_retried_and_succeeds_when_connection_fails(
    recorder: Any, clock: Clock, error: Exception,
) -> None:
    recorder.script(error, _ok([]))
    async with _session(recorder, clock) as session:
        tags = await session.dataset(DS).tags.list()

    assert tags == []
    assert len(recorder.requests) == 2
    assert session.stats.retries == 1
    assert len(clock.waits) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "payload"), _calls(IDEMPOTENT), ids=_ids(IDEMPOTENT))
async def test_idempotent_methods_are_retried_when_server_fails(
    recorder: Any, clock: Clock, call: Call, payload: Any,
) -> None:
    recorder.script(_status(503), httpx.ReadError("reset"), _answer(payload))
    async with _session(recorder, clock) as session:
        await call(session.dataset(DS))

    assert len(recorder.requests) == 3
    assert session.stats.retries == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "payload"), _calls(NOT_REPLAY_SAFE), ids=_ids(NOT_REPLAY_SAFE))
async def test_non_replay_safe_post_is_not_retried_when_server_answers_503(
    recorder: Any, clock: Clock, call: Call, payload: Any,
) -> None:
    recorder.script(_status(503), _answer(payload))
    async with _session(recorder, clock) as session:
        with pytest.raises(ServerError) as info:
            await call(session.dataset(DS))

    assert info.value.status_code == 503
    assert len(recorder.requests) == 1
    assert recorder.requests[0].method == "POST"
    assert session.stats.retries == 0
    assert clock.waits == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "payload"), _calls(NOT_REPLAY_SAFE), ids=_ids(NOT_REPLAY_SAFE))
@pytest.mark.parametrize(("error", "raised"), [
    (httpx.ReadError("reset"), APIConnectionError),
    (httpx.RemoteProtocolError("eof"), APIConnectionError),
    (httpx.ReadTimeout("slow"), APITimeoutError),
], ids=["ReadError", "RemoteProtocolError", "ReadTimeout"])
async def test_non_replay_safe_post_is_not_retried_when_request_may_have_been_sent(
    recorder: Any, clock: Clock, call: Call, payload: Any, error: Exception,
    raised: type[Exception],
) -> None:
    recorder.script(error, _answer(payload))
    async with _session(recorder, clock) as session:
        with pytest.raises(raised) as info:
            await call(session.dataset(DS))

    assert type(info.value) is raised
    assert isinstance(info.value, APIConnectionError)
    assert info.value.may_have_been_sent is True
    assert len(recorder.requests) == 1
    assert clock.waits == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "payload"), _calls(NOT_REPLAY_SAFE), ids=_ids(NOT_REPLAY_SAFE))
@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")],
                         ids=["ConnectError", "ConnectTimeout"])
async def test_non_replay_safe_post_is_retried_when_connection_was_never_made(
    recorder: Any, clock: Clock, call: Call, payload: Any, error: Exception,
) -> None:
    recorder.script(error, _answer(payload))
    async with _session(recorder, clock) as session:
        result = await call(session.dataset(DS))

    assert result is not None
    assert len(recorder.requests) == 2
    assert session.stats.retries == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "payload"), _calls(REPLAY_SAFE_POSTS),
                         ids=_ids(REPLAY_SAFE_POSTS))
@pytest.mark.parametrize("failure", [_status(503), _status(500), httpx.ReadError("reset"),
                                     httpx.ReadTimeout("slow")],
                         ids=["503", "500", "ReadError", "ReadTimeout"])
async def test_replay_safe_post_is_retried_when_server_or_connection_fails(
    recorder: Any, clock: Clock, call: Call, payload: Any, failure: Any,
) -> None:
    recorder.script(failure, _answer(payload))
    async with _session(recorder, clock) as session:
        result = await call(session.dataset(DS))

    assert result is not None
    assert [r.method for r in recorder.requests] == ["POST", "POST"]
    assert recorder.requests[0].content == recorder.requests[1].content  # the same body again
    assert session.stats.retries == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422])
@pytest.mark.parametrize(("call", "payload"),
                         _calls(IDEMPOTENT[:1] + REPLAY_SAFE_POSTS[:1]),
                         ids=_ids(IDEMPOTENT[:1] + REPLAY_SAFE_POSTS[:1]))
async def test_client_error_is_never_retried_when_status_is_4xx(
    recorder: Any, clock: Clock, status: int, call: Call, payload: Any,
) -> None:
    recorder.script(_status(status), _answer(payload))
    async with _session(recorder, clock) as session:
        with pytest.raises(APIStatusError) as info:
            await call(session.dataset(DS))

    assert info.value.status_code == status
    assert len(recorder.requests) == 1
    assert clock.waits == []
    assert session.stats.retries == 0


@pytest.mark.asyncio
async def test_last_error_is_raised_when_retries_are_exhausted(
    recorder: Any, clock: Clock,
) -> None:
    recorder.answer(lambda request: _status(502))
    async with _session(recorder, clock, max_retries=2) as session:
        with pytest.raises(ServerError) as info:
            await session.dataset(DS).tags.list()

    assert info.value.status_code == 502
    assert len(recorder.requests) == 3
    assert len(clock.waits) == 2
    assert session.stats.retries == 2


@pytest.mark.asyncio
async def test_connection_error_is_raised_when_retries_are_exhausted(
    recorder: Any, clock: Clock,
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    recorder.answer(refuse)
    async with _session(recorder, clock, max_retries=1) as session:
        with pytest.raises(APIConnectionError, match="ConnectError") as info:
            await session.dataset(DS).tags.list()

    assert type(info.value) is APIConnectionError
    assert info.value.may_have_been_sent is False
    assert len(recorder.requests) == 2


@pytest.mark.asyncio
async def test_nothing_is_retried_when_max_retries_is_zero(recorder: Any, clock: Clock) -> None:
    recorder.script(_status(503), _ok([]))
    async with _session(recorder, clock, max_retries=0) as session:
        with pytest.raises(ServerError):
            await session.dataset(DS).tags.list()

    assert len(recorder.requests) == 1
    assert clock.waits == []
    assert session.stats.retries == 0


@pytest.mark.asyncio
async def test_max_retries_argument_sets_the_policy_when_no_retry_policy_is_given(
    recorder: Any,
) -> None:
    session = recorder.session(max_retries=5)
    async with session:
        assert session.retry_policy.max_retries == 5


# -- how long we wait -----------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_retry_after_seconds_replaces_backoff_when_server_sends_it(
    recorder: Any, clock: Clock,
) -> None:
    recorder.script(_status(503, **{"Retry-After": "7"}), _ok([]))
    async with _session(recorder, clock) as session:
        await session.dataset(DS).tags.list()

    assert clock.waits == [7.0]


@pytest.mark.asyncio
async def test_retry_after_http_date_is_honoured_when_server_sends_a_date(
    recorder: Any, clock: Clock,
) -> None:
    when = email.utils.formatdate(NOW + 30, usegmt=True)
    recorder.script(_status(503, **{"Retry-After": when}), _ok([]))
    async with _session(recorder, clock) as session:
        await session.dataset(DS).tags.list()

    assert clock.waits == [30.0]


@pytest.mark.asyncio
@pytest.mark.parametrize("header", ["3600", email.utils.formatdate(NOW + 3600, usegmt=True)],
                         ids=["seconds", "http-date"])
async def test_retry_after_is_capped_at_max_retry_after_when_server_asks_too_much(
    recorder: Any, clock: Clock, header: str,
) -> None:
    recorder.script(_status(503, **{"Retry-After": header}), _ok([]))
    policy = RetryPolicy(max_retries=1, max_retry_after=10.0, sleep=clock.sleep)
    async with recorder.session(retry=policy) as session:
        await session.dataset(DS).tags.list()

    assert clock.waits == [10.0]


@pytest.mark.asyncio
async def test_rate_limit_waits_retry_after_once_when_429_is_retried(
    recorder: Any, clock: Clock,
) -> None:
    recorder.script(_status(429, **{"Retry-After": "4"}), _ok([]))
    async with _session(recorder, clock) as session:
        assert await session.dataset(DS).tags.list() == []

    assert clock.waits == [4.0]
    assert len(recorder.requests) == 2


@pytest.mark.asyncio
async def test_rate_limit_pause_holds_back_next_call_when_429_was_not_retried(
    recorder: Any, clock: Clock,
) -> None:
    recorder.script(_status(429, **{"Retry-After": "5"}), _ok([]))
    async with _session(recorder, clock, max_retries=0) as session:
        with pytest.raises(RateLimitError) as info:
            await session.dataset(DS).tags.list()
        assert info.value.retry_after == 5.0
        assert clock.waits == []
        await session.dataset(DS).tags.list()  # a different call, same session

    assert clock.waits == [5.0]


@pytest.mark.asyncio
async def test_backoff_is_used_when_retry_after_is_unparsable(
    recorder: Any, clock: Clock,
) -> None:
    recorder.script(_status(503, **{"Retry-After": "soon"}), _ok([]))
    policy = RetryPolicy(max_retries=1, initial_backoff=2.0, sleep=clock.sleep)
    async with recorder.session(retry=policy) as session:
        await session.dataset(DS).tags.list()

    assert len(clock.waits) == 1
    assert 1.0 <= clock.waits[0] <= 2.0


@pytest.mark.asyncio
async def test_waits_grow_exponentially_when_failures_repeat(
    recorder: Any, clock: Clock,
) -> None:
    recorder.answer(lambda request: _status(503))
    policy = RetryPolicy(max_retries=5, initial_backoff=1.0, max_backoff=100.0,
                         sleep=clock.sleep, rng=random.Random(3))
    async with recorder.session(retry=policy) as session:
        with pytest.raises(ServerError):
            await session.dataset(DS).tags.list()

    assert len(clock.waits) == 5
    for n, wait in enumerate(clock.waits, start=1):
        ceiling = 2.0 ** (n - 1)
        assert ceiling / 2 <= wait <= ceiling, (n, wait)


def test_backoff_stays_within_equal_jitter_bounds_when_rng_is_seeded() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=8.0, rng=random.Random(1234))
    for retry_number, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0),
                                  (20, 8.0)]:
        for _ in range(50):
            wait = policy.backoff(retry_number)
            assert ceiling / 2 <= wait <= ceiling, (retry_number, wait)


def test_backoff_is_deterministic_when_rngs_share_a_seed() -> None:
    first = RetryPolicy(rng=random.Random(99))
    second = RetryPolicy(rng=random.Random(99))
    waits = [first.backoff(n) for n in range(1, 6)]

    assert waits == [second.backoff(n) for n in range(1, 6)]
    assert len(set(waits)) == 5


def test_backoff_jitters_when_called_repeatedly_with_same_retry_number() -> None:
    policy = RetryPolicy(rng=random.Random(5))
    waits = {policy.backoff(3) for _ in range(20)}

    assert len(waits) > 1


class _ExtremeRng(random.Random):
    def __init__(self, pick_high: bool) -> None:
        super().__init__(0)
        self.pick_high = pick_high

    def uniform(self, a: float, b: float) -> float:
        return b if self.pick_high else a


@pytest.mark.parametrize(("pick_high", "expected"), [
    (False, [0.5, 1.0, 2.0, 4.0, 4.0]), (True, [1.0, 2.0, 4.0, 8.0, 8.0])])
def test_backoff_hits_exact_bounds_when_jitter_is_extreme(
    pick_high: bool, expected: list[float],
) -> None:
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=8.0, rng=_ExtremeRng(pick_high))

    assert [policy.backoff(n) for n in range(1, 6)] == expected


def test_backoff_uses_capped_retry_after_when_given() -> None:
    policy = RetryPolicy(max_retry_after=60.0, rng=_ExtremeRng(True))

    assert policy.backoff(1, 12.5) == 12.5
    assert policy.backoff(4, 0.0) == 0.0
    assert policy.backoff(1, 600.0) == 60.0


def test_retry_policy_rejects_negative_max_retries_when_built() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


@pytest.mark.parametrize(("status", "retryable"), [
    (408, True), (429, True), (500, True), (503, True), (599, True),
    (400, False), (401, False), (404, False), (409, False), (422, False), (499, False)])
def test_is_retryable_status_matches_rules_when_asked(status: int, retryable: bool) -> None:
    assert RetryPolicy().is_retryable_status(status) is retryable


@pytest.mark.parametrize(("header", "expected"), [
    ("3", 3.0), ("1.5", 1.5), (" 2 ", 2.0), ("0", 0.0),
    (email.utils.formatdate(NOW + 45, usegmt=True), 45.0),
    (email.utils.formatdate(NOW - 45, usegmt=True), 0.0),
    ("-1", None), ("nan", None), ("soon", None), ("", None), (None, None),
])
def test_parse_retry_after_reads_seconds_and_dates_when_header_is_given(
    header: str | None, expected: float | None,
) -> None:
    assert parse_retry_after(header, now=NOW) == expected


# -- views, deadlines, timeouts ------------------------------------------------------------------
@pytest.mark.asyncio
async def test_with_options_view_changes_retries_but_shares_pool_and_stats_when_derived(
    recorder: Any, clock: Clock,
) -> None:
    recorder.script(_status(503), _status(503), _ok([]), _ok([]))
    async with _session(recorder, clock, max_retries=3) as session:
        view = session.with_options(max_retries=0)
        with pytest.raises(ServerError):
            await view.dataset(DS).tags.list()
        assert len(recorder.requests) == 1
        assert await session.dataset(DS).tags.list() == []  # 503, then 200: retried once
        await view.aclose()  # a view never closes the shared pool
        assert await session.dataset(DS).tags.list() == []

    assert view.retry_policy.max_retries == 0
    assert session.retry_policy.max_retries == 3
    assert view.retry_policy.sleep == clock.sleep
    assert view.stats is session.stats
    assert view._client is session._client
    assert session.stats.retries == 1
    assert session.stats.requests == 4


@pytest.mark.asyncio
async def test_deadline_raises_api_timeout_error_when_server_hangs() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(10)
        return _ok([])  # pragma: no cover - the deadline fires first

    async with LightlySession(token="t", base_url="https://api.test", deadline=0.05,
                              transport=mock_transport(hang)) as session:
        with pytest.raises(APITimeoutError, match="deadline") as info:
            await session.dataset(DS).tags.list()

    assert info.value.method == "GET"
    assert info.value.url == f"https://api.test/v1/datasets/{DS}/tags"


@pytest.mark.asyncio
async def test_deadline_bounds_whole_call_when_retries_would_go_on(recorder: Any) -> None:
    async def short_sleep(seconds: float) -> None:
        await anyio.sleep(0.001)

    recorder.answer(lambda request: _status(503))
    policy = RetryPolicy(max_retries=1_000_000, sleep=short_sleep)
    async with recorder.session(retry=policy) as session:
        view = session.with_options(deadline=0.05)
        with pytest.raises(APITimeoutError, match="including retries"):
            await view.dataset(DS).tags.list()

    assert len(recorder.requests) > 1  # it did retry, then the deadline ended it
    assert len(recorder.requests) < 1_000_000


@pytest.mark.asyncio
@pytest.mark.parametrize(("error", "sent"), [
    (httpx.ReadTimeout("read timed out"), True), (httpx.WriteTimeout("write timed out"), True),
    (httpx.ConnectTimeout("connect timed out"), False), (httpx.PoolTimeout("pool"), False),
], ids=["read", "write", "connect", "pool"])
async def test_httpx_timeout_maps_to_api_timeout_error_when_transport_times_out(
    recorder: Any, clock: Clock, error: Exception, sent: bool,
) -> None:
    recorder.script(error)
    async with _session(recorder, clock, max_retries=0) as session:
        with pytest.raises(APITimeoutError, match="timed out") as info:
            await session._request("GET", f"/v1/datasets/{DS}/tags", timeout=1)

    assert info.value.may_have_been_sent is sent
    assert info.value.status_code is None
    assert info.value.method == "GET"
    assert recorder.requests[0].extensions["timeout"] == {
        "connect": 1.0, "read": 1.0, "write": 1.0, "pool": 1.0}
