"""The only module that imports httpx2, httpx or aiohttp: clients, limits, timeouts, transports.

Everything else in the library speaks in terms of the small surface defined here, so the
choice of transport stays one local change. Redaction (the ``token`` query parameter, the
``Authorization`` header, signed URLs' queries) lives in ``_redact.py``; this module installs
its log filter on every client it builds and when aiohttp's loggers come into being.

The HTTP library is **httpx2** (the maintained continuation of httpx, same API). The pool
under it is a measured choice (``benchmarks/bench_transport.py``, ``benchmarks/README.md``):
aiohttp's pool keeps many requests in flight near the latency limit and answers small calls
fastest, so a session's own client runs on :class:`AiohttpTransport` (ours, below: an
httpx2 transport over an ``aiohttp.ClientSession``) when its first request is made on
asyncio; under trio (aiohttp is asyncio-only) it runs on httpx2's own pool. aiohttp is
imported on that first request, never at ``import lightly_async``.
``LIGHTLY_ASYNC_TRANSPORT=httpx2`` keeps httpx2's own pool on asyncio too. On that aiohttp
pool a session's API calls skip httpx2's request and response objects altogether
(:class:`ApiChannel`); signed-URL transfers, whose bodies stream, go through httpx2.

A caller may pass an ``httpx2`` or an ``httpx`` client or transport: the httpx family is
supported at run time without being a dependency (its errors are mapped to httpx2's, its
loggers get the redacting filter, and no call follows a redirect on it either).

Why our own aiohttp transport rather than ``httpx_aiohttp.httpx2``: that package's import
also imports httpx (a second, stalled HTTP stack in every install), and it maps a connection
dropped after the request was sent to ``ConnectTimeout`` ("never sent"), which would let the
retry loop replay a plain POST. Here each aiohttp error is mapped at its source by whether
the request may have reached the server, and the body is handed over in the chunks aiohttp
already buffered (no re-chunking into 16 KiB pieces).
"""

from __future__ import annotations

import base64
import contextvars
import http.cookiejar
import importlib.util
import ipaddress
import os
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

import httpx2

from lightly_async._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PHASE_TIMEOUT,
    MAX_CONNECTIONS,
    MAX_KEEPALIVE_CONNECTIONS,
)
from lightly_async._redact import REDACTED, install_log_redaction, redact, redact_url
from lightly_async.errors import MockNotSeenError

if TYPE_CHECKING:
    import ssl

    import aiohttp

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "REDACTED",
    "TRANSPORT_ENV",
    "AiohttpTransport",
    "Answer",
    "ApiChannel",
    "AsyncBaseTransport",
    "AsyncClient",
    "AutoTransport",
    "BodyTooLargeError",
    "ConnectError",
    "ConnectTimeout",
    "HTTPError",
    "Network",
    "NoCookies",
    "PoolTimeout",
    "Proxy",
    "Request",
    "Response",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "alias_httpx",
    "as_transport_error",
    "asgi_transport",
    "build_client",
    "certificate_failure",
    "choose_transport",
    "client_timeout",
    "connection_limit",
    "decoding_errors",
    "error_text",
    "fast_transport_available",
    "fast_transport_wanted",
    "httpx2_pool",
    "install_log_redaction",
    "make_timeout",
    "mock_active",
    "mock_transport",
    "read_body",
    "redact",
    "redact_url",
    "report_stale_connections",
    "transport_errors",
    "transport_name",
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

