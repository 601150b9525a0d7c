"""Downloads: which names are refused, what happens to what is already on disk, and that a
failure leaves the directory as it found it - against a loopback server, on every pool."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest

from lightly_async import (
    APIConnectionError,
    APITimeoutError,
    InvalidInputError,
    LightlySession,
    RedirectError,
    ResponseTooLargeError,
    RetryPolicy,
    ServerError,
    TransferTimeout,
)

from .server import DS, TOKEN, Hostile, Received, Reply, hostile_server, sample_id

pytestmark = pytest.mark.anyio

LIMIT = 20
A, B, C = (sample_id(n) for n in range(3))
BODY = {A: b"image A", B: b"image B", C: b"image C"}


def _session(server: Hostile) -> LightlySession:
    return LightlySession(token=TOKEN, base_url=server.url, retry=RetryPolicy(max_retries=0))


async def _serve_bodies(request: Received, reply: Reply) -> None:
    await reply.whole(200, BODY[request.path.rsplit("/", 1)[1]], content_type="image/png")


def _listing(directory: Path) -> dict[str, bytes | str]:
    """Name -> content (or symlink target) of everything in ``directory``."""
    return {p.name: (f"-> {os.readlink(p)}" if p.is_symlink() else p.read_bytes())
            for p in directory.iterdir()}


# -- 11.6 names refused before any request ---------------------------------------------------------
@pytest.mark.parametrize("names", [
    {A: ""}, {A: "."}, {A: ".."}, {A: "sub/a.png"}, {A: "../a.png"}, {A: "/tmp/a.png"},
    {A: "sub\\a.png"}, {A: "a\x00.png"},
    {A: "same.png", B: "same.png"},  # two ids to one file: they would race
], ids=["empty", "dot", "dotdot", "subdir", "parent", "absolute", "backslash", "nul",
        "duplicate"])
async def test_download_sends_nothing_when_a_name_is_not_one_plain_distinct_file_name(
    pool: str, tmp_path: Path, names: dict[str, str],
) -> None:
    with anyio.fail_after(LIMIT):
        async with hostile_server(_serve_bodies) as server, _session(server) as session:
            with pytest.raises(InvalidInputError, match="sample_ids"):
                await session.dataset(DS).samples.download({C: "ok.png", **names}, tmp_path)

    assert server.received == []
    assert _listing(tmp_path) == {}


# -- 11.6 what is already there -------------------------------------------------------------------
async def test_download_never_follows_a_planted_partial_file_symlink(
    pool: str, tmp_path: Path,
) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_bytes(b"precious")
    (out / "a.png.part").symlink_to(victim)  # where a naive client writes its partial file

    with anyio.fail_after(LIMIT):
        async with hostile_server(_serve_bodies) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download({A: "a.png"}, out)

    assert result.ok, result.failed
    assert victim.read_bytes() == b"precious"
    assert _listing(out) == {"a.png": BODY[A], "a.png.part": f"-> {victim}"}


@pytest.mark.parametrize("existing", ["file", "symlink"])
async def test_download_leaves_an_existing_destination_alone_when_if_exists_is_error(
    pool: str, tmp_path: Path, existing: str,
) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_bytes(b"precious")
    if existing == "file":
        (out / "a.png").write_bytes(b"mine")
    else:
        (out / "a.png").symlink_to(victim)
    before = _listing(out)

    with anyio.fail_after(LIMIT):
        async with hostile_server(_serve_bodies) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download({A: "a.png", B: "b.png"}, out)

    assert isinstance(result.failed[A], FileExistsError)
    assert result.succeeded == [B]
    assert _listing(out) == {**before, "b.png": BODY[B]}
    assert victim.read_bytes() == b"precious"
    assert not any(A in r.path for r in server.received)  # not even a read URL was asked for


async def test_download_skips_what_exists_when_if_exists_is_skip(
    pool: str, tmp_path: Path,
) -> None:
    (tmp_path / "a.png").write_bytes(b"from an earlier run")

    with anyio.fail_after(LIMIT):
        async with hostile_server(_serve_bodies) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                {A: "a.png", B: "b.png", C: "c.png"}, tmp_path, if_exists="skip")

    assert result.ok
    assert result.skipped == [A]
    assert sorted(result.succeeded) == [B, C]
    assert result.total == 3
    assert "skipped=1" in repr(result)
    assert _listing(tmp_path) == {"a.png": b"from an earlier run", "b.png": BODY[B],
                                  "c.png": BODY[C]}
    assert not any(A in r.path for r in server.received)


@pytest.mark.parametrize("existing", ["file", "symlink"])
async def test_download_replaces_the_destination_itself_when_if_exists_is_overwrite(
    pool: str, tmp_path: Path, existing: str,
) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_bytes(b"precious")
    if existing == "file":
        (out / "a.png").write_bytes(b"old")
    else:
        (out / "a.png").symlink_to(victim)
    (out / "a.png.part").write_bytes(b"the user's own file")  # not ours to touch either

    with anyio.fail_after(LIMIT):
        async with hostile_server(_serve_bodies) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                {A: "a.png"}, out, if_exists="overwrite")

    assert result.ok, result.failed
    assert not (out / "a.png").is_symlink()
    assert _listing(out) == {"a.png": BODY[A], "a.png.part": b"the user's own file"}
    assert victim.read_bytes() == b"precious"  # replaced the link, never wrote through it


async def test_download_refuses_an_unknown_if_exists_choice_before_any_request(
    pool: str, tmp_path: Path,
) -> None:
    with anyio.fail_after(LIMIT):
        async with hostile_server(_serve_bodies) as server, _session(server) as session:
            with pytest.raises(InvalidInputError, match="if_exists"):
                await session.dataset(DS).samples.download(
                    [A], tmp_path, if_exists="replace")  # type: ignore[arg-type]

    assert server.received == []


# -- 11.6 every failure path leaves the directory as it was ----------------------------------------
async def _fail_500(request: Received, reply: Reply) -> None:
    await reply.whole(500, b'{"code": "InternalError"}')


async def _drop_mid_body(request: Received, reply: Reply) -> None:
    await reply.head(200, {"Content-Length": "100000"})
    await reply.send(b"p" * 5000)


async def _redirect_loop(request: Received, reply: Reply) -> None:
    await reply.whole(302, headers={"Location": request.path})


async def _trickle(request: Received, reply: Reply) -> None:
    await reply.head(200, {"Content-Length": "100000"})
    while True:
        await reply.send(b"t")
        await anyio.sleep(0.02)


FAILURES = {
    "status-500": (_fail_500, ServerError),
    "dropped-mid-body": (_drop_mid_body, APIConnectionError),
    "redirect-loop": (_redirect_loop, RedirectError),
    "too-slow": (_trickle, APITimeoutError),
}


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_download_leaves_the_directory_as_it_was_when_the_transfer_fails(
    pool: str, tmp_path: Path, failure: str,
) -> None:
    handler, error_type = FAILURES[failure]
    (tmp_path / "a.png.part").write_bytes(b"the user's own file")  # not ours to touch
    bound = TransferTimeout(min_rate=50_000, grace=0.3)

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                {A: "a.png"}, tmp_path, transfer_timeout=bound)

    assert isinstance(result.failed[A], error_type)
    assert _listing(tmp_path) == {"a.png.part": b"the user's own file"}


async def test_download_leaves_the_directory_as_it_was_when_cancelled_mid_body(
    pool: str, tmp_path: Path,
) -> None:
    (tmp_path / "a.png.part").write_bytes(b"the user's own file")
    body_started = anyio.Event()

    async def handler(request: Received, reply: Reply) -> None:
        await reply.head(200, {"Content-Length": "1000000"})
        await reply.send(b"c" * 100_000)
        body_started.set()
        await anyio.sleep_forever()

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session, \
                anyio.create_task_group() as tg:
            async def run() -> None:
                await session.dataset(DS).samples.download({A: "a.png"}, tmp_path)

            tg.start_soon(run)
            await body_started.wait()
            while len(_listing(tmp_path)) < 2:  # noqa: ASYNC110 - polling the file system
                await anyio.sleep(0.01)  # the partial file exists: cancel mid-write
            tg.cancel_scope.cancel()

    assert _listing(tmp_path) == {"a.png.part": b"the user's own file"}


# -- issue 23.8: the bytes on disk are the bytes stored ------------------------------------------
def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


STORED_GZ = _gzip(b'{"a": 1}\n' * 1000)
BOMB = _gzip(b"\0" * (8 << 20))  # 8 MiB of zeros in about 8 KiB


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_download_writes_the_stored_bytes_never_decoding_a_content_encoding(
    pool: str, tmp_path: Path, framing: str,
) -> None:
    async def serve(request: Received, reply: Reply) -> None:
        body = STORED_GZ if request.path.endswith(A) else BOMB
        if framing == "length":
            await reply.whole(200, body, headers={"Content-Encoding": "gzip"},
                              content_type="application/gzip")
            return
        await reply.head(200, {"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"})
        for i in range(0, len(body), 1000):
            piece = body[i:i + 1000]
            await reply.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        await reply.send(b"0\r\n\r\n")

    with anyio.fail_after(LIMIT):
        async with hostile_server(serve) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                {A: "data.json.gz", B: "bomb.gz"}, tmp_path)

    assert result.ok, result.failed
    assert _listing(tmp_path) == {"data.json.gz": STORED_GZ, "bomb.gz": BOMB}
    blobs = server.requests_to("/blob/")
    assert len(blobs) == 2
    assert {r.headers.get("accept-encoding") for r in blobs} == {"identity"}


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_download_fails_an_item_past_max_file_size_and_writes_nothing(
    pool: str, tmp_path: Path, framing: str,
) -> None:
    big = b"x" * 5000

    async def serve(request: Received, reply: Reply) -> None:
        body = big if request.path.endswith(A) else BODY[B]
        if framing == "length":
            await reply.whole(200, body, content_type="image/png")
            return
        await reply.head(200, {"Transfer-Encoding": "chunked"})
        for i in range(0, len(body), 1000):
            piece = body[i:i + 1000]
            await reply.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        await reply.send(b"0\r\n\r\n")

    with anyio.fail_after(LIMIT):
        async with hostile_server(serve) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                {A: "a.png", B: "b.png"}, tmp_path, max_file_size=4096)

    error = result.failed[A]
    assert isinstance(error, ResponseTooLargeError)
    assert error.limit == 4096
    assert "max_file_size=4096" in str(error)
    assert result.succeeded == [B]
    assert _listing(tmp_path) == {"b.png": BODY[B]}
