"""LightlySession: configuration, auth, lifecycle and the handles it gives out.

An API call does not run through this module: a resource sends its declared operation
through the session's :class:`~lightly_async._pipeline.Pipeline` (``resources/_base.py`` ->
``_pipeline`` -> ``_http`` -> ``_convert``'s decoder). The session builds that pipeline
(client, URL, token, headers, limits) and closes it. It knows no endpoint; resources know
no HTTP.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar
from urllib.parse import quote, urlsplit

import anyio
import attrs

from lightly_async import _http, _observe
from lightly_async._constants import (
    DEFAULT_API,
    DEFAULT_BASE_URL,
    DEFAULT_BULK_GIVE_UP_AFTER,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    user_agent,
)
from lightly_async._pipeline import (
    NOT_GIVEN,
    CallOptions,
    LocalRateBudget,
    NotGiven,
    Pipeline,
    RateBudget,
    SessionStats,
)
from lightly_async._redact import mask_secret
from lightly_async._retry import RetryPolicy
from lightly_async._validate import is_loopback, object_id
from lightly_async.errors import InvalidInputError, WrongContextError

if TYPE_CHECKING:
    import ssl
    from pathlib import Path

    from lightly_async._config import SessionConfig
    from lightly_async._transfer import IfExists, TransferTimeout
    from lightly_async.models.datasets import DatasetData
    from lightly_async.resources.dataset import Dataset
    from lightly_async.resources.datasets import Datasets
    from lightly_async.resources.jobs import Jobs
    from lightly_async.resources.runs import AllRuns
    from lightly_async.resources.workers import Workers

__all__ = ["API_DIALECTS", "NOT_GIVEN", "LightlySession", "NotGiven", "SessionStats", "check_api"]

T = TypeVar("T")
log = logging.getLogger("lightly_async")

API_DIALECTS: Final = ("latest", "seed")
"""``api=``: the newest public API (lightly 1.5.20's paths, the default) or the seed era's."""
_JSON: Final = "application/json"


#: (a string: naming ``_http.Timeout`` here would import httpx2 at ``import lightly_async``)
TimeoutArg: TypeAlias = "float | _http.Timeout | None"


class LightlySession:
    """An async session with the Lightly API; use it as ``async with``.

    A session belongs to the event loop it first makes a call on (its connection pool lives
    there): using it from another loop (a second ``asyncio.run()``, another thread's loop)
    raises :class:`WrongContextError`. Make one session per loop, or use
    :mod:`lightly_async.sync` from threads.

    Args:
        token: the API token, sent as the ``token`` query parameter. Defaults to
            ``$LIGHTLY_TOKEN``. A token with whitespace or control characters in it (a
            trailing newline from a file, say) is refused with an :class:`InvalidInputError`
            before anything is sent, never stripped silently nor shown.
        bearer_token: a JWT sent as ``Authorization: Bearer …`` instead of a token (the
            same rule).
        base_url: defaults to ``$LIGHTLY_SERVER_LOCATION``, then ``https://api.lightly.ai``.
        timeout: seconds per phase (connect/read/write/pool), an ``httpx2.Timeout`` (or
            ``httpx.Timeout``), or ``None`` for no timeout. On by default (30 s, 5 s to
            connect).
        deadline: seconds bounding a whole API call including its retries; on by default
            (300 s, room for the largest answer at ~2 MB/s), ``None`` turns it off.
        max_retries: retries of a replay-safe request on 408/429/5xx or connection errors.
        retry: a full :class:`RetryPolicy` (overrides ``max_retries``).
        concurrency: the ceiling of requests in flight shared by all bulk work of this
            session (and its views); defaults to the pool's connection limit (64). A bulk
            helper's ``concurrency=N`` runs N at once, and may not exceed this.
        bulk_give_up_after: a bulk helper stops starting items after this many consecutive
            connection failures (the server refuses connections, resets them or times out:
            each such item already had its retries), and reports the items it did not start
            as ``not_attempted``, with the last failure as ``result.stopped_by``. Default 10;
            ``None`` tries every item whatever happens.
        max_response_size: bytes an API answer may hold (default 512 MiB, enough for
            ``predictions.list`` of a million-sample dataset); past it the read stops with
            :class:`ResponseTooLargeError`. ``None`` removes the cap.
        http_client: an ``httpx2.AsyncClient`` (or ``httpx.AsyncClient``) to use; its owner
            closes it. Redirects are never followed on it, whatever it was built with.
        transport: an httpx2 (or httpx) transport for the session's own client.
        allow_insecure_http: allow a plain ``http://`` base URL to a non-loopback host.
        api: which paths the API is called on: ``"latest"`` (the default; the API as served
            today, lightly 1.5.20's paths: samples under ``/v1/datasets/{id}/samples``, paged
            exports) or ``"seed"`` (the seed documents' paths, for a server of that era:
            samples under ``/users/datasets/{id}/samples``). Defaults to ``$LIGHTLY_API``,
            then ``"latest"``.
        ca_bundle: a PEM file (or hashed directory) of the CAs to trust, e.g. a corporate
            CA. Defaults to ``$LIGHTLY_CA_CERTS``, then ``$SSL_CERT_FILE``/``$SSL_CERT_DIR``,
            then the system's store (the OS store through truststore with
            ``LIGHTLY_TRUSTSTORE=1``).
        ssl_context: an ``ssl.SSLContext`` to verify servers with (instead of ``ca_bundle``).
        proxy: an ``http(s)://[user:password@]host:port`` proxy for every request; defaults
            to ``$HTTPS_PROXY``/``$HTTP_PROXY``/``$ALL_PROXY``. ``$NO_PROXY`` hosts go direct.
            The credentials never appear in logs, errors or reprs.
        on_request: a hook called with a :class:`CallEvent` before each attempt of an API
            call (or a signed-URL transfer). A plain function or a coroutine function; no
            secrets in the events. With opentelemetry installed and configured, each API
            call is also a span ``lightly.<operation>``.
        on_response: a hook called after each attempt (its status or error, the elapsed
            seconds).
        on_retry: a hook called before a retry (the wait).
        rate_budget: the pace API calls keep (a :class:`RateBudget`): awaited before each
            attempt of an API call and told of each 429. Default: a
            :class:`LocalRateBudget` of this session, which holds its calls back for the
            server's ``Retry-After`` after a 429. Pass a budget shared by several processes
            to pace them together.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        bearer_token: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
        deadline: float | None = DEFAULT_DEADLINE,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        concurrency: int | None = None,
        bulk_give_up_after: int | None = DEFAULT_BULK_GIVE_UP_AFTER,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: _http.AnyClient | None = None,
        transport: _http.AnyTransport | None = None,
        allow_insecure_http: bool = False,
        api: str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        on_request: _observe.Hook | None = None,
        on_response: _observe.Hook | None = None,
        on_retry: _observe.Hook | None = None,
        rate_budget: RateBudget | None = None,
    ) -> None:
        self._api = (check_api(api) if api is not None
                     else check_api(os.environ.get("LIGHTLY_API") or None, "LIGHTLY_API"))
        from_env = token is None
        token = token if token is not None else os.environ.get("LIGHTLY_TOKEN") or None
        if token is None and bearer_token is None:
            raise InvalidInputError(
                "token", "no API token: pass token=... or set LIGHTLY_TOKEN "
                "(or pass bearer_token=...)")
        if token is not None and (not isinstance(token, str) or not token.strip()):
            raise InvalidInputError("token", "must be a non-empty string")
        _check_secret("token", token, " (from $LIGHTLY_TOKEN)" if from_env else "")
        if bearer_token is not None and (
                not isinstance(bearer_token, str) or not bearer_token.strip()):
            raise InvalidInputError("bearer_token", "must be a non-empty string")
        _check_secret("bearer_token", bearer_token, "")
        if http_client is not None and transport is not None:
            raise InvalidInputError("transport", "pass either http_client or transport, not both")
        check_concurrency(concurrency)
        self.bulk_give_up_after = check_give_up_after(bulk_give_up_after)
        url = (base_url or os.environ.get("LIGHTLY_SERVER_LOCATION") or DEFAULT_BASE_URL)
        self._base_url = _check_base_url(url.rstrip("/"), allow_insecure_http)
        self._token = token
        self._token_query = None if token is None else "token=" + quote(token, safe="")
        self._bearer = bearer_token
        per_phase = _http.make_timeout(_http.DEFAULT_TIMEOUT if timeout is NOT_GIVEN else timeout)
        # Sent with every API call to a caller's client; our own client has them as defaults.
        call_headers = self._headers()
        network = _network(http_client is not None or transport is not None, ca_bundle,
                           ssl_context, proxy)
        self._network_secrets = network.secrets if network is not None else ()
        if http_client is None:
            client = _http.build_client(
                base_url=self._base_url, timeout=per_phase, headers=call_headers,
                transport=transport, network=network)
            owned = True
        else:
            _http.install_log_redaction()  # its URLs carry the token too
            client, owned = http_client, False
        own_headers = owned and isinstance(client, _http.AsyncClient)
        ceiling = _http.connection_limit(client) if concurrency is None else concurrency
        self._pipeline = Pipeline(
            client, owns_client=owned, concurrency=ceiling, redact=self._redact,
            base_url=self._base_url, token_query=self._token_query,
            plain_headers=None if own_headers else call_headers,
            json_headers=({"Content-Type": _JSON} if own_headers
                          else {**call_headers, "Content-Type": _JSON}))
        observer = _observe.Observer(on_request, on_response, on_retry)
        self._pipeline.observer = observer if observer.active else None
        policy = retry if retry is not None else RetryPolicy(max_retries=max_retries)
        self._options = CallOptions(
            timeout=per_phase, client_timeout=_http.client_timeout(client, per_phase),
            deadline=_check_deadline(deadline), retry=policy,
            max_response_size=_check_size(max_response_size))
        self._pipeline.rate_budget = _check_budget(rate_budget, policy)
        self._is_view = False
        # what `config` reports beyond the options in force (never a secret)
        self._config_given: dict[str, Any] = {
            "bearer": token is None, "allow_insecure_http": allow_insecure_http,
            "ca_bundle": None if ca_bundle is None else os.fspath(ca_bundle), "proxy": proxy}
        self._config_source: SessionConfig | None = None

    @classmethod
    def from_config(cls, config: SessionConfig, /, **overrides: Any) -> LightlySession:
        """A session opened from a :class:`SessionConfig` (the token read now, in this process).

        ``overrides`` are the session's keyword arguments: those that are config fields
        replace the config's (checked the same way), the others (``transport``,
        ``http_client``, hooks, ``ssl_context``, ``token``) pass as they are. The token comes
        from ``config.token_provider`` or ``$config.token_env`` (an
        :class:`InvalidInputError` when that is unset), unless ``token=`` or
        ``bearer_token=`` is among the overrides. ``session.config`` then gives back the
        config (with the overrides that are its fields).
        """
        from lightly_async._config import session_arguments

        effective, kwargs = session_arguments(config, overrides)
        session = cls(**kwargs)
        session._config_source = effective
        return session

    @property
    def config(self) -> SessionConfig:
        """This session's :class:`SessionConfig`: its options in force, the secret only named.

        For a session opened with ``from_config`` that config's ``token_env`` /
        ``token_provider``; otherwise ``token_env="LIGHTLY_TOKEN"`` (``auth="bearer"`` for a
        ``bearer_token=`` session). A ``proxy=`` with credentials is not carried (a config
        never holds them): name it with ``proxy_env``.
        """
        from lightly_async._config import config_of

        return config_of(self)

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> LightlySession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel the calls in flight and close the connection pool (unless the client was
        passed in); returns once the pool is closed.

        Calls in flight (sending, reading, waiting to retry, transferring a file) end with
        :class:`SessionClosedError`, as does any call made later. On a ``with_options`` view
        this closes only the view; the pool is its session's.
        """
        if self._is_view:
            self._options = attrs.evolve(self._options, closed=True)
            return
        sender = self._pipeline
        if sender.foreign_loop():
            sender.closed = True  # no more calls; its pool can only be closed on its loop
            if sender.bound_loop_running():
                raise WrongContextError(
                    "this LightlySession's pool belongs to another, running event loop: "
                    "close it there")
            return  # that loop has ended: nothing of the pool can be closed from here
        with anyio.CancelScope(shield=True):
            await sender.close()
            if sender.owns_client:
                await sender.client.aclose()

    def __repr__(self) -> str:
        auth = "token" if self._token else "bearer"
        return (f"<LightlySession base_url={self._base_url!r} api={self._api!r} auth={auth} "
                f"transport={self.transport_name!r}>")

    # -- public API --------------------------------------------------------------------------
    @property
    def is_closed(self) -> bool:
        """True once ``aclose()`` ran (or the ``async with`` block was left), views included."""
        return self._options.closed or self._pipeline.closed

    @property
    def api(self) -> str:
        """The API dialect spoken: ``"latest"`` (the default) or ``"seed"``."""
        return self._api

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._base_url

    @property
    def _client(self) -> _http.AnyClient:
        return self._pipeline.client

    @property
    def transport_name(self) -> str:
        """What carries the requests: ``"aiohttp"``, ``"httpx2"``, …"""
        return _http.transport_name(self._pipeline.client, self._pipeline.owns_client)

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._options.retry

    @property
    def max_response_size(self) -> int | None:
        """The cap on an API answer's body, in bytes (``None``: no cap)."""
        return self._options.max_response_size

    @property
    def deadline(self) -> float | None:
        """Seconds bounding one API call with its retries (``None``: no bound)."""
        return self._options.deadline

    @property
    def stats(self) -> SessionStats:
        """Counters shared by this session and its views (requests, retries, …)."""
        return self._pipeline.stats

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        """The session-wide ceiling of requests in flight the bulk helpers share."""
        return self._pipeline.limiter

    @property
    def concurrency(self) -> int:
        """The ceiling of bulk requests in flight (see ``concurrency=``)."""
        return int(self._pipeline.limiter.total_tokens)

    def dataset(self, dataset_id: str | DatasetData) -> Dataset:
        """A handle on a dataset (by id or ``DatasetData``); no I/O until a method is awaited."""
        # Resources load on first use, like the models behind them: `import lightly_async`
        # stays light (there is no import cycle: resources see this module only for types).
        from lightly_async.resources.dataset import Dataset

        given = dataset_id if isinstance(dataset_id, str) else getattr(dataset_id, "id", dataset_id)
        return Dataset(self, object_id("dataset_id", given))

    @property
    def datasets(self) -> Datasets:
        """The user's datasets: ``create``, ``get``, ``get_by_name``, ``list``, ``update``, …"""
        from lightly_async.resources.datasets import Datasets

        return Datasets(self)

    @property
    def jobs(self) -> Jobs:
        """Server-side jobs (sampling runs): ``get`` and ``wait``."""
        from lightly_async.resources.jobs import Jobs  # first use only, as in dataset()

        return Jobs(self)

    @property
    def workers(self) -> Workers:
        """Lightly Workers: ``register``, ``list``, ``get``, ``delete``, ``create_config``."""
        from lightly_async.resources.workers import Workers

        return Workers(self)

    @property
    def runs(self) -> AllRuns:
        """The user's Lightly Worker runs: ``get``, ``from_scheduled``, ``list``, ``tags``,
        artifacts and ``report`` (schedule them on a dataset: ``ds.runs``)."""
        from lightly_async.resources.runs import AllRuns

        return AllRuns(self)

    def with_options(
        self,
        *,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry: RetryPolicy | NotGiven = NOT_GIVEN,
        max_response_size: int | NotGiven | None = NOT_GIVEN,
    ) -> LightlySession:
        """A view with other defaults that shares this session's pool, ceiling and state."""
        changes: dict[str, Any] = {}
        if timeout is not NOT_GIVEN:
            changes["timeout"] = per_phase = _http.make_timeout(timeout)
            changes["client_timeout"] = _http.client_timeout(self._pipeline.client, per_phase)
        if deadline is not NOT_GIVEN:
            changes["deadline"] = _check_deadline(deadline)
        if retry is not NOT_GIVEN:
            changes["retry"] = retry
        elif max_retries is not NOT_GIVEN:
            changes["retry"] = attrs.evolve(self._options.retry, max_retries=max_retries)
        if max_response_size is not NOT_GIVEN:
            changes["max_response_size"] = _check_size(max_response_size)
        view = object.__new__(LightlySession)
        view.__dict__.update(self.__dict__)
        view._options = attrs.evolve(self._options, **changes)
        view._is_view = True
        return view

    # -- the pipeline ----------------------------------------------------------------------------
    async def _request(
        self, method: str, path: str, *, cast: Any = None,
        params: Mapping[str, Any] | None = None, json_body: Any = None,
        replay_safe: bool | None = None, timeout: TimeoutArg | NotGiven = NOT_GIVEN,
    ) -> Any:
        """An API call by method and path (``timeout`` for this call alone), for tests and
        diagnostics; resources send their declared operations (``Resource._call``)."""
        options = self._options
        if timeout is not NOT_GIVEN:
            per_call = _http.make_timeout(timeout)
            options = attrs.evolve(options, timeout=per_call, client_timeout=_http.client_timeout(
                self._pipeline.client, per_call))
        return await self._pipeline.request(options, method.upper(), path, cast=cast,
                                            params=params, json_body=json_body,
                                            replay_safe=replay_safe)

    async def _upload(self, url: str, source: bytes | str | os.PathLike[str], *,
                      transfer_timeout: TransferTimeout) -> None:
        """PUT ``source`` to a signed URL (``_transfer``), retried by this session's loop."""
        from lightly_async import _transfer

        await _transfer.upload(self._pipeline, self._options, url, source,
                               transfer_timeout=transfer_timeout)

    async def _download(self, url: str, dest: Path, *, if_exists: IfExists,
                        transfer_timeout: TransferTimeout, max_size: int | None = None,
                        ) -> str | None:
        """Stream a signed URL to ``dest`` (``_transfer``); its Content-Type."""
        from lightly_async import _transfer

        return await _transfer.download(
            self._pipeline, self._options, url, dest, if_exists=if_exists,
            transfer_timeout=transfer_timeout, max_size=max_size)

    async def _read(self, url: str, *, transfer_timeout: TransferTimeout,
                    max_size: int | None = None) -> bytes:
        """The bytes behind a signed URL, read into memory (``_transfer``)."""
        from lightly_async import _transfer

        return await _transfer.read(self._pipeline, self._options, url,
                                    transfer_timeout=transfer_timeout, max_size=max_size)

    def _check_usable(self) -> None:
        """Raise now what a call would: this session (or view) is closed, or it is bound to
        another event loop."""
        self._pipeline.check_usable(self._options)

    def _redact(self, text: str) -> str:
        """``_http.redact`` plus this session's own secrets, wherever a server echoed them."""
        text = _http.redact(text)
        for secret in (self._token, self._bearer, *self._network_secrets):
            if secret and secret in text:
                text = mask_secret(text, secret)
        return text

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": user_agent(), "Accept": _JSON}
        if self._bearer is not None:
            headers["Authorization"] = f"Bearer {self._bearer}"
        return headers


