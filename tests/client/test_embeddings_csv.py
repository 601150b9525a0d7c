"""``ds.embeddings.upload_csv``, ``download_csv`` and ``latest``: the CSV checks (each failure
before any upload, naming line and column), the requests of an upload (lightly 1.5.20's
``upload_embeddings``/``append_embeddings``) and of a download, and ``samplings.run``'s
defaults (1.5.20's ``selection()``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from lightly_async import InvalidInputError, LightlySession, NameNotFoundError
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
OLD = "63d4e5f60718293a4b5c6d7e"
NEW = "73d4e5f60718293a4b5c6d7f"
TAG = "83d4e5f60718293a4b5c6d80"
FILES = ["a.jpg", "b.jpg", "c.jpg"]
WRITE = "https://storage.test/bucket/new.csv?X-Sig=secret"
READ = "https://storage.test/bucket/old.csv?X-Sig=secret"
HEADER = "filenames,embedding_0,embedding_1,labels\n"


def _embedding(eid: str, name: str, created_at: int) -> dict[str, Any]:
    return {"id": eid, "name": name, "isProcessed": True, "createdAt": created_at}


class Api:
    """A mock API and storage: a dataset of ``FILES``, its embeddings, signed URLs."""

    def __init__(self, embeddings: list[dict[str, Any]] | None = None,
                 stored: bytes = b"") -> None:
        self.requests: list[httpx.Request] = []
        self.embeddings = list(embeddings or [])
        self.stored = stored
        self.uploaded: bytes | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.url.host == "storage.test":
            if request.method == "PUT":
                self.uploaded = request.content
                self.embeddings.insert(0, _embedding(NEW, request.url.path, 9))
                return httpx.Response(200)
            return httpx.Response(200, content=self.stored)
        if path.endswith("/embeddings"):
            return httpx.Response(200, json=self.embeddings)
        if path.endswith("/mappings"):
            offset = int(request.url.params["pageOffset"])
            return httpx.Response(200, json=FILES[offset:])
        if path.endswith("/embeddings/writeCSVUrl"):
            self.name = request.url.params["name"]
            return httpx.Response(200, json={"signedWriteUrl": WRITE, "embeddingId": NEW})
        if path.endswith(f"/embeddings/{OLD}/readCSVUrl"):
            return httpx.Response(200, json=READ)
        if path.endswith("/trigger2dEmbeddingsJob"):
            return httpx.Response(200)
        if path.endswith("/tags"):
            return httpx.Response(200, json=[_tag(7)])
        if path.endswith("/sampling"):
            return httpx.Response(200, json={"jobId": "job1"})
        if path.endswith("/jobs/job1"):
            return httpx.Response(200, json={
                "id": "job1", "status": "FINISHED", "createdAt": 1, "waitTimeTillNextPoll": 0,
                "result": {"type": "SAMPLING", "data": TAG}})
        if path.endswith(f"/tags/{TAG}"):
            return httpx.Response(200, json=_tag(7))
        return pytest.fail(f"unexpected {request.method} {request.url}")

    def session(self) -> LightlySession:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self.handle(request)

        return LightlySession(token="tok", base_url="https://api.test",
                              transport=mock_transport(handle), max_retries=0)

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in self.requests]


def _tag(tot_size: int) -> dict[str, Any]:
    return {"id": TAG, "datasetId": DS, "prevTagId": None, "name": "initial-tag",
            "bitMaskData": "0x7", "totSize": tot_size, "createdAt": 1, "changes": {}}


def _csv(tmp_path: Path, text: str, name: str = "emb.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


GOOD = HEADER + "a.jpg,0.1,0.2,0\nb.jpg,1e-3,-2,1\nc.jpg,3,4,0\n"


@pytest.mark.asyncio
async def test_upload_streams_the_file_as_is_then_asks_for_the_2d_views_when_it_is_in_order(
        tmp_path: Path) -> None:
    api = Api()
    async with api.session() as session:
        embedding = await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, GOOD), "mine")
    assert api.calls() == [
        ("GET", "embeddings"), ("GET", "mappings"), ("GET", "writeCSVUrl"), ("PUT", "new.csv"),
        ("POST", "trigger2dEmbeddingsJob"), ("POST", "trigger2dEmbeddingsJob"),
        ("POST", "trigger2dEmbeddingsJob"), ("GET", "embeddings")]
    assert api.name == "mine"
    assert api.uploaded == GOOD.encode()
    put = next(r for r in api.requests if r.method == "PUT")
    assert "token" not in put.url.params
    assert "authorization" not in put.headers
    assert put.headers["content-length"] == str(len(GOOD))
    methods = [json.loads(r.content)["dimensionalityReductionMethod"]
               for r in api.requests if r.method == "POST"]
    assert methods == ["PCA", "TSNE", "UMAP"]
    assert all(r.url.path == f"/v1/datasets/{DS}/embeddings/{NEW}/trigger2dEmbeddingsJob"
               for r in api.requests if r.method == "POST")
    assert embedding.id == NEW
    assert (tmp_path / "emb.csv").read_text() == GOOD  # the user's file is left alone


@pytest.mark.asyncio
async def test_upload_sends_rows_in_sample_order_with_only_the_uploaded_columns(
        tmp_path: Path) -> None:
    text = ("filenames,embedding_0,masked,embedding_1,labels,note\r\n"
            'c.jpg,3,0,4,0,x\r\n"a.jpg",0.1,1,0.2,0,"y, z"\r\nb.jpg,5,0,6,1,\r\n')
    api = Api()
    async with api.session() as session:
        await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, text), "mine")
    assert api.uploaded == (b"filenames,embedding_0,embedding_1,labels\r\n"
                            b"a.jpg,0.1,0.2,0\r\nb.jpg,5,6,1\r\nc.jpg,3,4,0\r\n")


@pytest.mark.asyncio
async def test_upload_reorders_rows_byte_for_byte_when_no_column_is_dropped(
        tmp_path: Path) -> None:
    text = HEADER + 'c.jpg,3,4,0\n"b.jpg",1.50,-2,1\na.jpg,0.1,0.2,0'  # no final newline
    api = Api()
    async with api.session() as session:
        await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, text), "mine")
    assert api.uploaded == (HEADER + 'a.jpg,0.1,0.2,0\n"b.jpg",1.50,-2,1\nc.jpg,3,4,0\n'
                            ).encode()


@pytest.mark.asyncio
async def test_append_keeps_the_existing_rows_and_replaces_those_the_file_has(
        tmp_path: Path) -> None:
    stored = (HEADER + "a.jpg,1,1,0\nb.jpg,2,2,0\nc.jpg,3,3,0\n").encode()
    api = Api([_embedding(OLD, "default_20230101_10h00m00s", 5)], stored)
    local = _csv(tmp_path, HEADER + "b.jpg,9,9,1\n")
    async with api.session() as session:
        embedding = await session.dataset(DS).embeddings.upload_csv(local, "default",
                                                                    append=True)
    assert api.uploaded == (HEADER + "a.jpg,1,1,0\nb.jpg,9,9,1\nc.jpg,3,3,0\n").encode()
    assert re.fullmatch(r"default_\d{8}_\d\dh\d\dm\d\ds", api.name)
    assert ("GET", "readCSVUrl") in api.calls()
    assert ("GET", "old.csv") in api.calls()
    assert embedding.id == NEW
    assert _names(tmp_path) == ["emb.csv"]


@pytest.mark.asyncio
async def test_append_uploads_under_the_name_when_no_embedding_has_it(tmp_path: Path) -> None:
    api = Api([_embedding(OLD, "other", 5)])
    async with api.session() as session:
        await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, GOOD), "mine",
                                                        append=True)
    assert api.name == "mine"
    assert ("GET", "readCSVUrl") not in api.calls()


@pytest.mark.asyncio
async def test_append_refuses_a_column_count_the_existing_embedding_does_not_have(
        tmp_path: Path) -> None:
    stored = b"filenames,embedding_0,labels\na.jpg,1,0\nb.jpg,2,0\nc.jpg,3,0\n"
    api = Api([_embedding(OLD, "mine", 5)], stored)
    async with api.session() as session:
        with pytest.raises(InvalidInputError, match=r"4 columns to upload.*'mine' it would "
                                                    r"extend 3"):
            await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, GOOD), "mine",
                                                            append=True)
    assert api.uploaded is None


@pytest.mark.asyncio
async def test_upload_refuses_a_name_the_dataset_has_unless_appending(tmp_path: Path) -> None:
    api = Api([_embedding(OLD, "mine", 5)])
    async with api.session() as session:
        with pytest.raises(InvalidInputError, match="append=True") as caught:
            await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, GOOD), "mine")
    assert caught.value.field == "name"
    assert api.calls() == [("GET", "embeddings")]


BAD_FILES = [
    ("", "is empty"),
    ("files,embedding_0,labels\na.jpg,1,0\n", "line 1 (the header): the first column must be "
                                              "'filenames', not 'files'"),
    ("filenames,embedding_0\na.jpg,1\n", "line 1 (the header): there is no 'labels' column"),
    ("filenames,feature,labels\na.jpg,1,0\n", "column 'feature' is not embedding_<n>"),
    ("filenames,masked,labels\na.jpg,1,0\n", "there is no embedding_<n> column"),
    ("filenames, embedding_0,labels\na.jpg,1,0\n", "column ' embedding_0' has white space"),
    ("filenames,embedding_0,embedding_0,labels\na.jpg,1,1,0\n", "appear twice"),
    (HEADER, "has a header but no rows"),
    (HEADER + "a.jpg,1,2,0\nb.jpg,1,0\n", "line 3 has 3 values, the header 4 columns"),
    (HEADER + "a.jpg,1,2,0\nb.jpg,1,two,0\n", "line 3, column 'embedding_1': 'two' is not a "
                                              "finite number"),
    (HEADER + "a.jpg,nan,2,0\n", "line 2, column 'embedding_0': 'nan' is not a finite"),
    (HEADER + "a.jpg,1,2,0\n\nb.jpg,1,2,0\n", "line 3 is empty"),
    (HEADER + "a.jpg,1,2,0\nb.jpg,1,2,0\na.jpg,3,3,0\n", "line 4, column 'filenames': "
                                                          "'a.jpg' also on line 2"),
    (HEADER + ",1,2,0\n", "line 2, column 'filenames': empty file name"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("text", "message"), BAD_FILES)
async def test_upload_refuses_a_malformed_csv_before_any_request(
        tmp_path: Path, text: str, message: str) -> None:
    api = Api()
    async with api.session() as session:
        with pytest.raises(InvalidInputError) as caught:
            await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, text), "mine")
    assert caught.value.field == "path"
    assert message in str(caught.value)
    assert api.requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "a.jpg,1,2,0\nzzz.jpg,1,2,0\nb.jpg,1,2,0\nc.jpg,1,2,0\n",
     "line 3, column 'filenames': 'zzz.jpg' is not a sample of the dataset"),
    (HEADER + "a.jpg,1,2,0\n", "has no row for 2 of the dataset's 3 samples ('b.jpg', "
                               "'c.jpg')"),
])
async def test_upload_refuses_file_names_that_do_not_match_the_dataset_before_uploading(
        tmp_path: Path, text: str, message: str) -> None:
    api = Api()
    async with api.session() as session:
        with pytest.raises(InvalidInputError, match=re.escape(message)):
            await session.dataset(DS).embeddings.upload_csv(_csv(tmp_path, text), "mine")
    assert api.calls() == [("GET", "embeddings"), ("GET", "mappings")]


@pytest.mark.asyncio
async def test_upload_names_a_missing_file_before_any_request(tmp_path: Path) -> None:
    api = Api()
    async with api.session() as session:
        with pytest.raises(InvalidInputError, match="cannot read"):
            await session.dataset(DS).embeddings.upload_csv(tmp_path / "none.csv", "mine")
    assert api.requests == []


@pytest.mark.asyncio
async def test_download_csv_writes_the_stored_bytes_when_asked_by_id(tmp_path: Path) -> None:
    stored = b"filenames,embedding_0,labels\r\nx,1,0\r\n"
    api = Api(stored=stored)
    dest = tmp_path / "out.csv"
    dest.write_bytes(b"old")
    async with api.session() as session:
        written = await session.dataset(DS).embeddings.download_csv(OLD, dest)
    assert written == dest
    assert dest.read_bytes() == stored
    assert api.calls() == [("GET", "readCSVUrl"), ("GET", "old.csv")]
    assert _names(tmp_path) == ["out.csv"]


@pytest.mark.asyncio
async def test_download_csv_keeps_an_existing_file_when_if_exists_is_error(
        tmp_path: Path) -> None:
    api = Api(stored=b"new")
    dest = tmp_path / "out.csv"
    dest.write_bytes(b"old")
    async with api.session() as session:
        with pytest.raises(FileExistsError):
            await session.dataset(DS).embeddings.download_csv(OLD, dest, if_exists="error")
    assert dest.read_bytes() == b"old"


@pytest.mark.asyncio
async def test_latest_is_the_newest_embedding_and_prefix_narrows_it() -> None:
    api = Api([_embedding(NEW, "custom", 30), _embedding(OLD, "default_b", 20),
               _embedding("9" * 24, "default_a", 10)])
    async with api.session() as session:
        embeddings = session.dataset(DS).embeddings
        assert (await embeddings.latest()).id == NEW
        assert (await embeddings.latest(prefix="default")).id == OLD
        with pytest.raises(NameNotFoundError, match="'custom', 'default_b'"):
            await embeddings.latest(prefix="simclr")


@pytest.mark.asyncio
async def test_latest_is_the_first_listed_when_embeddings_were_created_at_once() -> None:
    api = Api([_embedding(NEW, "second", 5), _embedding(OLD, "first", 5)])
    async with api.session() as session:
        assert (await session.dataset(DS).embeddings.latest()).id == NEW


@pytest.mark.asyncio
async def test_latest_raises_a_lookup_error_when_the_dataset_has_no_embedding() -> None:
    api = Api([])
    async with api.session() as session:
        with pytest.raises(LookupError, match=f"no embedding in dataset '{DS}'"):
            await session.dataset(DS).embeddings.latest()


@pytest.mark.asyncio
async def test_run_defaults_to_the_newest_embedding_and_the_first_tags_size_when_left_out(
        ) -> None:
    api = Api([_embedding(NEW, "b", 30), _embedding(OLD, "a", 20)])
    async with api.session() as session:
        tag = await session.dataset(DS).samplings.run(new_tag_name="picked", method="RANDOM")
    sampling = next(r for r in api.requests if r.url.path.endswith("/sampling"))
    assert sampling.url.path == f"/v1/datasets/{DS}/embeddings/{NEW}/sampling"
    assert json.loads(sampling.content)["rowCount"] == 7
    assert tag.id == TAG


@pytest.mark.asyncio
async def test_run_sends_what_the_caller_gives_without_looking_up_defaults() -> None:
    api = Api([_embedding(NEW, "b", 30)])
    async with api.session() as session:
        await session.dataset(DS).samplings.run(OLD, new_tag_name="picked", method="RANDOM",
                                                row_count=3)
    sampling = next(r for r in api.requests if r.url.path.endswith("/sampling"))
    assert sampling.url.path == f"/v1/datasets/{DS}/embeddings/{OLD}/sampling"
    assert json.loads(sampling.content)["rowCount"] == 3
    assert ("GET", "embeddings") not in api.calls()
    assert ("GET", "tags") not in api.calls()


@pytest.mark.asyncio
async def test_run_checks_its_arguments_before_looking_up_defaults() -> None:
    api = Api()
    async with api.session() as session:
        with pytest.raises(InvalidInputError) as caught:
            await session.dataset(DS).samplings.run(new_tag_name="", method="RANDOM")
    assert caught.value.field == "new_tag_name"
    assert api.requests == []