DEFAULT_TIMEOUT: Final = httpx2.Timeout(DEFAULT_PHASE_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
DEFAULT_LIMITS: Final = httpx2.Limits(max_connections=MAX_CONNECTIONS,
                                      max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS)
TRANSPORT_ENV: Final = "LIGHTLY_ASYNC_TRANSPORT"

#: Any client or transport we can drive: httpx2's, or one of the httpx family (duck-typed).
AnyClient = Any
AnyTransport = Any


def make_timeout(value: float | httpx2.Timeout | Any | None) -> httpx2.Timeout:
    """A per-phase timeout from seconds, an ``httpx2``/``httpx`` ``Timeout`` or ``None``."""
    if isinstance(value, httpx2.Timeout):
        return value
    if value is None:
        return httpx2.Timeout(None)
    if _is_httpx_family(value, "Timeout"):
        other: Any = value
        return httpx2.Timeout(
            connect=other.connect, read=other.read, write=other.write, pool=other.pool)
    seconds = float(value)
    return httpx2.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def client_timeout(client: AnyClient, timeout: httpx2.Timeout) -> Any:
    """``timeout`` in the form ``client.build_request`` accepts (its own family's class)."""
    if isinstance(client, httpx2.AsyncClient):
        return timeout
    return _httpx_timeout(sys.modules["httpx"], timeout)


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
    if transport is not None and _is_httpx_family(transport, "AsyncBaseTransport"):
        httpx = sys.modules["httpx"]
        return httpx.AsyncClient(
            base_url=base_url, timeout=_httpx_timeout(httpx, timeout),
            headers=dict(headers), transport=transport, follow_redirects=False,
            cookies=NoCookies())
    if transport is None:
        network = network or Network()
        transport = (AutoTransport(limits, network) if fast_transport_wanted()
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


def _httpx_timeout(httpx: Any, timeout: httpx2.Timeout) -> Any:
    return httpx.Timeout(
        connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool)


def connection_limit(client: AnyClient | None) -> int:
    """The most connections ``client``'s pool opens at once (our default when unknown)."""
    if client is not None:
        pool = getattr(getattr(client, "_transport", None), "_pool", None)
        limit = getattr(pool, "_max_connections", None)
        if isinstance(limit, int) and limit > 0:
            return limit
    return int(DEFAULT_LIMITS.max_connections or MAX_CONNECTIONS)


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
            url is not None and _loopback(urlsplit(str(url)).hostname or "")):
        raise MockNotSeenError(
            "the httpx package is mocked (respx?), but lightly_async sends its requests with "
            "httpx2, so that mock would not see them and they would reach the real server. "
            "Mock httpx2 instead: pytest-httpx2's httpx2_mock fixture; or respx with "
            "httpx2.alias_httpx() run before anything imports httpx (in pytest: "
            "`-p lightly_async.testing.alias_httpx`); or pass "
            "transport=httpx2.MockTransport(handler) to the session. No request was sent.")
    return False


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def choose_transport(
    limits: httpx2.Limits = DEFAULT_LIMITS, network: Network | None = None,
) -> httpx2.AsyncBaseTransport:
    """aiohttp's pool when running on asyncio (unless pinned to httpx2), else httpx2's."""
    network = network or Network()
    if fast_transport_wanted() and _on_asyncio():
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


class Proxy:
    """A proxy's URL without its credentials, and those apart (never shown anywhere)."""

    __slots__ = ("auth", "header", "url")

    def __init__(self, given: str) -> None:
        parts = urlsplit(given if "://" in given else f"http://{given}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// proxy URL")
        port = f":{parts.port}" if parts.port else ""
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self.url = f"{parts.scheme}://{host}{port}"
        self.auth: tuple[str, str] | None = None
        self.header: str | None = None
        if parts.username is not None:
            user, password = unquote(parts.username), unquote(parts.password or "")
            self.auth = (user, password)
            self.header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def __repr__(self) -> str:
        return f"<Proxy {self.url}{' (with credentials)' if self.auth else ''}>"


class Network:
    """How a session's own pool reaches the API: TLS trust and proxies.

    Trust, first match wins: ``ssl_context=``; ``ca_bundle=`` (a PEM file or a hashed
    directory); ``$LIGHTLY_CA_CERTS`` (as the official client); the operating system's store
    through truststore when ``$LIGHTLY_TRUSTSTORE`` is set; ``$SSL_CERT_FILE`` /
    ``$SSL_CERT_DIR``; else httpx2's default (the system's CA files). Proxies: ``proxy=`` for
    every request, else ``$HTTPS_PROXY`` / ``$HTTP_PROXY`` / ``$ALL_PROXY`` by scheme; hosts
    in ``$NO_PROXY`` go direct either way. Read once, when the session is made; the same on
    every pool and event loop.
    """

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None,
                 ca_bundle: str | None = None, proxy: str | None = None) -> None:
        self._given = ssl_context
        self._trust = _trust_source(ca_bundle)
        env = urllib.request.getproxies_environment()
        self._no_proxy = {"no": env["no"]} if env.get("no") else {}
        self._proxies: dict[str, Proxy] = {}
        if proxy is not None:
            one = Proxy(proxy)
            self._proxies = {"http": one, "https": one}
        else:
            for scheme in ("http", "https"):
                chosen = env.get(scheme) or env.get("all")
                if chosen:
                    self._proxies[scheme] = Proxy(chosen)
        self._routes: dict[tuple[str, str], Proxy | None] = {}

    @property
    def proxied(self) -> bool:
        """True when some request may go through a proxy."""
        return bool(self._proxies)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The proxies' credentials, for redaction."""
        found: list[str] = []
        for proxy in self._proxies.values():
            if proxy.auth is not None:
                found += [secret for secret in (proxy.auth[1], proxy.header) if secret]
        return tuple(found)

    def proxy_for(self, scheme: str, host: str) -> Proxy | None:
        """The proxy a request to ``scheme://host`` goes through (``None``: direct)."""
        key = (scheme, host)
        try:
            return self._routes[key]
        except KeyError:
            pass
        proxy = self._proxies.get(scheme)
        if proxy is not None and self._no_proxy and _bypass(host, self._no_proxy):
            proxy = None
        self._routes[key] = proxy
        return proxy

    def ssl_context(self) -> ssl.SSLContext:
        """The context that verifies servers' certificates."""
        if self._given is not None:
            return self._given
        return _trust_context(*self._trust)



