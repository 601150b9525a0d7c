"""LightlySession: configuration, auth and the request pipeline.

Every API call goes through :meth:`LightlySession._request`:
limit -> (wait out a server's rate-limit pause) -> send -> map errors -> retry per policy ->
decode into a model. The session knows no endpoint; resources know no HTTP.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import logging
import os
import time
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload
from urllib.parse import urlsplit

import anyio

from lightly_async import _http
from lightly_async._retry import RetryPolicy, parse_retry_after
from lightly_async._validate import object_id
from lightly_async.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DecodeError,
    InvalidInputError,
    status_error_class,
)

if TYPE_CHECKING:
    from lightly_async.resources.dataset import Dataset
    from lightly_async.resources.jobs import Jobs

__all__ = ["NOT_GIVEN", "LightlySession", "NotGiven"]

T = TypeVar("T")
log = logging.getLogger("lightly_async")

DEFAULT_BASE_URL: Final = "https://api.lightly.ai"
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_CONCURRENCY: Final = 16
_REPLAY_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class NotGiven(enum.Enum):
    """Marks an argument the caller did not pass (``None`` may mean "disabled")."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN

TimeoutArg = float | _http.Timeout | None


class LightlySession:
    """An async session with the Lightly API; use it as ``async with``.

    Args:
        token: the API token, sent as the ``token`` query parameter. Defaults to
            ``$LIGHTLY_TOKEN``.
        bearer_token: a JWT sent as ``Authorization: Bearer …`` instead of a token.
        base_url: defaults to ``$LIGHTLY_SERVER_LOCATION``, then ``https://api.lightly.ai``.
        timeout: seconds per phase (connect/read/write/pool), an ``httpx.Timeout``, or
            ``None`` for no timeout. On by default (30 s, 5 s to connect).
        deadline: seconds bounding a whole call including its retries (``None``: no bound).
        max_retries: retries of a replay-safe request on 408/429/5xx or connection errors.
        retry: a full :class:`RetryPolicy` (overrides ``max_retries``).
        concurrency: how many requests the bulk helpers run at once.
        http_client: an ``httpx.AsyncClient`` to use (its owner closes it).
        transport: an httpx transport for the session's own client.
        allow_insecure_http: allow a plain ``http://`` base URL to a non-loopback host.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        bearer_token: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
        deadline: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        http_client: _http.AsyncClient | None = None,
        transport: _http.AsyncBaseTransport | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        token = token if token is not None else os.environ.get("LIGHTLY_TOKEN") or None
        if token is None and bearer_token is None:
            raise InvalidInputError(
                "token", "no API token: pass token=... or set LIGHTLY_TOKEN "
                "(or pass bearer_token=...)")
        if token is not None and (not isinstance(token, str) or not token.strip()):
            raise InvalidInputError("token", "must be a non-empty string")
        if http_client is not None and transport is not None:
            raise InvalidInputError("transport", "pass either http_client or transport, not both")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidInputError("concurrency", f"must be an integer >= 1, got {concurrency!r}")
        url = (base_url or os.environ.get("LIGHTLY_SERVER_LOCATION") or DEFAULT_BASE_URL)
        self._base_url = _check_base_url(url.rstrip("/"), allow_insecure_http)
        self._token = token
        self._bearer = bearer_token
        self._timeout = _http.make_timeout(
            _http.DEFAULT_TIMEOUT if timeout is NOT_GIVEN else timeout)
        self._deadline = _check_deadline(deadline)
        self._retry = retry if retry is not None else RetryPolicy(max_retries=max_retries)
        self._owns_client = http_client is None
        # Sent with every API call too, so a caller's own http_client gets them as well.
        self._call_headers = self._headers()
        if http_client is None:
            self._client = _http.build_client(
                base_url=self._base_url, timeout=self._timeout, headers=self._call_headers,
                transport=transport)
        else:
            _http.install_log_redaction()  # its URLs carry the token too
            self._client = http_client
        self._shared = _SharedState(concurrency)
        self._closed = False

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
        """Close the connection pool (unless the client was passed in)."""
        self._closed = True
        if self._owns_client:
            with anyio.CancelScope(shield=True):
                await self._client.aclose()

    def __repr__(self) -> str:
        auth = "token" if self._token else "bearer"
        return f"<LightlySession base_url={self._base_url!r} auth={auth}>"

    # -- public API --------------------------------------------------------------------------
    @property
    def is_closed(self) -> bool:
        """True once ``aclose()`` ran (or the ``async with`` block was left)."""
        return self._closed

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._retry

    @property
    def stats(self) -> SessionStats:
        """Counters shared by this session and its views (requests, retries, …)."""
        return self._shared.stats

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        """The session-wide concurrency limiter the bulk helpers share."""
        return self._shared.limiter

    def dataset(self, dataset_id: str) -> Dataset:
        """A handle on a dataset; no I/O happens until one of its methods is awaited."""
        from lightly_async.resources.dataset import Dataset

        return Dataset(self, object_id("dataset_id", dataset_id))

    @property
    def jobs(self) -> Jobs:
        """Server-side jobs (sampling runs): ``get`` and ``wait``."""
        from lightly_async.resources.jobs import Jobs

        return Jobs(self)

    def with_options(
        self,
        *,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry: RetryPolicy | NotGiven = NOT_GIVEN,
    ) -> LightlySession:
        """A view with other defaults that shares this session's connection pool."""
        view = object.__new__(LightlySession)
        view.__dict__.update(self.__dict__)
        view._owns_client = False
        if timeout is not NOT_GIVEN:
            view._timeout = _http.make_timeout(timeout)
        if deadline is not NOT_GIVEN:
            view._deadline = _check_deadline(deadline)
        if retry is not NOT_GIVEN:
            view._retry = retry
        elif max_retries is not NOT_GIVEN:
            view._retry = RetryPolicy(
                max_retries=max_retries, initial_backoff=self._retry.initial_backoff,
                max_backoff=self._retry.max_backoff, max_retry_after=self._retry.max_retry_after,
                sleep=self._retry.sleep, rng=self._retry.rng)
        return view

    # -- the pipeline --------------------------------------------------------------------------
    @overload
    async def _request(
        self, method: str, path: str, *, cast: type[T],
        params: Mapping[str, Any] | None = ..., json_body: Any = ...,
        replay_safe: bool | None = ..., timeout: TimeoutArg | NotGiven = ...,
    ) -> T: ...

    @overload
    async def _request(
        self, method: str, path: str, *, cast: None = ...,
        params: Mapping[str, Any] | None = ..., json_body: Any = ...,
        replay_safe: bool | None = ..., timeout: TimeoutArg | NotGiven = ...,
    ) -> None: ...

    @overload
    async def _request(
        self, method: str, path: str, *, cast: Any,
        params: Mapping[str, Any] | None = ..., json_body: Any = ...,
        replay_safe: bool | None = ..., timeout: TimeoutArg | NotGiven = ...,
    ) -> Any: ...

    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast: Any = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        replay_safe: bool | None = None,
        timeout: TimeoutArg | NotGiven = NOT_GIVEN,
    ) -> Any:
        """Send one API call (with retries) and decode its answer into ``cast``.

        ``json_body`` is already unstructured; ``replay_safe`` marks a POST that may be
        retried after it was sent (create-or-update or pure).
        """
        if self._closed:
            raise RuntimeError("this LightlySession is closed")
        method = method.upper()
        safe = method in _REPLAY_SAFE_METHODS if replay_safe is None else replay_safe
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        if self._token is not None:
            query["token"] = self._token
        content = None if json_body is None else _dumps(json_body)
        per_call = self._timeout if timeout is NOT_GIVEN else _http.make_timeout(timeout)
        display = self._display_url(path, query)

        url = f"{self._base_url}{path}"  # absolute: a caller's http_client has no base_url
        headers = dict(self._call_headers)
        if content is not None:
            headers["Content-Type"] = "application/json"

        async def attempt() -> _http.Response:
            return await self._client.request(
                method, url, params=query, content=content, headers=headers, timeout=per_call)
        response = await self._with_deadline(
            self._send_with_retries(method, display, attempt, safe), method, display)
        return self._decode(response, cast, method, path)

    async def _with_deadline(
        self, work: Awaitable[_http.Response], method: str, display: str
    ) -> _http.Response:
        if self._deadline is None:
            return await work
        try:
            with anyio.fail_after(self._deadline):
                return await work
        except TimeoutError:
            raise APITimeoutError(
                f"deadline of {self._deadline:g}s exceeded (including retries)",
                method=method, url=display) from None

    async def _send_with_retries(
        self, method: str, display: str, attempt_fn: Callable[[], Awaitable[_http.Response]],
        replay_safe: bool,
    ) -> _http.Response:
        policy = self._retry
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = await self._send_once(method, display, attempt_fn)
            except APIConnectionError as exc:
                if attempt > policy.max_retries or (exc.may_have_been_sent and not replay_safe):
                    raise
                error: Exception = exc
            else:
                if response.status_code < 400:
                    return response
                status_error = self._status_error(response, method, display)
                if (attempt > policy.max_retries or not replay_safe
                        or not policy.is_retryable_status(response.status_code)):
                    raise status_error
                retry_after = status_error.retry_after
                error = status_error
            wait = policy.backoff(attempt, retry_after)
            self._shared.stats.retries += 1
            log.info("retrying %s %s after %s (attempt %d, waiting %.2fs)", method,
                     display, type(error).__name__, attempt, wait)
            await policy.sleep(wait)

    async def _send_once(
        self, method: str, display: str, attempt_fn: Callable[[], Awaitable[_http.Response]]
    ) -> _http.Response:
        await self._shared.wait_for_pause(self._retry)
        self._shared.stats.requests += 1
        started = time.perf_counter()
        failure: APIConnectionError | None = None
        try:
            response = await attempt_fn()
        except _http.TimeoutException as exc:
            failure = APITimeoutError(
                f"timed out ({type(exc).__name__})", method=method, url=display,
                may_have_been_sent=not isinstance(exc, _http.ConnectTimeout | _http.PoolTimeout))
        except _http.TransportError as exc:
            failure = APIConnectionError(
                f"connection failed: {type(exc).__name__}: {self._redact(str(exc))}",
                method=method, url=display,
                may_have_been_sent=not isinstance(exc, _http.ConnectError))
        if failure is not None:
            # Raised outside the except block: no __context__ keeps the httpx error (whose
            # request and message hold the token) alive or on display.
            raise failure
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %d (%.1f ms)", method, display, response.status_code,
                      (time.perf_counter() - started) * 1000)
        if response.status_code == 429:
            hint = parse_retry_after(response.headers.get("retry-after"))
            self._shared.pause(self._retry.backoff(1, hint))
        return response

    def _status_error(
        self, response: _http.Response, method: str, display: str
    ) -> APIStatusError:
        code = message = request_id = None
        body: Any = None
        try:
            body = json.loads(response.content) if response.content else None
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            body = None
        if isinstance(body, dict):
            code = _as_str(body.get("code"))
            message = _as_str(body.get("message")) or _as_str(body.get("error"))
            message = None if message is None else self._redact(message)
            request_id = _as_str(body.get("requestId"))
        request_id = request_id or response.headers.get("x-request-id")
        if not message:
            text = response.text.strip() if response.content else ""
            message = self._redact(text)[:200] if text else response.reason_phrase or "error"
        cls = status_error_class(response.status_code)
        return cls(
            message, status_code=response.status_code, method=method,
            url=display, code=code, request_id=request_id, body=body,
            retry_after=parse_retry_after(response.headers.get("retry-after")))

    def _decode(self, response: _http.Response, cast: Any, method: str, path: str) -> Any:
        if cast is None:
            return None
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError) as exc:
            raise DecodeError(
                f"response is not JSON: {exc}"[:300], method=method, url=self._display_url(path),
                status_code=response.status_code) from None
        # here, not at import: `import lightly_async` stays light
        from lightly_async._convert import explain_failure, get_decoder

        try:
            return get_decoder().structure(data, cast)
        except Exception:  # cattrs raises many types; all mean "not the schema"
            value, detail = explain_failure(data, cast)
            if detail is None:
                return value
            raise DecodeError(
                f"response does not match {_type_name(cast)}: {self._redact(detail)}"[:1000],
                method=method, url=self._display_url(path),
                status_code=response.status_code) from None

    def _redact(self, text: str) -> str:
        """``_http.redact`` plus this session's own secrets, wherever a server echoed them."""
        text = _http.redact(text)
        for secret in (self._token, self._bearer):
            if secret:
                text = text.replace(secret, _http.REDACTED)
        return text

    def _display_url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        qs = "&".join(f"{k}={v}" for k, v in (query or {}).items() if k != "token")
        return _http.redact(f"{self._base_url}{path}" + (f"?{qs}" if qs else ""))

    def _headers(self) -> dict[str, str]:
        from lightly_async import __version__

        headers = {"User-Agent": f"lightly-async/{__version__}", "Accept": "application/json"}
        if self._bearer is not None:
            headers["Authorization"] = f"Bearer {self._bearer}"
        return headers


