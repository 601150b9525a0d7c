"""The rate-limit fault: a token bucket over the whole server, then 429 with Retry-After."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import httpx
import pytest

from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly


class Clock:
    """A hand-moved monotonic clock (no wall clock in the assertions)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _statuses(client: httpx.AsyncClient, ds: str, n: int) -> list[int]:
    return [(await client.get(f"/v1/datasets/{ds}/tags")).status_code for _ in range(n)]


@pytest.mark.asyncio
async def test_rate_limit_lets_the_burst_through_then_answers_429_with_retry_after(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    clock = Clock()
    limit = fake.faults.add_rate_limit(4, clock=clock)
    assert await _statuses(client, ds, 4) == [200] * 4
    r = await client.get(f"/v1/datasets/{ds}/tags")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "0.25"  # one token every 1/4 s
    assert r.json()["code"] == "TOO_MANY_REQUESTS"
    assert (limit.allowed, limit.limited, fake.faults.fired) == (4, 1, 1)
    assert fake.calls[-1].status == 429


@pytest.mark.asyncio
async def test_rate_limit_refills_at_the_rate_when_time_passes(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    clock = Clock()
    limit = fake.faults.add_rate_limit(10, burst=2, clock=clock)
    assert await _statuses(client, ds, 3) == [200, 200, 429]
    clock.now += 0.05  # half a token: still refused, and told how long the rest takes
    r = await client.get(f"/v1/datasets/{ds}/tags")
    assert (r.status_code, r.headers["retry-after"]) == (429, "0.05")
    clock.now += 0.05
    assert await _statuses(client, ds, 2) == [200, 429]
    clock.now += 10.0  # a long quiet spell saves at most `burst` tokens
    assert await _statuses(client, ds, 3) == [200, 200, 429]
    assert (limit.allowed, limit.limited) == (5, 4)


@pytest.mark.asyncio
async def test_rate_limit_is_shared_by_every_client_of_the_server(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    clock = Clock()
    fake.faults.add_rate_limit(3, clock=clock)
    async with httpx.AsyncClient(transport=fake.transport(), base_url=FAKE_BASE_URL,
                                 params={"token": DEFAULT_TOKEN}) as other:
        assert await _statuses(client, ds, 2) == [200, 200]
        assert await _statuses(other, ds, 2) == [200, 429]
        assert await _statuses(client, ds, 1) == [429]


@pytest.mark.asyncio
async def test_rate_limit_applies_only_to_matching_requests_when_filtered(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    clock = Clock()
    limit = fake.faults.add_rate_limit(1, method="GET", path="*/tags", retry_after=7,
                                       clock=clock)
    assert await _statuses(client, ds, 2) == [200, 429]
    r = await client.get(f"/v1/datasets/{ds}/tags")
    assert r.headers["retry-after"] == "7"  # the fixed Retry-After
    samples = [(await client.get(f"/users/datasets/{ds}/samples")).status_code
               for _ in range(3)]
    assert samples == [200] * 3
    assert (limit.allowed, limit.limited) == (1, 2)


@pytest.mark.asyncio
async def test_rate_limit_answers_before_other_faults_and_is_removed_by_clear(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    clock = Clock()
    fake.faults.add_rate_limit(1, clock=clock)
    rule = fake.faults.add(status=503, times=1)
    assert await _statuses(client, ds, 2) == [503, 429]
    assert rule.fired == 1
    fake.faults.clear()
    assert fake.faults.rate_limits == []
    assert await _statuses(client, ds, 3) == [200] * 3
    fake.faults.add_rate_limit(1, clock=clock)
    fake.faults.reset()
    assert (fake.faults.rate_limits, fake.faults.fired) == ([], 0)


@pytest.mark.parametrize("kwargs", [
    {"per_second": 0}, {"per_second": -1.0}, {"per_second": float("inf")},
    {"per_second": float("nan")}, {"per_second": 5, "burst": 0.5},
    {"per_second": 5, "retry_after": -1.0},
])
def test_add_rate_limit_raises_when_the_limit_is_meaningless(
    fake: FakeLightly, kwargs: dict[str, float]
):
    with pytest.raises(ValueError):  # noqa: PT011
        fake.faults.add_rate_limit(**kwargs)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_session_waits_out_the_429s_and_succeeds_when_rate_limited() -> None:
    from lightly_async import LightlySession

    fake = FakeLightly(api="latest")
    ds = fake.create_dataset("x", ["a.jpg"])
    ticks = iter(range(10_000))
    # each look at the clock moves it 0.1 s: at 5/s a refused request finds a token on retry
    limit = fake.faults.add_rate_limit(5, burst=1, clock=lambda: next(ticks) * 0.1)
    async with fake.session(max_retries=3) as session:
        assert isinstance(session, LightlySession)
        for _ in range(3):
            assert [t.name for t in await session.dataset(ds).tags.list()] == []
    assert limit.limited >= 1
    assert [c.status for c in fake.calls].count(200) == 3
    assert [c.status for c in fake.calls].count(429) == limit.limited


def test_fake_serve_rate_limit_option_limits_the_served_fake() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")}
    # one token per 100 s and a burst of one: the second request is always refused
    proc = subprocess.Popen(
        [sys.executable, "-m", "lightly_async", "fake", "serve", "--samples", "2",
         "--rate-limit", "0.01"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.match(r"fake Lightly server on (http://127\.0\.0\.1:\d+) "
                         r"\(api=latest, 0\.01 requests/s\)", first)
        assert found, first + (proc.stderr.read() if proc.poll() is not None and proc.stderr
                               else "")
        base_url = found.group(1)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        codes = []
        for _ in range(2):
            try:
                codes.append(opener.open(f"{base_url}/v1/datasets", timeout=10).status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
                retry_after = exc.headers["Retry-After"]
        assert codes == [401, 429]  # no token: the first passes the limit, then auth fails
        assert 0 < float(retry_after) <= 100
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_fake_serve_rejects_a_meaningless_rate_limit() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lightly_async", "fake", "serve", "--rate-limit", "0"],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "--rate-limit must be a positive number" in proc.stderr