#: urllib's NO_PROXY matching (hosts, domains, ports, ``*``), not in the type stubs
_bypass: Callable[[str, dict[str, str]], bool] = (
    urllib.request.proxy_bypass_environment)  # type: ignore[attr-defined]


def _trust_source(ca_bundle: str | None) -> tuple[str, str | None]:
    """(kind, location) of the CAs to trust: see :class:`Network`."""
    environ = os.environ
    for location in (ca_bundle, environ.get("LIGHTLY_CA_CERTS")):
        if location:
            if not os.path.exists(location):
                raise FileNotFoundError(location)
            return ("dir" if os.path.isdir(location) else "file"), location
    if environ.get("LIGHTLY_TRUSTSTORE", "").strip().lower() in ("1", "true", "yes", "on"):
        if importlib.util.find_spec("truststore") is None:
            raise ImportError("truststore")
        return "truststore", None
    if environ.get("SSL_CERT_FILE"):
        return "file", environ["SSL_CERT_FILE"]
    if environ.get("SSL_CERT_DIR"):
        return "dir", environ["SSL_CERT_DIR"]
    return "default", None


@cache
def _trust_context(kind: str, location: str | None) -> ssl.SSLContext:
    """One context per trust source, shared by sessions (loading CAs costs milliseconds)."""
    import ssl as ssl_module

    if kind == "file":
        return ssl_module.create_default_context(cafile=location)
    if kind == "dir":
        return ssl_module.create_default_context(capath=location)
    if kind == "truststore":
        import truststore

        return truststore.SSLContext(ssl_module.PROTOCOL_TLS_CLIENT)
    return httpx2.create_ssl_context(trust_env=False)  # httpx2's default: the system's CAs


def certificate_failure(exc: BaseException) -> str | None:
    """Why a certificate was refused, when that is what ``exc`` (or a cause) says."""
    ssl_module = sys.modules.get("ssl")
    if ssl_module is None:
        return None
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        certificate_error = getattr(seen, "certificate_error", None)  # aiohttp's wrapper
        if isinstance(certificate_error, ssl_module.SSLCertVerificationError):
            seen = certificate_error
            continue
        if isinstance(seen, ssl_module.SSLCertVerificationError):
            reason = getattr(seen, "verify_message", None) or getattr(seen, "reason", None)
            return f"certificate verify failed: {reason}" if reason else str(seen)
        seen = seen.__cause__ or seen.__context__
    return None


