"""The numbers and names every room of ``_http`` shares; nothing here imports an HTTP library."""

from __future__ import annotations

from functools import cache
from typing import Any, Final

#: Seconds to open a connection, unless the caller gives a per-phase timeout.
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
#: Seconds for each other phase (read, write, pool wait).
DEFAULT_PHASE_TIMEOUT: Final = 30.0
#: Connections a session's own pool opens at most, and keeps alive at most.
DEFAULT_MAX_CONNECTIONS: Final = 64
DEFAULT_MAX_KEEPALIVE: Final = 32
#: ``LIGHTLY_ASYNC_TRANSPORT=httpx2`` pins httpx2's own pool on asyncio too.
TRANSPORT_ENV: Final = "LIGHTLY_ASYNC_TRANSPORT"

#: Any client or transport we can drive: httpx2's, or one of the httpx family (duck-typed).
AnyClient = Any
AnyTransport = Any


@cache
def user_agent() -> str:
    """The ``User-Agent`` of every request: ``lightly-async/<version>``.

    """
    from lightly_async._version import __version__

    return f"lightly-async/{__version__}"
