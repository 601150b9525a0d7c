"""The only module that imports httpx2, httpx or aiohttp: clients, limits, timeouts, transports.

Everything else in the library speaks in terms of the small surface defined here, so the
choice of transport stays one local change. Redaction (the ``token`` query parameter, the
``Authorization`` header, signed URLs' queries) lives in ``_redact.py``; this module installs
its log filter on every client it builds and when aiohttp's loggers come into being.

The HTTP library is **httpx2** (the maintained continuation of httpx, same API). The pool
under it is a measured choice (``benchmarks/bench_transport.py``, README "Benchmarks"):
aiohttp's pool keeps many requests in flight near the latency limit and answers small calls
fastest, so a session's own client runs on :class:`AiohttpTransport` (ours, below: an
httpx2 transport over an ``aiohttp.ClientSession``) when its first request is made on
asyncio; under trio (aiohttp is asyncio-only) it runs on httpx2's own pool. aiohttp is
imported on that first request, never at ``import lightly_async``.
``LIGHTLY_ASYNC_TRANSPORT=httpx2`` keeps httpx2's own pool on asyncio too. On that aiohttp
pool a session's API calls skip httpx2's request and response objects altogether
(:class:`ApiChannel`); signed-URL transfers, whose bodies stream, go through httpx2.

A caller may pass an ``httpx2`` or an ``httpx`` client or transport: the httpx family is
supported at run time without being a dependency (its errors are mapped to httpx2's, its
loggers get the redacting filter, and no call follows a redirect on it either).

Why our own aiohttp transport rather than ``httpx_aiohttp.httpx2``: that package's import
also imports httpx (a second, stalled HTTP stack in every install), and it maps a connection
dropped after the request was sent to ``ConnectTimeout`` ("never sent"), which would let the
retry loop replay a plain POST. Here each aiohttp error is mapped at its source by whether
the request may have reached the server, and the body is handed over in the chunks aiohttp
already buffered (no re-chunking into 16 KiB pieces).
"""

from __future__ import annotations

import contextvars
import importlib.util
import os
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import httpx2

from lightly_async._redact import REDACTED, install_log_redaction, redact, redact_url

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "REDACTED",
    "TRANSPORT_ENV",
    "AiohttpTransport",
    "Answer",
    "ApiChannel",
    "AsyncBaseTransport",
    "AsyncClient",
    "AutoTransport",
    "BodyTooLargeError",
    "ConnectError",
    "ConnectTimeout",
    "HTTPError",
    "PoolTimeout",
    "Request",
    "Response",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "as_transport_error",
    "asgi_transport",
    "build_client",
    "choose_transport",
    "client_timeout",
    "connection_limit",
    "decoding_errors",
    "fast_transport_available",
    "fast_transport_wanted",
    "install_log_redaction",
    "make_timeout",
    "mock_transport",
    "read_body",
    "redact",
    "redact_url",
    "report_stale_connections",
    "transport_errors",
    "transport_name",
]

AsyncClient = httpx2.AsyncClient
AsyncBaseTransport = httpx2.AsyncBaseTransport
Request = httpx2.Request
Response = httpx2.Response
Timeout = httpx2.Timeout
HTTPError = httpx2.HTTPError
TransportError = httpx2.TransportError
TimeoutException = httpx2.TimeoutException
ConnectError = httpx2.ConnectError
ConnectTimeout = httpx2.ConnectTimeout
PoolTimeout = httpx2.PoolTimeout
DecodingError = httpx2.DecodingError

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_TIMEOUT: Final = httpx2.Timeout(30.0, connect=DEFAULT_CONNECT_TIMEOUT)
DEFAULT_LIMITS: Final = httpx2.Limits(max_connections=64, max_keepalive_connections=32)
TRANSPORT_ENV: Final = "LIGHTLY_ASYNC_TRANSPORT"

#: Any client or transport we can drive: httpx2's, or one of the httpx family (duck-typed).
AnyClient = Any
AnyTransport = Any


