"""Client building: the session's own httpx2 client (or an httpx one over a caller's transport).

No I/O happens here: the pool under the client is chosen on the first request
(:mod:`lightly_async._http.choice`) and reaches the API with the trust and proxies of a
:class:`~lightly_async._http.network.Network`. Redirects are never followed and no cookie is
ever kept; every client gets the redacting log filter.
"""

from __future__ import annotations

import http.cookiejar
import sys
from collections.abc import Mapping
from typing import Any

import httpx2

from lightly_async._http.choice import AutoTransport, aiohttp_wanted, httpx2_pool
from lightly_async._http.defaults import AnyClient, AnyTransport
from lightly_async._http.family import DEFAULT_LIMITS, httpx_timeout, is_httpx_family
from lightly_async._http.network import Network
from lightly_async._redact import install_log_redaction

__all__ = ["NoCookies", "build_client"]


def build_client(
    *,
    base_url: str,
    timeout: httpx2.Timeout,
    headers: Mapping[str, str],
    transport: AnyTransport | None = None,
    limits: httpx2.Limits = DEFAULT_LIMITS,
    network: Network | None = None,
) -> AnyClient:
    """The session's own client; no I/O happens until the first request.

    Without ``transport`` the client gets an :class:`AutoTransport` (aiohttp's pool on
    asyncio, httpx2's under trio), or httpx2's own pool when that is pinned, both with
    ``network``'s trust and proxies. A transport of the httpx family gets an httpx client.
    """
    install_log_redaction()
    if transport is not None and is_httpx_family(transport, "AsyncBaseTransport"):
        httpx = sys.modules["httpx"]
        return httpx.AsyncClient(
            base_url=base_url, timeout=httpx_timeout(httpx, timeout),
            headers=dict(headers), transport=transport, follow_redirects=False,
            cookies=NoCookies())
    if transport is None:
        network = network or Network()
        transport = (AutoTransport(limits, network) if aiohttp_wanted()
                     else httpx2_pool(limits, network))
    return httpx2.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        headers=dict(headers),
        transport=transport,
        limits=limits,
        follow_redirects=False,
        cookies=NoCookies(),
        trust_env=False,  # the environment's trust and proxies are read by Network
    )


class NoCookies(http.cookiejar.CookieJar):
    """The session client's jar: this API uses no cookies, so a ``Set-Cookie`` is never kept.

    (httpx2's default jar would replay every cookie a server sets on every later call, the
    request head growing with each answer; aiohttp's pool gets ``DummyCookieJar``.)
    """

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None
