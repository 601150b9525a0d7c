"""``lightly-async fake serve`` (and ``python -m lightly_async demo --serve``): a seeded fake
Lightly server on loopback until Ctrl-C, printing what a client needs to reach it."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

import anyio

from lightly_async.cli._commands import UsageError

if TYPE_CHECKING:
    from lightly_async.testing import FakeLightly

__all__ = ["PREDICTION_VERSION", "SERVED_SAMPLES", "add_serve_arguments", "fake_api", "seed",
           "serve"]

SERVED_SAMPLES = 100
"""Samples in the served dataset unless ``--samples`` says otherwise."""
PREDICTION_VERSION = 1_700_000_000_000
"""The prediction version at which the served fake has its task schema."""


def add_serve_arguments(parser: argparse.ArgumentParser, *, samples: int | None = 100,
                        when: str = "", samples_help: str = "default 100") -> None:
    """The options of a served fake; shared by ``fake serve`` and ``demo --serve``
    (``when`` notes when the host and port apply)."""
    parser.add_argument("--host", default="127.0.0.1",
                        help=f"interface to listen on{when} (default 127.0.0.1: loopback only)")
    parser.add_argument("--port", type=int, default=0,
                        help=f"port to listen on{when} (default 0: a free one, printed)")
    parser.add_argument("--samples", type=int, default=samples,
                        help=f"samples in the dataset ({samples_help})")
    parser.add_argument("--api", choices=("latest", "seed"), default=None,
                        help="the contract the fake speaks: latest (the default, or "
                        "$LIGHTLY_API: the API as served today, as lightly 1.5.20 expects) or "
                        "seed (the seed documents' paths)")


def fake_api(args: argparse.Namespace) -> str:
    """The dialect a served fake speaks: ``--api``, else ``$LIGHTLY_API``, else latest."""
    api: str = args.api or os.environ.get("LIGHTLY_API") or "latest"
    if api not in ("latest", "seed"):
        raise UsageError(f"LIGHTLY_API must be latest or seed, got {api!r}")
    return api


def serve(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the URL, token and dataset id as shell exports."""
    from lightly_async._install import install_hint

    if args.samples is None:
        args.samples = SERVED_SAMPLES
    if args.samples < 1:
        print("lightly-async: error: --samples must be >= 1", file=sys.stderr)
        return 2
    rate_limit = getattr(args, "rate_limit", None)
    if rate_limit is not None and not 0 < rate_limit < float("inf"):
        print("lightly-async: error: --rate-limit must be a positive number", file=sys.stderr)
        return 2
    try:
        from lightly_async.testing import FakeLightly
    except ImportError as exc:
        print(f"lightly-async: error: the fake server needs the fake extra: "
              f"{install_hint('fake')} ({exc})", file=sys.stderr)
        return 2
    args.api = fake_api(args)
    fake = FakeLightly(api=args.api)
    dataset_id = seed(fake, args.samples)
    if rate_limit is not None:  # after seeding: the seed's own requests are not limited
        fake.faults.add_rate_limit(rate_limit)
    anyio.run(_serve_forever, fake, dataset_id, args)
    return 0


def seed(fake: FakeLightly, samples: int) -> str:
    """A dataset with ``samples`` samples (each with a small image to download), its initial
    tag, as many raw files in a datasource, an embedding, a classification task schema and a
    simulated Lightly Worker (``fake-worker``, taking every run); returns the dataset id."""
    from lightly_async.models import (
        PredictionTaskSchema,
        PredictionTaskSchemaCategory,
        TaskType,
    )

    names = [f"img_{i:05d}.jpg" for i in range(samples)]
    dataset_id = fake.create_dataset("demo", file_names=names)
    now = int(time.time())
    fake.add_raw_files(dataset_id, [(f"raw/{name}", now - samples + i)
                                    for i, name in enumerate(names)])
    fake.add_embedding(dataset_id)

    async def through_the_api() -> None:
        async with fake.session() as session:
            ds = session.dataset(dataset_id)
            await ds.tags.create_initial()
            images = {sid: (name, _image_bytes(name))
                      for sid, name in zip(fake.sample_ids(dataset_id), names, strict=True)}
            (await ds.samples.upload_images(images, progress=False)).raise_for_failures()
            await ds.predictions.upsert_task_schema(PredictionTaskSchema(
                name="classification", type=TaskType.CLASSIFICATION,
                categories=[PredictionTaskSchemaCategory(id=i, name=n)
                            for i, n in enumerate(["cat", "dog", "bird"])]),
                prediction_uuid_timestamp=PREDICTION_VERSION)

    anyio.run(through_the_api)
    fake.add_worker("fake-worker")  # a simulated Lightly Worker takes every run
    return dataset_id


def _image_bytes(name: str) -> bytes:
    """Stand-in image content: a JPEG start-of-image marker and the file's name."""
    return b"\xff\xd8\xff\xe0" + name.encode()


async def _serve_forever(fake: FakeLightly, dataset_id: str, args: argparse.Namespace) -> None:
    async with fake.serve(host=args.host, port=args.port) as base_url:
        if args.host in ("0.0.0.0", "::"):  # listening everywhere: reach it over loopback here
            base_url = base_url.replace(f"//{args.host}:", "//127.0.0.1:")
        limit = getattr(args, "rate_limit", None)
        limited = f", {limit:g} requests/s" if limit is not None else ""
        print(f"fake Lightly server on {base_url} (api={args.api}{limited}) - Ctrl-C to stop")
        n = args.samples
        print(f"# dataset {dataset_id}: {n} samples with images, tag 'initial-tag', {n} raw "
              f"files; task 'classification' (cat, dog, bird) at prediction version "
              f"{PREDICTION_VERSION}")
        print(f"export LIGHTLY_TOKEN={fake.token}")
        print(f"export LIGHTLY_SERVER_LOCATION={base_url}")
        print(f"export LIGHTLY_DATASET_ID={dataset_id}", flush=True)
        if args.api != "latest":  # clients speak the fake's dialect
            print(f"export LIGHTLY_API={args.api}", flush=True)
        await anyio.sleep_forever()
