"""One API call, from a resource's bound verb to the wire and back: the pipeline.

A resource sends a declared operation (``Resource._call`` in ``resources/_base.py``) with
:meth:`Pipeline.request`; everything between that and the transport happens in this module,
top to bottom:

    request   -> the URL (path, query, token) and the JSON body, built once
    send      -> the closed and event-loop checks, the deadline (``_within`` on asyncio)
    with_retries -> per attempt: the rate budget, one exchange on the transport
                 (``_http``), transport errors mapped to ``LightlyError``s, a non-2xx
                 turned into its typed error (``status_error``), then retry or raise
    decode    -> a 2xx body parsed strictly (``loads``) and structured into the model
                 (``_convert``'s decoder), or a ``DecodeError``

Signed-URL transfers (``_transfer``) run through the same retry loop and error builder
(without the rate budget: a storage host's 429 says nothing of the API's pace). The
:class:`Pipeline` is shared by a session and all its ``with_options`` views: the client,
the bulk-work limiter, the counters, the rate budget and whether the session was closed.

What an attempt may raise is mapped here: httpx2 (or a caller's httpx) transport errors become
:class:`APIConnectionError` / :class:`APITimeoutError` with ``may_have_been_sent`` telling the
retry rule whether a POST could be replayed; a body past ``max_response_size`` becomes
:class:`ResponseTooLargeError`. Redacted URLs are built only when an error or a log line needs
one (``redacted_url`` is a callable), so a call that succeeds pays nothing for them.
"""

from __future__ import annotations

import enum
import json
import logging
import re
import sys
import time
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Protocol, TypeVar, runtime_checkable
from urllib.parse import quote, urlencode, urlsplit

import anyio
import attrs

from lightly_async import _http, _observe
from lightly_async._constants import (
    CLOSE_GRACE,
    ERROR_MESSAGE_LIMIT,
    REPLAY_SAFE_METHODS,
)
from lightly_async._retry import RetryPolicy, parse_retry_after
from lightly_async.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    DecodeError,
    InvalidInputError,
    RedirectError,
    ResponseTooLargeError,
    SessionClosedError,
    TLSCertificateError,
    WrongContextError,
    status_error_class,
)

__all__ = [
    "NOT_GIVEN",
    "Attempt",
    "CallOptions",
    "Exchange",
    "LocalRateBudget",
    "NotGiven",
    "Pipeline",
    "PlainText",
    "RateBudget",
    "SessionStats",
    "decode",
    "find_lone_surrogate",
    "from_wire",
    "loads",
    "redirect_target",
    "status_error",
    "to_wire",
]


class NotGiven(enum.Enum):
    """Marks an argument the caller did not pass (``None`` may mean "disabled")."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""The default of an argument whose ``None`` means "off" (``timeout=None``: no timeout)."""

log = logging.getLogger("lightly_async")
T = TypeVar("T")

Exchange = tuple["_http.ResponseHead | _http.Response", bytes | bytearray]  # no httpx2 at import
"""A response and its body, read to the end (or empty when the attempt consumed it)."""

Attempt = Callable[[], Awaitable[Exchange]]


@attrs.frozen(kw_only=True)
class CallOptions:
    """The per-view options of a session: ``with_options`` evolves a copy of this value."""

    timeout: _http.Timeout
    #: ``timeout`` in the form the session's client takes (its own httpx family's class).
    client_timeout: Any = attrs.field(eq=False, repr=False)
    deadline: float | None
    retry: RetryPolicy
    max_response_size: int | None
    #: a ``with_options`` view that was closed (its session's pool stays open)
    closed: bool = False


@runtime_checkable
class RateBudget(Protocol):
    """The pace API calls keep: a seam for a budget shared beyond one process.

    A session awaits :meth:`acquire` before each attempt of an API call (not of a signed-URL
    transfer) and tells :meth:`on_rate_limited` of each 429 the API answers. The default,
    :class:`LocalRateBudget`, holds every call of the session back for the server's
    ``Retry-After`` after a 429. A budget shared by several processes or machines (a token
    bucket in Redis, say) implements the same two methods and is passed as
    ``LightlySession(rate_budget=...)``.
    """

    async def acquire(self) -> None:
        """Return when the next attempt may be sent (may sleep; never raises to refuse)."""

    async def on_rate_limited(self, retry_after: float | None) -> None:
        """The API answered 429; ``retry_after`` is its ``Retry-After`` in seconds, or None."""