def error_text(exc: BaseException) -> str:
    """``str(exc)``, or when that is empty (trio's errors) the first cause that says more."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        text = " ".join(str(seen).split())
        if text:
            return text if seen is exc else f"{type(seen).__name__}: {text}"
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def fast_transport_wanted() -> bool:
    """aiohttp is installed and ``LIGHTLY_ASYNC_TRANSPORT`` does not pin httpx2's pool."""
    choice = os.environ.get(TRANSPORT_ENV, "auto").strip().lower()
    return choice not in ("httpx", "httpx2") and fast_transport_available()


@cache
def fast_transport_available() -> bool:
    """True when aiohttp is importable (a core dependency; absent only in odd installs)."""
    return importlib.util.find_spec("aiohttp") is not None


def _on_asyncio() -> bool:
    from lightly_async._pipeline import running_asyncio_task  # the one asyncio check

    return running_asyncio_task() is not None


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport over one ``aiohttp.ClientSession`` (made on the first request).

    Honours httpx2's per-request timeouts (connect/read/pool), never follows redirects and
    never decompresses (httpx2 does). aiohttp's errors become the httpx2 errors they mean:
    nothing sent (``ConnectError``/``ConnectTimeout``) only when no connection was made.
    """

    def __init__(self, limits: httpx2.Limits = DEFAULT_LIMITS,
                 network: Network | None = None) -> None:
        self._limits = limits
        self._network = network or Network()
        self._proxied = self._network.proxied
        self._session: aiohttp.ClientSession | None = None
        self._aiohttp: Any = None
        self._timeouts: dict[tuple[float | None, ...], Any] = {}
        #: counts stale pooled connections (``SessionStats.stale_connections``) if set
        self.stats: Any = None

    @staticmethod
    def accept_encoding() -> str:
        """The codings aiohttp decodes here: gzip, deflate, and br/zstd when their decoders are
        installed (what a direct API call advertises; aiohttp decompresses it)."""
        from aiohttp import compression_utils  # aiohttp is needed for the request anyway

        codings = ["gzip", "deflate"]
        if compression_utils.HAS_BROTLI:
            codings.append("br")
        if compression_utils.HAS_ZSTD:
            codings.append("zstd")
        return ", ".join(codings)

    def _open(self) -> tuple[Any, aiohttp.ClientSession]:
        aio = self._aiohttp
        if aio is None:
            import aiohttp as aio  # on the first request, not at `import lightly_async`

            self._aiohttp = aio
        session = self._session
        if session is None:
            session = self._session = _aiohttp_session(aio, self._limits, self._network, self)
            install_log_redaction()  # aiohttp's loggers exist now
        return aio, session

    async def exchange(
        self, method: str, url: str, headers: list[tuple[str, str]], content: bytes | None,
        timeout: httpx2.Timeout, limit: int | None,
    ) -> tuple[Answer, bytes | bytearray]:
        """One request straight on aiohttp, its body read under ``limit``: see ApiChannel."""
        aio, session = self._open()
        key = (timeout.connect, timeout.read, timeout.pool)
        client_timeout = self._timeouts.get(key)
        if client_timeout is None:
            client_timeout = self._timeouts[key] = aio.ClientTimeout(
                total=None, connect=timeout.pool, sock_connect=timeout.connect,
                sock_read=timeout.read)
        # No skip_auto_headers: the headers aiohttp would add (User-Agent, Accept,
        # Accept-Encoding) are all given, and a body always comes with its Content-Type.
        through: dict[str, Any] = {}
        if self._proxied:
            scheme, host = _scheme_host(url)
            proxy = self._network.proxy_for(scheme, host)
            if proxy is not None:
                headers, through = _aiohttp_proxy(proxy, scheme, headers)
        for resend in (False, True):
            _REUSED.set(False)
            try:
                response = await session.request(
                    method, url, headers=headers, data=content, allow_redirects=False,
                    auto_decompress=True, compress=None, timeout=client_timeout, **through)
                break
            except (aio.ClientError, TimeoutError) as exc:
                if resend or not self._stale(aio, exc):
                    raise _aiohttp_error(aio, exc) from exc
        try:
            body = await _read_aiohttp_body(aio, response, limit)
        finally:
            response.release()  # back to the pool if read to the end, else closed
        return Answer(response.status, response.headers, response.reason or ""), body

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        aio, session = self._open()
        timeout = request.extensions.get("timeout") or {}
        try:
            data: Any = request.content or None
        except httpx2.RequestNotRead:  # a streamed body
            data = request.stream
        headers = request.headers.multi_items()
        through: dict[str, Any] = {}
        if self._proxied:
            proxy = self._network.proxy_for(request.url.scheme, request.url.host)
            if proxy is not None:
                headers, through = _aiohttp_proxy(proxy, request.url.scheme, headers)
        for resend in (False, True):
            _REUSED.set(False)
            try:
                response = await session.request(
                    request.method, str(request.url), headers=headers,
                    data=data, allow_redirects=False, auto_decompress=False, compress=None,
                    timeout=aio.ClientTimeout(
                        total=None, connect=timeout.get("pool"),
                        sock_connect=timeout.get("connect"), sock_read=timeout.get("read")),
                    skip_auto_headers=_SKIP_AUTO_HEADERS, **through)
                break
            except (aio.ClientError, TimeoutError) as exc:
                streamed = data is not None and not isinstance(data, bytes)
                if resend or streamed or not self._stale(aio, exc):
                    raise _aiohttp_error(aio, exc) from exc
        return httpx2.Response(
            status_code=response.status, headers=response.raw_headers,
            stream=_AiohttpStream(aio, response), request=request,
            extensions={"http_version": b"HTTP/1.1",
                        "reason_phrase": (response.reason or "").encode()})

    def _stale(self, aio: Any, exc: BaseException) -> bool:
        """Whether a failed request met a stale pooled connection (then it is sent again,
        once, on another connection, whatever its method).

        That is: the connection came from the pool (it had carried an earlier exchange and
        sat idle), and the server closed or reset it before a byte of an answer came; the
        request's bytes met a socket the server had already closed and never read. A
        request on a fresh connection, a timeout, or an answer cut short is never resent
        here (the retry policy decides those).
        """
        if not _REUSED.get() or not isinstance(
                exc, aio.ServerDisconnectedError | aio.ClientOSError):
            return False
        if isinstance(exc, aio.ClientConnectorError):
            return False
        if self.stats is not None:
            self.stats.stale_connections += 1
        return True

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


#: Set by the connector when the connection a request got came from the pool (per task).
_REUSED: Final[contextvars.ContextVar[bool]] = contextvars.ContextVar(
    "lightly_async_reused", default=False)

_SKIP_AUTO_HEADERS: Final = ("User-Agent", "Accept-Encoding", "Content-Type")


def _aiohttp_session(
    aio: Any, limits: httpx2.Limits, network: Network, owner: AiohttpTransport,
) -> aiohttp.ClientSession:
    connector = _stale_checking_connector(aio)(
        owner, limit=limits.max_connections or 0, limit_per_host=0,
        keepalive_timeout=limits.keepalive_expiry or 5.0, ssl=network.ssl_context())
    # Cookies are not part of this API; a shared jar would only cost time per call. Proxies
    # come from Network, per request (aiohttp's trust_env would look them up on every call).
    return aio.ClientSession(  # type: ignore[no-any-return]
        connector=connector, cookie_jar=aio.DummyCookieJar(), auto_decompress=False,
        trust_env=False)


def _aiohttp_proxy(
    proxy: Proxy, scheme: str, headers: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The headers and aiohttp's arguments for a request through ``proxy``.

    The credentials travel only in ``Proxy-Authorization``: on the ``CONNECT`` of an https
    request, or on a plain-http request itself (which the proxy forwards).
    """
    if proxy.header is None:
        return headers, {"proxy": proxy.url}
    if scheme == "https":
        return headers, {"proxy": proxy.url,
                         "proxy_headers": {"Proxy-Authorization": proxy.header}}
    return [*headers, ("Proxy-Authorization", proxy.header)], {"proxy": proxy.url}


