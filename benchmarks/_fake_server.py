"""The fake Lightly server in its own process, seeded for the benchmarks.

    python benchmarks/_fake_server.py [--samples N] [--raw-rows N] [--page-size N]
                                      [--latency S] [--list-latency S]

prints one JSON line (``base_url``, ``token``, ``dataset_id``, ``tag_id``, ``ts``,
``sample_ids``) and serves on 127.0.0.1 until its stdin is closed.

Why a process of its own: the official client is synchronous, so the server cannot share
its event loop, and a server thread in the client's process would share the client's GIL,
so every microsecond the server spends would be charged to whichever client is measured
(and on two cores the two could never run in parallel, as they do against a real API).
For the memory benchmark it is required anyway: the fake holding a million rows would
otherwise dominate the client's peak RSS.

The dataset gets ``--samples`` samples, an initial tag, an object-detection task schema at
``ts`` and ``--raw-rows`` datasource files (file ``i`` created at second ``i``). POSTs of
prediction singletons wait ``--latency`` seconds and every raw-file page
``--list-latency`` seconds (fault rules); everything else answers at once.
"""

from __future__ import annotations

import argparse
import asyncio

from _common import serve_until_stdin_closes

from lightly_async.testing import FakeLightly

TS = 1_700_000_000_000
PREDICTION_PATH = "/v1/datasets/*/predictions/samples/*"
LIST_PATH = "/v1/datasets/*/datasource/list"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--raw-rows", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--list-latency", type=float, default=0.0)
    args = parser.parse_args()

    fake = FakeLightly(seed=1)
    fake.page_size = args.page_size
    dataset_id = fake.create_dataset("bench", [f"img_{i:06d}.jpg" for i in range(args.samples)])
    tag_id = asyncio.run(_seed(fake, dataset_id)) if args.samples else None
    if args.raw_rows:
        fake.add_raw_files(dataset_id, ((f"raw/{i:07d}.jpg", i) for i in range(args.raw_rows)))
    if args.latency:
        fake.faults.add(method="POST", path=PREDICTION_PATH, latency=args.latency)
    if args.list_latency:
        fake.faults.add(method="GET", path=LIST_PATH, latency=args.list_latency)
    fake.calls.clear()  # the seeding went through the in-process transport

    # Not fake.serve_in_thread(): this process serves nothing else, so the server gets the
    # main thread and uvloop (see serve_until_stdin_closes).
    serve_until_stdin_closes(fake.app, {
        "token": fake.token, "dataset_id": dataset_id, "tag_id": tag_id, "ts": TS,
        "sample_ids": fake.sample_ids(dataset_id),
    })


async def _seed(fake: FakeLightly, dataset_id: str) -> str:
    import lightly_async as la

    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial(img_type="full")
        await ds.predictions.upsert_task_schema(
            la.PredictionTaskSchema(
                name="vehicles", type=la.TaskType.OBJECT_DETECTION,
                categories=[la.PredictionTaskSchemaCategory(id=i, name=n)
                            for i, n in enumerate(["car", "bus", "bike"])]),
            prediction_uuid_timestamp=TS)
        return (await ds.tags.get_initial()).id


if __name__ == "__main__":
    main()
