"""The only module that imports httpx: client construction, limits, timeouts, transports.

Everything else in the library speaks in terms of the small surface defined here, so the
choice of transport under httpx stays one local change. Redaction (the ``token`` query
parameter, the ``Authorization`` header, signed URLs' queries) lives in ``_redact.py``;
this module installs its log filter on every client it builds.

The transport is a measured choice (``benchmarks/bench_transport.py``, README "Benchmarks"):
httpx's own connection pool gets slower as concurrency rises (500 POSTs with 20 ms of
server latency: ~1.5 s at 8 in flight, 2.5-5 s at 32 and 64), while aiohttp's pool under
httpx (the ``httpx-aiohttp`` transport) stays near the latency limit (~0.5 s). So a
session's own client runs on aiohttp's pool when the ``fast`` extra is installed and the
first request is made on asyncio; under trio (aiohttp is asyncio-only), without the extra,
and whenever the caller passes ``http_client=`` or ``transport=``, httpx's own pool (or the
caller's transport) is used unchanged. aiohttp is imported on that first request, never at
``import lightly_async``. ``LIGHTLY_ASYNC_TRANSPORT=httpx`` keeps httpx's own pool even with
the extra installed (for mocks that patch it, such as respx).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator, Mapping
from functools import cache
from typing import Any, Final

import httpx

from lightly_async._redact import REDACTED, install_log_redaction, redact, redact_url

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "REDACTED",
    "TRANSPORT_ENV",
    "AsyncBaseTransport",
    "AsyncClient",
    "AutoTransport",
    "ConnectError",
    "ConnectTimeout",
    "HTTPError",
    "PoolTimeout",
    "Request",
    "Response",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "asgi_transport",
    "build_client",
    "choose_transport",
    "fast_transport_available",
    "fast_transport_wanted",
    "install_log_redaction",
    "make_timeout",
    "mock_transport",
    "redact",
    "redact_url",
]

AsyncClient = httpx.AsyncClient
AsyncBaseTransport = httpx.AsyncBaseTransport
Request = httpx.Request
Response = httpx.Response
Timeout = httpx.Timeout
HTTPError = httpx.HTTPError
TransportError = httpx.TransportError
TimeoutException = httpx.TimeoutException
ConnectError = httpx.ConnectError
ConnectTimeout = httpx.ConnectTimeout
PoolTimeout = httpx.PoolTimeout
DecodingError = httpx.DecodingError

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=DEFAULT_CONNECT_TIMEOUT)
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=64, max_keepalive_connections=32)
TRANSPORT_ENV: Final = "LIGHTLY_ASYNC_TRANSPORT"


def make_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    """A per-phase timeout from seconds, an ``httpx.Timeout`` or ``None`` (no timeout)."""
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None)
    return httpx.Timeout(value, connect=min(value, DEFAULT_CONNECT_TIMEOUT))


def build_client(
    *,
    base_url: str,
    timeout: httpx.Timeout,
    headers: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.AsyncClient:
    """The session's own client; no I/O happens until the first request.

    Without ``transport`` the client gets an :class:`AutoTransport` when the ``fast`` extra
    is installed, else httpx's own pool.
    """
    install_log_redaction()
    if transport is None and fast_transport_wanted():
        transport = AutoTransport(limits)
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        headers=dict(headers),
        transport=transport,
        limits=limits,
        follow_redirects=False,
    )


class AutoTransport(httpx.AsyncBaseTransport):
    """Chooses the pool under httpx on the first request, by the event loop it runs on.

    On asyncio with ``httpx-aiohttp`` importable: aiohttp's pool, its errors mapped to the
    httpx errors they mean (see :func:`_aiohttp_error`). Otherwise: httpx's own pool.
    """

    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._inner: httpx.AsyncBaseTransport | None = None

    @property
    def chosen(self) -> httpx.AsyncBaseTransport | None:
        """The transport in use (``None`` before the first request)."""
        return self._inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner
        if inner is None:  # no await before the assignment: concurrent first calls agree
            inner = self._inner = choose_transport(self._limits)
        return await inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def choose_transport(limits: httpx.Limits = DEFAULT_LIMITS) -> httpx.AsyncBaseTransport:
    """aiohttp's pool when running on asyncio and the ``fast`` extra is installed, else httpx's."""
    if fast_transport_wanted() and _on_asyncio():
        return _AiohttpTransport(limits)
    return httpx.AsyncHTTPTransport(limits=limits)


def fast_transport_wanted() -> bool:
    """The ``fast`` extra is installed and ``LIGHTLY_ASYNC_TRANSPORT`` is not ``httpx``."""
    choice = os.environ.get(TRANSPORT_ENV, "auto").strip().lower()
    return choice != "httpx" and fast_transport_available()


@cache
def fast_transport_available() -> bool:
    """True when the ``fast`` extra (``httpx-aiohttp``) is installed."""
    return importlib.util.find_spec("httpx_aiohttp") is not None


def _on_asyncio() -> bool:
    import asyncio

    try:
        # None in a trio task even when trio runs as a guest inside an asyncio loop.
        return asyncio.current_task() is not None
    except RuntimeError:  # no running asyncio loop: trio, or no loop at all
        return False


class _AiohttpTransport(httpx.AsyncBaseTransport):
    """``httpx_aiohttp.AiohttpTransport`` with aiohttp's errors mapped by what they mean.

    httpx-aiohttp maps every ``aiohttp.ClientConnectionError`` (a connection the server
    dropped after the request was sent, too) to ``httpx.ConnectTimeout``, which would tell
    the retry logic "never sent" and let it replay a POST; and a bare ``TimeoutError``
    would escape as a non-httpx error. The mapping here restores both distinctions.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        from httpx_aiohttp import AiohttpTransport  # type: ignore[import-not-found,unused-ignore]

        install_log_redaction()  # aiohttp's loggers exist now
        self._inner = AiohttpTransport(limits=limits)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import aiohttp  # type: ignore[import-not-found,unused-ignore]

        try:
            response: httpx.Response = await self._inner.handle_async_request(request)
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise _aiohttp_error(exc) from exc
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _MappedStream(response.stream)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _MappedStream(httpx.AsyncByteStream):
    """A response body whose read errors are mapped like the request's."""

    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import aiohttp  # type: ignore[import-not-found,unused-ignore]

        try:
            async for chunk in self._stream:
                yield chunk
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise _aiohttp_error(exc) from exc

    async def aclose(self) -> None:
        await self._stream.aclose()


