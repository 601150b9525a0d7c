"""One async session per Ray worker, on the worker's own event loop thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from lightly_async._session import LightlySession
from lightly_async.sync._portal import Runner

if TYPE_CHECKING:
    from lightly_async import RateBudget, SessionConfig

__all__ = ["SessionRunner"]

T = TypeVar("T")


class SessionRunner:
    """A session opened from ``config`` on an event loop of its own (a thread).

    Built in a worker's ``__init__``; :meth:`run` awaits a coroutine function of the session
    on that loop and returns its result, so a plain (synchronous) ``__call__`` of a Ray
    callable class works async inside. The session is created on its loop, so its limiter
    and connections belong to it.
    """

    def __init__(self, config: SessionConfig, *, rate_budget: RateBudget | None = None,
                 **overrides: Any) -> None:
        if rate_budget is not None:
            overrides["rate_budget"] = rate_budget
        self._runner = Runner("asyncio")
        try:
            self.session: LightlySession = self._runner.call(_open, config, overrides)
        except BaseException:
            self._runner.stop()
            raise

    def run(self, fn: Callable[[LightlySession], Awaitable[T]]) -> T:
        """Await ``fn(session)`` on the session's loop; its result (or exception)."""
        return self._runner.call(fn, self.session)

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        """A plain iterator over an async one of the session, fetched on its loop."""
        return self._runner.iterate(iterator)

    def close(self) -> None:
        """Close the session and end its loop (idempotent)."""
        if not self._runner.is_stopped:
            try:
                self._runner.call(self.session.aclose)
            finally:
                self._runner.stop()


async def _open(config: SessionConfig, overrides: dict[str, Any]) -> LightlySession:
    session = LightlySession.from_config(config, **overrides)
    await session.__aenter__()
    return session
