"""Fault soak: 2,000 prediction upserts over loopback while the fake misbehaves.

The figures, and why they are what they are:

* 2,000 upserts: 1,000 samples x 2 prediction versions, both ``upsert_many`` runs at once on
  one session (so they share its ceiling of 64 requests in flight and its 429 pause).
* 20 % error answers: four rules (500, 502, 503, 429 with ``Retry-After: 0.02``) whose rates
  are chained so that each answers 5 % of all attempts; then 2 % of attempts have their
  connection dropped after the response head (uvicorn closes the socket mid-response).
  About 22 % of attempts fail, so about 2,000 x 0.22 / 0.78 = 560 retries are expected.
* ``RetryPolicy(max_retries=8, initial_backoff=0.01, max_backoff=0.05)``: an item is lost
  only after 9 failed attempts in a row, 0.22**9 ~ 1e-6 per item; the short waits keep the
  whole soak at a few seconds on a laptop (``pytest -s`` prints the figures).

The test proves: no exception escapes, ``BulkResult.ok``, every attempt the fake saw is
accounted for by the session's counters, and the fake's store holds exactly the singletons
sent for every sample and version - nothing lost, duplicated or crossed between samples.
"""

from __future__ import annotations

import time

import anyio
import pytest

from lightly_async import LightlySession, _http
from lightly_async.testing import FakeLightly

from .server import FAST_RETRY, TOKEN, file_names, singletons_for, stored, task_schemas

SAMPLES = 1_000
VERSIONS = (1_700_000_000_000, 1_700_000_000_001)
ERROR_STATUSES = (500, 502, 503, 429)
ERROR_RATE = 0.20
DROP_RATE = 0.02
UPSERTS = "/v1/datasets/*/predictions/samples/*"


def _add_faults(fake: FakeLightly) -> None:
    # Rules draw in order and the first answering one wins, so rule k gets the share of what
    # the earlier rules left: each status ends up answering ERROR_RATE / 4 of all attempts.
    share = ERROR_RATE / len(ERROR_STATUSES)
    for k, status in enumerate(ERROR_STATUSES):
        fake.faults.add(method="POST", path=UPSERTS, status=status, rate=share / (1 - k * share),
                        retry_after=0.02 if status == 429 else None)
    fake.faults.add(method="POST", path=UPSERTS, drop=True, rate=DROP_RATE / (1 - ERROR_RATE))


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("pool", ["httpx2", "aiohttp"])
async def test_every_upsert_lands_exactly_once_when_a_fifth_of_attempts_fail(
    fake: FakeLightly, anyio_backend: str, pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_http.TRANSPORT_ENV, "auto" if pool == "aiohttp" else "httpx2")
    dataset_id = fake.create_dataset("soak", file_names(SAMPLES))
    sample_ids = fake.sample_ids(dataset_id)
    sent = {sid: singletons_for(n) for n, sid in enumerate(sample_ids)}
    results = {}

    async with fake.serve() as base_url, LightlySession(
            token=TOKEN, base_url=base_url, retry=FAST_RETRY) as session:
        ds = session.dataset(dataset_id)
        for version in VERSIONS:
            for schema in task_schemas():
                await ds.predictions.upsert_task_schema(schema, prediction_uuid_timestamp=version)
        _add_faults(fake)
        requests_before = session.stats.requests
        started = time.perf_counter()

        async def upload(version: int) -> None:
            results[version] = await ds.predictions.upsert_many(
                sent, prediction_uuid_timestamp=version)

        async with anyio.create_task_group() as tg:
            for version in VERSIONS:
                tg.start_soon(upload, version)
        elapsed = time.perf_counter() - started
        attempts = session.stats.requests - requests_before
        retries = session.stats.retries
        chosen = session._client._transport
        if pool == "aiohttp":  # the soak really ran on aiohttp's pool
            assert isinstance(chosen, _http.AutoTransport)
            assert isinstance(chosen.chosen, _http.AiohttpTransport)
        else:
            assert not isinstance(chosen, _http.AutoTransport)  # httpx2's own pool

    faults = sum(rule.fired for rule in fake.faults.rules)
    by_status = {r.status or "drop": r.fired for r in fake.faults.rules}
    print(f"\nfault soak ({pool}): {len(VERSIONS) * SAMPLES} upserts, {attempts} attempts, "
          f"{faults} faults injected {by_status}, {retries} retries, {elapsed:.1f}s")

    for version in VERSIONS:
        result = results[version]
        assert result.ok, result
        assert sorted(result.succeeded) == sorted(sample_ids)
        assert stored(fake, dataset_id, version) == sent
    # Every attempt the server saw was sent by the session, every fault cost one retry.
    # (Counted by path once the server has stopped: the fake records a call after answering
    # it, so a count taken while it serves may miss the latest schema upsert.)
    upserts = [c for c in fake.calls if "/predictions/samples/" in c.path]
    assert len(upserts) == attempts
    assert retries == faults == attempts - len(VERSIONS) * SAMPLES
    assert all(rule.fired > 0 for rule in fake.faults.rules)
