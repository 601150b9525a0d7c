"""Retry policy: which attempts may be replayed, and how long to wait before the next one.

Rules (the same ones the session's pipeline applies):

* GET, PUT and DELETE, and the POSTs marked replay-safe (create-or-update or pure), are retried
  on 408, 429, any 5xx, and on connection errors and timeouts.
* Any other POST is never replayed once it may have reached the server; it is retried only
  when the connection could not be made at all (nothing was sent).
* Other 4xx are never retried.
* The wait grows exponentially with full jitter, capped at ``max_backoff``; a ``Retry-After``
  from the server replaces it, capped at ``max_retry_after``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable

import anyio
import attrs

from lightly_async._constants import (
    DEFAULT_MAX_RETRIES,
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    RETRYABLE_STATUSES,
)

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]



def _default_sleep(seconds: float) -> Awaitable[None]:
    return anyio.sleep(seconds)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently a request is retried.

    Attributes:
        max_retries: retries after the first attempt (0 disables retrying).
        initial_backoff: the first wait, in seconds, before jitter.
        max_backoff: the cap of the exponential wait.
        max_retry_after: the cap applied to a server's ``Retry-After``.
        sleep: the awaitable sleep used between attempts (a seam for tests).
    """

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=attrs.validators.ge(0))
    initial_backoff: float = INITIAL_BACKOFF
    max_backoff: float = MAX_BACKOFF
    max_retry_after: float = MAX_RETRY_AFTER
    sleep: Callable[[float], Awaitable[None]] = attrs.field(
        default=_default_sleep, eq=False, repr=False
    )
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def is_retryable_status(self, status_code: int) -> bool:
        """True for 408, 429 and every 5xx."""
        return status_code in RETRYABLE_STATUSES or status_code >= 500

    def backoff(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_retry_after))
        ceiling = min(self.max_backoff, self.initial_backoff * float(2 ** (retry_number - 1)))
        # "Equal jitter": at least half the exponential step, so retries do spread out.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # an HTTP date is rare: not loaded at `import lightly_async`

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if seconds != seconds or seconds < 0:  # NaN or negative: ignore the hint
        return None
    return seconds