class LocalRateBudget:
    """The per-process rate budget (the default): after a 429, every call that shares this
    budget waits the server's ``Retry-After`` (capped at the retry policy's
    ``max_retry_after``; without one, the policy's first backoff) before it is sent.

    One is made per session; pass the same instance to several sessions
    (``rate_budget=``) to have them pause together.

    Args:
        policy: whose ``backoff`` sizes the pause and whose ``sleep`` waits it out
            (default: ``RetryPolicy()``; a session's own budget uses the session's policy).
    """

    __slots__ = ("_paused_until", "_policy")

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self._policy = policy if policy is not None else RetryPolicy()
        self._paused_until = 0.0

    async def acquire(self) -> None:
        """Wait out the pause the last 429 started, if it still runs."""
        if self._paused_until:
            remaining = self._paused_until - time.monotonic()
            if remaining > 0:
                await self._policy.sleep(remaining)

    async def on_rate_limited(self, retry_after: float | None) -> None:
        """Hold every call sharing this budget back for ``retry_after`` seconds."""
        pause = self._policy.backoff(1, retry_after)
        self._paused_until = max(self._paused_until, time.monotonic() + pause)

    def __repr__(self) -> str:
        return "LocalRateBudget()"


class SessionStats:
    """Counters of one session (and its views): attempts sent and retries made, and
    ``stale_connections``: pooled connections the server had closed while they were idle,
    found before a request was sent on one (the request went on another connection)."""

    __slots__ = ("requests", "retries", "stale_connections")

    def __init__(self) -> None:
        self.requests = 0
        self.retries = 0
        self.stale_connections = 0

    def __repr__(self) -> str:
        return (f"SessionStats(requests={self.requests}, retries={self.retries}, "
                f"stale_connections={self.stale_connections})")