def _scheme_host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or ""


@cache
def _stale_checking_connector(aio: Any) -> Any:
    """aiohttp's ``TCPConnector``, checking a pooled connection before it is reused.

    A server may close an idle keep-alive connection (one that closes after every answer
    does it at once); aiohttp notices only when its loop next reads that socket, and a
    request sent on it before then is lost ("Can not write request body", "Server
    disconnected") although the server never read a byte of it. Here a pooled connection
    whose socket is readable while idle (the server's FIN, or bytes nobody asked for) is
    closed instead of reused, and the request goes on another connection: it never left, so
    this holds for any method. httpx2's pool makes the same check (``is_readable``).
    """

    class StaleCheckingConnector(aio.TCPConnector):  # type: ignore[misc]
        def __init__(self, owner: AiohttpTransport, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._owner = owner

        async def _get(self, key: Any, traces: list[Any]) -> Any:
            for _ in range(self._limit or 1000):  # bounded: each pass drops one connection
                connection = await super()._get(key, traces)
                if connection is None:
                    return None
                if not _readable_while_idle(connection):
                    _REUSED.set(True)
                    return connection
                connection.close()
                stats = self._owner.stats
                if stats is not None:
                    stats.stale_connections += 1
            return None

    return StaleCheckingConnector


def _readable_while_idle(connection: Any) -> bool:
    """True if an idle connection's socket has something to read: the peer closed it."""
    import select

    transport = getattr(connection, "transport", None)
    if transport is None or transport.get_extra_info("sslcontext") is not None:
        return False  # TLS: the transport reads ahead itself; aiohttp's own check decides
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):  # no FD_SETSIZE limit
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True  # a socket that cannot even be polled is no connection to send on
    return bool(readable)


