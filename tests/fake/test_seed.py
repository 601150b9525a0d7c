"""Seeding helpers and the lightly_env fixture: the fake as the easiest mock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import lightly_async as la
from lightly_async.testing import FakeLightly
from lightly_async.testing.seed import seed_dataset

SCHEMA = la.PredictionTaskSchema(
    name="cls", type=la.TaskType.CLASSIFICATION,
    categories=[la.PredictionTaskSchemaCategory(id=0, name="cat"),
                la.PredictionTaskSchemaCategory(id=1, name="dog")])


@pytest.mark.asyncio
async def test_seed_dataset_makes_everything_a_test_asks_for(tmp_path: Path) -> None:
    fake = FakeLightly()
    cat = [la.PredictionSingletonClassification(task_name="cls", category_id=0, score=0.9)]
    seeded = await seed_dataset(
        fake, "pets", images={"a.jpg": b"A-bytes", "b.jpg": b"B-bytes", "c.jpg": b""},
        tags={"reviewed": ["a.jpg", "c.jpg"]}, embedding=True, task_schema=SCHEMA,
        predictions={"a.jpg": cat}, prediction_uuid_timestamp=1_700_000_000_000)

    assert list(seeded.sample_ids) == ["a.jpg", "b.jpg", "c.jpg"]
    assert set(seeded.tag_ids) == {"initial-tag", "reviewed"}
    async with fake.session() as session:
        ds = session.dataset(seeded.dataset_id)
        reviewed = await ds.tags.get_by_name("reviewed")
        assert reviewed.id == seeded.tag_ids["reviewed"]
        assert sorted(await ds.tags.filenames(reviewed.id)) == ["a.jpg", "c.jpg"]
        (await ds.samples.download([seeded.sample_ids["b.jpg"]], tmp_path)).raise_for_failures()
        got = await ds.predictions.get(seeded.sample_ids["a.jpg"],
                                       prediction_uuid_timestamp=1_700_000_000_000)
        assert [s.category_id for s in got] == [0]
        assert [e.id for e in await ds.embeddings.list()] == [seeded.embedding_id]
    assert (tmp_path / seeded.sample_ids["b.jpg"]).read_bytes() == b"B-bytes"


@pytest.mark.asyncio
async def test_seed_refuses_predictions_without_their_schema() -> None:
    with pytest.raises(ValueError, match="task_schema"):
        await seed_dataset(FakeLightly(), images=["a.jpg"], predictions={"a.jpg": []})


@pytest.mark.asyncio
async def test_lightly_env_points_a_default_session_at_the_fake(lightly_env: FakeLightly) -> None:
    dataset_id = lightly_env.create_dataset("d", ["a.jpg"])
    assert os.environ["LIGHTLY_TOKEN"] == lightly_env.token
    assert os.environ["LIGHTLY_SERVER_LOCATION"].startswith("http://127.0.0.1:")
    async with la.LightlySession() as session:
        await session.dataset(dataset_id).tags.create_initial()
    assert [t.name for t in lightly_env.tags(dataset_id)] == ["initial-tag"]
