"""The only module that imports httpx: client construction, limits, timeouts, transports.

Everything else in the library speaks in terms of the small surface defined here, so the
choice of transport under httpx (its own pool, or another one measured faster) stays one
local change. It also owns redaction: the ``token`` query parameter and the
``Authorization`` header never reach a log line, an exception or a repr.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Final

import httpx

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "AsyncBaseTransport",
    "AsyncClient",
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
    "install_log_redaction",
    "make_timeout",
    "mock_transport",
    "redact",
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
    """The session's own client; no I/O happens until the first request."""
    install_log_redaction()
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        headers=dict(headers),
        transport=transport,
        limits=limits,
        follow_redirects=False,
    )


def asgi_transport(app: Any) -> httpx.AsyncBaseTransport:
    """Serve an ASGI app in-process (the fake server's in-memory mode)."""
    return httpx.ASGITransport(app=app)


def mock_transport(handler: Any) -> httpx.AsyncBaseTransport:
    """A transport answering every request with ``handler(request)`` (for tests)."""
    return httpx.MockTransport(handler)


# `token=` at a word boundary: in a query string, and in free text a server echoed back.
_TOKEN_RE: Final = re.compile(r"(\btoken=)[^&#;\s'\"]*", re.IGNORECASE)
_BEARER_RE: Final = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
REDACTED: Final = "[REDACTED]"


def redact(text: str) -> str:
    """Mask every ``token=…`` query value and bearer credential in ``text``."""
    return _BEARER_RE.sub(r"\1" + REDACTED, _TOKEN_RE.sub(r"\1" + REDACTED, text))


def redact_url(url: httpx.URL | str) -> str:
    """A URL as text with its ``token`` query parameter masked."""
    return redact(str(url))


class _RedactingFilter(logging.Filter):
    """Rewrites records of httpx/httpcore loggers so no token or bearer JWT is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours to hide
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER: Final = _RedactingFilter()
_LOGGERS: Final = ("httpx", "httpcore", "lightly_async")


def install_log_redaction() -> None:
    """Add the redacting filter to the httpx, httpcore and lightly_async loggers (once)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
