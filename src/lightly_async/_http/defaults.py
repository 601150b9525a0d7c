"""The numbers and names every room of ``_http`` shares; nothing here imports an HTTP library."""

from __future__ import annotations

from typing import Any, Final

from lightly_async._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PHASE_TIMEOUT,
    MAX_CONNECTIONS,
    MAX_KEEPALIVE_CONNECTIONS,
    user_agent,
)

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_MAX_CONNECTIONS", "DEFAULT_MAX_KEEPALIVE",
           "DEFAULT_PHASE_TIMEOUT", "TRANSPORT_ENV", "AnyClient", "AnyTransport", "user_agent"]

#: Connections a session's own pool opens at most, and keeps alive at most (the values
#: live in ``_constants`` with every other default).
DEFAULT_MAX_CONNECTIONS: Final = MAX_CONNECTIONS
DEFAULT_MAX_KEEPALIVE: Final = MAX_KEEPALIVE_CONNECTIONS
#: ``LIGHTLY_ASYNC_TRANSPORT=httpx2`` pins httpx2's own pool on asyncio too.
TRANSPORT_ENV: Final = "LIGHTLY_ASYNC_TRANSPORT"

#: Any client or transport we can drive: httpx2's, or one of the httpx family (duck-typed).
AnyClient = Any
AnyTransport = Any
