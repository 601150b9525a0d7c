"""The two API dialects end to end against the fake, on both facades: the newest API (the
default) and the seed era's, the samples and exports each at its own paths, and the newest
API's parameters of the covered operations (paged samples and exports, ``purpose``,
``relevant_filenames_file_name``, ``shared``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import httpx
import pytest

import lightly_async as la
from lightly_async import sync
from lightly_async.models import DatasourcePurpose, SampleData, SampleUpdateRequest
from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly

pytestmark = pytest.mark.anyio

FILES = ["a.png", "b.png", "c.png", "d.png", "e.png"]


@pytest.fixture(autouse=True)
def fake_api() -> str:
    """This module chooses each fake's dialect itself: ``FakeLightly()`` keeps its default."""
    return "latest"


def _paths(fake: FakeLightly, fragment: str) -> list[tuple[str, dict[str, str]]]:
    """The API calls (not the signed-URL transfers) whose path holds ``fragment``."""
    return [(c.path, c.query) for c in fake.calls
            if fragment in c.path and not c.path.startswith("/_fake/")]


async def test_default_session_and_fake_speak_the_newest_api_when_nothing_is_chosen() -> None:
    fake = FakeLightly()
    ds_id = fake.create_dataset("d", FILES)
    async with fake.session() as session:
        ds = session.dataset(ds_id)
        samples = await ds.samples.list()
        one = await ds.samples.get(samples[1].id)

    assert (fake.api, session.api) == ("latest", "latest")
    assert [s.file_name for s in samples] == FILES
    assert (one.file_name, one.index, one.dataset_id) == ("b.png", 1, ds_id)
    assert [p for p, _ in _paths(fake, "/samples")] == [
        f"/v1/datasets/{ds_id}/samples", f"/v1/datasets/{ds_id}/samples/{one.id}"]


@pytest.mark.parametrize("api", ["latest", "seed"])
async def test_upload_read_back_and_download_round_trip_when_either_dialect_is_spoken(
    api: str, tmp_path: Path
) -> None:
    fake = FakeLightly(api=api)
    ds_id = fake.create_dataset("d", FILES[:3])
    ids = fake.sample_ids(ds_id)
    images = {sid: (name, name.encode() * 3) for sid, name in zip(ids, FILES, strict=False)}
    async with fake.session() as session:
        ds = session.dataset(ds_id)
        uploaded = await ds.samples.upload_images(images, progress=False)
        downloaded = await ds.samples.download(dict(zip(ids, FILES, strict=False)), tmp_path,
                                               progress=False)

    assert uploaded.failed == {}
    assert downloaded.failed == {}
    for sid, (name, data) in images.items():
        assert fake.blob(f"{ds_id}/samples/{sid}/{name}") == data
        assert (tmp_path / name).read_bytes() == data
    prefix = "/v1/datasets" if api == "latest" else "/users/datasets"
    sample_calls = _paths(fake, "/samples/")
    assert sample_calls
    assert all(p.startswith(prefix) for p, _ in sample_calls)
    writes = sorted(str(q) for p, q in sample_calls if p.endswith("/writeurl"))
    assert writes == sorted(str(q) for q in (
        [{"isThumbnail": "false"}] * 3 if api == "latest"
        else [{"fileName": n} for n in FILES[:3]]))  # concurrent: any order


@pytest.mark.parametrize(("fake_api", "other"), [
    ("latest", "/users/datasets/{ds}/samples"),
    ("latest", "/v1/datasets/{ds}/tags/{tag}/export/LabelStudioTasks"),
    ("latest", "/v1/datasets/{ds}/tags/{tag}/export/LabelBoxDataRows"),
    ("seed", "/v1/datasets/{ds}/samples"),
    ("seed", "/v1/datasets/{ds}/tags/{tag}/export/LabelStudio/tasks"),
    ("seed", "/v1/datasets/{ds}/tags/{tag}/export/LabelBox/datarows"),
    ("seed", "/v1/datasets/{ds}/tags/{tag}/export/LabelBoxV4/datarows"),
])
async def test_each_fake_mode_answers_404_on_the_other_dialect_s_paths(
    fake_api: str, other: str
) -> None:
    fake = FakeLightly(api=fake_api)
    ds_id = fake.create_dataset("d", FILES)
    async with fake.session() as session:
        tag = await session.dataset(ds_id).tags.create_initial()
    path = other.format(ds=ds_id, tag=tag.id)
    async with httpx.AsyncClient(transport=fake.transport(), base_url=FAKE_BASE_URL) as client:
        answer = await client.get(path, params={"token": DEFAULT_TOKEN})

    assert answer.status_code == 404


