"""How a session's own pool reaches the API: TLS trust and proxies, and what a failure says.

Nothing here imports an HTTP library, ``ssl`` or ``urllib.request`` at import time: the TLS
context is made when a pool is, and its CAs are loaded at its first TLS handshake (a session
on a plain http:// server never loads them).
"""

from __future__ import annotations

import base64
import importlib.util
import os
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import ssl

__all__ = [
    "Network",
    "Proxy",
    "certificate_failure",
    "deferred_trust_context",
    "error_text",
]


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
        import urllib.request

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



def _bypass(host: str, no_proxy: dict[str, str]) -> bool:
    """urllib's NO_PROXY matching (hosts, domains, ports, ``*``), not in the type stubs."""
    import urllib.request

    bypass: Callable[[str, dict[str, str]], bool] = (
        urllib.request.proxy_bypass_environment)  # type: ignore[attr-defined]
    return bypass(host, no_proxy)


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
    """One context per trust source, shared by sessions.

    Loading the CAs costs tens of milliseconds (and httpx2's default would import httpcore2,
    which aiohttp's pool never needs), so the context made here loads them at its first TLS
    handshake: a session that only speaks plain http:// never pays for them.
    """
    import ssl as ssl_module

    if kind == "truststore":
        import truststore

        return truststore.SSLContext(ssl_module.PROTOCOL_TLS_CLIENT)
    if kind == "default" and sys.platform in ("win32", "darwin"):
        import httpx2  # its default there is the operating system's store (truststore)

        return httpx2.create_ssl_context(trust_env=False)
    return deferred_trust_context(lambda context: _load_trust(context, kind, location))


def _load_trust(context: ssl.SSLContext, kind: str, location: str | None) -> None:
    """Load the CAs of a trust source: as ``ssl.create_default_context`` does for a file or a
    directory, and as httpx2 does by default (the CA file and directory OpenSSL was built
    with, never ``$SSL_CERT_*``, which :func:`_trust_source` reads itself)."""
    import ssl as ssl_module

    if kind == "file":
        context.load_verify_locations(cafile=location)
    elif kind == "dir":
        context.load_verify_locations(capath=location)
    else:
        paths = ssl_module.get_default_verify_paths()
        cafile = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
        capath = paths.openssl_capath if os.path.isdir(paths.openssl_capath) else None
        if cafile or capath:
            context.load_verify_locations(cafile, capath)
        else:
            context.load_default_certs()
    if kind in ("file", "dir") and sys.version_info >= (3, 13):  # create_default_context's
        context.verify_flags |= (ssl_module.VERIFY_X509_PARTIAL_CHAIN
                                 | ssl_module.VERIFY_X509_STRICT)


def deferred_trust_context(load: Callable[[ssl.SSLContext], None]) -> ssl.SSLContext:
    """A verifying client context (hostname checked, certificate required) that runs
    ``load`` on itself, once, just before its first TLS handshake.

    Until then it trusts no CA at all: used early by mistake it refuses every certificate,
    never accepts one. ``trust_loaded`` tells whether ``load`` ran.
    """
    context: ssl.SSLContext = _deferred_trust_class()(load)
    return context


@cache
def _deferred_trust_class() -> Any:
    import ssl as ssl_module
    import threading

    class DeferredTrustContext(ssl_module.SSLContext):
        """An ``ssl.SSLContext`` loading its CAs at its first handshake."""

        _load: Callable[[ssl.SSLContext], None] | None
        _load_lock: threading.Lock

        def __new__(cls, load: Callable[[ssl.SSLContext], None]) -> DeferredTrustContext:
            context = super().__new__(cls, ssl_module.PROTOCOL_TLS_CLIENT)
            context._load = load
            context._load_lock = threading.Lock()
            return context

        def __init__(self, load: Callable[[ssl.SSLContext], None]) -> None:
            pass  # all done in __new__ (SSLContext takes the protocol there)

        @property
        def trust_loaded(self) -> bool:
            """True once the CAs are loaded (at the first handshake)."""
            return self._load is None

        def _trusting(self) -> None:
            if self._load is not None:
                with self._load_lock:
                    load, self._load = self._load, None
                    if load is not None:
                        load(self)

        def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
            self._trusting()
            return super().wrap_socket(*args, **kwargs)

        def wrap_bio(self, *args: Any, **kwargs: Any) -> Any:
            self._trusting()
            return super().wrap_bio(*args, **kwargs)

    return DeferredTrustContext


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