def make_timeout(value: float | httpx2.Timeout | Any | None) -> httpx2.Timeout:
    """A per-phase timeout from seconds, an ``httpx2``/``httpx`` ``Timeout`` or ``None``."""
    if isinstance(value, httpx2.Timeout):
        return value
    if value is None:
        return httpx2.Timeout(None)
    if _is_httpx_family(value, "Timeout"):
        other: Any = value
        return httpx2.Timeout(
            connect=other.connect, read=other.read, write=other.write, pool=other.pool)
    seconds = float(value)
    return httpx2.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def client_timeout(client: AnyClient, timeout: httpx2.Timeout) -> Any:
    """``timeout`` in the form ``client.build_request`` accepts (its own family's class)."""
    if isinstance(client, httpx2.AsyncClient):
        return timeout
    return _httpx_timeout(sys.modules["httpx"], timeout)


def build_client(
    *,
    base_url: str,
    timeout: httpx2.Timeout,
    headers: Mapping[str, str],
    transport: AnyTransport | None = None,
    limits: httpx2.Limits = DEFAULT_LIMITS,
) -> AnyClient:
    """The session's own client; no I/O happens until the first request.

    Without ``transport`` the client gets an :class:`AutoTransport` (aiohttp's pool on
    asyncio, httpx2's under trio), or httpx2's own pool when that is pinned. A transport of
    the httpx family gets an httpx client.
    """
    install_log_redaction()
    if transport is not None and _is_httpx_family(transport, "AsyncBaseTransport"):
        httpx = sys.modules["httpx"]
        return httpx.AsyncClient(
            base_url=base_url, timeout=_httpx_timeout(httpx, timeout),
            headers=dict(headers), transport=transport, follow_redirects=False)
    if transport is None and fast_transport_wanted():
        transport = AutoTransport(limits)
    return httpx2.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        headers=dict(headers),
        transport=transport,
        limits=limits,
        follow_redirects=False,
    )


def _httpx_timeout(httpx: Any, timeout: httpx2.Timeout) -> Any:
    return httpx.Timeout(
        connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool)


def connection_limit(client: AnyClient | None) -> int:
    """The most connections ``client``'s pool opens at once (our default when unknown)."""
    if client is not None:
        pool = getattr(getattr(client, "_transport", None), "_pool", None)
        limit = getattr(pool, "_max_connections", None)
        if isinstance(limit, int) and limit > 0:
            return limit
    return int(DEFAULT_LIMITS.max_connections or 64)


def transport_name(client: AnyClient, owned: bool) -> str:
    """What carries this client's requests, for reprs and the demo's summary."""
    if not owned:
        family = "httpx2" if isinstance(client, httpx2.AsyncClient) else type(client).__module__
        return f"caller's {family.split('.')[0]}.{type(client).__name__}"
    transport = getattr(client, "_transport", None)
    if isinstance(transport, AutoTransport):
        chosen = transport.chosen
        if chosen is None:
            return "auto (aiohttp on asyncio, httpx2 on trio; chosen on the first request)"
        transport = chosen
    if isinstance(transport, AiohttpTransport):
        return "aiohttp"
    if type(transport) is httpx2.AsyncHTTPTransport:
        return "httpx2"
    module = type(transport).__module__.split(".")[0]
    return f"{module}.{type(transport).__name__}"


