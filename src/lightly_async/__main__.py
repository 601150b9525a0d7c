"""``python -m lightly_async demo``: a realistic workflow end to end on the embedded fake server.

``python -m lightly_async demo --serve`` instead keeps the fake running on loopback and prints
its URL and token (as ``lightly-async fake serve`` does), so any client (this one, the official
one, curl) can be pointed at it. ``python -m lightly_async`` is the whole ``lightly-async``
command line; the demo's options are in :func:`add_demo_parser`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

import anyio

__all__ = ["add_demo_parser", "main", "run_demo"]

DEMO_SAMPLES = 3000


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m lightly_async``: the ``lightly-async`` command line."""
    from lightly_async.cli import main as cli_main

    return cli_main(argv, prog="python -m lightly_async")


def add_demo_parser(commands: Any) -> argparse.ArgumentParser:
    """The ``demo`` command and its options (``commands``: the CLI's sub-parsers)."""
    from lightly_async.cli._fake import add_serve_arguments

    demo: argparse.ArgumentParser = commands.add_parser(
        "demo", help="run the demo workflow against the embedded fake server")
    add_serve_arguments(demo, samples=None, when=" with --serve",
                        samples_help=f"default {DEMO_SAMPLES}, with --serve 100")
    demo.add_argument("--concurrency", type=int, default=32, help="bulk concurrency")
    demo.add_argument("--in-process", action="store_true",
                      help="talk to the fake in-process instead of over loopback HTTP")
    demo.add_argument("--serve", action="store_true",
                      help="only serve the fake (seeded as `fake serve` does) and print its "
                      "URL, until Ctrl-C")
    demo.set_defaults(handler=run_demo)
    return demo


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo (or, with ``--serve``, serve the fake) as ``args`` say."""
    import lightly_async as la
    try:
        from lightly_async.testing import FakeLightly  # noqa: F401
    except ImportError as exc:
        from lightly_async._install import install_hint

        print(f"the demo needs the fake server's extra: {install_hint('fake')} ({exc})",
              file=sys.stderr)
        return 2
    from lightly_async.cli._fake import fake_api as _fake_api

    if args.serve:
        from lightly_async.cli._fake import serve

        return serve(args)
    try:
        samples = DEMO_SAMPLES if args.samples is None else args.samples
        return anyio.run(_demo, samples, args.concurrency, args.in_process, _fake_api(args))
    except KeyboardInterrupt:
        return 130
    except (DemoCheckFailed, la.LightlyError) as exc:
        print(f"\ndemo FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


class DemoCheckFailed(Exception):
    """A result of the demo workflow was not what the fake's state implies."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise DemoCheckFailed(message)


