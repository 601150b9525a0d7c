"""Whole workflows from one client against the fake, on asyncio and trio: datasets by name,
embeddings by name, samplings on them, and tags from files added after an upsize.

``conftest.py`` validates every answer of an operation beyond the seeds against
``spec/beyond-seeds.yaml`` (with the error shape of the fake's mode).
"""

from __future__ import annotations

import pytest

import lightly_async as la
from contract.openapi_check import SpecChecker, operations
from lightly_async.testing import FakeLightly

pytestmark = pytest.mark.anyio

FILES = [f"img_{i:02d}.jpg" for i in range(12)]


@pytest.fixture
def fake() -> FakeLightly:
    fake = FakeLightly(seed=5)
    fake.job_steps = ("RUNNING",)
    return fake


async def test_dataset_found_by_name_leads_to_a_sampled_tag_when_the_embedding_is_named(
        fake: FakeLightly, spec_checked_answers: SpecChecker) -> None:
    dataset_id = fake.create_dataset("street scenes", FILES)
    fake.add_embedding(dataset_id, name="simclr-v1")
    wanted = fake.add_embedding(dataset_id, name="simclr-v2")
    async with fake.session() as session:
        found = await session.datasets.get_by_name("street scenes")
        ds = session.dataset(found)
        await ds.tags.create_initial()
        embedding = await ds.embeddings.get_by_name("simclr-v2")
        tag = await ds.samplings.run(
            embedding, new_tag_name="picked", method=la.SamplingMethod.RANDOM,
            config=la.SamplingConfig(
                stopping_condition=la.SamplingConfigStoppingCondition(n_samples=4)))
        tasks = await ds.tags.export_label_studio(tag.id)
        picked = await ds.tags.file_names_from_bitmask(tag)

    assert found.id == dataset_id
    assert found.n_samples == len(FILES)
    assert embedding.id == wanted
    assert tag.bit_mask_data.count() == 4
    assert sorted(t.data.image.rsplit("/", 1)[-1].split("?")[0] for t in tasks) == sorted(picked)
    assert set(picked) <= set(FILES)
    sampled = [c for c in fake.calls if c.path.endswith("/sampling")]
    assert [c.path for c in sampled] == [
        f"/v1/datasets/{dataset_id}/embeddings/{wanted}/sampling"]
    beyond = set(operations("beyond-seeds"))
    assert {(m, t) for m, t, status in spec_checked_answers.checked
            if status < 300 and (m, t) in beyond} == {
        ("GET", "/v1/datasets/query/name/{datasetName}"),
        ("GET", "/v1/datasets/{datasetId}/embeddings"),
        ("GET", "/v1/datasets/{datasetId}/mappings")}


async def test_datasets_are_created_listed_renamed_and_deleted_when_managed_by_the_client(
        fake: FakeLightly) -> None:
    fake.add_user("someone-else")
    not_mine = fake.create_dataset("not mine", ["x.jpg"], owner_token="someone-else")
    existing = fake.create_dataset("existing", ["a.jpg"])
    async with fake.session() as session:
        made = await session.datasets.create("fresh one", type="Videos", img_type="meta")
        listed = [d.name async for d in session.datasets.list(page_size=1)]
        await session.datasets.update(made.id, name="fresh two")
        renamed = await session.datasets.get(made.id)
        with pytest.raises(la.ConflictError) as conflict:
            await session.datasets.create("existing")
        with pytest.raises(la.NameNotFoundError):
            await session.datasets.get_by_name("not mine")
        with pytest.raises(la.PermissionDeniedError):
            await session.datasets.get(not_mine)
        await session.datasets.delete(existing)
        after = await session.datasets.list().collect()
        with pytest.raises(la.NotFoundError):
            await session.dataset(existing).tags.list()

    assert (made.name, made.type, made.img_type, made.n_samples) == (
        "fresh one", la.DatasetType.VIDEOS, la.ImageType.META, 0)
    assert listed == ["existing", "fresh one"]
    assert renamed.name == "fresh two"
    assert renamed.last_modified_at >= made.last_modified_at
    assert conflict.value.code == "DATASET_NAME_EXISTS"
    assert [d.name for d in after] == ["fresh two"]


async def test_get_by_name_names_every_candidate_when_two_datasets_share_the_name(
        fake: FakeLightly) -> None:
    first = fake.create_dataset("twin", ["a.jpg"])
    second = fake.create_dataset("twin", ["b.jpg"])
    async with fake.session() as session:
        with pytest.raises(la.AmbiguousNameError) as info:
            await session.datasets.get_by_name("twin")
    assert info.value.ids == [first, second]


async def test_tag_from_files_added_after_an_upsize_holds_them_when_created(
        fake: FakeLightly) -> None:
    dataset_id = fake.create_dataset("growing", FILES[:4])
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        fake.add_samples(dataset_id, ["late_1.jpg", "late_2.jpg"])
        await ds.tags.upsize(upsize_tag_name="upsize-1")
        # the tag helpers read the sample order from the mappings, whether or not the
        # initial tag grew with the upsize
        order = await ds.mappings.file_names()
        tag = await ds.tags.create_from_filenames("late ones", ["late_2.jpg", "late_1.jpg"])
        names = await ds.tags.file_names_from_bitmask(tag)
        everything = await ds.tags.all_file_names()
        ids = await ds.mappings.sample_ids()

    assert order == [*FILES[:4], "late_1.jpg", "late_2.jpg"]
    assert everything == order
    assert names == ["late_1.jpg", "late_2.jpg"]
    assert tag.tot_size == 6
    assert tag.bit_mask_data.indices() == [4, 5]
    assert ids == fake.sample_ids(dataset_id)


async def test_tag_from_files_added_without_an_upsize_holds_them_when_created(
        fake: FakeLightly) -> None:
    dataset_id = fake.create_dataset("growing", FILES[:3])
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        fake.add_samples(dataset_id, ["new.jpg"])
        tag = await ds.tags.create_from_filenames("just new", ["new.jpg"])
        with pytest.raises(la.InvalidInputError, match=r"'missing\.jpg'"):
            await ds.tags.create_from_filenames("nope", ["missing.jpg"])
    assert (tag.tot_size, tag.bit_mask_data.indices()) == (4, [3])


async def test_mappings_page_through_a_dataset_larger_than_a_page_when_listed(
        fake: FakeLightly) -> None:
    files = [f"f{i:03d}.jpg" for i in range(23)]
    dataset_id = fake.create_dataset("paged", files)
    async with fake.session() as session:
        names = await session.dataset(dataset_id).mappings.file_names(page_size=5)
    assert names == files
    pages = [c for c in fake.calls if c.path.endswith("/mappings")]
    assert [c.query["pageOffset"] for c in pages] == ["0", "5", "10", "15", "20"]