class AutoTransport(httpx2.AsyncBaseTransport):
    """Chooses the pool under httpx2 on the first request, by the event loop it runs on."""

    def __init__(self, limits: httpx2.Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._inner: httpx2.AsyncBaseTransport | None = None
        self.stats: Any = None  # handed on to an AiohttpTransport when it is chosen

    @property
    def chosen(self) -> httpx2.AsyncBaseTransport | None:
        """The transport in use (``None`` before the first request)."""
        return self._inner

    def resolve(self) -> httpx2.AsyncBaseTransport:
        """The transport in use, chosen now if no request was made yet."""
        inner = self._inner
        if inner is None:  # no await before the assignment: concurrent first calls agree
            inner = self._inner = choose_transport(self._limits)
            if isinstance(inner, AiohttpTransport):
                inner.stats = self.stats
        return inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self.resolve().handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def choose_transport(limits: httpx2.Limits = DEFAULT_LIMITS) -> httpx2.AsyncBaseTransport:
    """aiohttp's pool when running on asyncio (unless pinned to httpx2), else httpx2's."""
    if fast_transport_wanted() and _on_asyncio():
        return AiohttpTransport(limits)
    return httpx2.AsyncHTTPTransport(limits=limits)


def fast_transport_wanted() -> bool:
    """aiohttp is installed and ``LIGHTLY_ASYNC_TRANSPORT`` does not pin httpx2's pool."""
    choice = os.environ.get(TRANSPORT_ENV, "auto").strip().lower()
    return choice not in ("httpx", "httpx2") and fast_transport_available()


@cache
def fast_transport_available() -> bool:
    """True when aiohttp is importable (a core dependency; absent only in odd installs)."""
    return importlib.util.find_spec("aiohttp") is not None


def _on_asyncio() -> bool:
    import asyncio  # not at import: trio users need not load it

    try:
        # None in a trio task even when trio runs as a guest inside an asyncio loop.
        return asyncio.current_task() is not None
    except RuntimeError:  # no running asyncio loop: trio, or no loop at all
        return False


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport over one ``aiohttp.ClientSession`` (made on the first request).

    Honours httpx2's per-request timeouts (connect/read/pool), never follows redirects and
    never decompresses (httpx2 does). aiohttp's errors become the httpx2 errors they mean:
    nothing sent (``ConnectError``/``ConnectTimeout``) only when no connection was made.
    """

    def __init__(self, limits: httpx2.Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._aiohttp: Any = None
        self._timeouts: dict[tuple[float | None, ...], Any] = {}
        #: counts stale pooled connections (``SessionStats.stale_connections``) if set
        self.stats: Any = None

    def _open(self) -> tuple[Any, aiohttp.ClientSession]:
        aio = self._aiohttp
        if aio is None:
            import aiohttp as aio  # on the first request, not at `import lightly_async`

            self._aiohttp = aio
        session = self._session
        if session is None:
            session = self._session = _aiohttp_session(aio, self._limits, self)
            install_log_redaction()  # aiohttp's loggers exist now
        return aio, session

    async def exchange(
        self, method: str, url: str, headers: list[tuple[str, str]], content: bytes | None,
        timeout: httpx2.Timeout, limit: int | None,
    ) -> tuple[Answer, bytes | bytearray]:
        """One request straight on aiohttp, its body read under ``limit``: see ApiChannel."""
        aio, session = self._open()
        key = (timeout.connect, timeout.read, timeout.pool)
        client_timeout = self._timeouts.get(key)
        if client_timeout is None:
            client_timeout = self._timeouts[key] = aio.ClientTimeout(
                total=None, connect=timeout.pool, sock_connect=timeout.connect,
                sock_read=timeout.read)
        for resend in (False, True):
            _REUSED.set(False)
            try:
                # No skip_auto_headers: the headers aiohttp would add (User-Agent, Accept,
                # Accept-Encoding) are all given, and a body always comes with its
                # Content-Type.
                response = await session.request(
                    method, url, headers=headers, data=content, allow_redirects=False,
                    auto_decompress=True, compress=None, timeout=client_timeout)
                break
            except (aio.ClientError, TimeoutError) as exc:
                if resend or not self._stale(aio, exc):
                    raise _aiohttp_error(aio, exc) from exc
        try:
            body = await _read_aiohttp_body(aio, response, limit)
        finally:
            response.release()  # back to the pool if read to the end, else closed
        return Answer(response.status, response.headers, response.reason or ""), body

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        aio, session = self._open()
        timeout = request.extensions.get("timeout") or {}
        try:
            data: Any = request.content or None
        except httpx2.RequestNotRead:  # a streamed body
            data = request.stream
        for resend in (False, True):
            _REUSED.set(False)
            try:
                response = await session.request(
                    request.method, str(request.url), headers=request.headers.multi_items(),
                    data=data, allow_redirects=False, auto_decompress=False, compress=None,
                    timeout=aio.ClientTimeout(
                        total=None, connect=timeout.get("pool"),
                        sock_connect=timeout.get("connect"), sock_read=timeout.get("read")),
                    skip_auto_headers=_SKIP_AUTO_HEADERS)
                break
            except (aio.ClientError, TimeoutError) as exc:
                streamed = data is not None and not isinstance(data, bytes)
                if resend or streamed or not self._stale(aio, exc):
                    raise _aiohttp_error(aio, exc) from exc
        return httpx2.Response(
            status_code=response.status, headers=response.raw_headers,
            stream=_AiohttpStream(aio, response), request=request,
            extensions={"http_version": b"HTTP/1.1",
                        "reason_phrase": (response.reason or "").encode()})

    def _stale(self, aio: Any, exc: BaseException) -> bool:
        """Whether a failed request met a stale pooled connection (then it is sent again,
        once, on another connection, whatever its method).

        That is: the connection came from the pool (it had carried an earlier exchange and
        sat idle), and the server closed or reset it before a byte of an answer came; the
        request's bytes met a socket the server had already closed and never read. A
        request on a fresh connection, a timeout, or an answer cut short is never resent
        here (the retry policy decides those).
        """
        if not _REUSED.get() or not isinstance(
                exc, aio.ServerDisconnectedError | aio.ClientOSError):
            return False
        if isinstance(exc, aio.ClientConnectorError):
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


def _aiohttp_session(aio: Any, limits: httpx2.Limits, owner: AiohttpTransport
                     ) -> aiohttp.ClientSession:
    connector = _stale_checking_connector(aio)(
        owner, limit=limits.max_connections or 0, limit_per_host=0,
        keepalive_timeout=limits.keepalive_expiry or 5.0, ssl=_ssl_context())
    # Cookies are not part of this API; a shared jar would only cost time per call. With
    # trust_env aiohttp looks up proxy variables on every request (~0.3 ms a call measured
    # here), so it is on only when a proxy is configured in the environment at all.
    return aio.ClientSession(  # type: ignore[no-any-return]
        connector=connector, cookie_jar=aio.DummyCookieJar(), auto_decompress=False,
        trust_env=bool(urllib.request.getproxies()))


@cache
def _stale_checking_connector(aio: Any) -> Any:
    """aiohttp's ``TCPConnector``, checking a pooled connection before it is reused.

    A server may close an idle keep-alive connection (one that closes after every answer
    does it at once); aiohttp notices only when its loop next reads that socket, and a
    request sent on it before then is lost ("Can not write request body", "Server
    disconnected") although the server never read a byte of it. Here a pooled connection
    whose socket is readable while idle (the server's FIN, or bytes nobody asked for) is
    closed instead of reused, and the request goes on another connection: it never left, so
    this holds for any method. httpx2's pool makes the same check (``is_readable``).
    """

    class StaleCheckingConnector(aio.TCPConnector):  # type: ignore[misc]
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


def report_stale_connections(client: AnyClient, stats: Any) -> None:
    """Count the stale pooled connections of ``client``'s aiohttp pool (if any) in ``stats``."""
    transport = getattr(client, "_transport", None)
    if isinstance(transport, AutoTransport | AiohttpTransport):
        transport.stats = stats


@cache
def _ssl_context() -> Any:
    return httpx2.create_ssl_context()  # httpx2's default trust: the system store


class _AiohttpStream(httpx2.AsyncByteStream):
    """A response body in the chunks aiohttp buffered; read errors mapped like the request's."""

    def __init__(self, aio: Any, response: aiohttp.ClientResponse) -> None:
        self._aio = aio
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        aio = self._aio
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aio.ClientError, TimeoutError) as exc:
            raise _aiohttp_error(aio, exc) from exc

    async def aclose(self) -> None:
        self._response.release()  # back to the pool if read to the end, else closed


def _aiohttp_error(aio: Any, exc: BaseException) -> httpx2.RequestError:
    """The httpx2 error an aiohttp failure stands for (by whether the request may have left).

    A body that does not decompress is httpx2's ``DecodingError``, as on httpx2's own pool.
    """
    message = " ".join(str(exc).split()) or type(exc).__name__
    error: type[httpx2.RequestError]
    if isinstance(exc, aio.ClientPayloadError) and isinstance(
            exc.__cause__, aio.http_exceptions.ContentEncodingError):
        error = httpx2.DecodingError
    elif isinstance(exc, aio.ConnectionTimeoutError):  # connect or pool wait: not sent
        error = httpx2.ConnectTimeout
    elif isinstance(exc, aio.ClientConnectorError):  # refused, DNS, TLS: not sent
        error = httpx2.ConnectError
    elif isinstance(exc, getattr(aio, "InvalidUrlClientError", ())):
        error = httpx2.UnsupportedProtocol
    elif isinstance(exc, TimeoutError):  # waiting for the answer: may have been sent
        error = httpx2.ReadTimeout
    else:  # dropped mid-exchange, bad framing: may have been sent
        error = httpx2.ReadError
    return error(message)


class BodyTooLargeError(Exception):
    """A response body passed the cap; ``size`` is how much was seen (or declared)."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"body of at least {size} bytes exceeds the cap of {limit}")


async def read_body(response: Any, limit: int | None) -> bytes | bytearray:
    """The (decoded) body of a streamed response, refusing to hold more than ``limit`` bytes.

    A declared ``Content-Length`` above the cap fails before reading; otherwise the read
    stops as soon as the running total passes it, so memory stays bounded by the cap.
    """
    _declared_size(response.headers, limit)
    return await _gather(response.aiter_bytes(), limit)


async def _read_aiohttp_body(
    aio: Any, response: aiohttp.ClientResponse, limit: int | None,
) -> bytes | bytearray:
    """``read_body`` for an aiohttp response (decompressed, read errors mapped)."""
    headers = response.headers
    try:
        if _declared_size(headers, limit) is not None and "content-encoding" not in headers:
            return await response.read()  # exactly the declared size will come: at once
        return await _gather(response.content.iter_any(), limit)
    except (aio.ClientError, TimeoutError) as exc:
        raise _aiohttp_error(aio, exc) from exc


def _declared_size(headers: Any, limit: int | None) -> int | None:
    """The declared ``Content-Length``; past ``limit`` it fails before anything is read."""
    declared = headers.get("content-length")
    if declared is None or not declared.isdigit():
        return None
    size = int(declared)
    if limit is not None and size > limit:
        raise BodyTooLargeError(size, limit)
    return size


async def _gather(chunks: AsyncIterator[bytes], limit: int | None) -> bytes | bytearray:
    """The chunks joined, stopping as soon as their total passes ``limit``."""
    first: bytes | None = None
    buffer: bytearray | None = None  # grown in place: no list of chunks plus a joined copy
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if limit is not None and total > limit:
            raise BodyTooLargeError(total, limit)
        if first is None:
            first = chunk
        elif buffer is None:
            buffer = bytearray(first)
            buffer += chunk
        else:
            buffer += chunk
    if buffer is not None:
        return buffer
    return b"" if first is None else first


class Answer:
    """What the pipeline reads of an answer besides its body (an ``httpx2.Response`` too)."""

    __slots__ = ("headers", "reason_phrase", "status_code")

    def __init__(self, status_code: int, headers: Any, reason_phrase: str) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive .get(name)
        self.reason_phrase = reason_phrase

    def __repr__(self) -> str:
        return f"<Answer [{self.status_code}]>"


class ApiChannel:
    """Sends one API request and reads its whole answer under the size cap.

    On a session's own client whose pool is aiohttp's, the request goes straight to
    :meth:`AiohttpTransport.exchange`: httpx2's request and response objects, its URL
    parsing, auth and redirect machinery cost about half of a small call's time on
    loopback (``benchmarks``, per-call row), and an API call needs none of them: the URL is
    built and encoded by the session, redirects are never followed, the headers are the
    client's constant ones. The answer is decompressed by aiohttp (``gzip``/``deflate``,
    what this path advertises). Anything else — a caller's client or transport, httpx2's
    own pool (trio, or ``LIGHTLY_ASYNC_TRANSPORT=httpx2``) — goes through the client.
    """

    def __init__(self, client: AnyClient, *, owned: bool) -> None:
        self._client = client
        transport = (getattr(client, "_transport", None)
                     if owned and isinstance(client, httpx2.AsyncClient) else None)
        self._auto = transport if isinstance(transport, AutoTransport) else None
        self._direct = transport if isinstance(transport, AiohttpTransport) else None
        base = [(k, v) for k, v in client.headers.items()
                if k.lower() not in _DIRECT_SKIPPED_HEADERS]
        self._base_headers = [*base, ("Accept-Encoding", "gzip, deflate")]

    @property
    def direct(self) -> bool:
        """True once API calls go straight to aiohttp."""
        return self._direct is not None

    def exchange(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str] | None,
        timeout: Any, limit: int | None,
    ) -> Awaitable[tuple[Answer | httpx2.Response, bytes | bytearray]]:
        """The answer and its body (an awaitable: the direct path adds no coroutine of its own)."""
        direct = self._direct
        if direct is None and self._auto is not None:
            chosen = self._auto.resolve()  # called in the task that awaits: its loop decides
            if isinstance(chosen, AiohttpTransport):
                direct = self._direct = chosen
            self._auto = None
        if direct is not None:
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


def decoding_errors(client: AnyClient) -> tuple[type[BaseException], ...]:
    """The classes of "the body arrived but does not decompress" for ``client``'s family."""
    httpx = sys.modules.get("httpx")
    if isinstance(client, httpx2.AsyncClient) or httpx is None or httpx is httpx2:
        return (httpx2.DecodingError,)
    return (httpx2.DecodingError, httpx.DecodingError)


def transport_errors(client: AnyClient) -> tuple[type[BaseException], ...]:
    """The transport-error classes a call on ``client`` may raise (one or both families)."""
    if isinstance(client, httpx2.AsyncClient):
        return (httpx2.TransportError,)
    httpx = sys.modules.get("httpx")
    if httpx is None or httpx is httpx2:
        return (httpx2.TransportError,)
    return (httpx2.TransportError, httpx.TransportError)


def as_transport_error(exc: BaseException) -> httpx2.TransportError:
    """An httpx-family transport error as the httpx2 error of the same name."""
    if isinstance(exc, httpx2.TransportError):
        return exc
    for cls in type(exc).__mro__:
        twin = getattr(httpx2, cls.__name__, None)
        if isinstance(twin, type) and issubclass(twin, httpx2.TransportError):
            return twin(str(exc))
    return httpx2.TransportError(str(exc))


def _is_httpx_family(obj: Any, name: str) -> bool:
    """True for an instance of ``httpx.<name>`` when httpx is loaded and is not httpx2."""
    httpx = sys.modules.get("httpx")
    return httpx is not None and httpx is not httpx2 and isinstance(obj, getattr(httpx, name))


def asgi_transport(app: Any) -> httpx2.AsyncBaseTransport:
    """Serve an ASGI app in-process (the fake server's in-memory mode)."""
    return httpx2.ASGITransport(app=app)


def mock_transport(handler: Callable[..., Any]) -> httpx2.AsyncBaseTransport:
    """A transport answering every request with ``handler(request)`` (for tests)."""
    return httpx2.MockTransport(handler)


