"""Transport choice: which pool carries a session's requests.

A session's own client runs on :class:`AiohttpTransport` when its first request is made on
asyncio, and on httpx2's own pool under trio (aiohttp is asyncio-only) or when
``LIGHTLY_ASYNC_TRANSPORT=httpx2`` pins it. While a test's httpx2 mock (respx,
pytest-httpx2) is in place, requests go through httpx2's pool so that the mock sees them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from functools import cache
from typing import Any, Final
from urllib.parse import urlsplit

import httpx2

from lightly_async._http.aiohttp_transport import AiohttpTransport
from lightly_async._http.defaults import DEFAULT_MAX_CONNECTIONS, TRANSPORT_ENV, AnyClient
from lightly_async._http.family import DEFAULT_LIMITS
from lightly_async._http.network import Network
from lightly_async._validate import is_loopback
from lightly_async.errors import MockNotSeenError

__all__ = [
    "AutoTransport",
    "aiohttp_installed",
    "aiohttp_wanted",
    "choose_transport",
    "connection_limit",
    "httpx2_pool",
    "mock_active",
    "report_stale_connections",
    "transport_name",
]


def connection_limit(client: AnyClient | None) -> int:
    """The most connections ``client``'s pool opens at once (our default when unknown)."""
    if client is not None:
        pool = getattr(getattr(client, "_transport", None), "_pool", None)
        limit = getattr(pool, "_max_connections", None)
        if isinstance(limit, int) and limit > 0:
            return limit
    return int(DEFAULT_LIMITS.max_connections or DEFAULT_MAX_CONNECTIONS)


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
    if type(transport) is httpx2.AsyncHTTPTransport or isinstance(transport, _ProxyRouter):
        return "httpx2"
    module = type(transport).__module__.split(".")[0]
    return f"{module}.{type(transport).__name__}"


class AutoTransport(httpx2.AsyncBaseTransport):
    """Chooses the pool under httpx2 on the first request, by the event loop it runs on."""

    def __init__(self, limits: httpx2.Limits = DEFAULT_LIMITS,
                 network: Network | None = None) -> None:
        self._limits = limits
        self._network = network or Network()
        self._inner: httpx2.AsyncBaseTransport | None = None
        self._mocked: httpx2.AsyncBaseTransport | None = None  # httpx2's pool, under a mock
        self.stats: Any = None  # handed on to an AiohttpTransport when it is chosen

    @property
    def chosen(self) -> httpx2.AsyncBaseTransport | None:
        """The transport in use (``None`` before the first request)."""
        return self._inner

    def resolve(self) -> httpx2.AsyncBaseTransport:
        """The transport in use, chosen now if no request was made yet."""
        inner = self._inner
        if inner is None:  # no await before the assignment: concurrent first calls agree
            inner = self._inner = choose_transport(self._limits, self._network)
            if isinstance(inner, AiohttpTransport):
                inner.stats = self.stats
        return inner

    def for_mocks(self) -> httpx2.AsyncBaseTransport:
        """httpx2's own pool, which a test's httpx2 mock (respx, pytest-httpx2) intercepts."""
        inner = self.resolve()
        if not isinstance(inner, AiohttpTransport):
            return inner
        mocked = self._mocked
        if mocked is None:
            mocked = self._mocked = httpx2_pool(self._limits, self._network)
        return mocked

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if mock_active(request.url):
            return await self.for_mocks().handle_async_request(request)
        return await self.resolve().handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()
        if self._mocked is not None:
            await self._mocked.aclose()


# -- mocks: a test's httpx2 mock must see every request of a default session ------------------
# respx and pytest-httpx2 replace methods of httpx2's (or httpcore2's) classes; aiohttp's pool
# never calls them. While one is replaced, a session's own client sends through httpx2's pool,
# so the mock answers. The check is per request (a few attribute reads): mocks come and go.
# An instrumentation wrapping httpx2's transport (OpenTelemetry's httpx instrumentation on
# httpx2) counts too: it then sees the session's calls.
_HTTPX2_SEAMS: Final = (
    ("httpcore2", "AsyncConnectionPool", "handle_async_request"),  # respx, pytest-httpx2
    ("httpx2", "AsyncHTTPTransport", "handle_async_request"),  # transport-level mocks
    ("httpx2", "AsyncClient", "_transport_for_url"),  # respx's using="httpx"
)
#: The same seams of the *other* family: a mock there never sees a session's requests.
_HTTPX_SEAMS: Final = (
    ("httpcore", "AsyncConnectionPool", "handle_async_request"),
    ("httpx", "AsyncHTTPTransport", "handle_async_request"),
    ("httpx", "AsyncClient", "_transport_for_url"),
)


