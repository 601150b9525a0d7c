"""``ds.datasource``'s access to Lightly's own files (``.lightly/``) and all datasources:
the exact requests, how answers decode, and the bulk downloads' per-file outcomes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from lightly_async import InvalidInputError, LightlySession, _http
from lightly_async.models import DatasourceConfigLIGHTLY, DatasourceConfigS3

BASE = "https://api.test"
DS = "a" * 24
ROOT = f"/v1/datasets/{DS}/datasource"

Handler = Callable[[httpx.Request], httpx.Response]


def _session(handler: Handler, requests: list[httpx.Request], api: str = "latest"
             ) -> LightlySession:
    async def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handler(request)

    return LightlySession(token="tok-0123456789", base_url=BASE, api=api,
                          transport=_http.mock_transport(handle))


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(str(request.url)).query) if k != "token"}


def _two_pages(prefix: str) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        if "cursor" not in _query(request):
            return httpx.Response(200, json={"hasMore": True, "cursor": "c1", "data": [
                {"fileName": f"{prefix}a.json", "readUrl": "https://r.test/a?sig=1"}]})
        return httpx.Response(200, json={"hasMore": False, "cursor": "c2", "data": [
            {"fileName": f"{prefix}b.json", "readUrl": "https://r.test/b?sig=2"}]})

    return answer


@pytest.mark.asyncio
@pytest.mark.parametrize("api", ["latest", "seed"])
async def test_list_predictions_sends_the_task_with_every_page(api: str) -> None:
    requests: list[httpx.Request] = []
    async with _session(_two_pages(".lightly/predictions/det/"), requests, api) as session:
        rows = [r async for r in session.dataset(DS).datasource.list_predictions(
            "det", 100, 200)]
    assert [r.file_name for r in rows] == [".lightly/predictions/det/a.json",
                                           ".lightly/predictions/det/b.json"]
    assert [(r.method, r.url.path) for r in requests] == [
        ("GET", f"{ROOT}/predictions/list")] * 2
    assert [_query(r) for r in requests] == [
        {"taskName": "det", "from": "100", "to": "200"}, {"taskName": "det", "cursor": "c1"}]


@pytest.mark.asyncio
async def test_list_metadata_repeats_the_relevant_file_and_redirect_flag() -> None:
    requests: list[httpx.Request] = []
    async with _session(_two_pages(".lightly/metadata/"), requests) as session:
        pager = session.dataset(DS).datasource.list_metadata(
            from_=5, relevant_filenames_file_name="keep.txt", use_redirected_read_url=True)
        rows = [r async for r in pager]
    assert len(rows) == 2
    assert {r.url.path for r in requests} == {f"{ROOT}/metadata/list"}
    assert [_query(r) for r in requests] == [
        {"from": "5", "useRedirectedReadUrl": "true", "relevantFilenamesFileName": "keep.txt"},
        {"cursor": "c1", "useRedirectedReadUrl": "true",
         "relevantFilenamesFileName": "keep.txt"}]


@pytest.mark.asyncio
async def test_listing_arguments_are_checked_before_any_request() -> None:
    requests: list[httpx.Request] = []
    async with _session(_two_pages(""), requests, "seed") as session:
        source = session.dataset(DS).datasource
        for bad in (lambda: source.list_predictions(""), lambda: source.list_predictions("a/b"),
                    lambda: source.list_predictions("det", 5, 4),
                    lambda: source.list_metadata(relevant_filenames_file_name="k.txt"),
                    lambda: source.list_metadata(-1)):
            with pytest.raises(InvalidInputError):
                bad()
        for call in (source.prediction_read_url("abc"), source.metadata_read_url("abcd"),
                     source.embedding_read_url(b"abcd")):  # type: ignore[arg-type]
            with pytest.raises(InvalidInputError):
                await call
    assert requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "path"), [
    ("prediction_read_url", "predictions/file"), ("metadata_read_url", "metadata/file"),
    ("embedding_read_url", "embeddings/file")])
async def test_read_urls_send_the_file_name_and_decode_the_json_string(method: str, path: str
                                                                        ) -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json="https://r.test/x?sig=abc")

    async with _session(answer, requests) as session:
        url = await getattr(session.dataset(DS).datasource, method)("det/img 1.json")
    assert url == "https://r.test/x?sig=abc"
    [request] = requests
    assert request.url.path == f"{ROOT}/{path}"
    assert _query(request) == {"fileName": "det/img 1.json"}


@pytest.mark.asyncio
async def test_list_all_decodes_every_datasource_by_type() -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[
            {"type": "LIGHTLY", "fullPath": "lightly/x", "purpose": "LIGHTLY"},
            {"type": "S3", "fullPath": "b/in", "s3Region": "eu-central-1",
             "s3AccessKeyId": "id", "s3SecretAccessKey": "secret", "purpose": "INPUT"}])

    async with _session(answer, requests) as session:
        configs = await session.dataset(DS).datasource.list_all()
    assert [type(c) for c in configs] == [DatasourceConfigLIGHTLY, DatasourceConfigS3]
    assert [r.url.path for r in requests] == [f"{ROOT}/all"]
    assert "secret" not in repr(configs)


def _files(root: Path) -> list[str]:
    """Every file below ``root``, as sorted relative POSIX paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _bucket(files: dict[str, bytes], *, expired: set[str] = frozenset()) -> Handler:
    """A predictions listing of ``files`` and a blob store serving them; a read URL listed
    for a name in ``expired`` answers 403 (a fresh one from ``predictions/file`` works)."""

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == f"{ROOT}/predictions/list":
            return httpx.Response(200, json={"hasMore": False, "cursor": "end", "data": [
                {"fileName": name,
                 "readUrl": f"https://blobs.test/{'old' if name in expired else 'ok'}/{i}?sig=s"}
                for i, name in enumerate(files)]})
        if path == f"{ROOT}/predictions/file":
            i = [n.removeprefix(".lightly/predictions/") for n in files].index(
                _query(request)["fileName"])
            return httpx.Response(200, json=f"https://blobs.test/ok/{i}?sig=fresh")
        kind, index = path.strip("/").split("/")[-2:]
        if kind == "old":
            return httpx.Response(403, text="expired")
        return httpx.Response(200, content=list(files.values())[int(index)])

    return answer