def check_api(api: str | None, field: str = "api") -> str:
    """``api`` if it names a dialect (``None``: the default), else an ``InvalidInputError``."""
    if api is None:
        return DEFAULT_API
    if api not in API_DIALECTS:
        raise InvalidInputError(
            field, f"must be one of {', '.join(map(repr, API_DIALECTS))}, got {api!r}")
    return api


def _network(
    own_client: bool, ca_bundle: str | os.PathLike[str] | None,
    ssl_context: ssl.SSLContext | None, proxy: str | None,
) -> _http.Network | None:
    """The trust and proxies of the session's own pool (``None`` with a caller's client)."""
    given = {"ca_bundle": ca_bundle, "ssl_context": ssl_context, "proxy": proxy}
    if own_client:
        for name, value in given.items():
            if value is not None:
                raise InvalidInputError(name, "configure it on the http_client or transport "
                                              "you pass, not on the session")
        return None
    if ca_bundle is not None and ssl_context is not None:
        raise InvalidInputError("ca_bundle", "pass either ca_bundle or ssl_context, not both")
    if ssl_context is not None and not _is_ssl_context(ssl_context):
        raise InvalidInputError("ssl_context", f"must be an ssl.SSLContext, got "
                                               f"{type(ssl_context).__name__}")
    bundle = None if ca_bundle is None else os.fspath(ca_bundle)
    if bundle is not None and not os.path.exists(bundle):
        raise InvalidInputError("ca_bundle", f"no such file or directory: {bundle!r}")
    if proxy is not None and not isinstance(proxy, str):
        raise InvalidInputError("proxy", f"must be a URL string, got {type(proxy).__name__}")
    try:
        return _http.Network(ssl_context=ssl_context, ca_bundle=bundle, proxy=proxy)
    except FileNotFoundError as exc:  # from the environment
        raise InvalidInputError("LIGHTLY_CA_CERTS", f"no such file or directory: "
                                                    f"{exc.args[0]!r}") from None
    except ValueError as exc:  # a proxy URL; its text (and credentials) are not repeated
        raise InvalidInputError("proxy", f"{exc} (from proxy= or the *_PROXY variables)"
                                ) from None
    except ImportError:
        raise InvalidInputError("LIGHTLY_TRUSTSTORE", "the OS trust store needs truststore: "
                                                      "pip install truststore") from None


