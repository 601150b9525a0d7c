"""A Lightly Worker run from start to finish: schedule, watch, harvest.

    LIGHTLY_TOKEN=... python examples/worker_run.py DATASET_ID OUT_DIR [--samples N] \
        [--runs-on LABEL]... [--poll-interval S]

The dataset must have its datasource configured (the worker reads the files from there) and a
Lightly Worker must be running with your token. The script schedules a run selecting N diverse
samples (default 5) on the worker's embeddings, prints each change of the run's state until it
ends, then reads the tag the run created, prints the selected file names with signed read URLs,
downloads the selected images into OUT_DIR/images and the report into OUT_DIR/report_v2.json,
and prints the report's summary. Exit status 1 if the run failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import anyio

import lightly_async as la


async def run_and_harvest(
    session: la.LightlySession,
    dataset_id: str,
    out_dir: Path,
    *,
    n_samples: int = 5,
    runs_on: list[str] | None = None,
    poll_interval: float = 30.0,
) -> tuple[la.DockerRunData, dict[str, str], dict[str, Any]]:
    """Schedule a selection run, wait for it, download what it selected and its report.

    Returns the run, the selected file names with their read URLs, and the report.
    """
    ds = session.dataset(dataset_id)
    datasource = await ds.datasource.get()
    print(f"datasource: {type(datasource).__name__} {getattr(datasource, 'full_path', '')}")
    scheduled_id = await ds.runs.schedule(
        worker_config={"enable_training": False},
        selection_config={
            "n_samples": n_samples,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
        runs_on=runs_on or [],
    )
    print(f"scheduled run {scheduled_id}")
    run = await ds.runs.wait(scheduled_id, poll_interval=poll_interval, progress=_show)

    tags = await session.runs.tags(run.id, dataset_id=dataset_id)
    selected = next(t for t in tags if t.prev_tag_id is not None)  # newest first
    names = await ds.tags.filenames(selected.id)
    ids_by_name = dict(zip(await ds.mappings.file_names(), await ds.mappings.sample_ids(),
                           strict=True))
    chosen = {ids_by_name[name]: name for name in names}
    urls = {name: await ds.samples.read_url(sample_id) for sample_id, name in chosen.items()}

    images = out_dir / "images"
    await anyio.Path(images).mkdir(parents=True, exist_ok=True)
    (await ds.samples.download(chosen, images, if_exists="overwrite")).raise_for_failures()
    await session.runs.download_artifact(run, "REPORT_V2_JSON", out_dir / "report_v2.json",
                                         if_exists="overwrite")
    report = await session.runs.report(run)
    return run, urls, report


def _show(info: la.RunInfo) -> None:
    state = getattr(info.state, "value", info.state)
    print(f"  {state}" + (f": {info.message}" if info.message else ""), flush=True)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset_id")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--runs-on", action="append", default=[])
    parser.add_argument("--poll-interval", type=float, default=30.0)
    args = parser.parse_args(argv[1:])
    async with la.LightlySession() as session:          # LIGHTLY_TOKEN from the environment
        try:
            run, urls, report = await run_and_harvest(
                session, args.dataset_id, args.out_dir, n_samples=args.samples,
                runs_on=args.runs_on, poll_interval=args.poll_interval)
        except la.RunFailedError as exc:
            print(f"the run failed: {exc}", file=sys.stderr)
            return 1
    print(f"run {run.id} completed; selected:")
    for name, url in urls.items():
        print(f"  {name}\t{url.split('?')[0]}?…")  # the signature is a credential: not shown
    print(f"report: {json.dumps(report.get('selection', report))}")
    return 0


if __name__ == "__main__":
    sys.exit(anyio.run(main, sys.argv))