class Pipeline:
    """Sends API calls (and signed-URL transfers) on one client, with retries.

    Shared by a session and all its ``with_options`` views (whose :class:`CallOptions`
    differ): the client, the session's URL, token and headers, the bulk-work limiter, the
    counters, the rate budget and whether the session was closed.
    """

    def __init__(self, client: _http.AnyClient, *, owns_client: bool, concurrency: int,
                 redact: Callable[[str], str], base_url: str, token_query: str | None,
                 plain_headers: Mapping[str, str] | None,
                 json_headers: Mapping[str, str]) -> None:
        self.client = client
        self.base_url = base_url
        #: ``token=...`` encoded once, appended to every API URL (None: bearer auth)
        self._token_query = token_query
        #: the headers of a call without / with a JSON body (None: the client's own)
        self._plain_headers = plain_headers
        self._json_headers = json_headers
        self.owns_client = owns_client
        self.channel = _http.ApiCallPath(client, owned=owns_client)
        self.limiter = anyio.CapacityLimiter(concurrency)
        self.stats = SessionStats()
        _http.report_stale_connections(client, self.stats)
        self.closed = False
        #: calls in flight: asyncio task -> how many of its frames are inside send(); trio
        #: (and transfers) register their cancel scope instead. aclose() cancels them all.
        self._tasks: dict[Any, int] = {}
        self._scopes: set[anyio.CancelScope] = set()
        self._closing: set[Any] = set()  # tasks cancelled by close(), not yet unwound
        self._drained: anyio.Event | None = None
        self._closer: Any = None
        #: the event loop of the first call (an asyncio loop or a trio token)
        self._loop: Any = None
        self.redact = redact
        #: the session's hooks (None: none given)
        self.observer: _observe.Observer | None = None
        #: held before each API attempt, told of each 429 (see RateBudget)
        self.rate_budget: RateBudget = LocalRateBudget()
        self.transport_errors = _http.transport_errors(client)
        self.decoding_errors = _http.decoding_errors(client)
        #: what a signed-URL transfer maps to DecodeError: any other HTTP-library error
        self.body_errors: tuple[type[BaseException], ...] = (
            _http.HTTPError, *self.decoding_errors)

    # -- one API call -----------------------------------------------------------------------
    async def request(
        self, options: CallOptions, method: str, path: str, *, cast: Any = None,
        params: Mapping[str, Any] | None = None, json_body: Any = None,
        replay_safe: bool | None = None,
    ) -> Any:
        """Send one API call (with retries, within the deadline) and decode its answer.

        ``method`` is upper-case, ``path`` filled in and percent-encoded; ``json_body`` is
        already unstructured; ``replay_safe`` marks a POST that may be retried after it was
        sent (create-or-update or pure). The answer is structured into ``cast`` (``None``:
        nothing is decoded).
        """
        safe = method in REPLAY_SAFE_METHODS if replay_safe is None else replay_safe
        query = {k: _query_value(v) for k, v in params.items() if v is not None} if params else None
        try:
            if json_body is None:
                content, headers = None, self._plain_headers
            else:
                content, headers = _dumps(json_body), self._json_headers
            # Absolute (a caller's http_client has no base_url), the query encoded once
            # here: handing httpx2 `params=` would make it parse the URL a second time on
            # every call. The token goes last, encoded once per session.
            url = self.base_url + path
            if query:
                url += "?" + urlencode(query, quote_via=quote)
                if self._token_query:
                    url += "&" + self._token_query
            elif self._token_query:
                url += "?" + self._token_query
        except UnicodeEncodeError:
            raise _unencodable(path, query, json_body) from None

        def redacted_url() -> str:
            return self.redacted_url(path, query)

        attempt = self.api_attempt(options, method, url, content, headers)
        watch = self.watch(_observe.operation_name, method, redacted_url)
        if watch is None:
            response, body = await self.send(
                options, method, redacted_url, attempt, replay_safe=safe)
        else:
            response, body = await self.send_watched(
                watch, options, method, redacted_url, attempt, replay_safe=safe)
        if cast is PlainText:
            return decode(body, cast, response.status_code, method, redacted_url, self.redact,
                          response.headers.get("content-type"))
        return decode(body, cast, response.status_code, method, redacted_url, self.redact)

    def redacted_url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        """The URL of a call as errors and logs show it: no token, secrets redacted."""
        qs = "&".join(f"{k}={v}" for k, v in (query or {}).items() if k != "token")
        return _http.redact(f"{self.base_url}{path}" + (f"?{qs}" if qs else ""))

    def api_attempt(
        self, options: CallOptions, method: str, url: str, content: bytes | None, headers: Any,
    ) -> Attempt:
        """One API request: sent without following redirects, its body read under the cap."""
        exchange = self.channel.exchange
        limit = options.max_response_size
        timeout = options.client_timeout

        def attempt() -> Awaitable[Exchange]:
            return exchange(method, url, content, headers, timeout, limit)

        return attempt

    def watch(self, operation: Callable[[], str], method: str,
              redacted_url: Callable[[], str]) -> _observe.Watch | None:
        """What observes the next call (hooks, a span), or ``None`` when nothing does."""
        tracer = _observe.tracer()
        if tracer is None and self.observer is None:
            return None
        return _observe.Watch(self.observer, tracer, operation(), method, redacted_url)

    async def send_watched(
        self, watch: _observe.Watch, options: CallOptions, method: str,
        redacted_url: Callable[[], str], attempt: Attempt, *, replay_safe: bool,
    ) -> Exchange:
        """``send``, with hooks called and the call's span around it (see ``_observe``)."""
        if watch.tracer is None:
            return await self.send(options, method, redacted_url, attempt, replay_safe=replay_safe,
                                   watch=watch)
        with _observe.start_span(watch.tracer, watch.operation, method, redacted_url()) as span:
            try:
                exchange = await self.send(options, method, redacted_url, attempt,
                                           replay_safe=replay_safe, watch=watch)
            except BaseException as exc:
                _observe.end_span(
                    span, status=getattr(exc, "status_code", None) or watch.status,
                    retries=watch.retries, error=exc,
                    request_id=getattr(exc, "request_id", None) or watch.request_id)
                raise
            _observe.end_span(span, status=exchange[0].status_code, retries=watch.retries,
                              request_id=watch.request_id, error=None)
            return exchange

    async def send(
        self, options: CallOptions, method: str, redacted_url: Callable[[], str], attempt: Attempt,
        *, replay_safe: bool, watch: _observe.Watch | None = None,
    ) -> Exchange:
        """Run ``attempt`` until it answers 2xx, per the retry policy, within the deadline.

        A call in flight (sending, reading, or waiting to retry) when the session closes
        ends with :class:`SessionClosedError`.
        """
        task = self.check_usable(options)
        deadline = options.deadline
        work = self.with_retries(options.retry, method, redacted_url, attempt, replay_safe,
                                 watch, self.rate_budget)
        if task is None:  # trio: a cancel scope close() can cancel
            return await self._in_scope(self._bounded(None, deadline, work, method, redacted_url))
        # asyncio: the task itself is registered (a cancel scope per call costs too much);
        # close() cancels it, and the cancellation becomes SessionClosedError only if it is
        # close()'s alone (as _within decides for the deadline).
        tasks = self._tasks
        tasks[task] = tasks.get(task, 0) + 1
        cancelling = task.cancelling()
        try:
            return await self._bounded(task, deadline, work, method, redacted_url)
        except BaseException as exc:
            if task in self._closing and _is_cancellation(exc):
                self._closing.discard(task)
                if task.uncancel() <= cancelling:
                    raise closed_error(in_flight=True) from None
            raise
        finally:
            left = tasks.pop(task) - 1
            if left:
                tasks[task] = left
            self._maybe_drained()

    async def _bounded(
        self, task: Any, deadline: float | None, work: Awaitable[Exchange], method: str,
        redacted_url: Callable[[], str],
    ) -> Exchange:
        if deadline is None:
            return await work
        try:
            if task is not None:
                return await _within(task, deadline, work)
            with anyio.fail_after(deadline):
                return await work
        except TimeoutError:
            raise APITimeoutError(
                f"deadline of {deadline:g}s exceeded (including retries)",
                method=method, url=redacted_url()) from None

    async def with_retries(
        self, policy: RetryPolicy, method: str, redacted_url: Callable[[], str], attempt: Attempt,
        replay_safe: bool, watch: _observe.Watch | None = None,
        budget: RateBudget | None = None,
    ) -> Exchange:
        """Run ``attempt`` until it answers 2xx, per ``policy``: the one retry loop.

        API calls and signed-URL transfers both run here. An attempt returns its response
        and body (non-2xx: the error is built here from them) or raises a
        :class:`LightlyError` of its own (a transfer's streamed error answer, its time
        bound). ``budget`` (API calls only) is awaited before each attempt and told of
        each 429; a storage host's 429 pauses no API call.
        """
        number = 0
        while True:
            if self.closed:  # closed while this call waited to retry
                raise closed_error(in_flight=True)
            number += 1
            failure: APIError
            try:
                response, body = await self._send_once(
                    method, redacted_url, attempt, watch, number, budget)
            except APIError as exc:
                failure = exc
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response, body
                failure = status_error(response, body, method, redacted_url(), self.redact)
            # Raised outside the except block: no __context__ keeps the transport's error
            # (whose request and message hold the token or signed URL) alive or on redacted_url.
            if number > policy.max_retries or not _retryable(failure, policy, replay_safe):
                raise failure
            wait = policy.backoff(number, getattr(failure, "retry_after", None))
            self.stats.retries += 1
            if watch is not None:
                await watch.retry(number, wait, failure)
            if log.isEnabledFor(logging.INFO):
                log.info("retrying %s %s after %s (attempt %d, waiting %.2fs)", method,
                         redacted_url(), type(failure).__name__, number, wait)
            await policy.sleep(wait)

    async def _send_once(
        self, method: str, redacted_url: Callable[[], str], attempt: Attempt,
        watch: _observe.Watch | None, number: int, budget: RateBudget | None,
    ) -> Exchange:
        """One attempt, what it may raise mapped to a :class:`LightlyError`."""
        if budget is not None:
            await budget.acquire()
        self.stats.requests += 1
        if watch is not None:
            await watch.request(number)
        debug = budget is not None and log.isEnabledFor(logging.DEBUG)
        started = time.perf_counter() if debug or watch is not None else 0.0
        failure: APIError | None = None
        try:
            response, body = await attempt()
        except self.transport_errors as exc:
            failure = self.connection_error(exc, method, redacted_url)
        except self.decoding_errors as exc:  # it arrived, but does not decompress
            failure = DecodeError(
                f"response body does not decompress: {self.redact(str(exc))}"[:300],
                method=method, url=redacted_url())
        except _http.BodyTooLargeError as exc:
            failure = ResponseTooLargeError(
                f"response body of at least {exc.size} bytes exceeds max_response_size="
                f"{exc.limit}; reading stopped", method=method, url=redacted_url(),
                limit=exc.limit, size=exc.size)
        except self.body_errors as exc:  # any other failure of the HTTP library to read it
            failure = DecodeError(
                f"response body unreadable: {type(exc).__name__}: "
                f"{self.redact(str(exc))}"[:300], method=method, url=redacted_url())
        except APIError as exc:  # the attempt's own (a transfer's error answer, time bound)
            failure = exc
        if failure is not None:
            if watch is not None:
                await watch.response(number, getattr(failure, "status_code", None),
                                     time.perf_counter() - started, failure,
                                     getattr(failure, "request_id", None))
            raise failure
        if watch is not None:
            await watch.response(number, response.status_code, time.perf_counter() - started,
                                 None, response.headers.get("x-request-id"))
        if debug:
            log.debug("%s %s -> %d (%.1f ms)", method, redacted_url(), response.status_code,
                      (time.perf_counter() - started) * 1000)
        if budget is not None and response.status_code == 429:
            await budget.on_rate_limited(parse_retry_after(response.headers.get("retry-after")))
        return response, body

    def connection_error(
        self, exc: BaseException, method: str, redacted_url: Callable[[], str]
    ) -> APIConnectionError:
        reason = _http.certificate_failure(exc)
        if reason is not None:
            return TLSCertificateError(
                f"TLS certificate not trusted: {self.redact(reason)}. To trust a private or "
                "corporate CA pass ca_bundle= (or ssl_context=) to the session, or set "
                "LIGHTLY_CA_CERTS or SSL_CERT_FILE", method=method, url=redacted_url())
        error = _http.as_transport_error(exc)
        if isinstance(error, _http.TimeoutException):
            return APITimeoutError(
                f"timed out ({type(error).__name__})", method=method, url=redacted_url(),
                may_have_been_sent=not isinstance(error, _http.ConnectTimeout | _http.PoolTimeout))
        return APIConnectionError(
            f"connection failed: {type(error).__name__}: {self.redact(_http.error_text(exc))}",
            method=method, url=redacted_url(),
            may_have_been_sent=not isinstance(error, _http.ConnectError))

    # -- closing, and the event loop a session belongs to -----------------------------------
    async def guarded(self, options: CallOptions, work: Awaitable[T]) -> T:
        """``await work`` in a cancel scope that closing the session cancels.

        Ends with :class:`SessionClosedError` if it was cancelled so (anything shielded
        inside, such as removing a partial file, still completes).
        """
        try:
            self.check_usable(options)
        except BaseException:
            getattr(work, "close", lambda: None)()  # never awaited: no "never awaited" warning
            raise
        return await self._in_scope(work)

    async def _in_scope(self, work: Awaitable[T]) -> T:
        with anyio.CancelScope() as scope:
            self._scopes.add(scope)
            try:
                return await work
            finally:
                self._scopes.discard(scope)
                self._maybe_drained()
        raise closed_error(in_flight=True)

    def check_usable(self, options: CallOptions | None = None) -> Any:
        """Raise now what a call would: the session (or the view ``options`` belong to) is
        closed, or it is bound to another event loop; binds it to this one on first use.

        The one closed check and loop check of every call, transfer and bulk run. Returns
        the running asyncio task (``None`` under trio).
        """
        if self.closed or (options is not None and options.closed):
            raise closed_error()
        task = running_asyncio_task()
        loop = task.get_loop() if task is not None else _trio_token()
        if loop is not self._loop:
            self._bind(loop)
        return task

    def _bind(self, loop: Any) -> None:
        """Tie the session to the event loop of its first call; refuse any other loop."""
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise WrongContextError(
                "this LightlySession is used from an event loop other than the one it first "
                "ran on (a second asyncio.run(), another thread's loop); its connection pool "
                "belongs to that loop. Create a session per event loop, inside it: "
                "`async with LightlySession(...) as session:` (or use lightly_async.sync, "
                "which runs its own loop and may be called from any thread)")

    def foreign_loop(self) -> bool:
        """True when the current event loop is not the one the session is bound to."""
        return self._loop is not None and _current_loop() is not self._loop

    def bound_loop_running(self) -> bool:
        """Whether the loop this session is bound to still runs (trio: assumed so)."""
        is_running = getattr(self._loop, "is_running", None)
        return True if is_running is None else bool(is_running())

    async def close(self, *, grace: float = CLOSE_GRACE) -> None:
        """Refuse new calls, cancel those in flight and wait (up to ``grace`` s) until they
        have unwound; the caller closes the pool after."""
        self.closed = True
        self._closer = current = running_asyncio_task()
        for task in list(self._tasks):
            if task is not current and task not in self._closing:
                self._closing.add(task)
                task.cancel()
        for scope in list(self._scopes):
            scope.cancel()
        if not self._is_drained():
            self._drained = anyio.Event()
            with anyio.move_on_after(grace, shield=True):
                await self._drained.wait()

    def _is_drained(self) -> bool:
        """No call in flight but (perhaps) the one that is closing the session."""
        closer = self._closer
        return not self._scopes and all(task is closer for task in self._tasks)

    def _maybe_drained(self) -> None:
        if self._drained is not None and self._is_drained():
            self._drained.set()

