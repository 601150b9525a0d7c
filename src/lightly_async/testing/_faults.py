"""Fault injection for the fake server: seeded, per-route rules and the ASGI middleware.

A rule matches a request by method and an ``fnmatch`` glob over the path, fires with
probability ``rate`` (drawn from an RNG seeded by ``FakeLightly(seed=...)``) at most ``times``
times, and then delays (``latency``), answers an error (``status``, with ``Retry-After`` when
``retry_after`` is given), answers ``200`` with broken JSON (``malformed``) or drops the
connection (``drop``). Latency-only rules stack; of the rules that answer, the first one that
fires wins. Faults are checked before authentication.

``drop`` sends the response head and then raises :class:`DroppedConnection`. In-process
(``fake.transport()``) that exception, an ``httpx.TransportError``, comes out of the client's
``send`` like any connection failure; over loopback (``fake.serve()``) uvicorn closes the socket
mid-response, so the client sees the peer close the connection (and uvicorn logs the error).

A rate limit (``faults.add_rate_limit(per_second, burst=...)``) is a token bucket shared by
every client of the server: each matching request takes a token; with none left the request
is answered ``429`` (``TOO_MANY_REQUESTS``) with a ``Retry-After`` saying when the next token
comes (rounded up to the millisecond, or the fixed ``retry_after=``). Rejected requests take
no token. Rate limits are checked before the other rules; their 429s count in ``fired``.

Error bodies use ``BAD_REQUEST``/``UNAUTHORIZED``/``FORBIDDEN``/``NOT_FOUND``/
``PAYLOAD_TOO_LARGE``/``NOT_IMPLEMENTED`` for 400/401/403/404/413/501 and, since the spec has
no code for them, ``TOO_MANY_REQUESTS`` for 429 and ``INTERNAL_SERVER_ERROR`` for other
statuses; ``code=`` overrides.
"""

from __future__ import annotations

import fnmatch
import json
import math
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import attrs

from lightly_async import _http

__all__ = ["DroppedConnection", "FaultInjector", "FaultRule", "Faults", "RateLimit"]

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Any
Send = Any
ASGIApp = Any


class DroppedConnection(_http.TransportError):
    """The fake dropped the connection on purpose (a ``drop`` fault)."""


