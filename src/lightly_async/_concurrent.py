"""Run a few coroutine functions at once; a failure is raised as itself, not as a group."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import anyio

__all__ = ["gather_first_error"]


async def gather_first_error(jobs: Sequence[Callable[[], Coroutine[Any, Any, Any]]]) -> None:
    """Await every job concurrently (one alone: directly). The first failure cancels the
    others and is raised unwrapped (a task group would raise an ``ExceptionGroup``)."""
    if len(jobs) == 1:
        await jobs[0]()
        return
    try:
        async with anyio.create_task_group() as group:
            for job in jobs:
                group.start_soon(job)
    except BaseExceptionGroup as grouped:
        raise _first(grouped) from None


def _first(group: BaseExceptionGroup) -> BaseException:
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first
