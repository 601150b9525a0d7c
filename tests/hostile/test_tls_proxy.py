"""TLS trust and proxies, the same on every pool and event loop.

A local CA (trustme) signs a loopback HTTPS server; a local proxy on 127.0.0.1 asks for Basic
credentials, tunnels ``CONNECT`` and forwards absolute-form plain-http requests (to loopback
only). Each case runs on aiohttp's pool (asyncio), httpx2's pool on asyncio and on trio.
"""

from __future__ import annotations

import base64
import logging
import shutil
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import pytest
from anyio.streams.tls import TLSStream

from lightly_async import (
    APIConnectionError,
    APIStatusError,
    InvalidInputError,
    LightlySession,
    TLSCertificateError,
    _http,
)
from lightly_async.testing._transports import mock_transport

trustme = pytest.importorskip("trustme")

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAG = "0123456789abcdef01234567"
TOKEN = "tokNETWORKa1b2c3d4e5"
USER, PASSWORD = "proxyuser", "PROXYs3cret-pw"
GUARD = 20.0  # seconds: a hang fails the test instead of stalling the suite
TAG_JSON = (b'{"id":"0123456789abcdef01234567","datasetId":"5f0c1c6e2a9b4c1d8e7f6a5b",'
            b'"prevTagId":null,"name":"t","bitMaskData":"0x1","totSize":1,"createdAt":1}')
OK = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(TAG_JSON)}\r\n"
      "Connection: close\r\n\r\n").encode() + TAG_JSON
ENV = ("LIGHTLY_CA_CERTS", "LIGHTLY_TRUSTSTORE", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY",
       "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
       "no_proxy")

POOLS = [("aiohttp", "asyncio"), ("httpx2", "asyncio"), ("httpx2", "trio")]


@pytest.fixture(params=POOLS, ids=[f"{p}-{b}" for p, b in POOLS])
def pool(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name, _ = request.param
    monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx2" if name == "httpx2" else "auto")
    for variable in ENV:
        monkeypatch.delenv(variable, raising=False)
    return str(name)


@pytest.fixture
def anyio_backend(request: pytest.FixtureRequest) -> str:
    pool_and_backend: tuple[str, str] = request.node.callspec.params["pool"]
    return pool_and_backend[1]


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: Any, tmp_path: Path) -> str:
    path = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _check_pool(session: LightlySession, pool: str) -> None:
    assert session.transport_name == pool


async def _read_head(stream: anyio.abc.ByteStream) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


@asynccontextmanager
async def https_server(ca: Any) -> AsyncIterator[tuple[str, list[bytes]]]:
    """An HTTPS server for 127.0.0.1 signed by ``ca``; yields its URL and the heads it read.

    ``heads`` gets ``b"<handshake>"`` for every TLS handshake attempted, so retries show.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = tcp.extra(anyio.abc.SocketAttribute.local_port)
    heads: list[bytes] = []

    async def handle(stream: anyio.abc.ByteStream) -> None:
        async with stream:
            try:
                head, _ = await _read_head(stream)
                heads.append(head)
                await stream.send(OK)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return

    async def serve() -> None:
        async def on_connect(raw: anyio.abc.SocketStream) -> None:
            heads.append(b"<handshake>")
            try:
                tls = await TLSStream.wrap(raw, server_side=True, ssl_context=context,
                                           standard_compatible=False)
            except (ssl.SSLError, OSError, anyio.BrokenResourceError, anyio.EndOfStream):
                await anyio.aclose_forcefully(raw)
                return
            await handle(tls)

        await tcp.serve(on_connect)

    async with anyio.create_task_group() as tg:
        tg.start_soon(serve)
        try:
            yield f"https://127.0.0.1:{port}", heads
        finally:
            tg.cancel_scope.cancel()
    await tcp.aclose()


@asynccontextmanager
async def proxy_server(
    user: str = USER, password: str = PASSWORD,
) -> AsyncIterator[tuple[str, list[str]]]:
    """An authenticating proxy on 127.0.0.1 (loopback targets only); yields its address and
    a line per request: ``"CONNECT 127.0.0.1:443 auth-ok"``, ``"GET http://… auth-bad"``."""
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = tcp.extra(anyio.abc.SocketAttribute.local_port)
    seen: list[str] = []

    async def pipe(source: anyio.abc.ByteStream, sink: anyio.abc.ByteStream) -> None:
        try:
            async for chunk in source:
                await sink.send(chunk)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass
        finally:
            await anyio.aclose_forcefully(sink)

    async def handle(client: anyio.abc.SocketStream) -> None:
        async with client:
            try:
                head, rest = await _read_head(client)
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            fields = {k.strip().lower(): v.strip() for k, _, v in
                      (line.partition(":") for line in lines[1:])}
            ok = fields.get("proxy-authorization") == expected
            seen.append(f"{method} {target} {'auth-ok' if ok else 'auth-bad'}")
            if not ok:
                await client.send(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                                  b"Proxy-Authenticate: Basic realm=\"test\"\r\n"
                                  b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
            if method == "CONNECT":
                host, _, port_text = target.rpartition(":")
                forward = b""
            else:  # absolute form: http://host:port/path
                authority, _, path = target.removeprefix("http://").partition("/")
                host, _, port_text = authority.rpartition(":")
                kept = [line for line in lines[1:]
                        if not line.lower().startswith("proxy-authorization")]
                forward = ("\r\n".join([f"{method} /{path} HTTP/1.1", *kept]) + "\r\n\r\n"
                           ).encode() + rest
            assert host in ("127.0.0.1", "localhost")  # loopback only, ever
            upstream = await anyio.connect_tcp("127.0.0.1", int(port_text))
            if method == "CONNECT":
                await client.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                await upstream.send(forward)
            async with anyio.create_task_group() as tg:
                tg.start_soon(pipe, client, upstream)
                tg.start_soon(pipe, upstream, client)

    async with anyio.create_task_group() as tg:
        tg.start_soon(tcp.serve, handle)
        try:
            yield f"127.0.0.1:{port}", seen
        finally:
            tg.cancel_scope.cancel()
    await tcp.aclose()


@asynccontextmanager
async def http_server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A plain-http loopback server answering a tag."""
    tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = tcp.extra(anyio.abc.SocketAttribute.local_port)
    heads: list[bytes] = []

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                head, _ = await _read_head(stream)
                heads.append(head)
                await stream.send(OK)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return

    async with anyio.create_task_group() as tg:
        tg.start_soon(tcp.serve, handle)
        try:
            yield f"http://127.0.0.1:{port}", heads
        finally:
            tg.cancel_scope.cancel()
    await tcp.aclose()


