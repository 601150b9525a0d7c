"""Issue 21's tag exports and datasource files end to end against the fake, through the
async and the sync facade, in both dialects (the folder's ``fake_api`` fixture)."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

import lightly_async as la
from lightly_async import sync
from lightly_async.models import TagFileExport
from lightly_async.testing import FAKE_BASE_URL, FakeLightly

N = 7
NAMES = [f"img_{i}.jpg" for i in range(N)]


def _fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=5)
    dataset_id = fake.create_dataset("parity", NAMES)
    fake.set_datasource(dataset_id, la.models.DatasourceConfigS3(
        full_path="bucket/data/", s3_region="eu-central-1", s3_access_key_id="id",
        s3_secret_access_key="secret"))
    return fake, dataset_id


def _sync_session(fake: FakeLightly) -> sync.LightlySession:
    return sync.LightlySession(fake.token, base_url=FAKE_BASE_URL, transport=fake.transport(),
                               allow_insecure_http=True)


async def _tags_async(fake: FakeLightly, dataset_id: str) -> dict[str, Any]:
    async with fake.session() as session:
        tags = session.dataset(dataset_id).tags
        await tags.create_initial()
        initial = await tags.get_initial()
        child = await tags.create_from_filenames("child", ["img_1.jpg", "img_4.jpg", "img_6.jpg"])
        grand = await tags.create_from_filenames("grand", ["img_4.jpg", "img_5.jpg"],
                                                 parent=child)
        out = {
            "all": await tags.export_files(initial, page_size=3),
            "child": await tags.export_files(child.id, formats=["NAME", "DATASOURCE_FULL"]),
            "sama": await tags.export_sama(child.id, page_size=2),
            "new_in_grand": await tags.file_names_from_bitmask(grand, exclude_parent=True),
            "grand": await tags.file_names_from_bitmask(grand),
        }
        await tags.delete_by_name("grand")
        out["left"] = [t.name for t in await tags.list()]
        return out


def _tags_sync(fake: FakeLightly, dataset_id: str) -> dict[str, Any]:
    with _sync_session(fake) as session:
        tags = session.dataset(dataset_id).tags
        tags.create_initial()
        initial = tags.get_initial()
        child = tags.create_from_filenames("child", ["img_1.jpg", "img_4.jpg", "img_6.jpg"])
        grand = tags.create_from_filenames("grand", ["img_4.jpg", "img_5.jpg"], parent=child)
        out = {
            "all": tags.export_files(initial, page_size=3),
            "child": tags.export_files(child.id, formats=["NAME", "DATASOURCE_FULL"]),
            "sama": tags.export_sama(child.id, page_size=2).collect(),
            "new_in_grand": tags.file_names_from_bitmask(grand, exclude_parent=True),
            "grand": tags.file_names_from_bitmask(grand),
        }
        tags.delete_by_name("grand")
        out["left"] = [t.name for t in tags.list()]
        return out


@pytest.mark.parametrize("facade", ["async", "sync"])
def test_tag_exports_and_helpers_work_end_to_end(facade: str) -> None:
    fake, dataset_id = _fake()
    out = (anyio.run(_tags_async, fake, dataset_id) if facade == "async"
           else _tags_sync(fake, dataset_id))
    rows = out["all"]
    assert [r.file_name for r in rows] == NAMES  # 7 files over pages of 3
    assert [r.datasource_url for r in rows] == [f"s3://bucket/data/{n}" for n in NAMES]
    assert all(r.read_url is not None and r.read_url.startswith(FAKE_BASE_URL) for r in rows)
    assert out["child"] == [TagFileExport(file_name=n, datasource_url=f"s3://bucket/data/{n}")
                            for n in ("img_1.jpg", "img_4.jpg", "img_6.jpg")]
    assert [(t.data.id, t.data.lightly_file_name) for t in out["sama"]] == [
        (1, "img_1.jpg"), (4, "img_4.jpg"), (6, "img_6.jpg")]
    assert out["grand"] == ["img_4.jpg", "img_5.jpg"]
    assert out["new_in_grand"] == ["img_5.jpg"]  # img_4 is in the parent
    assert out["left"] == ["initial-tag", "child"]


def test_an_exported_read_url_reads_the_samples_bytes() -> None:
    fake, dataset_id = _fake()

    async def main() -> bytes:
        async with fake.session() as session:
            ds = session.dataset(dataset_id)
            await ds.tags.create_initial()
            sample_id = fake.sample_ids(dataset_id)[2]
            uploaded = await ds.samples.upload_images({sample_id: ("img_2.jpg", b"pixels-2")})
            uploaded.raise_for_failures()
            rows = await ds.tags.export_files(await ds.tags.get_initial(),
                                              formats=["REDIRECTED_READ_URL"], expires_in=60)
            url = rows[2].read_url
            assert url is not None
            async with httpx.AsyncClient(transport=fake.transport()) as client:
                response = await client.get(url)
            assert response.status_code == 200
            return bytes(response.content)

    assert anyio.run(main) == b"pixels-2"


# -- shards ---------------------------------------------------------------------------------
def _raw_fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=6)
    dataset_id = fake.create_dataset("raw", [])
    # three files a second over [1000, 1029]: every window boundary has files on both sides
    fake.add_raw_files(dataset_id, [(f"r/{t}_{k}.jpg", t) for t in range(1000, 1030)
                                    for k in range(3)])
    fake.page_size = 4
    return fake, dataset_id


ALL_RAW = sorted(f"r/{t}_{k}.jpg" for t in range(1000, 1030) for k in range(3))


@pytest.mark.parametrize("facade", ["async", "sync"])
def test_shards_list_every_raw_file_exactly_once(facade: str) -> None:
    import pickle

    fake, dataset_id = _raw_fake()

    async def run_async() -> tuple[list[str], list[str], list[la.RawSamplesShard]]:
        async with fake.session() as session:
            source = session.dataset(dataset_id).datasource
            sharded = [r.file_name async for r in source.list_raw_samples(
                from_=1000, to=1029, shards=7)]
            shards = source.shards(7, from_=1000, to=1029)
            one_by_one = [r.file_name for s in shards
                          async for r in source.list_shard(pickle.loads(pickle.dumps(s)))]
            return sharded, one_by_one, shards

    def run_sync() -> tuple[list[str], list[str], list[la.RawSamplesShard]]:
        with _sync_session(fake) as session:
            source = session.dataset(dataset_id).datasource
            sharded = [r.file_name for r in source.list_raw_samples(
                from_=1000, to=1029, shards=7)]
            shards = source.shards(7, from_=1000, to=1029)
            one_by_one = [r.file_name for s in shards
                          for r in source.list_shard(pickle.loads(pickle.dumps(s)))]
            return sharded, one_by_one, shards

    sharded, one_by_one, shards = anyio.run(run_async) if facade == "async" else run_sync()
    assert sorted(sharded) == ALL_RAW
    assert len(sharded) == len(ALL_RAW)
    assert one_by_one == ALL_RAW  # windows in time order, each in the fake's order
    assert [s.from_ for s in shards[1:]] == [s.to + 1 for s in shards[:-1]]


# -- datasource files -----------------------------------------------------------------------
LIGHTLY_FILES = [
    ("img/a.jpg", 100, b"A"), ("img/b.jpg", 101, b"B"), ("keep.txt", 50, b"img/b.jpg\n"),
    (".lightly/predictions/tasks.json", 1, b'["det"]'),
    (".lightly/predictions/det/schema.json", 1, b'{"task_type": "object-detection"}'),
    (".lightly/predictions/det/img/a.json", 100, b'{"predictions": [1]}'),
    (".lightly/predictions/det/img/b.json", 101, b'{"predictions": [2]}'),
    (".lightly/predictions/cls/img/a.json", 100, b'{"predictions": [3]}'),
    (".lightly/metadata/img/a.json", 100, b'{"metadata": "a"}'),
    (".lightly/metadata/img/b.json", 105, b'{"metadata": "b"}'),
    (".lightly/embeddings/custom.csv", 100, b"filenames,embedding_0\nimg/a.jpg,0.5\n"),
]


def _files_fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=7)
    dataset_id = fake.create_dataset("files", [])
    fake.add_raw_files(dataset_id, LIGHTLY_FILES)
    fake.page_size = 1
    return fake, dataset_id


def _tree(root: Any) -> dict[str, bytes]:
    from pathlib import Path

    base = Path(root)
    return {p.relative_to(base).as_posix(): p.read_bytes()
            for p in sorted(base.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("facade", ["async", "sync"])
def test_datasource_files_list_read_and_download(facade: str, fake_api: str,
                                                 tmp_path: Any) -> None:
    fake, dataset_id = _files_fake()
    newest = fake_api == "latest"

    async def run_async() -> dict[str, Any]:
        async with fake.session() as session:
            source = session.dataset(dataset_id).datasource
            out: dict[str, Any] = {
                "raw": [r.file_name async for r in source.list_raw_samples()],
                "det": [r.file_name async for r in source.list_predictions("det")],
                "det_late": [r.file_name async for r in source.list_predictions("det", 101)],
                "meta": [r.file_name async for r in source.list_metadata(to=100)],
                "all": await source.list_all(),
                "urls": [await source.prediction_read_url("det/img/a.json"),
                         await source.metadata_read_url("img/b.json"),
                         await source.embedding_read_url("custom.csv")],
                "pred_dl": await source.download_predictions("det", tmp_path / "p"),
                "meta_dl": await source.download_metadata(tmp_path / "m", from_=101),
            }
            if newest:
                out["relevant"] = [r.file_name async for r in source.list_predictions(
                    "det", relevant_filenames_file_name="keep.txt")]
            return out

    def run_sync() -> dict[str, Any]:
        with _sync_session(fake) as session:
            source = session.dataset(dataset_id).datasource
            out: dict[str, Any] = {
                "raw": [r.file_name for r in source.list_raw_samples()],
                "det": [r.file_name for r in source.list_predictions("det")],
                "det_late": [r.file_name for r in source.list_predictions("det", 101)],
                "meta": [r.file_name for r in source.list_metadata(to=100)],
                "all": source.list_all(),
                "urls": [source.prediction_read_url("det/img/a.json"),
                         source.metadata_read_url("img/b.json"),
                         source.embedding_read_url("custom.csv")],
                "pred_dl": source.download_predictions("det", tmp_path / "p"),
                "meta_dl": source.download_metadata(tmp_path / "m", from_=101),
            }
            if newest:
                out["relevant"] = [r.file_name for r in source.list_predictions(
                    "det", relevant_filenames_file_name="keep.txt")]
            return out

    (tmp_path / "p").mkdir()
    (tmp_path / "m").mkdir()
    out = anyio.run(run_async) if facade == "async" else run_sync()
    assert out["raw"] == ["keep.txt", "img/a.jpg", "img/b.jpg"]  # .lightly/ is not listed
    assert out["det"] == [".lightly/predictions/det/img/a.json",
                          ".lightly/predictions/det/img/b.json"]
    assert out["det_late"] == [".lightly/predictions/det/img/b.json"]
    assert out["meta"] == [".lightly/metadata/img/a.json"]
    assert [c.type for c in out["all"]] == ["LIGHTLY"]
    with httpx.Client(transport=_SyncBridge(fake)) as client:
        assert [client.get(u).content for u in out["urls"]] == [
            b'{"predictions": [1]}', b'{"metadata": "b"}',
            b"filenames,embedding_0\nimg/a.jpg,0.5\n"]
    assert out["pred_dl"].ok
    assert sorted(out["pred_dl"].succeeded) == out["det"]
    assert _tree(tmp_path / "p") == {"det/img/a.json": b'{"predictions": [1]}',
                                     "det/img/b.json": b'{"predictions": [2]}'}
    assert out["meta_dl"].succeeded == [".lightly/metadata/img/b.json"]
    assert _tree(tmp_path / "m") == {"img/b.json": b'{"metadata": "b"}'}
    if newest:
        assert out["relevant"] == [".lightly/predictions/det/img/b.json"]


class _SyncBridge(httpx.BaseTransport):
    """Reads signed URLs from the fake in-process, synchronously (a test helper)."""

    def __init__(self, fake: FakeLightly) -> None:
        self._fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def go() -> tuple[int, bytes]:
            async with httpx.AsyncClient(transport=self._fake.transport()) as client:
                answer = await client.get(str(request.url))
                return answer.status_code, answer.content

        status, content = anyio.run(go)
        return httpx.Response(status, content=content)
