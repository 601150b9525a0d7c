"""How one call reaches the server: send, the total deadline, retries and the 429 pause.

This room knows no resource, no endpoint and no model. It is given an *attempt* (a coroutine
function that sends one request and reads its body) and decides, per :class:`RetryPolicy`,
whether to run it again:

    deadline -> (wait out a server's rate-limit pause) -> attempt -> map transport errors
             -> 2xx? return : build the status error (``_responses``) -> retry or raise

What an attempt may raise is mapped here: httpx2 (or a caller's httpx) transport errors become
:class:`APIConnectionError` / :class:`APITimeoutError` with ``may_have_been_sent`` telling the
retry rule whether a POST could be replayed; a body past ``max_response_size`` becomes
:class:`ResponseTooLargeError`. Display URLs are built only when an error or a log line needs
one (``display`` is a callable), so a call that succeeds pays nothing for them.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

import anyio
import attrs

from lightly_async import _http, _observe
from lightly_async._responses import status_error
from lightly_async._retry import RetryPolicy, parse_retry_after
from lightly_async.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    DecodeError,
    ResponseTooLargeError,
    SessionClosedError,
    TLSCertificateError,
    WrongContextError,
)

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "Attempt",
    "CallOptions",
    "Exchange",
    "LocalRateBudget",
    "RateBudget",
    "Sender",
    "SessionStats",
]

log = logging.getLogger("lightly_async")
T = TypeVar("T")

#: Seconds bounding one API call with its retries. The largest legitimate answer
#: (``DEFAULT_MAX_RESPONSE_SIZE``) still arrives in time at ~2 MB/s, and a retried call
#: (3 attempts of up to 30 s per phase, waits of at most 8 s) fits well inside.
DEFAULT_DEADLINE: Final = 300.0

#: Bytes one API answer may hold (512 MiB). The largest legitimate answer is
#: ``predictions.list`` of a big dataset: ~110-150 bytes per object-detection singleton, so a
#: million samples with ~3-4 predictions each is ~450-500 MB.
DEFAULT_MAX_RESPONSE_SIZE: Final = 512 * 1024 * 1024

Exchange = tuple[_http.Answer | _http.Response, bytes | bytearray]
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


class Sender:
    """Sends attempts on one client; shared by a session and all its ``with_options`` views.

    Holds what they share: the client, the bulk-work limiter, the counters, the rate-limit
    pause and whether the session was closed.
    """

    def __init__(self, client: _http.AnyClient, *, owns_client: bool, concurrency: int,
                 redact: Callable[[str], str]) -> None:
        self.client = client
        self.owns_client = owns_client
        self.channel = _http.ApiChannel(client, owned=owns_client)
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
              display: Callable[[], str]) -> _observe.Watch | None:
        """What observes the next call (hooks, a span), or ``None`` when nothing does."""
        tracer = _observe.tracer()
        if tracer is None and self.observer is None:
            return None
        return _observe.Watch(self.observer, tracer, operation(), method, display)

    async def send_watched(
        self, watch: _observe.Watch, options: CallOptions, method: str,
        display: Callable[[], str], attempt: Attempt, *, replay_safe: bool,
    ) -> Exchange:
        """``send``, with hooks called and the call's span around it (see ``_observe``)."""
        if watch.tracer is None:
            return await self.send(options, method, display, attempt, replay_safe=replay_safe,
                                   watch=watch)
        with _observe.start_span(watch.tracer, watch.operation, method, display()) as span:
            try:
                exchange = await self.send(options, method, display, attempt,
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
        self, options: CallOptions, method: str, display: Callable[[], str], attempt: Attempt,
        *, replay_safe: bool, watch: _observe.Watch | None = None,
    ) -> Exchange:
        """Run ``attempt`` until it answers 2xx, per the retry policy, within the deadline.

        A call in flight (sending, reading, or waiting to retry) when the session closes
        ends with :class:`SessionClosedError`.
        """
        if self.closed:
            raise SessionClosedError("this LightlySession is closed")
        task = _asyncio_task()
        loop = task.get_loop() if task is not None else _trio_token()
        if loop is not self._loop:
            self._bind(loop)
        deadline = options.deadline
        work = self.with_retries(options.retry, method, display, attempt, replay_safe,
                                 watch, self.rate_budget)
        if task is None:  # trio: a cancel scope close() can cancel
            return await self.guarded(self._bounded(None, deadline, work, method, display))
        # asyncio: the task itself is registered (a cancel scope per call costs too much);
        # close() cancels it, and the cancellation becomes SessionClosedError only if it is
        # close()'s alone (as _within decides for the deadline).
        tasks = self._tasks
        tasks[task] = tasks.get(task, 0) + 1
        cancelling = task.cancelling()
        try:
            return await self._bounded(task, deadline, work, method, display)
        except BaseException as exc:
            if task in self._closing and _is_cancellation(exc):
                self._closing.discard(task)
                if task.uncancel() <= cancelling:
                    raise SessionClosedError(
                        "the LightlySession was closed while this call was in flight"
                    ) from None
            raise
        finally:
            left = tasks.pop(task) - 1
            if left:
                tasks[task] = left
            self._maybe_drained()

    async def _bounded(
        self, task: Any, deadline: float | None, work: Awaitable[Exchange], method: str,
        display: Callable[[], str],
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
                method=method, url=display()) from None

    async def guarded(self, work: Awaitable[T]) -> T:
        """``await work`` in a cancel scope that closing the session cancels.

        Ends with :class:`SessionClosedError` if it was cancelled so (anything shielded
        inside, such as removing a partial file, still completes).
        """
        try:
            if self.closed:
                raise SessionClosedError("this LightlySession is closed")
            self._bind(_current_loop())
        except BaseException:
            getattr(work, "close", lambda: None)()  # never awaited: no "never awaited" warning
            raise
        with anyio.CancelScope() as scope:
            self._scopes.add(scope)
            try:
                return await work
            finally:
                self._scopes.discard(scope)
                self._maybe_drained()
        raise SessionClosedError("the LightlySession was closed while this call was in flight")

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

    def check_usable(self) -> None:
        """Raise now what a call would: the session is closed, or bound to another loop."""
        if self.closed:
            raise SessionClosedError("this LightlySession is closed")
        self._bind(_current_loop())

    def foreign_loop(self) -> bool:
        """True when the current event loop is not the one the session is bound to."""
        return self._loop is not None and _current_loop() is not self._loop

    def bound_loop_running(self) -> bool:
        """Whether the loop this session is bound to still runs (trio: assumed so)."""
        is_running = getattr(self._loop, "is_running", None)
        return True if is_running is None else bool(is_running())

    async def close(self, *, grace: float = 5.0) -> None:
        """Refuse new calls, cancel those in flight and wait (up to ``grace`` s) until they
        have unwound; the caller closes the pool after."""
        self.closed = True
        self._closer = current = _asyncio_task()
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

    async def with_retries(
        self, policy: RetryPolicy, method: str, display: Callable[[], str], attempt: Attempt,
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
                raise SessionClosedError(
                    "the LightlySession was closed while this call was in flight")
            number += 1
            failure: APIError
            try:
                response, body = await self._send_once(
                    method, display, attempt, watch, number, budget)
            except APIError as exc:
                failure = exc
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response, body
                failure = status_error(response, body, method, display(), self.redact)
            # Raised outside the except block: no __context__ keeps the transport's error
            # (whose request and message hold the token or signed URL) alive or on display.
            if number > policy.max_retries or not _retryable(failure, policy, replay_safe):
                raise failure
            wait = policy.backoff(number, getattr(failure, "retry_after", None))
            self.stats.retries += 1
            if watch is not None:
                await watch.retry(number, wait, failure)
            if log.isEnabledFor(logging.INFO):
                log.info("retrying %s %s after %s (attempt %d, waiting %.2fs)", method,
                         display(), type(failure).__name__, number, wait)
            await policy.sleep(wait)

    async def _send_once(
        self, method: str, display: Callable[[], str], attempt: Attempt,
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
            failure = self.connection_error(exc, method, display)
        except self.decoding_errors as exc:  # it arrived, but does not decompress
            failure = DecodeError(
                f"response body does not decompress: {self.redact(str(exc))}"[:300],
                method=method, url=display())
        except _http.BodyTooLargeError as exc:
            failure = ResponseTooLargeError(
                f"response body of at least {exc.size} bytes exceeds max_response_size="
                f"{exc.limit}; reading stopped", method=method, url=display(),
                limit=exc.limit, size=exc.size)
        except self.body_errors as exc:  # any other failure of the HTTP library to read it
            failure = DecodeError(
                f"response body unreadable: {type(exc).__name__}: "
                f"{self.redact(str(exc))}"[:300], method=method, url=display())
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
            log.debug("%s %s -> %d (%.1f ms)", method, display(), response.status_code,
                      (time.perf_counter() - started) * 1000)
        if budget is not None and response.status_code == 429:
            await budget.on_rate_limited(parse_retry_after(response.headers.get("retry-after")))
        return response, body

    def connection_error(
        self, exc: BaseException, method: str, display: Callable[[], str]
    ) -> APIConnectionError:
        reason = _http.certificate_failure(exc)
        if reason is not None:
            return TLSCertificateError(
                f"TLS certificate not trusted: {self.redact(reason)}. To trust a private or "
                "corporate CA pass ca_bundle= (or ssl_context=) to the session, or set "
                "LIGHTLY_CA_CERTS or SSL_CERT_FILE", method=method, url=display())
        error = _http.as_transport_error(exc)
        if isinstance(error, _http.TimeoutException):
            return APITimeoutError(
                f"timed out ({type(error).__name__})", method=method, url=display(),
                may_have_been_sent=not isinstance(error, _http.ConnectTimeout | _http.PoolTimeout))
        return APIConnectionError(
            f"connection failed: {type(error).__name__}: {self.redact(_http.error_text(exc))}",
            method=method, url=display(),
            may_have_been_sent=not isinstance(error, _http.ConnectError))


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
    task = _asyncio_task()
    return task.get_loop() if task is not None else _trio_token()


def _asyncio_task() -> Any:
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