@attrs.define(kw_only=True)
class FaultRule:
    """One fault rule; ``fired`` counts how often it fired."""

    method: str | None = None
    path: str | None = None
    status: int | None = None
    rate: float = 1.0
    latency: float = 0.0
    drop: bool = False
    retry_after: float | None = None
    malformed: bool = False
    times: int | None = None
    code: str | None = None
    fired: int = 0

    @property
    def answers(self) -> bool:
        """True when the rule replaces the answer (status, malformed or drop)."""
        return self.status is not None or self.malformed or self.drop

    @property
    def exhausted(self) -> bool:
        """True once the rule has fired ``times`` times."""
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Does the rule apply to this request?"""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)


@attrs.define(kw_only=True)
class RateLimit:
    """A server-wide token bucket: ``per_second`` tokens a second, at most ``burst`` saved.

    ``allowed`` counts the requests it let through, ``limited`` the ones answered 429.
    ``clock`` (seconds, monotonic) is injectable so tests need no wall clock.
    """

    per_second: float
    burst: float
    method: str | None = None
    path: str | None = None
    retry_after: float | None = None
    clock: Callable[[], float] = time.monotonic
    allowed: int = 0
    limited: int = 0
    _tokens: float = attrs.field(default=-1.0, init=False, repr=False)
    _stamp: float = attrs.field(default=0.0, init=False, repr=False)

    def matches(self, method: str, path: str) -> bool:
        """Does the limit apply to this request?"""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)

    def take(self) -> float | None:
        """Take a token: None when one was there, else the seconds until the next one."""
        now = self.clock()
        if self._tokens < 0:  # the bucket starts full
            self._tokens = self.burst
        else:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.per_second)
        self._stamp = now
        if self._tokens >= 1.0 - 1e-9:  # float noise in the refill does not refuse a token
            self._tokens = max(0.0, self._tokens - 1.0)
            self.allowed += 1
            return None
        self.limited += 1
        if self.retry_after is not None:
            return self.retry_after
        # rounded up to the millisecond, never 0: the token is really there after this wait
        # (rounded to the nanosecond first, so float noise does not add a millisecond)
        wait_ms = round((1.0 - self._tokens) / self.per_second * 1000, 6)
        return max(0.001, math.ceil(wait_ms) / 1000)


class Faults:
    """The fault rules of one fake server (``fake.faults``)."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Drop every rule, zero the counter and reseed the RNG."""
        with self._lock:
            self.rules: list[FaultRule] = []
            self.rate_limits: list[RateLimit] = []
            self.fired = 0
            self._rng = random.Random(f"{self._seed}:faults")

    def add(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        rate: float = 1.0,
        latency: float = 0.0,
        drop: bool = False,
        retry_after: float | None = None,
        malformed: bool = False,
        times: int | None = None,
        code: str | None = None,
    ) -> FaultRule:
        """Add a rule (see the module docstring) and return it."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be in 0..1")
        if latency < 0 or (times is not None and times < 0):
            raise ValueError("latency and times must be >= 0")
        if sum((status is not None, drop, malformed)) > 1:
            raise ValueError("status, drop and malformed are exclusive")
        rule = FaultRule(
            method=method,
            path=path,
            status=status,
            rate=rate,
            latency=latency,
            drop=drop,
            retry_after=retry_after,
            malformed=malformed,
            times=times,
            code=code,
        )
        with self._lock:
            self.rules.append(rule)
        return rule

    def add_rate_limit(
        self,
        per_second: float,
        *,
        burst: float | None = None,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> RateLimit:
        """Limit the whole server (or the matching requests) to ``per_second`` requests a
        second, shared by all clients; beyond it answer 429 with ``Retry-After``.

        ``burst`` (default ``per_second``, at least 1) is how many requests may come at once
        after a quiet spell; ``retry_after`` fixes the header (default: when the next token
        comes). Returns the :class:`RateLimit`, whose ``allowed``/``limited`` count requests.
        """
        if not per_second > 0 or math.isinf(per_second):
            raise ValueError("per_second must be a positive number")
        burst = max(1.0, per_second) if burst is None else burst
        if not burst >= 1:
            raise ValueError("burst must be >= 1")
        if retry_after is not None and not retry_after >= 0:
            raise ValueError("retry_after must be >= 0")
        limit = RateLimit(per_second=per_second, burst=burst, method=method, path=path,
                          retry_after=retry_after, clock=clock)
        with self._lock:
            self.rate_limits.append(limit)
        return limit

    def clear(self) -> None:
        """Remove every rule and rate limit (the fired counter stays)."""
        with self._lock:
            self.rules.clear()
            self.rate_limits.clear()

    def limit(self, method: str, path: str) -> float | None:
        """None when every matching rate limit lets the request through, else the 429's
        Retry-After (the longest of the limits that refuse it)."""
        waits: list[float] = []
        with self._lock:
            for limit in self.rate_limits:
                if limit.matches(method, path) and (wait := limit.take()) is not None:
                    waits.append(wait)
            if waits:
                self.fired += 1
        return max(waits) if waits else None

    def draw(self, method: str, path: str) -> list[FaultRule]:
        """The rules firing for this request: latency-only ones and at most one answering."""
        fired: list[FaultRule] = []
        with self._lock:
            answered = False
            for rule in self.rules:
                if rule.exhausted or not rule.matches(method, path):
                    continue
                if rule.answers and answered:
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                rule.fired += 1
                self.fired += 1
                fired.append(rule)
                answered = answered or rule.answers
        return fired


class FaultInjector:
    """ASGI middleware applying :class:`Faults` before the app sees the request."""

    def __init__(
        self, app: ASGIApp, faults: Faults, error_body: Callable[[str, str], Any] | None = None
    ) -> None:
        self.app = app
        self.faults = faults
        self.error_body = error_body or (lambda code, message: {"code": code, "message": message})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.faults.limit(scope["method"], scope["path"])
        if wait is not None:
            await self._answer(send, 429, None, wait)
            return
        fired = self.faults.draw(scope["method"], scope["path"])
        for rule in fired:
            if rule.latency:
                await anyio.sleep(rule.latency)
        answer = next((r for r in fired if r.answers), None)
        if answer is None:
            await self.app(scope, receive, send)
        elif answer.drop:
            await send(_start(200, b"application/json", 2))
            raise DroppedConnection("connection dropped by a FakeLightly fault")
        elif answer.malformed:
            body = b'{"malformed": [1, 2'
            await send(_start(200, b"application/json", len(body)))
            await send({"type": "http.response.body", "body": body})
        else:
            assert answer.status is not None
            await self._answer(send, answer.status, answer.code, answer.retry_after)

    async def _answer(
        self, send: Send, status: int, code: str | None, retry_after: float | None
    ) -> None:
        payload = self.error_body(
            code or _code_for(status), f"fault injected by FakeLightly ({status})"
        )
        body = json.dumps(payload).encode()
        extra = []
        if retry_after is not None:
            extra.append((b"retry-after", f"{retry_after:g}".encode()))
        await send(_start(status, b"application/json", len(body), extra))
        await send({"type": "http.response.body", "body": body})


def _start(
    status: int, content_type: bytes, length: int, extra: list[tuple[bytes, bytes]] | None = None
) -> Message:
    headers = [(b"content-type", content_type), (b"content-length", str(length).encode())]
    return {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}


_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    413: "PAYLOAD_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    501: "NOT_IMPLEMENTED",
}


def _code_for(status: int) -> str:
    return _CODES.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_SERVER_ERROR")
