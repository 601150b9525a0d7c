"""The aiohttp transport (httpx2's transport interface over one ``aiohttp.ClientSession``)
and the API call path that sends a session's API calls straight to it (:class:`ApiCallPath`).

aiohttp's pool keeps many requests in flight near the latency limit and answers small calls
fastest (``benchmarks/bench_transport.py``), so a session's own client runs on it on asyncio
(:mod:`lightly_async._http.choice`). aiohttp is imported on the first request, never at
``import lightly_async``.

Why our own transport rather than ``httpx_aiohttp.httpx2``: that package's import also
imports httpx (a second, stalled HTTP stack in every install), and it maps a connection
dropped after the request was sent to ``ConnectTimeout`` ("never sent"), which would let the
retry loop replay a plain POST. Here each aiohttp error is mapped at its source by whether
the request may have reached the server, and the body is handed over in the chunks aiohttp
already buffered (no re-chunking into 16 KiB pieces).
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import httpx2

from lightly_async._http.body_cap import declared_size, gather_body, read_body
from lightly_async._http.defaults import AnyClient
from lightly_async._http.family import DEFAULT_LIMITS
from lightly_async._http.network import Network, Proxy
from lightly_async._redact import install_log_redaction

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport", "ApiCallPath", "ResponseHead", "aiohttp_error"]


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport over one ``aiohttp.ClientSession`` (made on the first request).

    Honours httpx2's per-request timeouts (connect/read/pool), never follows redirects and
    never decompresses (httpx2 does). aiohttp's errors become the httpx2 errors they mean:
    nothing sent (``ConnectError``/``ConnectTimeout``) only when no connection was made.
    """

    def __init__(self, limits: httpx2.Limits = DEFAULT_LIMITS,
                 network: Network | None = None) -> None:
        self._limits = limits
        self._network = network or Network()
        self._proxied = self._network.proxied
        self._session: aiohttp.ClientSession | None = None
        self._aiohttp: Any = None
        self._timeouts: dict[tuple[float | None, ...], Any] = {}
        #: counts stale pooled connections (``SessionStats.stale_connections``) if set
        self.stats: Any = None

    @staticmethod
    def accept_encoding() -> str:
        """The codings aiohttp decodes here: gzip, deflate, and br/zstd when their decoders are
        installed (what a direct API call advertises; aiohttp decompresses it)."""
        from aiohttp import compression_utils  # aiohttp is needed for the request anyway

        codings = ["gzip", "deflate"]
        if compression_utils.HAS_BROTLI:
            codings.append("br")
        if compression_utils.HAS_ZSTD:
            codings.append("zstd")
        return ", ".join(codings)

    def _open(self) -> tuple[Any, aiohttp.ClientSession]:
        aiohttp_lib = self._aiohttp
        if aiohttp_lib is None:
            import aiohttp as aiohttp_lib  # on the first request, not at `import lightly_async`

            self._aiohttp = aiohttp_lib
        session = self._session
        if session is None:
            session = self._session = _aiohttp_session(
                aiohttp_lib, self._limits, self._network, self)
            install_log_redaction()  # aiohttp's loggers exist now
        return aiohttp_lib, session

    async def exchange(
        self, method: str, url: str, headers: list[tuple[str, str]], content: bytes | None,
        timeout: httpx2.Timeout, limit: int | None,
    ) -> tuple[ResponseHead, bytes | bytearray]:
        """One request straight on aiohttp, its body read under ``limit``: see ApiCallPath."""
        aiohttp_lib, session = self._open()
        key = (timeout.connect, timeout.read, timeout.pool)
        client_timeout = self._timeouts.get(key)
        if client_timeout is None:
            client_timeout = self._timeouts[key] = aiohttp_lib.ClientTimeout(
                total=None, connect=timeout.pool, sock_connect=timeout.connect,
                sock_read=timeout.read)
        # No skip_auto_headers: the headers aiohttp would add (User-Agent, Accept,
        # Accept-Encoding) are all given, and a body always comes with its Content-Type.
        through: dict[str, Any] = {}
        if self._proxied:
            scheme, host = _scheme_host(url)
            proxy = self._network.proxy_for(scheme, host)
            if proxy is not None:
                headers, through = _aiohttp_proxy(proxy, scheme, headers)
        for resend in (False, True):
            _REUSED.set(False)
            try:
                response = await session.request(
                    method, url, headers=headers, data=content, allow_redirects=False,
                    auto_decompress=True, compress=None, timeout=client_timeout, **through)
                break
            except (aiohttp_lib.ClientError, TimeoutError) as exc:
                if resend or not self._stale(aiohttp_lib, exc):
                    raise aiohttp_error(aiohttp_lib, exc) from exc
        try:
            body = await _read_aiohttp_body(aiohttp_lib, response, limit)
        finally:
            response.release()  # back to the pool if read to the end, else closed
        return ResponseHead(response.status, response.headers, response.reason or ""), body

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        aiohttp_lib, session = self._open()
        timeout = request.extensions.get("timeout") or {}
        try:
            data: Any = request.content or None
        except httpx2.RequestNotRead:  # a streamed body
            data = request.stream
        headers = request.headers.multi_items()
        through: dict[str, Any] = {}
        if self._proxied:
            proxy = self._network.proxy_for(request.url.scheme, request.url.host)
            if proxy is not None:
                headers, through = _aiohttp_proxy(proxy, request.url.scheme, headers)
        for resend in (False, True):
            _REUSED.set(False)
            try:
                response = await session.request(
                    request.method, str(request.url), headers=headers,
                    data=data, allow_redirects=False, auto_decompress=False, compress=None,
                    timeout=aiohttp_lib.ClientTimeout(
                        total=None, connect=timeout.get("pool"),
                        sock_connect=timeout.get("connect"), sock_read=timeout.get("read")),
                    skip_auto_headers=_SKIP_AUTO_HEADERS, **through)
                break
            except (aiohttp_lib.ClientError, TimeoutError) as exc:
                streamed = data is not None and not isinstance(data, bytes)
                if resend or streamed or not self._stale(aiohttp_lib, exc):
                    raise aiohttp_error(aiohttp_lib, exc) from exc
        return httpx2.Response(
            status_code=response.status, headers=response.raw_headers,
            stream=_AiohttpStream(aiohttp_lib, response), request=request,
            extensions={"http_version": b"HTTP/1.1",
                        "reason_phrase": (response.reason or "").encode()})

    def _stale(self, aiohttp_lib: Any, exc: BaseException) -> bool:
        """Whether a failed request met a stale pooled connection (then it is sent again,
        once, on another connection, whatever its method).

        That is: the connection came from the pool (it had carried an earlier exchange and
        sat idle), and the server closed or reset it before a byte of an answer came; the
        request's bytes met a socket the server had already closed and never read. A
        request on a fresh connection, a timeout, or an answer cut short is never resent
        here (the retry policy decides those).
        """
        if not _REUSED.get() or not isinstance(
                exc, aiohttp_lib.ServerDisconnectedError | aiohttp_lib.ClientOSError):
            return False
        if isinstance(exc, aiohttp_lib.ClientConnectorError):
            return False
        if self.stats is not None:
            self.stats.stale_connections += 1
        return True

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