#: seam -> (its class, its own function), once seen unpatched: later checks are identities
_ORIGINALS: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def _replaced(seams: tuple[tuple[str, str, str], ...]) -> bool:
    """True when one of ``seams`` (module, class, method) is not its module's own function."""
    for seam in seams:
        known = _ORIGINALS.get(seam)
        if known is None:
            module = sys.modules.get(seam[0])
            if module is None:  # never imported: never patched (patching imports it)
                continue
            cls = getattr(module, seam[1], None)
            current = getattr(cls, seam[2], None)
            owner = getattr(current, "__module__", None) or ""
            # a wrapper (wrapt, functools.wraps) keeps the module's name: __wrapped__ tells
            if not owner.startswith(module.__name__) or hasattr(current, "__wrapped__"):
                return True
            known = _ORIGINALS[seam] = (cls, current)
        if getattr(known[0], seam[2], None) is not known[1]:
            return True
    return False


def mock_active(url: object = None) -> bool:
    """True while an httpx2 mock is in place: requests must go through httpx2's pool.

    When only the httpx package is mocked (respx without ``httpx2.alias_httpx()``), the
    mock would never see this request: :class:`MockNotSeenError` is raised before any
    connection opens, unless ``url`` is on a loopback host (a local fake server).
    """
    if _replaced(_HTTPX2_SEAMS):
        return True
    httpx = sys.modules.get("httpx")
    if httpx is not None and httpx is not httpx2 and _replaced(_HTTPX_SEAMS) and not (
            url is not None and is_loopback(urlsplit(str(url)).hostname or "")):
        raise MockNotSeenError(
            "the httpx package is mocked (respx?), but lightly_async sends its requests with "
            "httpx2, so that mock would not see them and they would reach the real server. "
            "Mock httpx2 instead: pytest-httpx2's httpx2_mock fixture; or respx with "
            "httpx2.alias_httpx() run before anything imports httpx (in pytest: "
            "`-p lightly_async.testing.alias_httpx`); or pass "
            "transport=httpx2.MockTransport(handler) to the session. No request was sent.")
    return False


def choose_transport(
    limits: httpx2.Limits = DEFAULT_LIMITS, network: Network | None = None,
) -> httpx2.AsyncBaseTransport:
    """aiohttp's pool when running on asyncio (unless pinned to httpx2), else httpx2's."""
    network = network or Network()
    if aiohttp_wanted() and _on_asyncio():
        return AiohttpTransport(limits, network)
    return httpx2_pool(limits, network)


def httpx2_pool(limits: httpx2.Limits, network: Network) -> httpx2.AsyncBaseTransport:
    """httpx2's own pool with ``network``'s trust; per-host proxy routing when one is set."""
    direct = httpx2.AsyncHTTPTransport(limits=limits, verify=network.ssl_context(),
                                       trust_env=False)
    return direct if not network.proxied else _ProxyRouter(direct, limits, network)


class _ProxyRouter(httpx2.AsyncBaseTransport):
    """httpx2's pools for a session with a proxy: each request to its host's proxy (or none)."""

    def __init__(self, direct: httpx2.AsyncHTTPTransport, limits: httpx2.Limits,
                 network: Network) -> None:
        self._direct = direct
        self._limits = limits
        self._network = network
        self._proxied: dict[str, httpx2.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        proxy = self._network.proxy_for(request.url.scheme, request.url.host)
        if proxy is None:
            return await self._direct.handle_async_request(request)
        pool = self._proxied.get(proxy.url)
        if pool is None:
            pool = self._proxied[proxy.url] = httpx2.AsyncHTTPTransport(
                limits=self._limits, verify=self._network.ssl_context(), trust_env=False,
                proxy=httpx2.Proxy(proxy.url, auth=proxy.auth))
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        await self._direct.aclose()
        for pool in self._proxied.values():
            await pool.aclose()


def aiohttp_wanted() -> bool:
    """aiohttp is installed and ``LIGHTLY_ASYNC_TRANSPORT`` does not pin httpx2's pool."""
    choice = os.environ.get(TRANSPORT_ENV, "auto").strip().lower()
    return choice not in ("httpx", "httpx2") and aiohttp_installed()


@cache
def aiohttp_installed() -> bool:
    """True when aiohttp is importable (a core dependency; absent only in odd installs)."""
    return importlib.util.find_spec("aiohttp") is not None


def _on_asyncio() -> bool:
    from lightly_async._pipeline import running_asyncio_task  # the one asyncio check

    return running_asyncio_task() is not None


def report_stale_connections(client: AnyClient, stats: Any) -> None:
    """Count the stale pooled connections of ``client``'s aiohttp pool (if any) in ``stats``."""
    transport = getattr(client, "_transport", None)
    if isinstance(transport, AutoTransport | AiohttpTransport):
        transport.stats = stats
