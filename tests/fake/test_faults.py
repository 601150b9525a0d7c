"""Fault injection: status + Retry-After, times, rate, malformed bodies, latency, drops."""

from __future__ import annotations

import httpx
import pytest

from lightly_async.testing import DroppedConnection, FakeLightly


@pytest.mark.asyncio
async def test_status_fault_answers_the_error_with_retry_after_when_it_fires(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    rule = fake.faults.add(method="GET", path="/v1/datasets/*/tags", status=503, retry_after=2)
    r = await client.get(f"/v1/datasets/{ds}/tags")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "2"
    assert r.json()["code"] == "INTERNAL_SERVER_ERROR"
    assert (rule.fired, fake.faults.fired) == (1, 1)
    assert fake.calls[-1].status == 503


@pytest.mark.asyncio
async def test_fault_stops_firing_when_times_is_used_up(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    fake.faults.add(path="*/tags", status=429, times=2)
    statuses = [(await client.get(f"/v1/datasets/{ds}/tags")).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]


@pytest.mark.asyncio
async def test_fault_leaves_other_routes_and_methods_alone_when_they_do_not_match(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    fake.faults.add(method="POST", path="*/tags", status=500)
    assert (await client.get(f"/v1/datasets/{ds}/tags")).status_code == 200
    assert (await client.get(f"/users/datasets/{ds}/samples")).status_code == 200
    assert fake.faults.fired == 0


@pytest.mark.asyncio
async def test_fault_rate_draws_are_reproducible_when_the_seed_is_the_same():
    outcomes = []
    for _ in range(2):
        fake = FakeLightly(seed=3, api="seed")
        ds = fake.create_dataset("x")
        fake.faults.add(status=500, rate=0.5)
        async with httpx.AsyncClient(
            transport=fake.transport(), base_url="http://x", params={"token": fake.token}
        ) as c:
            outcomes.append(
                [(await c.get(f"/v1/datasets/{ds}/tags")).status_code for _ in range(20)]
            )
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 500}


@pytest.mark.asyncio
async def test_malformed_fault_sends_broken_json_with_200_when_it_fires(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    fake.faults.add(path="/v1/jobs/*", malformed=True)
    r = await client.get("/v1/jobs/anything")
    assert r.status_code == 200
    with pytest.raises(ValueError, match="Expecting"):
        r.json()


@pytest.mark.asyncio
async def test_latency_fault_delays_then_serves_normally_when_no_status_is_set(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    rule = fake.faults.add(latency=0.001)
    r = await client.get(f"/v1/datasets/{ds}/tags")
    assert (r.status_code, rule.fired) == (200, 1)


@pytest.mark.asyncio
async def test_drop_fault_surfaces_as_a_transport_error_when_served_in_process(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    fake.faults.add(drop=True, times=1)
    with pytest.raises(httpx.TransportError):
        await client.get(f"/v1/datasets/{ds}/tags")
    assert issubclass(DroppedConnection, httpx.TransportError)
    assert fake.calls[-1].status is None
    assert (await client.get(f"/v1/datasets/{ds}/tags")).status_code == 200


@pytest.mark.asyncio
async def test_drop_fault_closes_the_connection_when_served_over_loopback(
    fake: FakeLightly, ds: str
):
    fake.faults.add(path="*/tags", drop=True, times=1)
    async with (
        fake.serve(log_level="critical") as base_url,
        httpx.AsyncClient(base_url=base_url, params={"token": fake.token}) as c,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(f"/v1/datasets/{ds}/tags")
        assert (await c.get(f"/v1/datasets/{ds}/tags")).status_code == 200


def test_clear_removes_rules_when_called(fake: FakeLightly):
    fake.faults.add(status=500)
    fake.faults.clear()
    assert fake.faults.rules == []


@pytest.mark.parametrize(
    "kwargs", [{"rate": 1.5}, {"latency": -1.0}, {"status": 500, "drop": True}, {"times": -1}]
)
def test_add_raises_when_the_rule_is_contradictory(fake: FakeLightly, kwargs: dict[str, object]):
    with pytest.raises(ValueError):  # noqa: PT011
        fake.faults.add(**kwargs)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_drop_fault_reaches_the_client_as_a_connection_error_when_using_a_session(
    fake: FakeLightly, ds: str
):
    from lightly_async import APIConnectionError

    fake.faults.add(path="*/tags", drop=True)
    async with fake.session(max_retries=0) as session:
        with pytest.raises(APIConnectionError):
            await session.dataset(ds).tags.list()
