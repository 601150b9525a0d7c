"""Signed-URL transfers against hostile loopback servers: redirects, streamed bodies, bounds.

Each test scripts one misbehaviour of a storage host and checks what the caller is told and
what the server actually received, on every (backend, pool) pair of ``conftest.py``. Every
test is bounded by ``LIMIT`` seconds (a hang is a failure, not a stuck suite).
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from pathlib import Path

import anyio
import pytest

from lightly_async import (
    APIError,
    APITimeoutError,
    LightlySession,
    PermissionDeniedError,
    RedirectError,
    RetryPolicy,
    TransferTimeout,
)

from .conftest import pool_in_use
from .server import DS, SECRETS, TOKEN, Hostile, Received, Reply, hostile_server, sample_id

pytestmark = pytest.mark.anyio

LIMIT = 20
SID = sample_id(0)
HOP_QUERY = "X-Amz-Signature=SECRETsig-hop&X-Amz-Credential=AKIASECRETKEY-hop"


async def _no_wait(seconds: float) -> None:
    return None


def _session(server: Hostile, *, retries: int = 0, **kwargs: object) -> LightlySession:
    return LightlySession(token=TOKEN, base_url=server.url,
                          retry=RetryPolicy(max_retries=retries, sleep=_no_wait), **kwargs)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret {secret!r} leaked in {where}: {text[:400]}"


def _assert_clean_error(exc: BaseException) -> None:
    current: BaseException | None = exc
    while current is not None:
        _assert_clean(f"{current} {current!r} {current.args!r}", "the error")
        if isinstance(current, APIError):
            _assert_clean(f"{current.url} {current.message}", "the error's attributes")
        current = current.__cause__ or current.__context__
    _assert_clean("".join(traceback.format_exception(exc)), "the traceback")


def _assert_unauthenticated(requests: list[Received]) -> None:
    assert requests
    for request in requests:
        assert "authorization" not in request.headers
        assert "token" not in request.query
        assert TOKEN not in request.target


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "img_000.jpg"
    path.write_bytes(bytes(range(256)) * 1200)  # 300 kB: more than one chunk
    return path


# -- 11.1 redirects --------------------------------------------------------------------------------
async def test_upload_stores_the_body_at_the_final_hop_when_the_put_is_answered_307(
    pool: str, image: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        if request.path == f"/blob/{SID}":  # S3's answer for a bucket in another region
            await reply.whole(307, b"<Error><Code>TemporaryRedirect</Code></Error>",
                              {"Location": f"/region/{SID}?{HOP_QUERY}"}, "application/xml")
        else:
            await reply.whole(200)

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.upload_images({SID: image})
            assert pool_in_use(session) == pool

    assert result.ok, result.failed
    puts = [r for r in server.received if r.method == "PUT"]
    assert [r.path for r in puts] == [f"/blob/{SID}", f"/region/{SID}"]
    for put in puts:  # the whole body went to both hops, with its exact length
        assert put.body_sha256 == _sha(_read(image))
        assert put.headers["content-length"] == str(len(_read(image)))
        assert not put.chunked
        assert "x-ms-blob-type" not in put.headers  # not an Azure URL
    _assert_unauthenticated(puts)


async def test_upload_fails_with_redirect_error_when_the_host_redirects_forever(
    pool: str, image: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        hop = int(request.query.get("hop", "0"))
        await reply.whole(307, headers={"Location": f"/blob/{SID}?hop={hop + 1}&{HOP_QUERY}"})

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server, retries=2) as session:
            result = await session.dataset(DS).samples.upload_images({SID: image})

    error = result.failed[SID]
    assert isinstance(error, RedirectError)
    assert error.status_code == 307
    assert error.location == f"{server.url}/blob/{SID}"  # scheme, host and path only
    assert "more than 5 redirects" in str(error)
    assert len([r for r in server.received if r.method == "PUT"]) == 6  # 1 + 5 hops, no retry
    _assert_clean_error(error)


@pytest.mark.parametrize(("status", "location"), [
    (303, f"/blob/elsewhere?{HOP_QUERY}"),  # would turn the PUT into a GET: nothing stored
    (302, None),                             # nowhere to go
    (307, f"ftp://127.0.0.1/blob?{HOP_QUERY}"),
], ids=["303", "302-without-location", "307-to-ftp"])
async def test_upload_fails_with_redirect_error_when_the_redirect_cannot_be_followed(
    pool: str, image: Path, status: int, location: str | None,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        await reply.whole(status, headers={"Location": location} if location else {})

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.upload_images({SID: image})

    assert not result.ok
    error = result.failed[SID]
    assert isinstance(error, RedirectError)
    assert error.status_code == status
    assert len(server.requests_to("/blob")) == 1
    _assert_clean_error(error)


async def test_download_writes_the_final_hops_body_when_the_get_is_redirected(
    pool: str, tmp_path: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        if request.path == f"/blob/{SID}":
            await reply.whole(307, b"<Error><Code>TemporaryRedirect</Code></Error>",
                              {"Location": f"/hop1?{HOP_QUERY}"}, "application/xml")
        elif request.path == "/hop1":
            await reply.whole(302, headers={"Location": f"{server.url}/hop2?{HOP_QUERY}"})
        else:
            await reply.whole(200, b"\x89PNG the image", content_type="image/png")

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download({SID: "a.png"}, tmp_path)

    assert result.ok, result.failed
    assert _read(tmp_path / "a.png") == b"\x89PNG the image"
    assert _names(tmp_path) == ["a.png"]
    _assert_unauthenticated([r for r in server.received if r.method == "GET"
                             and not r.path.startswith(("/v1/", "/users/"))])


@pytest.mark.parametrize(("status", "headers"), [
    (307, {}), (304, {}), (300, {"Location": "/elsewhere"}),
], ids=["307-without-location", "304", "300"])
async def test_download_writes_no_file_when_the_answer_is_a_3xx_left_over(
    pool: str, tmp_path: Path, status: int, headers: dict[str, str],
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        if status == 304:  # a 304 has no body
            await reply.head(304, headers)
        else:
            await reply.whole(status, b"<Error><Code>Redirect</Code></Error>", headers,
                              "application/xml")

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download({SID: "a.png"}, tmp_path)

    assert isinstance(result.failed[SID], RedirectError)
    assert result.failed[SID].status_code == status
    assert _names(tmp_path) == []


async def test_transfers_carry_no_credentials_when_the_session_uses_a_bearer_token(
    pool: str, image: Path, tmp_path: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        if request.path.startswith("/blob"):
            await reply.whole(307, headers={"Location": f"/final?{HOP_QUERY}"})
        else:
            await reply.whole(200, b"body")

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, LightlySession(
                bearer_token=f"eyJ.{TOKEN}.sig", base_url=server.url) as session:
            ds = session.dataset(DS)
            assert (await ds.samples.upload_images({SID: image})).ok
            assert (await ds.samples.download([SID], tmp_path)).ok

    api = server.requests_to("/v1/")  # the newest API's paths: the default dialect
    assert len(api) == 2  # the write URL, then the read URL
    assert all(r.headers["authorization"] == f"Bearer eyJ.{TOKEN}.sig" for r in api)
    assert [r.method for r in server.requests_to("/final")] == ["PUT", "GET"]
    assert server.requests_to("/final")[0].body_sha256 == _sha(_read(image))
    assert _read(tmp_path / SID) == b"body"
    _assert_unauthenticated(server.requests_to("/blob") + server.requests_to("/final"))


# -- 11.2 streamed uploads -------------------------------------------------------------------------
async def test_upload_reopens_the_file_when_the_put_is_retried(
    pool: str, image: Path,
) -> None:
    first = _read(image)
    second = b"rewritten between the attempts" * 1000

    async def handler(request: Received, reply: Reply) -> None:
        if len(server.requests_to("/blob")) == 1:
            _write(image, second)  # the file changes after the first attempt was sent
            await reply.whole(503, b'{"code": "SlowDown"}')
        else:
            await reply.whole(200)

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server, retries=1) as session:
            result = await session.dataset(DS).samples.upload_images({SID: image})

    assert result.ok, result.failed
    first_put, second_put = server.requests_to("/blob")
    assert first_put.body_sha256 == _sha(first)
    assert second_put.body_sha256 == _sha(second)  # read from disk again, not from memory
    assert second_put.headers["content-length"] == str(len(second))


@pytest.mark.parametrize("source", ["path", "bytes"])
async def test_upload_sends_azure_headers_when_the_url_is_an_azure_sas_url(
    pool: str, image: Path, source: str,
) -> None:
    def azure_url(server: Hostile, sid: str) -> str:
        return f"{server.url}/blob/{sid}?sv=2021-08-06&sr=b&sp=cw&sig=SECRETsig%3D"

    async def handler(request: Received, reply: Reply) -> None:
        await reply.whole(201)

    data = _read(image)
    images = {SID: image if source == "path" else ("img_000.jpg", data)}
    with anyio.fail_after(LIMIT):
        async with hostile_server(handler, blob_url=azure_url) as server, \
                _session(server) as session:
            result = await session.dataset(DS).samples.upload_images(images)

    assert result.ok, result.failed
    (put,) = server.requests_to("/blob")
    assert put.headers["x-ms-blob-type"] == "BlockBlob"
    assert put.headers["x-ms-original-content-length"] == str(len(data))
    assert put.headers["content-length"] == str(len(data))
    assert put.body_sha256 == _sha(data)


# -- 11.4 the transfer bound -----------------------------------------------------------------------
async def test_upload_times_out_when_the_host_never_answers_after_the_body(
    pool: str, image: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        await anyio.sleep_forever()

    bound = TransferTimeout(min_rate=1_000_000, grace=0.5, max_duration=60)
    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.upload_images(
                {SID: image}, transfer_timeout=bound)

    error = result.failed[SID]
    assert isinstance(error, APITimeoutError)
    assert "too slow" in str(error)
    assert server.requests_to("/blob")[0].body_length == len(_read(image))


async def test_download_times_out_and_leaves_no_file_when_the_host_trickles(
    pool: str, tmp_path: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        await reply.head(200, {"Content-Length": "1000000"})
        while True:  # 100 bytes every 20 ms: 5 kB/s, far below the bound's 100 kB/s
            await reply.send(b"x" * 100)
            await anyio.sleep(0.02)

    bound = TransferTimeout(min_rate=100_000, grace=0.5, max_duration=60)
    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                [SID], tmp_path, transfer_timeout=bound)

    error = result.failed[SID]
    assert isinstance(error, APITimeoutError)
    assert "too slow" in str(error)
    assert "min_rate=100000" in str(error)
    assert _names(tmp_path) == []


async def test_download_stops_at_max_duration_when_an_unsized_body_never_ends(
    pool: str, tmp_path: Path,
) -> None:
    async def handler(request: Received, reply: Reply) -> None:
        await reply.head(200, {"Transfer-Encoding": "chunked"})
        chunk = b"y" * 16384
        while True:  # ~1.6 MB/s, well above min_rate: only the total bound can stop it
            await reply.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await anyio.sleep(0.01)

    bound = TransferTimeout(min_rate=1_000, grace=0.5, max_duration=1.0)
    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server) as session:
            result = await session.dataset(DS).samples.download(
                [SID], tmp_path, transfer_timeout=bound)

    error = result.failed[SID]
    assert isinstance(error, APITimeoutError)
    assert "max_duration=1s" in str(error)
    assert _names(tmp_path) == []


def test_transfer_timeout_refuses_a_bound_that_is_not_positive() -> None:
    for kwargs in ({"min_rate": 0}, {"grace": -1.0}, {"max_duration": True}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            TransferTimeout(**kwargs)  # type: ignore[arg-type]


# -- 11.7 nothing of a hop's query in logs or errors -----------------------------------------------
async def test_no_signed_query_of_any_hop_reaches_a_log_line_or_an_error(
    pool: str, image: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    async def handler(request: Received, reply: Reply) -> None:
        if request.path == f"/blob/{SID}":
            await reply.whole(307, headers={"Location": f"/hop?{HOP_QUERY}"})
        elif request.method == "PUT":
            await reply.whole(200)
        else:  # the download's last hop refuses, echoing the signed URL back
            await reply.whole(403, (f"<Error><Code>AccessDenied</Code><Message>denied for "
                                    f"{server.url}/hop?{HOP_QUERY}</Message></Error>").encode(),
                              content_type="application/xml")

    with anyio.fail_after(LIMIT):
        async with hostile_server(handler) as server, _session(server, retries=1) as session:
            ds = session.dataset(DS)
            uploaded = await ds.samples.upload_images({SID: image})
            downloaded = await ds.samples.download([SID], tmp_path)

    assert uploaded.ok, uploaded.failed
    error = downloaded.failed[SID]
    assert isinstance(error, PermissionDeniedError)
    assert error.code == "AccessDenied"
    assert "denied for" in error.message
    _assert_clean_error(error)
    messages = [r.name for r in caplog.records]
    assert "httpx2" in messages  # the transport's own request lines were captured
    assert sum("/hop" in r.getMessage() for r in caplog.records) >= 2
    _assert_clean(caplog.text, "the logs")