async def _get_tag(session: LightlySession) -> str:
    return (await session.dataset(DS).tags.get(TAG)).id


# -- trust --------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_untrusted_certificate_fails_once_naming_the_cause(
    pool: str, anyio_backend: str, ca: Any,
) -> None:
    with anyio.fail_after(GUARD):
        async with https_server(ca) as (url, heads), LightlySession(
                token=TOKEN, base_url=url) as session:
            with pytest.raises(TLSCertificateError) as caught:
                await _get_tag(session)
            _check_pool(session, pool)
            retries = session.stats.retries
    assert heads == [b"<handshake>"]  # one handshake: not retried
    assert retries == 0
    message = str(caught.value)
    assert "certificate" in message.lower()
    assert "ca_bundle" in message
    assert "LIGHTLY_CA_CERTS" in message
    assert caught.value.may_have_been_sent is False
    assert TOKEN not in message
    assert TOKEN not in repr(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize("how", ["ca_bundle", "ssl_context", "LIGHTLY_CA_CERTS",
                                 "SSL_CERT_FILE", "SSL_CERT_DIR"])
async def test_a_private_ca_is_trusted_when_configured(
    pool: str, anyio_backend: str, ca: Any, ca_file: str, how: str,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    kwargs: dict[str, Any] = {}
    if how == "ca_bundle":
        kwargs["ca_bundle"] = Path(ca_file)
    elif how == "ssl_context":
        kwargs["ssl_context"] = ssl.create_default_context(cafile=ca_file)
    elif how == "SSL_CERT_DIR":
        if shutil.which("openssl") is None:
            pytest.skip("a hashed CA directory needs the openssl command")
        directory = tmp_path / "certs"
        directory.mkdir()
        shutil.copy(ca_file, directory / "ca.pem")
        await anyio.run_process(["openssl", "rehash", str(directory)])
        monkeypatch.setenv(how, str(directory))
    else:
        monkeypatch.setenv(how, ca_file)
    with anyio.fail_after(GUARD):
        async with https_server(ca) as (url, heads), LightlySession(
                token=TOKEN, base_url=url, **kwargs) as session:
            assert await _get_tag(session) == TAG
            _check_pool(session, pool)
    assert heads[0] == b"<handshake>"
    assert heads[1].startswith(f"GET /v1/datasets/{DS}/tags/{TAG}?token={TOKEN} ".encode())


@pytest.mark.anyio
async def test_the_os_trust_store_is_used_when_asked(
    pool: str, anyio_backend: str, ca: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    truststore = pytest.importorskip("truststore")
    monkeypatch.setenv("LIGHTLY_TRUSTSTORE", "1")
    assert isinstance(_http.Network().ssl_context(), truststore.SSLContext)
    with anyio.fail_after(GUARD):  # the OS store does not hold the test CA: refused, once
        async with https_server(ca) as (url, heads), LightlySession(
                token=TOKEN, base_url=url) as session:
            with pytest.raises(TLSCertificateError):
                await _get_tag(session)
            _check_pool(session, pool)
    assert heads == [b"<handshake>"]


def test_trust_and_proxy_arguments_are_checked_before_any_request(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="ca_bundle: no such file"):
        LightlySession(token=TOKEN, ca_bundle=tmp_path / "missing.pem")
    with pytest.raises(InvalidInputError, match="either ca_bundle or ssl_context"):
        LightlySession(token=TOKEN, ca_bundle=tmp_path, ssl_context=ssl.create_default_context())
    with pytest.raises(InvalidInputError, match=r"ssl_context: must be an ssl\.SSLContext"):
        LightlySession(token=TOKEN, ssl_context="/etc/ssl")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="proxy: configure it on the http_client"):
        LightlySession(token=TOKEN, proxy="http://p:1", transport=mock_transport(
            lambda request: None))
    with pytest.raises(InvalidInputError) as caught:
        LightlySession(token=TOKEN, proxy=f"ftp://{USER}:{PASSWORD}@127.0.0.1:1")
    assert caught.value.field == "proxy"
    assert PASSWORD not in str(caught.value)


def test_a_missing_lightly_ca_certs_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LIGHTLY_CA_CERTS", str(tmp_path / "gone.pem"))
    with pytest.raises(InvalidInputError, match="LIGHTLY_CA_CERTS: no such file"):
        LightlySession(token=TOKEN)


# -- proxies ------------------------------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize("how", ["argument", "environment"])
async def test_https_goes_through_an_authenticating_proxy(
    pool: str, anyio_backend: str, ca: Any, ca_file: str, how: str,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with anyio.fail_after(GUARD):
        async with https_server(ca) as (url, heads), proxy_server() as (address, seen):
            proxy = f"http://{USER}:{PASSWORD}@{address}"
            kwargs: dict[str, Any] = {"ca_bundle": ca_file}
            if how == "argument":
                kwargs["proxy"] = proxy
            else:
                monkeypatch.setenv("HTTPS_PROXY", proxy)
            async with LightlySession(token=TOKEN, base_url=url, **kwargs) as session:
                assert await _get_tag(session) == TAG
                _check_pool(session, pool)
                shown = repr(session)
    port = url.rpartition(":")[2]
    assert seen == [f"CONNECT 127.0.0.1:{port} auth-ok"]
    assert len(heads) == 2  # the handshake and the request, through the tunnel
    assert PASSWORD not in shown
    assert PASSWORD not in caplog.text
    assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in caplog.text


@pytest.mark.anyio
async def test_plain_http_goes_through_the_proxy_and_no_proxy_bypasses_it(
    pool: str, anyio_backend: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with anyio.fail_after(GUARD):
        async with http_server() as (url, heads), proxy_server() as (address, seen):
            monkeypatch.setenv("HTTP_PROXY", f"http://{USER}:{PASSWORD}@{address}")
            async with LightlySession(token=TOKEN, base_url=url) as session:
                assert await _get_tag(session) == TAG
                _check_pool(session, pool)
            assert seen == [f"GET {url}/v1/datasets/{DS}/tags/{TAG}?token={TOKEN} auth-ok"]
            assert b"proxy-authorization" not in heads[0].lower()  # not passed on
            monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
            async with LightlySession(token=TOKEN, base_url=url) as session:
                assert await _get_tag(session) == TAG
    assert len(seen) == 1  # the second session went direct
    assert len(heads) == 2


@pytest.mark.anyio
async def test_wrong_proxy_credentials_fail_without_showing_them(
    pool: str, anyio_backend: str, ca: Any, ca_file: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with anyio.fail_after(GUARD):
        async with https_server(ca) as (url, heads), proxy_server(password="other") as (
                address, seen), LightlySession(
                    token=TOKEN, base_url=url, ca_bundle=ca_file, max_retries=0,
                    proxy=f"http://{USER}:{PASSWORD}@{address}") as session:
            with pytest.raises((APIConnectionError, APIStatusError)) as caught:
                await _get_tag(session)
    assert seen
    assert all(line.endswith("auth-bad") for line in seen)
    assert heads == []  # never reached the server
    assert "407" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert PASSWORD not in text
        assert TOKEN not in text