def closed_error(*, in_flight: bool = False) -> SessionClosedError:
    """What a call meets on a closed session (``in_flight``: closed while it ran)."""
    if in_flight:
        return SessionClosedError("the LightlySession was closed while this call was in flight")
    return SessionClosedError("this LightlySession is closed")


def _retryable(error: APIError, policy: RetryPolicy, replay_safe: bool) -> bool:
    """Whether ``error`` may be met by another attempt: the rules of :mod:`._retry`."""
    if isinstance(error, APIStatusError):
        return replay_safe and policy.is_retryable_status(error.status_code)
    if isinstance(error, APIConnectionError):
        return not isinstance(error, TLSCertificateError) and (
            replay_safe or not error.may_have_been_sent)
    return False


def _trio_token() -> Any:
    trio = sys.modules.get("trio")
    return None if trio is None else trio.lowlevel.current_trio_token()


def _current_loop() -> Any:
    task = running_asyncio_task()
    return task.get_loop() if task is not None else _trio_token()


def running_asyncio_task() -> Any:
    """The running asyncio task, or ``None`` under trio (also as a guest in an asyncio loop)."""
    asyncio = sys.modules.get("asyncio")  # loaded by then on asyncio; never imported for trio
    if asyncio is None:
        return None
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running asyncio loop: trio
        return None


