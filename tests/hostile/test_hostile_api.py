"""Hostile API servers on loopback: redirects, oversized and trickling answers.

Each server is a raw HTTP/1.1 socket server on 127.0.0.1 (anyio, so it runs under asyncio and
trio alike). Every case runs on both pools a session may use: httpx2's own (asyncio and trio)
and our aiohttp transport (asyncio only). Every test is bounded: the slow servers are cut off
by the client's deadline or timeouts of a fraction of a second, and a ``fail_after`` guard
turns a hang into a failure.
"""

from __future__ import annotations

from typing import Any

import anyio
import anyio.abc
import httpx
import pytest

from lightly_async import (
    APIConnectionError,
    APITimeoutError,
    DecodeError,
    LightlySession,
    RedirectError,
    ResponseTooLargeError,
    _http,
)

from .server import RawReply as Reply
from .server import raw_answer as answer
from .server import raw_server as server

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAG = "0123456789abcdef01234567"
TOKEN = "tokHOSTILEa1b2c3d4e5"
GUARD = 20.0  # seconds: a hang fails the test instead of stalling the suite

POOLS = [("httpx2", "asyncio"), ("httpx2", "trio"), ("aiohttp", "asyncio")]


@pytest.fixture(params=POOLS, ids=[f"{p}-{b}" for p, b in POOLS])
def pool(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name, _ = request.param
    monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx2" if name == "httpx2" else "auto")
    return str(name)


@pytest.fixture
def anyio_backend(request: pytest.FixtureRequest) -> str:
    pool_and_backend: tuple[str, str] = request.node.callspec.params["pool"]
    return pool_and_backend[1]


def _session(base_url: str, **kwargs: Any) -> LightlySession:
    return LightlySession(token=TOKEN, base_url=base_url, max_retries=0, **kwargs)


def _check_pool(session: LightlySession, pool: str) -> None:
    assert session.transport_name == ("httpx2" if pool == "httpx2" else "aiohttp")


# -- 11.1: a 3xx is never a success ---------------------------------------------------------------
REDIRECT = answer(302, location="https://elsewhere.test:8443/landing/page?sig=SECRETSIG&x=1")


@pytest.mark.anyio
@pytest.mark.parametrize("call", ["list", "delete", "update"])
async def test_redirect_raises_redirect_error_when_api_answers_302(
    pool: str, anyio_backend: str, call: str
) -> None:
    with anyio.fail_after(GUARD):
        async with server(REDIRECT) as (url, heads), _session(url) as session:
            tags = session.dataset(DS).tags
            calls = {"list": tags.list, "delete": lambda: tags.delete(TAG),
                     "update": lambda: tags.update(TAG, name="renamed")}
            with pytest.raises(RedirectError) as caught:
                await calls[call]()
            _check_pool(session, pool)
    error = caught.value
    assert error.status_code == 302
    assert error.location == "https://elsewhere.test:8443/landing/page"
    assert "SECRETSIG" not in str(error)
    assert "SECRETSIG" not in repr(error)
    assert TOKEN not in str(error)
    assert len(heads) == 1  # asked once, followed nowhere


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_token_never_reaches_redirect_target_when_callers_client_follows_redirects(
    anyio_backend: str,
) -> None:
    with anyio.fail_after(GUARD):
        async with server(answer(200, b"[]")) as (target, target_heads):
            bounce = answer(307, location=f"{target}/v1/datasets/{DS}/tags?token={TOKEN}")
            async with server(bounce) as (url, heads), httpx.AsyncClient(
                follow_redirects=True
            ) as client:
                session = LightlySession(token=TOKEN, base_url=url, http_client=client,
                                         max_retries=0)
                with pytest.raises(RedirectError) as caught:
                    await session.dataset(DS).tags.list()
    assert target_heads == []  # the redirect target never saw a request, let alone the token
    assert len(heads) == 1
    assert caught.value.location == f"{target}/v1/datasets/{DS}/tags"


# -- 11.3: answers are read under a cap -----------------------------------------------------------
def _chunked_flood(chunk: bytes, chunks: int) -> Reply:
    async def reply(head: bytes, stream: anyio.abc.SocketStream) -> None:
        await stream.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n")
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(chunks):
            await stream.send(frame)
        await stream.send(b"0\r\n\r\n")
    return reply


@pytest.mark.anyio
async def test_oversized_answer_raises_response_too_large_when_declared_past_the_cap(
    pool: str, anyio_backend: str
) -> None:
    body = b"[" + b"0," * 60_000 + b"0]"
    with anyio.fail_after(GUARD):
        async with server(answer(200, body)) as (url, _), _session(
            url, max_response_size=100_000
        ) as session:
            with pytest.raises(ResponseTooLargeError) as caught:
                await session.dataset(DS).tags.list()
            _check_pool(session, pool)
    assert caught.value.limit == 100_000
    assert caught.value.size == len(body)


@pytest.mark.anyio
async def test_oversized_answer_stops_reading_when_a_chunked_body_passes_the_cap(
    pool: str, anyio_backend: str
) -> None:
    with anyio.fail_after(GUARD):
        # 64 MiB would follow; the client must stop after ~1 MiB instead of reading it all.
        async with server(_chunked_flood(b" " * 65_536, 1024)) as (url, _), _session(
            url, max_response_size=1 << 20
        ) as session:
            with pytest.raises(ResponseTooLargeError) as caught:
                await session.dataset(DS).tags.list()
            _check_pool(session, pool)
    assert (1 << 20) < caught.value.size <= (1 << 20) + (1 << 18)


@pytest.mark.anyio
async def test_answer_under_the_cap_decodes_when_it_is_exactly_the_limit(
    pool: str, anyio_backend: str
) -> None:
    body = b"[]" + b" " * 998
    with anyio.fail_after(GUARD):
        async with server(answer(200, body)) as (url, _), _session(
            url, max_response_size=len(body)
        ) as session:
            assert await session.dataset(DS).tags.list() == []


def test_default_cap_is_generous_and_documented_when_not_configured() -> None:
    session = LightlySession(token=TOKEN, base_url="https://api.test")
    assert session.max_response_size == 512 * 1024 * 1024
    assert session.with_options(max_response_size=None).max_response_size is None
    assert session.max_response_size == 512 * 1024 * 1024  # the view changed alone


# -- 11.4: a trickling server cannot hold a call forever ------------------------------------------
def _trickle(interval: float) -> Reply:
    async def reply(head: bytes, stream: anyio.abc.SocketStream) -> None:
        await stream.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 1000000\r\n\r\n[")
        while True:  # one byte at a time, each well inside the per-read timeout
            await anyio.sleep(interval)
            await stream.send(b" ")
    return reply


@pytest.mark.anyio
async def test_deadline_ends_a_call_when_the_server_trickles_its_body(
    pool: str, anyio_backend: str
) -> None:
    with anyio.fail_after(GUARD):
        async with server(_trickle(0.02)) as (url, _), _session(
            url, timeout=5.0, deadline=0.5
        ) as session:
            with pytest.raises(APITimeoutError, match=r"deadline of 0\.5s exceeded"):
                await session.dataset(DS).tags.list()
            _check_pool(session, pool)


def test_deadline_is_on_by_default_when_not_configured() -> None:
    session = LightlySession(token=TOKEN, base_url="https://api.test")
    assert session.deadline == 300.0
    assert LightlySession(token=TOKEN, base_url="https://api.test",
                          deadline=None).deadline is None


# -- the same request and the same reading of the answer on every pool ----------------------------
# On asyncio a session's own API calls go straight to aiohttp (``_http.ApiCallPath``), elsewhere
# through httpx2's client: what the server sees and what the caller gets must not differ.
TAG_JSON = (b'{"id":"0123456789abcdef01234567","datasetId":"5f0c1c6e2a9b4c1d8e7f6a5b",'
            b'"prevTagId":null,"name":"t","bitMaskData":"0x1","totSize":1,"createdAt":1,'
            b'"changes":{}}')


def _head_fields(head: bytes) -> tuple[str, dict[str, list[str]]]:
    request_line, *lines = head.decode("latin-1").split("\r\n")
    fields: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(":")
        fields.setdefault(name.strip().lower(), []).append(value.strip())
    return request_line, fields


@pytest.mark.anyio
@pytest.mark.parametrize("auth", ["token", "bearer"])
async def test_every_pool_sends_the_same_request_head(
    pool: str, anyio_backend: str, auth: str
) -> None:
    credentials = {"token": TOKEN} if auth == "token" else {"bearer_token": "jwt.HEAD.sig"}
    with anyio.fail_after(GUARD):
        async with server(answer(200, TAG_JSON)) as (url, heads), LightlySession(
            base_url=url, max_retries=0, **credentials
        ) as session:
            tags = session.dataset(DS).tags
            await tags.get(TAG)
            await tags.update(TAG, name="renamed")
            _check_pool(session, pool)
    (get_line, get), (put_line, put) = (_head_fields(head) for head in heads)
    query = f"?token={TOKEN}" if auth == "token" else ""
    assert get_line == f"GET /v1/datasets/{DS}/tags/{TAG}{query} HTTP/1.1"
    assert put_line == f"PUT /v1/datasets/{DS}/tags/{TAG}{query} HTTP/1.1"
    for fields in (get, put):
        assert fields["user-agent"] == [f"lightly-async/{la_version()}"]
        assert fields["accept"] == ["application/json"]
        assert "gzip" in fields["accept-encoding"][0]
        assert fields["host"] == [url.removeprefix("http://")]
        assert "cookie" not in fields
        expected_auth = [] if auth == "token" else ["Bearer jwt.HEAD.sig"]
        assert fields.get("authorization", []) == expected_auth
    assert "content-type" not in get
    assert "content-length" not in get
    assert put["content-type"] == ["application/json"]
    assert put["content-length"] == [str(len(b'{"name":"renamed"}'))]


def la_version() -> str:
    from importlib.metadata import version

    return version("lightly-async")


@pytest.mark.anyio
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_answer_decodes_on_every_pool(
    pool: str, anyio_backend: str, encoding: str
) -> None:
    import zlib

    packer = zlib.compressobj(wbits=31 if encoding == "gzip" else 15)
    packed = packer.compress(TAG_JSON) + packer.flush()
    with anyio.fail_after(GUARD):
        async with server(answer(200, packed, content_encoding=encoding)) as (url, _), \
                _session(url) as session:
            tag = await session.dataset(DS).tags.get(TAG)
            _check_pool(session, pool)
    assert tag.id == TAG
    assert tag.name == "t"


@pytest.mark.anyio
async def test_a_compressed_answer_is_capped_by_its_decoded_size(
    pool: str, anyio_backend: str
) -> None:
    import zlib

    packer = zlib.compressobj(wbits=31)
    bomb = packer.compress(b"[" + b" " * (8 << 20) + b"]") + packer.flush()  # 8 MiB from ~8 KiB
    assert len(bomb) < 100_000
    with anyio.fail_after(GUARD):
        async with server(answer(200, bomb, content_encoding="gzip")) as (url, _), _session(
            url, max_response_size=1 << 20
        ) as session:
            with pytest.raises(ResponseTooLargeError) as caught:
                await session.dataset(DS).tags.list()
            _check_pool(session, pool)
    assert (1 << 20) < caught.value.size <= 9 << 20


@pytest.mark.anyio
async def test_a_corrupt_compressed_answer_is_an_error_on_every_pool(
    pool: str, anyio_backend: str
) -> None:
    with anyio.fail_after(GUARD):
        async with server(answer(200, b"\x1f\x8b not gzip at all", content_encoding="gzip")) as (
            url, _), _session(url) as session:
            with pytest.raises(DecodeError, match="does not decompress") as caught:
                await session.dataset(DS).tags.list()
            _check_pool(session, pool)
    assert TOKEN not in str(caught.value)
    assert caught.value.method == "GET"


# -- bytes on the wire: encodings, cookies ----------------------------------------------------
def _decodable(pool: str) -> set[str]:
    """What the pool in use can decompress (``br``/``zstd`` only with their decoders)."""
    if pool == "aiohttp":
        from aiohttp import compression_utils

        return {"gzip", "deflate"} | ({"br"} if compression_utils.HAS_BROTLI else set()) | (
            {"zstd"} if compression_utils.HAS_ZSTD else set())
    from httpx2._decoders import SUPPORTED_DECODERS

    return set(SUPPORTED_DECODERS) - {"identity"}


@pytest.mark.anyio
async def test_every_pool_advertises_exactly_the_encodings_it_decodes(
    pool: str, anyio_backend: str
) -> None:
    with anyio.fail_after(GUARD):
        async with server(answer(200, TAG_JSON)) as (url, heads), _session(url) as session:
            await session.dataset(DS).tags.get(TAG)
            _check_pool(session, pool)
    (_, fields), = (_head_fields(head) for head in heads)
    advertised = {c.strip() for c in fields["accept-encoding"][0].split(",")}
    assert advertised == _decodable(pool)


@pytest.mark.anyio
async def test_an_answer_in_an_unadvertised_encoding_is_a_decode_error(
    pool: str, anyio_backend: str
) -> None:
    if "br" in _decodable(pool):
        pytest.skip("a brotli decoder is installed: br is advertised and decoded")
    with anyio.fail_after(GUARD):
        async with server(answer(200, b"\x8b\x02\x80not json", content_encoding="br")) as (
                url, _), _session(url) as session:
            with pytest.raises(DecodeError) as caught:
                await session.dataset(DS).tags.list()
            _check_pool(session, pool)
    assert not isinstance(caught.value, APIConnectionError)
    assert TOKEN not in str(caught.value)


@pytest.mark.anyio
async def test_a_cookie_the_server_sets_is_never_sent_back(pool: str, anyio_backend: str) -> None:
    reply = answer(200, TAG_JSON, set_cookie="session=SECRETCOOKIE; Path=/")
    with anyio.fail_after(GUARD):
        async with server(reply) as (url, heads), _session(url) as session:
            for _ in range(3):
                await session.dataset(DS).tags.get(TAG)
            _check_pool(session, pool)
    assert len(heads) == 3
    for head in heads:
        assert "cookie" not in _head_fields(head)[1]
