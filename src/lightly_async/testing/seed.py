"""Seed a :class:`FakeLightly` with what a test needs, in one call.

``await seed_dataset(fake, images={"a.jpg": b"...", "b.jpg": b"..."}, tags={"reviewed":
["a.jpg"]}, embedding=True, task_schema=schema, predictions={"a.jpg": [...]})`` makes a
dataset with those samples (in that order) and their images, its initial tag and the named
tags, an embedding, a task schema and predictions, and returns the ids by name
(:class:`SeededDataset`). Everything past the samples goes through the fake's own API (an
in-process session), so the state is exactly what the client would have made.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from lightly_async.models import PredictionSingleton, PredictionTaskSchema
    from lightly_async.testing import FakeLightly

__all__ = ["SeededDataset", "seed_dataset"]


@attrs.frozen(kw_only=True)
class SeededDataset:
    """The ids of what :func:`seed_dataset` made, by name."""

    dataset_id: str
    #: file name -> sample id, in sample order
    sample_ids: dict[str, str]
    #: tag name -> tag id (``"initial-tag"`` included)
    tag_ids: dict[str, str]
    embedding_id: str | None = None
    #: the prediction version the schema and predictions were written under
    prediction_uuid_timestamp: int | None = None


async def seed_dataset(
    fake: FakeLightly,
    name: str = "dataset",
    *,
    images: Mapping[str, bytes] | Sequence[str] = (),
    tags: Mapping[str, Iterable[str]] | None = None,
    embedding: bool = False,
    task_schema: PredictionTaskSchema | None = None,
    predictions: Mapping[str, Sequence[PredictionSingleton]] | None = None,
    prediction_uuid_timestamp: int | None = None,
) -> SeededDataset:
    """A dataset on ``fake`` with samples, images, tags, an embedding and predictions.

    Args:
        images: file names (samples without image bytes), or file name -> image bytes
            (uploaded through the signed write URLs, so downloads return them).
        tags: tag name -> the file names it holds (children of the initial tag, which is
            always made).
        embedding: also add an embedding (seeded random vectors), e.g. for samplings.
        task_schema: a prediction task schema to create; ``predictions`` maps file names to
            their singletons for it.
        prediction_uuid_timestamp: the prediction version (default: now, in milliseconds).
    """
    if predictions and task_schema is None:
        raise ValueError("predictions need the task_schema they belong to")
    file_names = list(images)
    dataset_id = fake.create_dataset(name, file_names=file_names)
    sample_ids = dict(zip(file_names, fake.sample_ids(dataset_id), strict=True))
    embedding_id = fake.add_embedding(dataset_id) if embedding else None
    version = None
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        initial = await ds.tags.get_initial()
        tag_ids = {initial.name: initial.id}
        if isinstance(images, Mapping):
            uploads: dict[str, Any] = {
                sample_ids[file]: (file, data) for file, data in images.items() if data}
            if uploads:
                (await ds.samples.upload_images(uploads)).raise_for_failures()
        for tag_name, members in (tags or {}).items():
            tag = await ds.tags.create_from_filenames(tag_name, members, parent=initial)
            tag_ids[tag.name] = tag.id
        if task_schema is not None:
            version = prediction_uuid_timestamp or int(time.time() * 1000)
            await ds.predictions.upsert_task_schema(
                task_schema, prediction_uuid_timestamp=version)
            if predictions:
                result = await ds.predictions.upsert_many(
                    {sample_ids[file]: singletons for file, singletons in predictions.items()},
                    prediction_uuid_timestamp=version)
                result.raise_for_failures()
    return SeededDataset(dataset_id=dataset_id, sample_ids=sample_ids, tag_ids=tag_ids,
                         embedding_id=embedding_id, prediction_uuid_timestamp=version)
