"""Test transports: a session served in-process by a handler or by the fake's ASGI app.

Both are httpx2 transports (``transport=`` of a session); ``mock_transport`` is
``httpx2.MockTransport``, ``asgi_transport`` is ``httpx2.ASGITransport``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lightly_async import _http

__all__ = ["asgi_transport", "mock_transport"]


def asgi_transport(app: Any) -> _http.AsyncBaseTransport:
    """Serve an ASGI app in-process (the fake server's in-memory mode)."""
    return _http.ASGITransport(app=app)


def mock_transport(handler: Callable[..., Any]) -> _http.AsyncBaseTransport:
    """A transport answering every request with ``handler(request)`` (for tests)."""
    return _http.MockTransport(handler)