class SessionStats:
    """Counters of one session (and its views): attempts sent and retries made."""

    __slots__ = ("requests", "retries")

    def __init__(self) -> None:
        self.requests = 0
        self.retries = 0

    def __repr__(self) -> str:
        return f"SessionStats(requests={self.requests}, retries={self.retries})"


class _SharedState:
    """State shared by a session and its ``with_options`` views."""

    def __init__(self, concurrency: int) -> None:
        self.limiter = anyio.CapacityLimiter(concurrency)
        self.stats = SessionStats()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """After a 429, hold every new request back for ``seconds``."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def wait_for_pause(self, policy: RetryPolicy) -> None:
        remaining = self._paused_until - time.monotonic()
        if remaining > 0:
            await policy.sleep(remaining)


def _check_base_url(url: str, allow_insecure_http: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError("base_url", f"must be an http(s) URL, got {url!r}")
    if parts.query or "token=" in url:
        raise InvalidInputError("base_url", "must not carry a query string (pass token=...)")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise InvalidInputError(
            "base_url", f"plain http to {parts.hostname!r} would send the token unencrypted; "
            "use https or pass allow_insecure_http=True")
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_deadline(deadline: float | None) -> float | None:
    if deadline is not None and (isinstance(deadline, bool) or not deadline > 0):
        raise InvalidInputError("deadline", f"must be a number of seconds > 0, got {deadline!r}")
    return deadline


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _type_name(tp: Any) -> str:
    """``list[TagData]`` rather than ``list`` (a generic alias borrows its origin's name)."""
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(map(_type_name, args))
    if origin is not None and args:
        return f"{getattr(origin, '__name__', origin)}[{', '.join(map(_type_name, args))}]"
    return str(getattr(tp, "__name__", tp))


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