async def test_a_session_of_one_dialect_gets_not_found_from_a_server_of_the_other() -> None:
    fake = FakeLightly(api="seed")
    ds_id = fake.create_dataset("d", FILES)
    async with fake.session(api="latest") as session:
        with pytest.raises(la.NotFoundError):
            await session.dataset(ds_id).samples.list()


async def test_samples_list_pages_sorts_and_update_round_trips_in_the_newest_api() -> None:
    fake = FakeLightly()
    ds_id = fake.create_dataset("d", FILES)
    ids = fake.sample_ids(ds_id)
    async with fake.session() as session:
        ds = session.dataset(ds_id)
        paged = await ds.samples.list(page_size=2)
        by_id = await ds.samples.list(sort_by=la.models.SampleSortBy.ID)
        names = await ds.samples.list(mode="fileNames")
        ids_only = await ds.samples.list(mode="ids", page_size=4)
        updated = await ds.samples.update(ids[2], SampleUpdateRequest(
            custom_meta_data={"weather": "fog"}))
        again = await ds.samples.update(ids[2], SampleData(id=ids[2], exif={"Make": "x"}))

    assert [s.id for s in paged] == ids
    offsets = [q.get("pageOffset") for p, q in _paths(fake, "/samples")
               if q.get("pageSize") == "2"]
    assert offsets == ["0", "2", "4"]
    assert [s.id for s in by_id] == sorted(ids)
    assert [(s.id, s.file_name) for s in names] == list(zip(ids, FILES, strict=True))
    assert [s.id for s in ids_only] == ids
    assert ids_only[0].file_name is None
    assert updated.custom_meta_data == {"weather": "fog"}
    assert again.exif == {"Make": "x"}
    assert again.custom_meta_data == {"weather": "fog"}  # the newest API sets what it is given