async def _within(task: Any, seconds: float, work: Awaitable[T]) -> T:
    """``await work``, cancelled after ``seconds`` with ``TimeoutError``: ``asyncio.timeout``.

    The deadline is on for every call, and the context manager (its object, two coroutine
    calls, its state machine) was most of the pipeline's own cost per call on asyncio; anyio's
    ``fail_after`` costs more still. This is the same protocol inline: one timer, and on
    expiry ``task.cancel()``; the cancellation becomes ``TimeoutError`` only if it is ours
    alone (``uncancel()`` leaves no other request), exactly as ``asyncio.timeout`` decides.
    """
    loop = task.get_loop()
    cancelling = task.cancelling()
    fired = False

    def expire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    handle = loop.call_at(loop.time() + seconds, expire) if seconds > 0 else loop.call_soon(
        expire)
    try:
        result = await work
    except BaseException as exc:
        handle.cancel()
        if fired and task.uncancel() <= cancelling and _is_cancellation(exc):
            raise TimeoutError from exc
        raise
    handle.cancel()
    if fired:  # expired as the work finished: the result stands, the cancel request goes
        task.uncancel()
    return result


def _is_cancellation(exc: BaseException) -> bool:
    return isinstance(exc, sys.modules["asyncio"].CancelledError)  # on asyncio: loaded


