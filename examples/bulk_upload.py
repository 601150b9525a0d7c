"""Bulk-upload object detections from a CSV export to a Lightly dataset.

    LIGHTLY_TOKEN=... python examples/bulk_upload.py DATASET_ID detections.csv VERSION

The CSV has one detection per line: ``sample_id,task,category_id,score,x,y,w,h``. VERSION is
the prediction version (``predictionUUIDTimestamp``, milliseconds) under which the tasks'
schemas were created. All rows are validated before the first request; uploads run 32 at a
time; every sample's outcome is reported, and the exit code is non-zero if any sample failed.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

import anyio

import lightly_async as la


def read_detections(path: Path) -> dict[str, list[la.PredictionSingleton]]:
    """Group the CSV's detections by sample id."""
    by_sample: dict[str, list[la.PredictionSingleton]] = defaultdict(list)
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            by_sample[row["sample_id"]].append(la.PredictionSingletonObjectDetection(
                task_name=row["task"], category_id=int(row["category_id"]),
                score=float(row["score"]),
                bbox=[int(row[k]) for k in ("x", "y", "w", "h")]))
    return dict(by_sample)


async def upload(session: la.LightlySession, dataset_id: str, csv_path: Path,
                 *, version: int) -> la.BulkResult[str, la.CreateEntityResponse]:
    """Upload every sample's detections as one prediction version; return the outcomes."""
    detections = read_detections(csv_path)
    ds = session.dataset(dataset_id)
    result = await ds.predictions.upsert_many(
        detections,
        prediction_uuid_timestamp=version,
        concurrency=32,
    )
    print(f"{len(result.succeeded)} samples uploaded, {len(result.failed)} failed")
    for sample_id, error in result.failed.items():
        print(f"  {sample_id}: {error}", file=sys.stderr)
    return result


async def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    dataset_id, csv_path, version = argv[1], Path(argv[2]), int(argv[3])
    async with la.LightlySession() as session:          # LIGHTLY_TOKEN from the environment
        result = await upload(session, dataset_id, csv_path, version=version)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(anyio.run(main, sys.argv))
