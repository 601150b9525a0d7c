"""An asyncio service that ingests new raw files from a dataset's datasource.

    LIGHTLY_TOKEN=... python examples/service.py DATASET_ID [--interval 60] [--once]

One long-lived session serves the whole process. Every ``interval`` seconds the service
processes the raw files that appeared since the last run; the datasource's bookmark moves only
after a batch was processed completely, so a crash or a deploy in the middle of a batch means
that batch is seen again, never lost. SIGINT/SIGTERM stop it between batches.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

import lightly_async as la

log = logging.getLogger("ingest")


async def process(row: la.models.DatasourceRawSamplesDataRow) -> None:
    """Your work on one file: download it from ``row.read_url``, run a model, ..."""
    log.debug("processing %s", row.file_name)


async def ingest_once(ds: la.Dataset) -> int:
    """Process one batch of new raw files; returns how many there were."""
    count = 0
    async with ds.datasource.new_raw_samples() as batch:
        async for row in batch:
            await process(row)
            count += 1
    log.info("processed %d new files up to %d", count, batch.to)
    return count


async def serve(session: la.LightlySession, dataset_id: str, *, interval: float,
                once: bool = False) -> int:
    """Run batches until stopped (or once); returns the number of files processed."""
    ds = session.dataset(dataset_id)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not possible off the main thread or on Windows: then Ctrl-C simply cancels.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    total = 0
    try:
        while True:
            try:
                total += await ingest_once(ds)
            except la.APIConnectionError as exc:  # transient, retried already: next round
                log.warning("batch skipped: %s", exc)
            if once:
                return total
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
                return total
            except TimeoutError:
                continue
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset_id")
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    async with la.LightlySession() as session:
        await serve(session, args.dataset_id, interval=args.interval, once=args.once)


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