# -- building a request ----------------------------------------------------------------------------
def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _unencodable(path: str, query: Mapping[str, str] | None, body: Any) -> InvalidInputError:
    """The error for text that is no Unicode (a lone UTF-16 surrogate): it cannot be sent."""
    where = next((key for key, value in (query or {}).items()
                  if find_lone_surrogate(value) or find_lone_surrogate(key)), None)
    if where is None and body is not None:
        where = find_lone_surrogate(body)
    return InvalidInputError(
        where or "path", "holds a lone UTF-16 surrogate, which is no character and cannot "
        "be sent as UTF-8 (text decoded with errors='surrogateescape', or cut mid-pair?)")


def _dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


# -- what an answer means: status errors and decoding a 2xx body ------------------------------
#: Headers naming a request, in the order asked: the Lightly API's, then S3's and Azure's
#: (a signed-URL transfer's storage host).
_REQUEST_ID_HEADERS: Final = ("x-request-id", "x-amz-request-id", "x-ms-request-id")


def status_error(
    response: Any, body: bytes | bytearray, method: str, display: str,
    redact: Callable[[str], str],
) -> APIStatusError:
    """The typed error for a non-2xx answer (an API call's or a signed-URL transfer's).

    Its ``code``/``message``/``requestId`` come from a JSON body (the Lightly API's) or an XML
    one (S3/GCS/Azure: ``<Code>``, ``<Message>``, ``<RequestId>``); without them the body's
    first 200 characters are the message. Every text is redacted.
    """
    status = response.status_code
    code = message = request_id = None
    data: Any = None
    try:
        data = json.loads(body) if body else None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        data = None
    if isinstance(data, dict):
        code = _as_str(data.get("code"))
        message = _as_str(data.get("message")) or _as_str(data.get("error"))
        request_id = _as_str(data.get("requestId"))
    elif body and b"<" in body:
        text = body.decode("utf-8", "replace")
        code, message, request_id = (
            _xml_element(text, "Code"), _xml_element(text, "Message"),
            _xml_element(text, "RequestId"))
    headers = response.headers
    for name in _REQUEST_ID_HEADERS:
        if request_id:
            break
        request_id = headers.get(name)
    data = _redact_json(data, redact)  # a server may echo the token: never kept (nor pickled)
    retry_after = parse_retry_after(headers.get("retry-after"))
    if 300 <= status < 400:
        location = redirect_target(headers.get("location"))
        return RedirectError(
            f"redirect to {location or 'an unnamed location'} not followed (API calls never "
            "follow redirects)", status_code=status, method=method, url=display, code=code,
            request_id=request_id, body=data, retry_after=retry_after, location=location)
    if message:
        message = redact(message)[:ERROR_MESSAGE_LIMIT]
    else:
        text = body.decode("utf-8", "replace").strip() if body else ""
        message = redact(text)[:200] if text else response.reason_phrase or "error"
    cls = status_error_class(status)
    return cls(
        message, status_code=status, method=method, url=display, code=code,
        request_id=request_id, body=data, retry_after=retry_after)


