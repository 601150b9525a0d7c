"""The rate budget seam: ``LightlySession(rate_budget=...)`` on both facades.

A budget is awaited (``acquire``) before each attempt of an API call and told of each 429
(``on_rate_limited``, with the server's ``Retry-After`` in seconds, or ``None``); signed-URL
transfers leave it alone. The default, ``LocalRateBudget``, is the per-process pause.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

import lightly_async as la
import lightly_async.sync
from lightly_async import _http
from lightly_async import _send as send_module
from lightly_async._transfer import TransferTimeout

BASE_URL = "https://api.test"
TOKEN = "tok-budget-0123456789abcdef"
DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
SIGNED = "https://storage.test/bucket/img.png?X-Amz-Signature=f00d"


class CountingBudget:
    """Lets every attempt through; records each acquire and each 429 in ``events``."""

    def __init__(self, events: list[str] | None = None) -> None:
        self.events = events if events is not None else []
        self.attempts = 0
        self.rate_limited: list[float | None] = []

    async def acquire(self) -> None:
        self.attempts += 1
        self.events.append("acquire")

    async def on_rate_limited(self, retry_after: float | None) -> None:
        self.rate_limited.append(retry_after)
        self.events.append(f"429 {retry_after}")


class Script:
    """A mock transport answering request n with ``steps[n]``; records what it was sent."""

    def __init__(self, *steps: httpx2.Response, events: list[str] | None = None) -> None:
        self.steps = list(steps)
        self.events = events if events is not None else []
        self.sent: list[str] = []

    def transport(self) -> httpx2.AsyncBaseTransport:
        def handle(request: httpx2.Request) -> httpx2.Response:
            self.sent.append(f"{request.method} {request.url.host}{request.url.path}")
            self.events.append("request")
            return self.steps.pop(0)

        return _http.mock_transport(handle)


class Clock:
    """A fake monotonic clock that the recording sleep advances (the pause reads it)."""

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
    return fake


def _policy(clock: Clock, max_retries: int = 3) -> la.RetryPolicy:
    return la.RetryPolicy(max_retries=max_retries, sleep=clock.sleep, rng=random.Random(3))


def _tags(status: int = 200, **headers: str) -> httpx2.Response:
    body: Any = [] if status == 200 else {"code": "X", "message": "slow down"}
    return httpx2.Response(status, json=body, headers=headers)


def _session(script: Script, **kwargs: Any) -> la.LightlySession:
    return la.LightlySession(token=TOKEN, base_url=BASE_URL, transport=script.transport(),
                             **kwargs)


def test_both_names_are_exported_and_the_default_budget_meets_the_protocol() -> None:
    assert la.RateBudget is send_module.RateBudget
    assert la.LocalRateBudget is send_module.LocalRateBudget
    assert isinstance(la.LocalRateBudget(), la.RateBudget)
    assert isinstance(CountingBudget(), la.RateBudget)
    assert "RateBudget" in la.__all__
    assert "LocalRateBudget" in la.__all__


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_budget_sees_every_attempt_and_every_429_with_its_retry_after(
    anyio_backend: str, clock: Clock,
) -> None:
    events: list[str] = []
    budget = CountingBudget(events)
    script = Script(_tags(429, **{"Retry-After": "3"}), _tags(503), _tags(429), _tags(),
                    events=events)
    async with _session(script, retry=_policy(clock), rate_budget=budget) as session:
        assert await session.dataset(DS).tags.list() == []

    assert budget.attempts == 4 == len(script.sent)
    assert budget.rate_limited == [3.0, None]
    # acquired before each attempt is sent; told of a 429 as soon as it arrives
    assert events == ["acquire", "request", "429 3.0", "acquire", "request",
                      "acquire", "request", "429 None", "acquire", "request"]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_budget_that_holds_calls_back_delays_each_attempt(
    anyio_backend: str, clock: Clock,
) -> None:
    class Paced(CountingBudget):
        async def acquire(self) -> None:
            await super().acquire()
            await clock.sleep(0.25)  # one attempt per 250 ms of the fake clock

    budget = Paced()
    script = Script(_tags(), _tags())
    async with _session(script, retry=_policy(clock), rate_budget=budget) as session:
        await session.dataset(DS).tags.list()
        await session.dataset(DS).tags.list()

    assert clock.waits == [0.25, 0.25]
    assert budget.attempts == 2


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_by_default_a_429_not_retried_pauses_the_next_call_for_its_retry_after(
    anyio_backend: str, clock: Clock,
) -> None:
    script = Script(_tags(429, **{"Retry-After": "5"}), _tags())
    async with _session(script, retry=_policy(clock, max_retries=0)) as session:
        with pytest.raises(la.RateLimitError):
            await session.dataset(DS).tags.list()
        assert clock.waits == []
        await session.dataset(DS).tags.list()

    assert clock.waits == [5.0]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_one_local_budget_passed_to_two_sessions_pauses_both(
    anyio_backend: str, clock: Clock,
) -> None:
    shared = la.LocalRateBudget(_policy(clock, max_retries=0))
    first = Script(_tags(429, **{"Retry-After": "7"}))
    second = Script(_tags())
    async with _session(first, retry=_policy(clock, max_retries=0),
                        rate_budget=shared) as a, _session(
            second, retry=_policy(clock, max_retries=0), rate_budget=shared) as b:
        with pytest.raises(la.RateLimitError):
            await a.dataset(DS).tags.list()
        await b.dataset(DS).tags.list()

    assert clock.waits == [7.0]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_signed_url_transfers_neither_acquire_nor_report_429(
    anyio_backend: str, clock: Clock,
) -> None:
    budget = CountingBudget()
    script = Script(httpx2.Response(429, headers={"Retry-After": "2"}), httpx2.Response(200))
    async with _session(script, retry=_policy(clock), rate_budget=budget) as session:
        await session._upload(SIGNED, b"image bytes", transfer_timeout=TransferTimeout())

    assert script.sent == ["PUT storage.test/bucket/img.png"] * 2  # retried after the 429
    assert clock.waits == [2.0]
    assert budget.attempts == 0
    assert budget.rate_limited == []


def test_the_sync_facade_takes_a_budget_and_awaits_it_on_its_loop() -> None:
    budget = CountingBudget()
    script = Script(_tags(429, **{"Retry-After": "0"}), _tags())
    with lightly_async.sync.LightlySession(
            token=TOKEN, base_url=BASE_URL, transport=script.transport(),
            rate_budget=budget) as session:
        assert session.dataset(DS).tags.list() == []

    assert budget.attempts == 2
    assert budget.rate_limited == [0.0]


@pytest.mark.parametrize("bad", [object(), "redis://", CountingBudget])
def test_something_that_is_no_budget_is_refused_before_anything_is_sent(
    bad: Callable[[], Any] | object,
) -> None:
    script = Script()
    with pytest.raises(la.InvalidInputError, match="rate_budget"):
        _session(script, rate_budget=bad)
    assert script.sent == []
