"""The httpx family: httpx2's names as the library uses them, and a caller's real httpx.

The HTTP library is **httpx2** (the maintained continuation of httpx, same API); the rest of
the library names its classes through here (``_http.Response``, ``_http.Timeout``...). A
caller may pass an ``httpx2`` or an ``httpx`` client or transport: the httpx family is
supported at run time without being a dependency (its timeouts are converted, its errors are
mapped to httpx2's). Nothing here imports httpx: a caller's object tells whether it is loaded.
"""

from __future__ import annotations

import sys
from typing import Any, Final

import httpx2

from lightly_async._http.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE,
    DEFAULT_PHASE_TIMEOUT,
    AnyClient,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "ASGITransport",
    "AsyncBaseTransport",
    "AsyncClient",
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "HTTPError",
    "MockTransport",
    "PoolTimeout",
    "Request",
    "Response",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "alias_httpx",
    "as_transport_error",
    "client_timeout",
    "decoding_errors",
    "httpx_timeout",
    "is_httpx_family",
    "make_timeout",
    "transport_errors",
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

MockTransport = httpx2.MockTransport
ASGITransport = httpx2.ASGITransport

DEFAULT_TIMEOUT: Final = httpx2.Timeout(DEFAULT_PHASE_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
DEFAULT_LIMITS: Final = httpx2.Limits(
    max_connections=DEFAULT_MAX_CONNECTIONS, max_keepalive_connections=DEFAULT_MAX_KEEPALIVE)


def make_timeout(value: float | httpx2.Timeout | Any | None) -> httpx2.Timeout:
    """A per-phase timeout from seconds, an ``httpx2``/``httpx`` ``Timeout`` or ``None``."""
    if isinstance(value, httpx2.Timeout):
        return value
    if value is None:
        return httpx2.Timeout(None)
    if is_httpx_family(value, "Timeout"):
        other: Any = value
        return httpx2.Timeout(
            connect=other.connect, read=other.read, write=other.write, pool=other.pool)
    seconds = float(value)
    return httpx2.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def client_timeout(client: AnyClient, timeout: httpx2.Timeout) -> Any:
    """``timeout`` in the form ``client.build_request`` accepts (its own family's class)."""
    if isinstance(client, httpx2.AsyncClient):
        return timeout
    return httpx_timeout(sys.modules["httpx"], timeout)


def httpx_timeout(httpx: Any, timeout: httpx2.Timeout) -> Any:
    """``timeout`` as the given httpx module's own ``Timeout``."""
    return httpx.Timeout(
        connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool)


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


def is_httpx_family(obj: Any, name: str) -> bool:
    """True for an instance of ``httpx.<name>`` when httpx is loaded and is not httpx2."""
    httpx = sys.modules.get("httpx")
    return httpx is not None and httpx is not httpx2 and isinstance(obj, getattr(httpx, name))


def alias_httpx() -> None:
    """``httpx2.alias_httpx()``: from now on ``import httpx`` (and ``httpcore``) is httpx2's."""
    httpx2.alias_httpx()