def _aiohttp_error(exc: BaseException) -> httpx.TransportError:
    """The httpx error an aiohttp failure (raw, or wrapped by httpx-aiohttp) stands for."""
    import aiohttp  # type: ignore[import-not-found,unused-ignore]

    cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
    message = str(exc) or type(cause).__name__
    error: type[httpx.TransportError]
    if isinstance(cause, aiohttp.ConnectionTimeoutError):  # connect or pool wait: not sent
        error = httpx.ConnectTimeout
    elif isinstance(cause, aiohttp.ClientConnectorError):  # refused, DNS, TLS: not sent
        error = httpx.ConnectError
    elif isinstance(cause, TimeoutError):  # waiting for the answer: may have been sent
        error = httpx.ReadTimeout
    elif isinstance(cause, aiohttp.ClientError):  # dropped mid-exchange: may have been sent
        error = httpx.ReadError
    elif isinstance(exc, httpx.TransportError):
        return exc
    else:
        error = httpx.ReadError
    return error(message)


def asgi_transport(app: Any) -> httpx.AsyncBaseTransport:
    """Serve an ASGI app in-process (the fake server's in-memory mode)."""
    return httpx.ASGITransport(app=app)


def mock_transport(handler: Any) -> httpx.AsyncBaseTransport:
    """A transport answering every request with ``handler(request)`` (for tests)."""
    return httpx.MockTransport(handler)