def _is_ssl_context(value: object) -> bool:
    import ssl as ssl_module  # loaded already when a caller built a context

    return isinstance(value, ssl_module.SSLContext)


def _check_base_url(url: str, allow_insecure_http: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError("base_url", f"must be an http(s) URL, got {url!r}")
    if parts.query or "token=" in url:
        raise InvalidInputError("base_url", "must not carry a query string (pass token=...)")
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise InvalidInputError(
            "base_url", f"plain http to {parts.hostname!r} would send the token unencrypted; "
            "use https or pass allow_insecure_http=True")
    return url


def _check_secret(field: str, secret: str | None, source: str) -> None:
    """Refuse a token holding whitespace or control characters, without showing it.

    A trailing newline (a token read from a file, ``echo``'d into a variable) would be sent
    as is and earn a bare 401; it is refused here, before anything is sent, rather than
    silently stripped.
    """
    if secret is not None and any(c.isspace() or not c.isprintable() for c in secret):
        where = "surrounding " if secret != secret.strip() else ""
        raise InvalidInputError(
            field, f"the API token{source} holds {where}whitespace or control characters "
            "(a trailing newline from a file or a shell?); pass it stripped")


def check_concurrency(concurrency: int | None) -> int | None:
    """``concurrency`` if it is an integer >= 1 or ``None``, else an ``InvalidInputError``."""
    if concurrency is not None and (isinstance(concurrency, bool)
                                    or not isinstance(concurrency, int) or concurrency < 1):
        raise InvalidInputError("concurrency", f"must be an integer >= 1, got {concurrency!r}")
    return concurrency


def check_give_up_after(value: int | None) -> int | None:
    """``bulk_give_up_after`` if it is an integer >= 1 or ``None``, else an error."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value < 1):
        raise InvalidInputError("bulk_give_up_after", f"must be an integer >= 1 or None, "
                                                      f"got {value!r}")
    return value


def _check_budget(budget: RateBudget | None, policy: RetryPolicy) -> RateBudget:
    if budget is None:
        return LocalRateBudget(policy)
    if isinstance(budget, type) or not isinstance(budget, RateBudget):
        raise InvalidInputError("rate_budget", f"must have async acquire() and "
                                               f"on_rate_limited(retry_after), got "
                                               f"{type(budget).__name__}")
    return budget


def _check_deadline(deadline: float | None) -> float | None:
    if deadline is not None and (isinstance(deadline, bool) or not deadline > 0):
        raise InvalidInputError("deadline", f"must be a number of seconds > 0, got {deadline!r}")
    return deadline


def _check_size(size: int | None) -> int | None:
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise InvalidInputError(
            "max_response_size", f"must be a number of bytes >= 1 or None, got {size!r}")
    return size


