"""The only package that imports httpx2, httpx or aiohttp: clients, limits, timeouts, transports.

Everything else in the library speaks in terms of the small surface re-exported here
(``_http.X``), so the choice of transport stays one local change. One module per job:

- :mod:`~lightly_async._http.family`: httpx2's names as the library uses them, and support
  for a caller's real ``httpx`` client or transport (its timeouts, its errors);
- :mod:`~lightly_async._http.network`: TLS trust (loaded at the first handshake) and proxies;
- :mod:`~lightly_async._http.client`: building the session's own client;
- :mod:`~lightly_async._http.choice`: which pool carries the requests (aiohttp's on asyncio,
  httpx2's under trio, httpx2's while a test's mock is in place);
- :mod:`~lightly_async._http.aiohttp_transport`: our httpx2 transport over aiohttp, and the
  API call path that sends an API call straight to it when it can;
- :mod:`~lightly_async._http.body_cap`: ``max_response_size``.

Test transports (``mock_transport``, ``asgi_transport``) live in
``lightly_async.testing._transports``. Redaction (the ``token`` query parameter, the
``Authorization`` header, signed URLs' queries) lives in ``_redact.py``; its log filter is
installed on every client built here and when aiohttp's loggers come into being.

Importing this package imports no HTTP library: the names that need httpx2 or aiohttp load
their module on first use (a session is made), so ``import lightly_async`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lightly_async._http.body_cap import BodyTooLargeError, read_body
from lightly_async._http.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    TRANSPORT_ENV,
    AnyClient,
    AnyTransport,
    user_agent,
)
from lightly_async._http.network import Network, Proxy, certificate_failure, error_text
from lightly_async._redact import REDACTED, install_log_redaction, redact, redact_url

if TYPE_CHECKING:
    from lightly_async._http.aiohttp_transport import (
        AiohttpTransport,
        ApiCallPath,
        ResponseHead,
        aiohttp_error,
    )
    from lightly_async._http.choice import (
        AutoTransport,
        aiohttp_installed,
        aiohttp_wanted,
        choose_transport,
        connection_limit,
        httpx2_pool,
        mock_active,
        report_stale_connections,
        transport_name,
    )
    from lightly_async._http.client import NoCookies, build_client
    from lightly_async._http.family import (
        DEFAULT_LIMITS,
        DEFAULT_TIMEOUT,
        ASGITransport,
        AsyncBaseTransport,
        AsyncClient,
        ConnectError,
        ConnectTimeout,
        DecodingError,
        HTTPError,
        MockTransport,
        PoolTimeout,
        Request,
        Response,
        Timeout,
        TimeoutException,
        TransportError,
        alias_httpx,
        as_transport_error,
        client_timeout,
        decoding_errors,
        make_timeout,
        transport_errors,
    )

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "REDACTED",
    "TRANSPORT_ENV",
    "ASGITransport",
    "AiohttpTransport",
    "AnyClient",
    "AnyTransport",
    "ApiCallPath",
    "AsyncBaseTransport",
    "AsyncClient",
    "AutoTransport",
    "BodyTooLargeError",
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "HTTPError",
    "MockTransport",
    "Network",
    "NoCookies",
    "PoolTimeout",
    "Proxy",
    "Request",
    "Response",
    "ResponseHead",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "aiohttp_error",
    "aiohttp_installed",
    "aiohttp_wanted",
    "alias_httpx",
    "as_transport_error",
    "build_client",
    "certificate_failure",
    "choose_transport",
    "client_timeout",
    "connection_limit",
    "decoding_errors",
    "error_text",
    "httpx2_pool",
    "install_log_redaction",
    "make_timeout",
    "mock_active",
    "read_body",
    "redact",
    "redact_url",
    "report_stale_connections",
    "transport_errors",
    "transport_name",
    "user_agent",
]

_FAMILY = "lightly_async._http.family"
_CHOICE = "lightly_async._http.choice"
_AIOHTTP = "lightly_async._http.aiohttp_transport"
#: name -> (module, attribute) of everything that needs httpx2 (or aiohttp) to load
_LAZY: dict[str, tuple[str, str]] = {
    **{name: (_FAMILY, name) for name in (
        "DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "ASGITransport", "AsyncBaseTransport",
        "AsyncClient", "ConnectError", "ConnectTimeout", "DecodingError", "HTTPError",
        "MockTransport", "PoolTimeout", "Request", "Response", "Timeout", "TimeoutException",
        "TransportError", "alias_httpx", "as_transport_error", "client_timeout",
        "decoding_errors", "make_timeout", "transport_errors")},
    **{name: (_CHOICE, name) for name in (
        "AutoTransport", "aiohttp_installed", "aiohttp_wanted", "choose_transport",
        "connection_limit", "httpx2_pool", "mock_active", "report_stale_connections",
        "transport_name")},
    **{name: (_AIOHTTP, name) for name in ("AiohttpTransport", "ResponseHead", "aiohttp_error")},
    "ApiCallPath": (_AIOHTTP, "ApiCallPath"),
    "NoCookies": ("lightly_async._http.client", "NoCookies"),
    "build_client": ("lightly_async._http.client", "build_client"),
}


def __getattr__(name: str) -> Any:
    """Load the module of a name that needs httpx2 or aiohttp on first use (PEP 562)."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later reads are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