def _redact_json(data: Any, redact: Callable[[str], str], depth: int = 0) -> Any:
    """``data`` with every string (key or value) redacted; bounded in depth."""
    if isinstance(data, str):
        return redact(data)
    if depth > 32:
        return None
    if isinstance(data, list):
        return [_redact_json(item, redact, depth + 1) for item in data]
    if isinstance(data, dict):
        return {redact(str(key)): _redact_json(value, redact, depth + 1)
                for key, value in data.items()}
    return data


def _xml_element(text: str, name: str) -> str | None:
    found = re.search(rf"<{name}>([^<]{{1,500}})</{name}>", text)
    return found.group(1).strip() or None if found else None


class PlainText:
    """``cast=PlainText``: a text answer as ``str`` (``text/plain`` UTF-8, or a JSON string
    when the answer says ``application/json``), as the paged file-name export sends."""


def decode(
    body: bytes | bytearray, cast: Any, status_code: int, method: str,
    display: Callable[[], str],
    redact: Callable[[str], str],
    content_type: str | None = None,
) -> Any:
    """``body`` (JSON) structured into ``cast``: exact, or a :class:`DecodeError`.

    ``cast=PlainText`` takes a text body (``content_type`` says which kind) as ``str``.
    """
    if cast is None:
        return None
    if cast is PlainText:
        if not (content_type or "").lower().startswith("application/json"):
            try:
                return bytes(body).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DecodeError(f"text answer is not UTF-8: {exc.reason}", method=method,
                                  url=display(), status_code=status_code) from None
        cast = str
    try:
        data = loads(body)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(
            f"response is not JSON: {redact(str(exc))}"[:300], method=method, url=display(),
            status_code=status_code) from None
    structure = _structure or _load_decoder()
    try:
        return structure(data, cast)
    except Exception:  # cattrs raises many types; all mean "not the schema"
        from lightly_async._convert import explain_failure

        value, detail = explain_failure(data, cast)
        if detail is None:
            return value
        raise DecodeError(
            f"response does not match {_type_name(cast)}: {redact(detail)}"[:1000],
            method=method, url=display(), status_code=status_code) from None