@pytest.mark.asyncio
async def test_download_predictions_writes_each_file_below_dest_and_reports_each(
    tmp_path: Path
) -> None:
    files = {".lightly/predictions/det/a.json": b'{"a":1}',
             ".lightly/predictions/det/sub/b.json": b'{"b":2}',
             ".lightly/predictions/det/../../escape.json": b"evil",
             ".lightly/predictions//abs.json": b"evil"}
    requests: list[httpx.Request] = []
    async with _session(_bucket(files, expired={".lightly/predictions/det/sub/b.json"}),
                        requests) as session:
        result = await session.dataset(DS).datasource.download_predictions(
            "det", tmp_path, concurrency=2)
    assert sorted(result.succeeded) == [".lightly/predictions/det/a.json",
                                        ".lightly/predictions/det/sub/b.json"]
    assert (tmp_path / "det" / "a.json").read_bytes() == b'{"a":1}'
    assert (tmp_path / "det" / "sub" / "b.json").read_bytes() == b'{"b":2}'
    assert result.results[".lightly/predictions/det/a.json"] == tmp_path / "det" / "a.json"
    # names that would leave dest_dir fail alone, writing nothing
    assert set(result.failed) == {".lightly/predictions/det/../../escape.json",
                                  ".lightly/predictions//abs.json"}
    assert all(isinstance(e, InvalidInputError) for e in result.failed.values())
    assert not (tmp_path.parent / "escape.json").exists()
    assert _files(tmp_path) == ["det/a.json", "det/sub/b.json"]
    # the expired URL was asked for again, once, by its path below .lightly/predictions/
    fresh = [_query(r) for r in requests if r.url.path.endswith("/predictions/file")]
    assert fresh == [{"fileName": "det/sub/b.json"}]


@pytest.mark.asyncio
async def test_download_never_replaces_a_file_unasked(tmp_path: Path) -> None:
    files = {".lightly/predictions/det/a.json": b"new", ".lightly/predictions/det/b.json": b"b"}
    (tmp_path / "det").mkdir()
    (tmp_path / "det" / "a.json").write_bytes(b"old")
    async with _session(_bucket(files), []) as session:
        source = session.dataset(DS).datasource
        first = await source.download_predictions("det", tmp_path)
        assert isinstance(first.failed[".lightly/predictions/det/a.json"], FileExistsError)
        assert (tmp_path / "det" / "a.json").read_bytes() == b"old"
        skipped = await source.download_predictions("det", tmp_path, if_exists="skip")
        assert sorted(skipped.skipped) == sorted(files)
        assert skipped.ok
        again = await source.download_predictions("det", tmp_path, if_exists="overwrite")
        assert again.ok
    assert (tmp_path / "det" / "a.json").read_bytes() == b"new"
    assert _files(tmp_path) == ["det/a.json", "det/b.json"]  # no partial file left


@pytest.mark.asyncio
async def test_download_refuses_a_folder_symlinked_out_of_dest(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    os.symlink(outside, dest / "det")
    files = {".lightly/predictions/det/a.json": b"x"}
    async with _session(_bucket(files), []) as session:
        result = await session.dataset(DS).datasource.download_predictions("det", dest)
    assert isinstance(result.failed[".lightly/predictions/det/a.json"], InvalidInputError)
    assert list(outside.iterdir()) == []


@pytest.mark.asyncio
async def test_download_checks_its_arguments_before_any_request(tmp_path: Path) -> None:
    requests: list[httpx.Request] = []
    async with _session(_bucket({}), requests) as session:
        source = session.dataset(DS).datasource
        with pytest.raises(InvalidInputError):
            await source.download_metadata(tmp_path / "missing")
        with pytest.raises(InvalidInputError):
            await source.download_metadata(tmp_path, if_exists="replace")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            await source.download_predictions("det", tmp_path, max_file_size=-1)
    assert requests == []
