"""The API call path: one API request sent and its whole answer read under the size cap.

On aiohttp's pool a session's API calls skip httpx2's request and response objects
altogether (see :class:`ApiCallPath`); signed-URL transfers, whose bodies stream, go through
httpx2.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, Final

import httpx2

from lightly_async._http.aiohttp_transport import AiohttpTransport, ResponseHead
from lightly_async._http.body_cap import read_body
from lightly_async._http.choice import AutoTransport, mock_active
from lightly_async._http.defaults import AnyClient

__all__ = ["ApiCallPath"]


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
        if direct is not None and not mock_active(url):
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