@pytest.mark.parametrize("api", ["latest", "seed"])
async def test_exports_list_every_row_in_either_dialect_when_awaited_or_iterated(
    api: str
) -> None:
    fake = FakeLightly(api=api)
    names = [f"f{i}.png" for i in range(7)]
    ds_id = fake.create_dataset("d", names)
    async with fake.session() as session:
        ds = session.dataset(ds_id)
        tag = await ds.tags.create_initial()
        tasks = await ds.tags.export_label_studio(tag.id, page_size=3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rows = [r async for r in ds.tags.export_label_box(tag.id, page_size=3)]

    assert [t.data.lightly_file_name for t in tasks] == names
    assert [r.external_id for r in rows] == names
    exports = _paths(fake, "/export/")
    if api == "latest":
        assert [q["pageOffset"] for _, q in exports] == ["0", "3", "6"] * 2
        assert [str(w.message) for w in caught] == [
            "the LabelBox v3 export is deprecated by the Lightly API: use "
            "Tags.export_label_box_v4()"]
    else:
        assert len(exports) == 2
        assert all("pageSize" not in q for _, q in exports)
        assert caught == []


async def test_label_box_v4_export_carries_file_names_and_signed_urls() -> None:
    fake = FakeLightly()
    ds_id = fake.create_dataset("d", FILES)
    async with fake.session() as session:
        ds = session.dataset(ds_id)
        tag = await ds.tags.create_initial()
        rows = await ds.tags.export_label_box_v4(tag.id, expires_in=60)

    assert [r.global_key for r in rows] == FILES
    assert {r.media_type for r in rows} == {"IMAGE"}
    assert all("/_fake/blobs/" in r.row_data for r in rows)
    assert "sig=" not in repr(rows[0])  # the signed URL's query is a credential


async def test_purpose_and_relevant_file_names_reach_the_fake_when_given() -> None:
    fake = FakeLightly()
    fake.page_size = 2
    ds_id = fake.create_dataset("d", [])
    fake.add_raw_files(ds_id, [(f"raw/{i}.png", 100 + i) for i in range(6)])
    fake.add_raw_files(ds_id, [("wanted.txt", 50, b"raw/1.png\nraw/3.png\nraw/4.png\n")])
    async with fake.session() as session:
        ds = session.dataset(ds_id)
        config = await ds.datasource.get(purpose=DatasourcePurpose.INPUT_OUTPUT)
        with pytest.raises(la.NotFoundError, match="no INPUT datasource"):
            await ds.datasource.get(purpose="INPUT")
        rows = [r.file_name async for r in ds.datasource.list_raw_samples(
            relevant_filenames_file_name="wanted.txt", use_redirected_read_url=True)]

    assert isinstance(config, la.models.DatasourceConfigLIGHTLY)
    assert [q for _, q in _paths(fake, "/datasource")][:2] == [
        {"purpose": "INPUT_OUTPUT"}, {"purpose": "INPUT"}]
    assert rows == ["raw/1.png", "raw/3.png", "raw/4.png"]
    listings = [q for p, q in _paths(fake, "/datasource/list")]
    assert len(listings) == 2  # two pages of two
    assert all(q["relevantFilenamesFileName"] == "wanted.txt"
               and q["useRedirectedReadUrl"] == "true" for q in listings)
    assert "cursor" in listings[1]
    assert "from" not in listings[1]


async def test_shared_datasets_are_listed_in_each_scope_once_when_asked_for() -> None:
    fake = FakeLightly()
    own = fake.create_dataset("mine", FILES)
    async with fake.session() as session:
        default = await session.datasets.list()
        shared = await session.datasets.list(shared=True)
        everything = await session.datasets.list(shared=None)
        by_name = await session.datasets.get_by_name("mine", shared=None)
        with pytest.raises(la.NameNotFoundError):
            await session.datasets.get_by_name("mine", shared=True)

    assert [d.id for d in default] == [own]
    assert shared == []  # the fake shares nothing
    assert [d.id for d in everything] == [own]
    assert by_name.id == own
    listings = [q for p, q in _paths(fake, "/v1/datasets") if p == "/v1/datasets"]
    scopes = [{k: q[k] for k in ("shared", "getAssetsOfTeam") if k in q} for q in listings]
    assert scopes == [{"shared": "false"},
                      {"shared": "true"}, {"getAssetsOfTeam": "true"},
                      {"shared": "false"}, {"shared": "true"}, {"getAssetsOfTeam": "true"}]


def test_sync_facade_speaks_the_chosen_dialect_with_the_same_names() -> None:
    for api in ("latest", "seed"):
        fake = FakeLightly(api=api)
        ds_id = fake.create_dataset("d", FILES)
        with fake.serve_in_thread() as base_url, sync.LightlySession(
                token=fake.token, base_url=base_url, api=api) as session:
            ds = session.dataset(ds_id)
            tag = ds.tags.create_initial()
            samples = ds.samples.list()
            tasks = ds.tags.export_label_studio(tag.id).collect()
            assert session.api == api

        assert [t.data.lightly_file_name for t in tasks] == FILES
        assert [s.id for s in samples] == fake.sample_ids(ds_id)
        prefix = "/v1/datasets" if api == "latest" else "/users/datasets"
        assert [p for p, _ in _paths(fake, "/samples")] == [f"{prefix}/{ds_id}/samples"]


async def test_lightly_api_environment_variable_chooses_the_dialect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_API", "seed")
    fake = FakeLightly(api="seed")
    ds_id = fake.create_dataset("d", FILES)
    async with la.LightlySession(token=fake.token, base_url=FAKE_BASE_URL,
                                 transport=fake.transport(),
                                 allow_insecure_http=True) as session:
        samples = await session.dataset(ds_id).samples.list()

    assert session.api == "seed"
    assert len(samples) == len(FILES)
    monkeypatch.setenv("LIGHTLY_API", "newest")
    with pytest.raises(la.InvalidInputError, match="LIGHTLY_API"):
        la.LightlySession(token="t", base_url=FAKE_BASE_URL)
    with pytest.raises(la.InvalidInputError, match="api"):
        la.LightlySession(token="t", base_url=FAKE_BASE_URL, api="v2")
