"""RayRateBudget: one rate budget for every worker of a Ray job, held by an actor."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import anyio
import ray

__all__ = ["RayRateBudget"]


class _BudgetState:
    """The actor's state: the global 429 pause and, with ``rate``, a pace for every caller.

    ``reserve()`` hands each request its start time (as a delay from now): not before the
    pause ends, and with a ``rate`` not before its slot in a shared schedule (a token
    bucket of ``burst`` tokens refilled at ``rate`` per second, kept as the theoretical
    arrival time of the next request).
    """

    def __init__(self, rate: float | None, burst: float, default_pause: float) -> None:
        self.rate = rate
        self.burst = burst
        self.default_pause = default_pause
        self.paused_until = 0.0
        self.next_slot = 0.0
        self.acquired = 0
        self.delayed = 0
        self.rate_limited = 0

    def reserve(self) -> float:
        now = time.monotonic()
        start = max(now, self.paused_until)
        if self.rate is not None:
            interval = 1.0 / self.rate
            # the schedule may run at most `burst` requests ahead of now
            earliest = self.next_slot - (self.burst - 1) * interval
            start = max(start, earliest)
            self.next_slot = max(self.next_slot, start) + interval
        self.acquired += 1
        if start > now:
            self.delayed += 1
        return start - now

    def on_rate_limited(self, retry_after: float | None) -> None:
        pause = self.default_pause if retry_after is None else retry_after
        self.rate_limited += 1
        self.paused_until = max(self.paused_until, time.monotonic() + pause)

    def stats(self) -> dict[str, Any]:
        return {"acquired": self.acquired, "delayed": self.delayed,
                "rate_limited": self.rate_limited, "rate": self.rate}


_BudgetActor: Any = ray.remote(num_cpus=0)(_BudgetState)


class RayRateBudget:
    """A :class:`~lightly_async.RateBudget` shared by every worker of a Ray job.

    Create it on the driver (it starts a small actor, using no CPU slot) and pass it to the
    workers (``UpsertPredictions(..., rate_budget=budget)``, or
    ``LightlySession.from_config(cfg, rate_budget=budget)`` in your own tasks): it pickles
    as a handle to that actor. Before each API request a session awaits :meth:`acquire`,
    which waits while a 429 pause is active anywhere in the job; each 429 extends that
    global pause by the server's ``Retry-After`` (``default_pause`` seconds without one).
    With ``rate`` (requests per second over the whole job: the API's limit, or a little
    under it) requests are also paced to that rate, ``burst`` at most at once, so the job
    stays under the limit instead of finding it by 429s. Each request costs one call to the
    actor (well under a millisecond on one machine).

    Args:
        rate: requests per second for the whole job (``None``: no pacing, pauses only).
        burst: how many requests may start at once after a quiet spell (with ``rate``).
        default_pause: seconds to pause after a 429 without ``Retry-After``.
        name: a name for the actor (``ray.get_actor(name)`` finds it), else anonymous.
    """

    def __init__(self, rate: float | None = None, *, burst: float = 1.0,
                 default_pause: float = 1.0, name: str | None = None) -> None:
        if rate is not None and not (0 < rate < math.inf):
            raise ValueError(f"rate must be a positive number of requests/s, got {rate!r}")
        if not burst >= 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        if not 0 <= default_pause < math.inf:
            raise ValueError(f"default_pause must be >= 0 seconds, got {default_pause!r}")
        options: dict[str, Any] = {} if name is None else {"name": name}
        self._actor: Any = _BudgetActor.options(**options).remote(rate, burst, default_pause)

    async def acquire(self) -> None:
        """Wait until this request may start: after any global pause, in its rate slot."""
        delay = await _get(self._actor.reserve.remote())
        if delay > 0:
            await anyio.sleep(delay)

    async def on_rate_limited(self, retry_after: float | None) -> None:
        """The API answered 429: pause every worker for ``retry_after`` seconds."""
        await _get(self._actor.on_rate_limited.remote(retry_after))

    def stats(self) -> dict[str, Any]:
        """Counters of the shared budget (blocking): ``acquired`` requests, how many were
        ``delayed``, how many 429s were reported (``rate_limited``), and the ``rate``."""
        stats: dict[str, Any] = ray.get(self._actor.stats.remote())
        return stats

    def __repr__(self) -> str:
        return "RayRateBudget()"


async def _get(ref: Any) -> Any:
    """Await an ObjectRef on asyncio; elsewhere (trio) wait for it in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (trio)
        return await anyio.to_thread.run_sync(ray.get, ref)
    return await ref