#: Set by the connector when the connection a request got came from the pool (per task).
_REUSED: Final[contextvars.ContextVar[bool]] = contextvars.ContextVar(
    "lightly_async_reused", default=False)

_SKIP_AUTO_HEADERS: Final = ("User-Agent", "Accept-Encoding", "Content-Type")


def _aiohttp_session(
    aiohttp_lib: Any, limits: httpx2.Limits, network: Network, owner: AiohttpTransport,
) -> aiohttp.ClientSession:
    connector = _stale_checking_connector(aiohttp_lib)(
        owner, limit=limits.max_connections or 0, limit_per_host=0,
        keepalive_timeout=limits.keepalive_expiry or 5.0, ssl=network.ssl_context())
    # Cookies are not part of this API; a shared jar would only cost time per call. Proxies
    # come from Network, per request (aiohttp's trust_env would look them up on every call).
    return aiohttp_lib.ClientSession(  # type: ignore[no-any-return]
        connector=connector, cookie_jar=aiohttp_lib.DummyCookieJar(), auto_decompress=False,
        trust_env=False)


def _aiohttp_proxy(
    proxy: Proxy, scheme: str, headers: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The headers and aiohttp's arguments for a request through ``proxy``.

    The credentials travel only in ``Proxy-Authorization``: on the ``CONNECT`` of an https
    request, or on a plain-http request itself (which the proxy forwards).
    """
    if proxy.header is None:
        return headers, {"proxy": proxy.url}
    if scheme == "https":
        return headers, {"proxy": proxy.url,
                         "proxy_headers": {"Proxy-Authorization": proxy.header}}
    return [*headers, ("Proxy-Authorization", proxy.header)], {"proxy": proxy.url}


def _scheme_host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or ""


@cache
def _stale_checking_connector(aiohttp_lib: Any) -> Any:
    """aiohttp's ``TCPConnector``, checking a pooled connection before it is reused.

    A server may close an idle keep-alive connection (one that closes after every answer
    does it at once); aiohttp notices only when its loop next reads that socket, and a
    request sent on it before then is lost ("Can not write request body", "Server
    disconnected") although the server never read a byte of it. Here a pooled connection
    whose socket is readable while idle (the server's FIN, or bytes nobody asked for) is
    closed instead of reused, and the request goes on another connection: it never left, so
    this holds for any method. httpx2's pool makes the same check (``is_readable``).
    """

    class StaleCheckingConnector(aiohttp_lib.TCPConnector):  # type: ignore[misc]
        def __init__(self, owner: AiohttpTransport, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._owner = owner

        async def _get(self, key: Any, traces: list[Any]) -> Any:
            for _ in range(self._limit or 1000):  # bounded: each pass drops one connection
                connection = await super()._get(key, traces)
                if connection is None:
                    return None
                if not _readable_while_idle(connection):
                    _REUSED.set(True)
                    return connection
                connection.close()
                stats = self._owner.stats
                if stats is not None:
                    stats.stale_connections += 1
            return None

    return StaleCheckingConnector


def _readable_while_idle(connection: Any) -> bool:
    """True if an idle connection's socket has something to read: the peer closed it."""
    import select

    transport = getattr(connection, "transport", None)
    if transport is None or transport.get_extra_info("sslcontext") is not None:
        return False  # TLS: the transport reads ahead itself; aiohttp's own check decides
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):  # no FD_SETSIZE limit
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True  # a socket that cannot even be polled is no connection to send on
    return bool(readable)


class _AiohttpStream(httpx2.AsyncByteStream):
    """A response body in the chunks aiohttp buffered; read errors mapped like the request's."""

    def __init__(self, aiohttp_lib: Any, response: aiohttp.ClientResponse) -> None:
        self._aio = aiohttp_lib
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        aiohttp_lib = self._aio
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp_lib.ClientError, TimeoutError) as exc:
            raise aiohttp_error(aiohttp_lib, exc) from exc

    async def aclose(self) -> None:
        self._response.release()  # back to the pool if read to the end, else closed


def aiohttp_error(aiohttp_lib: Any, exc: BaseException) -> httpx2.RequestError:
    """The httpx2 error an aiohttp failure stands for (by whether the request may have left).

    A body that does not decompress is httpx2's ``DecodingError``, as on httpx2's own pool.
    """
    message = " ".join(str(exc).split()) or type(exc).__name__
    error: type[httpx2.RequestError]
    if _caused_by(exc, aiohttp_lib.http_exceptions.ContentEncodingError):
        # corrupt, or in an encoding this aiohttp cannot decode (br without Brotli): the
        # answer arrived, so it is no connection failure
        error = httpx2.DecodingError
    elif isinstance(exc, aiohttp_lib.ConnectionTimeoutError):  # connect or pool wait: not sent
        error = httpx2.ConnectTimeout
    elif isinstance(exc, aiohttp_lib.ClientConnectorError):  # refused, DNS, TLS: not sent
        error = httpx2.ConnectError
    elif isinstance(exc, getattr(aiohttp_lib, "InvalidUrlClientError", ())):
        error = httpx2.UnsupportedProtocol
    elif isinstance(exc, TimeoutError):  # waiting for the answer: may have been sent
        error = httpx2.ReadTimeout
    else:  # dropped mid-exchange, bad framing: may have been sent
        error = httpx2.ReadError
    return error(message)


def _caused_by(exc: BaseException, cls: type[BaseException]) -> bool:
    """True when ``exc`` or one of its first few causes is a ``cls``."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, cls):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _read_aiohttp_body(
    aiohttp_lib: Any, response: aiohttp.ClientResponse, limit: int | None,
) -> bytes | bytearray:
    """``read_body`` for an aiohttp response (decompressed, read errors mapped)."""
    headers = response.headers
    try:
        if declared_size(headers, limit) is not None and "content-encoding" not in headers:
            return await response.read()  # exactly the declared size will come: at once
        return await gather_body(response.content.iter_any(), limit)
    except (aiohttp_lib.ClientError, TimeoutError) as exc:
        raise aiohttp_error(aiohttp_lib, exc) from exc


class ResponseHead:
    """What the pipeline reads of an answer besides its body (an ``httpx2.Response`` too)."""

    __slots__ = ("headers", "reason_phrase", "status_code")

    def __init__(self, status_code: int, headers: Any, reason_phrase: str) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive .get(name)
        self.reason_phrase = reason_phrase

    def __repr__(self) -> str:
        return f"<ResponseHead [{self.status_code}]>"


class ApiCallPath:
    """Sends one API request and reads its whole answer under the size cap.

    On a session's own client whose pool is aiohttp's, the request goes straight to
    :meth:`AiohttpTransport.exchange`: httpx2's request and response objects, its URL
    parsing, auth and redirect machinery cost about half of a small call's time on
    loopback (``benchmarks``, per-call row), and an API call needs none of them: the URL is
    built and encoded by the session, redirects are never followed, the headers are the
    client's constant ones. The answer is decompressed by aiohttp; the call advertises exactly
    the codings it decodes (``gzip``/``deflate``, ``br``/``zstd`` with their decoders).
    Anything else — a caller's client or transport, httpx2's own pool (trio, or
    ``LIGHTLY_ASYNC_TRANSPORT=httpx2``), a test's httpx2 mock — goes through the client.
    """

    def __init__(self, client: AnyClient, *, owned: bool) -> None:
        # (here, not at import: ``choice`` imports this module)
        from lightly_async._http.choice import AutoTransport, mock_active

        self._mock_active = mock_active
        self._client = client
        transport = (getattr(client, "_transport", None)
                     if owned and isinstance(client, httpx2.AsyncClient) else None)
        self._auto = transport if isinstance(transport, AutoTransport) else None
        self._direct = transport if isinstance(transport, AiohttpTransport) else None
        self._common = [(k, v) for k, v in client.headers.items()
                        if k.lower() not in _DIRECT_SKIPPED_HEADERS]
        self._base_headers = [] if self._direct is None else self._head(self._direct)

    def _head(self, direct: AiohttpTransport) -> list[tuple[str, str]]:
        """The constant headers of a direct call: the encodings aiohttp here can decode."""
        return [*self._common, ("Accept-Encoding", direct.accept_encoding())]

    @property
    def direct(self) -> bool:
        """True once API calls go straight to aiohttp."""
        return self._direct is not None

    def exchange(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str] | None,
        timeout: Any, limit: int | None,
    ) -> Awaitable[tuple[ResponseHead | httpx2.Response, bytes | bytearray]]:
        """The answer and its body (an awaitable: the direct path adds no coroutine of its own)."""
        direct = self._direct
        if direct is None and self._auto is not None:
            chosen = self._auto.resolve()  # called in the task that awaits: its loop decides
            if isinstance(chosen, AiohttpTransport):
                direct = self._direct = chosen
                self._base_headers = self._head(chosen)
            self._auto = None
        if direct is not None and not self._mock_active(url):
            sent = self._base_headers if not headers else [*self._base_headers,
                                                           *headers.items()]
            return direct.exchange(method, url, sent, content, timeout, limit)
        return self._through_client(method, url, content, headers, timeout, limit)

    async def _through_client(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str] | None,
        timeout: Any, limit: int | None,
    ) -> tuple[httpx2.Response, bytes | bytearray]:
        client = self._client
        request = client.build_request(
            method, url, content=content, headers=headers, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            body = await read_body(response, limit)
        finally:
            await response.aclose()
        return response, body


#: httpx2 client defaults aiohttp sets itself (Host, Connection) or this path replaces.
_DIRECT_SKIPPED_HEADERS: Final = frozenset({"host", "connection", "accept-encoding"})