def report_stale_connections(client: AnyClient, stats: Any) -> None:
    """Count the stale pooled connections of ``client``'s aiohttp pool (if any) in ``stats``."""
    transport = getattr(client, "_transport", None)
    if isinstance(transport, AutoTransport | AiohttpTransport):
        transport.stats = stats


class _AiohttpStream(httpx2.AsyncByteStream):
    """A response body in the chunks aiohttp buffered; read errors mapped like the request's."""

    def __init__(self, aio: Any, response: aiohttp.ClientResponse) -> None:
        self._aio = aio
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        aio = self._aio
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aio.ClientError, TimeoutError) as exc:
            raise _aiohttp_error(aio, exc) from exc

    async def aclose(self) -> None:
        self._response.release()  # back to the pool if read to the end, else closed


def _aiohttp_error(aio: Any, exc: BaseException) -> httpx2.RequestError:
    """The httpx2 error an aiohttp failure stands for (by whether the request may have left).

    A body that does not decompress is httpx2's ``DecodingError``, as on httpx2's own pool.
    """
    message = " ".join(str(exc).split()) or type(exc).__name__
    error: type[httpx2.RequestError]
    if _caused_by(exc, aio.http_exceptions.ContentEncodingError):
        # corrupt, or in an encoding this aiohttp cannot decode (br without Brotli): the
        # answer arrived, so it is no connection failure
        error = httpx2.DecodingError
    elif isinstance(exc, aio.ConnectionTimeoutError):  # connect or pool wait: not sent
        error = httpx2.ConnectTimeout
    elif isinstance(exc, aio.ClientConnectorError):  # refused, DNS, TLS: not sent
        error = httpx2.ConnectError
    elif isinstance(exc, getattr(aio, "InvalidUrlClientError", ())):
        error = httpx2.UnsupportedProtocol
    elif isinstance(exc, TimeoutError):  # waiting for the answer: may have been sent
        error = httpx2.ReadTimeout
    else:  # dropped mid-exchange, bad framing: may have been sent
        error = httpx2.ReadError
    return error(message)


