"""From a dataset name and an embedding name to a sampled tag, exported for Label Studio.

    LIGHTLY_TOKEN=... python examples/end_to_end.py DATASET_NAME EMBEDDING_NAME TAG_NAME \
        [--samples N] [--out tasks.json]

Finds the dataset by its name (creating it if there is none: upload images and an embedding
to it, then run again), finds the embedding by its name, makes sure the initial tag exists,
runs a CORESET sampling of N samples (default 10) into a new tag TAG_NAME and exports that tag
as Label Studio tasks. With ``--out`` the tasks are written as JSON (their image URLs are
signed: anyone holding the file can read the images until they expire); the file names of the
selected samples are printed either way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import anyio

import lightly_async as la


async def sample_and_export(
    session: la.LightlySession,
    dataset_name: str,
    embedding_name: str,
    tag_name: str,
    *,
    n_samples: int = 10,
) -> tuple[la.TagData, list[la.models.LabelStudioTask]]:
    """Sample ``n_samples`` into ``tag_name`` on the named embedding; return the tag and its
    Label Studio tasks."""
    ds = session.dataset(await session.datasets.get_by_name(dataset_name))
    embedding = await ds.embeddings.get_by_name(embedding_name)
    try:
        await ds.tags.get_initial()
    except la.NameNotFoundError:
        await ds.tags.create_initial()
    tag = await ds.samplings.run(
        embedding,
        new_tag_name=tag_name,
        method=la.SamplingMethod.CORESET,
        config=la.SamplingConfig(
            stopping_condition=la.SamplingConfigStoppingCondition(n_samples=n_samples)),
    )
    return tag, await ds.tags.export_label_studio(tag.id)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset_name")
    parser.add_argument("embedding_name")
    parser.add_argument("tag_name")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv[1:])
    async with la.LightlySession() as session:          # LIGHTLY_TOKEN from the environment
        try:
            tag, tasks = await sample_and_export(
                session, args.dataset_name, args.embedding_name, args.tag_name,
                n_samples=args.samples)
        except la.NameNotFoundError as exc:
            if exc.kind != "dataset":
                print(f"error: {exc}", file=sys.stderr)
                return 1
            created = await session.datasets.create(args.dataset_name)
            print(f"created dataset {created.name!r} ({created.id}): upload images and an "
                  f"embedding named {args.embedding_name!r} to it, then run again",
                  file=sys.stderr)
            return 1
        except (la.AmbiguousNameError, la.InvalidInputError, la.APIError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"tag {tag.name!r}: {tag.bit_mask_data.count()} of {tag.tot_size} samples")
    for task in tasks:
        print(f"  {task.data.lightly_file_name or task.id}")
    if args.out is not None:
        rows = [{"id": t.id, "data": {"image": t.data.image,
                                      "lightly_file_name": t.data.lightly_file_name}}
                for t in tasks]
        args.out.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"wrote {len(rows)} Label Studio tasks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(anyio.run(main, sys.argv))