def from_wire(cast: Any, data: Any, *, strict: bool = False) -> Any:
    """``data`` (a parsed JSON value, or JSON text as bytes) structured into ``cast`` as a
    response is decoded; ``strict`` also refuses unknown keys and union types."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = loads(bytes(data))
        except (ValueError, RecursionError) as exc:
            raise DecodeError(f"not JSON: {_http.redact(str(exc))}"[:300]) from None
    if strict:
        from lightly_async._convert import describe_error, get_converter

        try:
            return get_converter(strict=True).structure(data, cast)
        except Exception as exc:  # cattrs raises many types; all mean "not the schema"
            problems = "; ".join(describe_error(exc, data=data))
            raise DecodeError(
                f"does not match {_type_name(cast)}: {_http.redact(problems)}"[:1000]) from None
    structure = _structure or _load_decoder()
    try:
        return structure(data, cast)
    except Exception:
        from lightly_async._convert import explain_failure

        value, detail = explain_failure(data, cast)
        if detail is None:
            return value
        raise DecodeError(
            f"does not match {_type_name(cast)}: {_http.redact(detail)}"[:1000]) from None


def to_wire(value: Any, as_type: Any = None) -> Any:
    """``value`` (a model, or a list or dict of them) as the JSON value the client sends."""
    from lightly_async._convert import get_converter

    return get_converter().unstructure(value, unstructure_as=as_type)


_structure: Callable[[Any, Any], Any] | None = None


def _load_decoder() -> Callable[[Any, Any], Any]:
    """The decoder's ``structure``; loaded on the first decode, not at ``import lightly_async``
    (it builds the converter)."""
    global _structure
    from lightly_async._convert import get_decoder

    _structure = get_decoder().structure
    return _structure


def redirect_target(location: str | None) -> str | None:
    """``scheme://host/path`` of a ``Location`` header: its query and fragment dropped."""
    if not location:
        return None
    parts = urlsplit(location.strip())
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the host alone
        port = None
    if port is not None:
        host = f"{host}:{port}"
    origin = f"{parts.scheme}://{host}" if parts.scheme and host else ""
    return f"{origin}{parts.path}" or "/"


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


def loads(body: bytes | bytearray) -> Any:
    """A JSON body parsed strictly: what ``json.loads`` does, minus what JSON is not.

    Refused (``ValueError`` naming the JSON path): the ``NaN``/``Infinity``/``-Infinity``
    tokens (no JSON number), text that is not valid UTF-8, and a ``\\u`` escape that leaves a
    lone UTF-16 surrogate in a string (no character: it could never be sent back, nor written
    to a file as UTF-8). A number too large for a float (``1e400``) is refused where a field
    expects a number (``_convert``).
    """
    # strict: no surrogates smuggled as UTF-8. An answer that opens with "{" or "[" and no
    # NUL after it is UTF-8 (what json.detect_encoding would say, without its slicing).
    encoding = ("utf-8" if body[:1] in _UTF8_OPENINGS and body[1:2] != b"\x00"
                else json.detect_encoding(body))
    text = body.decode(encoding)
    try:
        data = _STRICT_JSON.decode(text)
    except _NonFiniteToken as exc:
        path = _find(json.loads(text), _non_finite, "$")
        raise ValueError(f"{exc.token} is not a JSON number @ {path}") from None
    if _ESCAPED_SURROGATE.search(text) is not None:
        path = _find(data, _lone_surrogate, "$")
        if path is not None:
            raise ValueError(
                f"a string holds a lone UTF-16 surrogate (not a character) @ {path}")
    return data


class _NonFiniteToken(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _refuse_constant(token: str) -> Any:
    raise _NonFiniteToken(token)


_STRICT_JSON = json.JSONDecoder(parse_constant=_refuse_constant)
_UTF8_OPENINGS: Final = (b"{", b"[")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _non_finite(value: Any) -> bool:
    return value.__class__ is float and value - value != 0


def find_lone_surrogate(data: Any) -> str | None:
    """The JSON path (``$.a[0].b``) of the first string in ``data`` UTF-8 cannot encode."""
    return _find(data, _lone_surrogate, "$")


def _lone_surrogate(value: Any) -> bool:
    if value.__class__ is not str:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _find(data: Any, bad: Callable[[Any], bool], path: str) -> str | None:
    """The JSON path of the first value (or object key) in ``data`` that is ``bad``."""
    if bad(data):
        return path
    if isinstance(data, dict):
        for key, value in data.items():
            if bad(key):
                return path
            found = _find(value, bad, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found = _find(value, bad, f"{path}[{i}]")
            if found is not None:
                return found
    return None