class _Step:
    """Prints one line per step with its duration."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __enter__(self) -> _Step:
        print(f"- {self.text} ...", end="", flush=True)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        elapsed = time.perf_counter() - self.t0
        print(" failed" if exc_type else f" done in {elapsed:.2f}s", flush=True)


class _LineProgress:
    """A dependency-free progress bar on one terminal line."""

    def start(self, total: int, description: str) -> None:
        self.total, self.done, self.description, self.shown = total, 0, description, -1

    def advance(self, n: int) -> None:
        self.done += n
        pct = 100 * self.done // max(self.total, 1)
        if pct // 10 != self.shown // 10:
            self.shown = pct
            print(f" {pct}%", end="", flush=True)

    def close(self) -> None:
        pass


async def _demo(n_samples: int, concurrency: int, in_process: bool, api: str = "latest") -> int:
    import lightly_async as la
    from lightly_async.testing import FakeLightly

    began = time.perf_counter()
    fake = FakeLightly(seed=7, api=api)
    file_names = [f"img_{i:05d}.jpg" for i in range(n_samples)]
    dataset_id = fake.create_dataset("demo-dataset", file_names=file_names)
    t_now = int(time.time())
    fake.add_raw_files(dataset_id, [(f"raw/{i:05d}.jpg", t_now - 3600 + i % 1800)
                                    for i in range(n_samples)])
    embedding_id = fake.add_embedding(dataset_id)
    print(f"lightly_async {la.__version__} demo: fake dataset {dataset_id} "
          f"with {n_samples} samples ({'in-process' if in_process else 'loopback HTTP'}, "
          f"api={api})")

    async with _connect(fake, in_process, concurrency) as session:
        ds = session.dataset(dataset_id)
        with _Step("create the initial tag"):
            await ds.tags.create_initial(img_type="full")
            initial = await ds.tags.get_initial()
        _expect(initial.bit_mask_data.count() == n_samples, "initial tag must hold every sample")

        ts = int(time.time() * 1000)
        with _Step("upload a task schema"):
            await ds.predictions.upsert_task_schema(
                la.PredictionTaskSchema(name="vehicles", type=la.TaskType.OBJECT_DETECTION,
                                        categories=[la.PredictionTaskSchemaCategory(id=i, name=n)
                                                    for i, n in enumerate(["car", "bus", "bike"])]),
                prediction_uuid_timestamp=ts)
        sample_ids = [s.id for s in await ds.samples.list(mode="ids")]
        predictions = {
            sid: [la.PredictionSingletonObjectDetection(
                task_name="vehicles", category_id=i % 3, score=0.5 + (i % 50) / 100,
                bbox=[i % 640, i % 480, 32, 32])]
            for i, sid in enumerate(sample_ids)}
        with _Step(f"upload {len(predictions)} predictions, {concurrency} at a time"):
            result = await ds.predictions.upsert_many(
                predictions, prediction_uuid_timestamp=ts, concurrency=concurrency,
                progress=_LineProgress())
        result.raise_for_failures()

        n_pick = max(1, n_samples // 10)
        with _Step(f"CORESET sampling of {n_pick} samples (job polled to completion)"):
            selected = await ds.samplings.run(
                embedding_id, new_tag_name="coreset-selection", method=la.SamplingMethod.CORESET,
                config=la.SamplingConfig(stopping_condition=la.SamplingConfigStoppingCondition(
                    n_samples=n_pick)), timeout=60)
        _expect(selected.bit_mask_data.count() == n_pick, f"selection size: {selected}")

        with _Step("tag arithmetic: everything not selected"):
            rest = await ds.tags.arithmetics(initial.id, selected.id, "DIFFERENCE",
                                             new_tag_name="not-selected")
            if not isinstance(rest, la.CreateEntityResponse):
                raise DemoCheckFailed(f"expected a new tag, got {rest}")
            rest_tag = await ds.tags.get(rest.id)
        _expect(rest_tag.bit_mask_data.count() == n_samples - n_pick, "difference size")
        _expect(not rest_tag.bit_mask_data & selected.bit_mask_data, "difference overlaps")

        with _Step("LabelStudio export of the selection"):
            tasks = await ds.tags.export_label_studio(selected.id, expires_in=3600)
        _expect(len(tasks) == n_pick, f"{len(tasks)} tasks exported")

        with _Step("incremental raw-file listing (two batches)"):
            async with ds.datasource.new_raw_samples() as batch:
                first = [row.file_name async for row in batch]
            fake.add_raw_files(dataset_id, [(f"raw/late_{i}.jpg", int(time.time()))
                                            for i in range(5)])
            await anyio.sleep(1.1)  # a batch lists up to the last complete second
            async with ds.datasource.new_raw_samples() as batch:
                second = [row.file_name async for row in batch]
        _expect(len(first) == n_samples, f"first batch listed {len(first)} files")
        _expect(sorted(second) == [f"raw/late_{i}.jpg" for i in range(5)], f"second: {second}")
        stats = session.stats
        transport = session.transport_name

    print()
    print("Summary")
    print(f"  samples:            {n_samples}")
    print(f"  predictions:        {len(result.succeeded)} uploaded, {len(result.failed)} failed")
    print(f"  sampling:           tag {selected.name!r} with {selected.bit_mask_data.count()}"
          f" samples")
    print(f"  arithmetic:         tag {rest_tag.name!r} with {rest_tag.bit_mask_data.count()}"
          f" samples")
    print(f"  LabelStudio tasks:  {len(tasks)}")
    print(f"  raw files:          {len(first)} in the first batch, {len(second)} in the second")
    print(f"  HTTP requests:      {stats.requests} ({stats.retries} retries)")
    print(f"  transport:          {transport}")
    print(f"  total time:         {time.perf_counter() - began:.1f}s")
    return 0


def _connect(fake: Any, in_process: bool, concurrency: int) -> Any:
    from contextlib import asynccontextmanager

    import lightly_async as la

    if in_process:
        return fake.session(concurrency=concurrency)

    @asynccontextmanager
    async def loopback() -> Any:
        async with fake.serve() as base_url, la.LightlySession(
                token=fake.token, base_url=base_url, concurrency=concurrency,
                api=fake.api) as session:
            yield session

    return loopback()


if __name__ == "__main__":
    sys.exit(main())