def _caused_by(exc: BaseException, cls: type[BaseException]) -> bool:
    """True when ``exc`` or one of its first few causes is a ``cls``."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, cls):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class BodyTooLargeError(Exception):
    """A response body passed the cap; ``size`` is how much was seen (or declared)."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"body of at least {size} bytes exceeds the cap of {limit}")


async def read_body(response: Any, limit: int | None) -> bytes | bytearray:
    """The (decoded) body of a streamed response, refusing to hold more than ``limit`` bytes.

    A declared ``Content-Length`` above the cap fails before reading; otherwise the read
    stops as soon as the running total passes it, so memory stays bounded by the cap.
    """
    _declared_size(response.headers, limit)
    return await _gather(response.aiter_bytes(), limit)


async def _read_aiohttp_body(
    aio: Any, response: aiohttp.ClientResponse, limit: int | None,
) -> bytes | bytearray:
    """``read_body`` for an aiohttp response (decompressed, read errors mapped)."""
    headers = response.headers
    try:
        if _declared_size(headers, limit) is not None and "content-encoding" not in headers:
            return await response.read()  # exactly the declared size will come: at once
        return await _gather(response.content.iter_any(), limit)
    except (aio.ClientError, TimeoutError) as exc:
        raise _aiohttp_error(aio, exc) from exc


def _declared_size(headers: Any, limit: int | None) -> int | None:
    """The declared ``Content-Length``; past ``limit`` it fails before anything is read."""
    declared = headers.get("content-length")
    if declared is None or not declared.isdigit():
        return None
    size = int(declared)
    if limit is not None and size > limit:
        raise BodyTooLargeError(size, limit)
    return size


async def _gather(chunks: AsyncIterator[bytes], limit: int | None) -> bytes | bytearray:
    """The chunks joined, stopping as soon as their total passes ``limit``."""
    first: bytes | None = None
    buffer: bytearray | None = None  # grown in place: no list of chunks plus a joined copy
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if limit is not None and total > limit:
            raise BodyTooLargeError(total, limit)
        if first is None:
            first = chunk
        elif buffer is None:
            buffer = bytearray(first)
            buffer += chunk
        else:
            buffer += chunk
    if buffer is not None:
        return buffer
    return b"" if first is None else first


class Answer:
    """What the pipeline reads of an answer besides its body (an ``httpx2.Response`` too)."""

    __slots__ = ("headers", "reason_phrase", "status_code")

    def __init__(self, status_code: int, headers: Any, reason_phrase: str) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive .get(name)
        self.reason_phrase = reason_phrase

    def __repr__(self) -> str:
        return f"<Answer [{self.status_code}]>"


class ApiChannel:
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
    ) -> Awaitable[tuple[Answer | httpx2.Response, bytes | bytearray]]:
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


def _is_httpx_family(obj: Any, name: str) -> bool:
    """True for an instance of ``httpx.<name>`` when httpx is loaded and is not httpx2."""
    httpx = sys.modules.get("httpx")
    return httpx is not None and httpx is not httpx2 and isinstance(obj, getattr(httpx, name))


def asgi_transport(app: Any) -> httpx2.AsyncBaseTransport:
    """Serve an ASGI app in-process (the fake server's in-memory mode)."""
    return httpx2.ASGITransport(app=app)


def alias_httpx() -> None:
    """``httpx2.alias_httpx()``: from now on ``import httpx`` (and ``httpcore``) is httpx2's."""
    httpx2.alias_httpx()


def mock_transport(handler: Callable[..., Any]) -> httpx2.AsyncBaseTransport:
    """A transport answering every request with ``handler(request)`` (for tests)."""
    return httpx2.MockTransport(handler)


