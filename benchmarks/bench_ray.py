"""Rows/s of one process against Ray on this machine, and the 429s four Ray workers draw
from a rate-limited server with and without a shared budget (docs/ray.md, "Tests and
figures").

    python benchmarks/bench_ray.py [--sizes 500 5000] [--rate 100] [--latency 0.05]

Needs the ray extra and the fake (``pip install -e ".[ray,fake]"``). The fake runs in a
process of its own on 127.0.0.1 (tests/ray/fake_process.py); Ray starts locally with 2 CPUs,
every listener on loopback, no dashboard, no usage stats; its start-up is not timed, the
actors' is (a fresh pool per ``map_batches``). Prints a Markdown table per figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # the node on 127.0.0.1: see docs
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ray"))

import anyio  # noqa: E402
import ray  # noqa: E402
from fake_process import FakeProcess  # noqa: E402

import lightly_async as la  # noqa: E402
from lightly_async.cli._fake import PREDICTION_VERSION  # noqa: E402
from lightly_async.ray import RayRateBudget, UpsertPredictions, read_raw_samples  # noqa: E402

TASK = "classification"
WORKERS = 4


def _prediction(i: int) -> str:
    return json.dumps([{"type": "CLASSIFICATION", "categoryId": i % 3, "score": 0.8}])


def _singletons(i: int) -> list[Any]:
    return [la.models.PredictionSingletonClassification(task_name=TASK, category_id=i % 3,
                                                        score=0.8)]


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _new_version(server: FakeProcess, offset: int) -> int:
    from lightly_async.models import (
        PredictionTaskSchema,
        PredictionTaskSchemaCategory,
        TaskType,
    )

    async def create() -> None:
        async with la.LightlySession(server.token, base_url=server.base_url) as session:
            await session.dataset(server.dataset_id).predictions.upsert_task_schema(
                PredictionTaskSchema(name=TASK, type=TaskType.CLASSIFICATION, categories=[
                    PredictionTaskSchemaCategory(id=i, name=n)
                    for i, n in enumerate(["cat", "dog", "bird"])]),
                prediction_uuid_timestamp=PREDICTION_VERSION + offset)

    anyio.run(create)
    return PREDICTION_VERSION + offset


def list_single(server: FakeProcess) -> int:
    async def run() -> int:
        async with la.LightlySession(server.token, base_url=server.base_url) as session:
            n = 0
            async for _ in session.dataset(server.dataset_id).datasource.list_raw_samples(
                    from_=0):
                n += 1
            return n
    return anyio.run(run)


def list_ray(server: FakeProcess, config: la.SessionConfig, shards: int) -> int:
    return read_raw_samples(config, server.dataset_id, shards=shards, from_=0).count()


def upload_single(server: FakeProcess, version: int) -> int:
    async def run() -> int:
        async with la.LightlySession(server.token, base_url=server.base_url) as session:
            result = await session.dataset(server.dataset_id).predictions.upsert_many(
                {sid: _singletons(i) for i, sid in enumerate(server.sample_ids)},
                prediction_uuid_timestamp=version)
            return len(result.succeeded)
    return anyio.run(run)


def upload_ray(server: FakeProcess, config: la.SessionConfig, version: int,
               budget: Any = None) -> int:
    rows = [{"sample_id": sid, "predictions": _prediction(i)}
            for i, sid in enumerate(server.sample_ids)]
    out = ray.data.from_items(rows, override_num_blocks=WORKERS * 2).map_batches(
        UpsertPredictions, fn_constructor_args=(config, server.dataset_id),
        fn_constructor_kwargs={"prediction_uuid_timestamp": version, "task_name": TASK,
                               "concurrency": 8, "rate_budget": budget},
        compute=ray.data.ActorPoolStrategy(size=WORKERS), num_cpus=0.25, batch_size=50,
    ).take_all()
    return sum(1 for row in out if row["ok"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()

    servers = {n: FakeProcess(n) for n in args.sizes}
    os.environ["LIGHTLY_TOKEN"] = servers[args.sizes[0]].token  # the workers inherit it
    ray.init(address="local", num_cpus=2, include_dashboard=False,
             _node_ip_address="127.0.0.1", log_to_driver=False)
    try:
        print(f"## rows/s, one process vs Ray ({WORKERS} actors / {args.shards} shards)\n")
        print("| job | rows | one process | Ray | one process rows/s | Ray rows/s |")
        print("|---|---:|---:|---:|---:|---:|")
        for n, server in servers.items():
            config = la.SessionConfig(base_url=server.base_url, max_retries=8)
            for latency in (0.0, args.latency):
                if latency:
                    server.command("latency", path="*/datasource/list", seconds=latency)
                single, t1 = _timed(lambda s=server: list_single(s))
                many, t2 = _timed(lambda s=server, c=config: list_ray(s, c, args.shards))
                server.command("latency", path="", seconds=0)
                assert single == many == n, (single, many, n)
                job = "listing" + (f", {latency * 1000:g} ms/page" if latency else "")
                print(f"| {job} | {n} | {t1:.2f} s | {t2:.2f} s | {n / t1:,.0f} | "
                      f"{n / t2:,.0f} |")
            version = _new_version(server, 100)
            done1, t1 = _timed(lambda s=server, v=version: upload_single(s, v))
            version = _new_version(server, 101)
            done2, t2 = _timed(lambda s=server, c=config, v=version: upload_ray(s, c, v))
            assert done1 == done2 == n, (done1, done2, n)
            print(f"| uploads | {n} | {t1:.2f} s | {t2:.2f} s | {n / t1:,.0f} | "
                  f"{n / t2:,.0f} |")

        server = servers[min(servers)]
        config = la.SessionConfig(base_url=server.base_url, max_retries=30)
        print(f"\n## 429s: {len(server.sample_ids)} uploads, {WORKERS} Ray actors x 8 in "
              f"flight, a server limit of {args.rate:g} requests/s\n")
        print("| budget | 429s | rows ok | time |")
        print("|---|---:|---:|---:|")
        budgets = [("per-actor pause (no shared budget)", lambda: None),
                   ("RayRateBudget() (shared pause)", RayRateBudget),
                   (f"RayRateBudget(rate={args.rate:g})",
                    lambda: RayRateBudget(rate=args.rate))]
        for i, (label, make) in enumerate(budgets):
            version = _new_version(server, 200 + i)
            server.command("rate_limit", per_second=args.rate)
            server.command("reset")
            done, elapsed = _timed(lambda v=version, m=make: upload_ray(server, config, v,
                                                                         m()))
            stats = server.command("stats")
            server.command("rate_limit", per_second=None)
            print(f"| {label} | {stats['limited']} | {done}/{len(server.sample_ids)} | "
                  f"{elapsed:.2f} s |")
    finally:
        ray.shutdown()
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
