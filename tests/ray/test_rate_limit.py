"""A rate-limited fake (RATE requests/s over the whole server) and four Ray actors uploading
predictions: with a RayRateBudget shared by the actors the server answers at most a handful
of 429s; without it (each actor pausing on its own) it answers more. Nothing is lost either
way: every row succeeds, every sample has its prediction. The 429 counts are printed (and
reported by benchmarks/bench_ray.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import attrs
import pytest
from fake_process import FakeProcess
from test_pipeline import TASK, _new_version, _prediction

from lightly_async import LightlySession

ray = pytest.importorskip("ray", reason="the ray extra is not installed")
pytestmark = pytest.mark.usefixtures("ray_cluster")

RATE = 100  # requests/s the fake serves, over all its clients
WORKERS = 4
HANDFUL = 5
RETRIES = 50


@pytest.fixture
def rate_limited(fake_server: FakeProcess) -> Iterator[FakeProcess]:
    fake_server.command("rate_limit", per_second=RATE)
    fake_server.command("reset")
    try:
        yield fake_server
    finally:
        fake_server.command("rate_limit", per_second=None)


def _upload(config: Any, fake_server: FakeProcess, version: int,
            budget: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from lightly_async.ray import UpsertPredictions

    # retries enough for a request to get through however the workers crowd the limit
    config = attrs.evolve(config, max_retries=RETRIES)
    fake_server.command("rate_limit", per_second=RATE)  # a full bucket for each run
    fake_server.command("reset")
    rows = [{"sample_id": sid, "predictions": _prediction(i)}
            for i, sid in enumerate(fake_server.sample_ids)]
    out = ray.data.from_items(rows, override_num_blocks=WORKERS * 2).map_batches(
        UpsertPredictions, fn_constructor_args=(config, fake_server.dataset_id),
        fn_constructor_kwargs={"prediction_uuid_timestamp": version, "task_name": TASK,
                               "concurrency": 8, "rate_budget": budget},
        compute=ray.data.ActorPoolStrategy(size=WORKERS), num_cpus=0.25, batch_size=50,
    ).take_all()
    return out, fake_server.command("stats")


def _nothing_lost(out: list[dict[str, Any]], fake_server: FakeProcess, version: int, *,
                  all_ok: bool = True) -> int:
    """Every row has its outcome; a failed one is a reported 429 (retries spent), and the
    fake holds exactly the rows reported ok. Returns how many failed."""
    assert len(out) == len(fake_server.sample_ids)
    assert sorted(row["sample_id"] for row in out) == sorted(fake_server.sample_ids)
    failed = [row for row in out if not row["ok"]]
    if all_ok:
        assert failed == []
    assert {(row["error_type"], row["status_code"]) for row in failed} <= {
        ("RateLimitError", 429)}
    ok = {row["sample_id"] for row in out if row["ok"]}

    async def stored() -> list[Any]:
        async with LightlySession(fake_server.token, base_url=fake_server.base_url) as s:
            return await s.dataset(fake_server.dataset_id).predictions.list(
                prediction_uuid_timestamp=version)

    fake_server.command("rate_limit", per_second=None)
    listed = anyio.run(stored)
    # the listing answers in sample order, one list per sample stored at this version
    expected = [i % 3 for i, sid in enumerate(fake_server.sample_ids) if sid in ok]
    assert [p[0].category_id for p in listed if p] == expected
    return len(failed)


def test_a_shared_ray_rate_budget_keeps_four_workers_to_a_handful_of_429s(
    config: Any, rate_limited: FakeProcess
) -> None:
    from lightly_async.ray import RayRateBudget

    version = _new_version(rate_limited, 10)
    budget = RayRateBudget(rate=RATE)
    out, stats = _upload(config, rate_limited, version, budget)
    print(f"\n429s with a shared RayRateBudget(rate={RATE}): {stats}")
    assert stats["statuses"].get("429", 0) == stats["limited"]
    assert stats["limited"] <= HANDFUL
    assert stats["statuses"]["201"] == len(rate_limited.sample_ids)  # 201: upserted
    assert budget.stats()["acquired"] == len(rate_limited.sample_ids) + stats["limited"]
    _nothing_lost(out, rate_limited, version)


def test_without_a_shared_budget_four_workers_lose_nothing_silently(
    config: Any, rate_limited: FakeProcess
) -> None:
    version = _new_version(rate_limited, 11)
    out, stats = _upload(config, rate_limited, version, None)
    # crowding each other, a row may spend all its retries: reported, never dropped
    failed = _nothing_lost(out, rate_limited, version, all_ok=False)
    print(f"\n429s with a per-worker pause only: {json.dumps(stats)}; rows failed: {failed}")
    assert stats["statuses"].get("429", 0) == stats["limited"]
    assert stats["statuses"].get("201", 0) == len(out) - failed
