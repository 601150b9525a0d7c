"""Bulk work: bounded concurrency with a result that accounts for every item.

Every bulk helper (``predictions.upsert_many``, ``samples.update_many``,
``samples.upload_images``, ``samples.download``) runs through :func:`run_bulk`: ``concurrency``
workers pull items in order, so ``concurrency=N`` means N calls in flight. Each call also runs
inside the session-wide limiter, the ceiling all bulk work of a session shares (the session's
``concurrency``, by default its pool's connection limit); asking one run for more than that
ceiling is an :class:`InvalidInputError` naming both numbers, raised before anything is sent.
Each item ends in exactly one of ``succeeded``, ``failed`` (with its typed error) or
``not_attempted`` — never silently dropped.

A run against a server that is gone stops early: after the session's ``bulk_give_up_after``
consecutive connection failures (default 10; each item had its retries first) no new item
starts, the items already running finish, the rest are ``not_attempted`` and
``result.stopped_by`` holds the failure that stopped the run. A session closed during a run
stops it the same way (``stopped_by`` is the ``SessionClosedError``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

import anyio
import attrs

from lightly_async.errors import (
    APIConnectionError,
    BulkError,
    InvalidInputError,
    LightlyError,
    SessionClosedError,
)
from lightly_async.progress import ProgressArg, check_progress, open_progress

if TYPE_CHECKING:
    from lightly_async._session import LightlySession

__all__ = ["BulkError", "BulkResult", "run_bulk"]  # BulkError lives in errors

log = logging.getLogger("lightly_async")
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

#: Errors an item may meet (the server's, the network's, the disk's): recorded as its failure.
#: Any other ``Exception`` is a bug; it is recorded as that item's failure too (so the run
#: still returns its ``BulkResult``), with a note on it and a warning logged.
#: ``BaseException``s that are not ``Exception`` (cancellation, Ctrl-C) end the run.
ITEM_ERRORS: tuple[type[BaseException], ...] = (LightlyError, OSError)


@attrs.define(kw_only=True)
class BulkResult(Generic[K, R]):
    """The outcome of a bulk operation, item by item.

    Attributes:
        succeeded: keys that succeeded, in completion order.
        failed: key -> the typed error it ended with.
        not_attempted: keys never sent (after ``fail_fast`` stopped the run).
        results: key -> the value the call returned, for each succeeded key.
        skipped: keys left alone on purpose (``samples.download(if_exists="skip")``: the
            file was already there); they count as done.
        stopped_by: why the run stopped starting items before the end (``None`` if it did
            not): the last of ``bulk_give_up_after`` consecutive connection failures, the
            session being closed, or the first failure with ``fail_fast``.
    """

    succeeded: list[K] = attrs.Factory(list)
    failed: dict[K, BaseException] = attrs.Factory(dict)
    not_attempted: list[K] = attrs.Factory(list)
    results: dict[K, R] = attrs.Factory(dict)
    skipped: list[K] = attrs.Factory(list)
    stopped_by: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when every item succeeded."""
        return not self.failed and not self.not_attempted

    @property
    def total(self) -> int:
        """How many items the operation was given."""
        return (len(self.succeeded) + len(self.failed) + len(self.not_attempted)
                + len(self.skipped))

    def raise_for_failures(self) -> None:
        """Raise the first failure (as an ExceptionGroup of all of them) unless ``ok``."""
        if self.failed:
            errors = [e for e in self.failed.values() if isinstance(e, Exception)]
            raise BulkError(self, errors)
        if self.not_attempted:
            raise BulkError(self, [])

    def __repr__(self) -> str:
        skipped = f", skipped={len(self.skipped)}" if self.skipped else ""
        stopped = (f", stopped_by={type(self.stopped_by).__name__}"
                   if self.stopped_by is not None and self.not_attempted else "")
        return (f"BulkResult(ok={self.ok}, succeeded={len(self.succeeded)}, "
                f"failed={len(self.failed)}, not_attempted={len(self.not_attempted)}{skipped}"
                f"{stopped})")


async def run_bulk(
    session: LightlySession,
    items: Iterable[tuple[K, Callable[[], Awaitable[R]]]],
    *,
    concurrency: int | None = None,
    fail_fast: bool = False,
    progress: ProgressArg = None,
    description: str = "items",
) -> BulkResult[K, R]:
    """Run each ``(key, call)`` once, ``concurrency`` at a time.

    ``None`` uses the session's whole ceiling. With ``fail_fast`` the first failure stops new
    items from starting; calls already running finish and are recorded.
    """
    check_progress(progress)
    session._check_usable()  # closed, another event loop: one clear error, not one per item
    limiter = session.limiter
    ceiling = math.ceil(limiter.total_tokens)
    if concurrency is not None:
        if (isinstance(concurrency, bool) or not isinstance(concurrency, int)
                or concurrency < 1):
            raise InvalidInputError(
                "concurrency", f"must be an integer >= 1, got {concurrency!r}")
        if concurrency > ceiling:
            raise InvalidInputError(
                "concurrency", f"{concurrency} is above this session's ceiling of {ceiling} "
                "requests in flight; pass LightlySession(concurrency=...) to raise it")
    queue = list(items)
    keys = [key for key, _ in queue]
    if len(set(keys)) != len(keys):
        raise InvalidInputError("items", "keys must be unique")
    result: BulkResult[K, R] = BulkResult()
    workers = min(len(queue), concurrency or ceiling)
    position = 0
    stop = False
    give_up_after = session.bulk_give_up_after
    connection_failures = 0  # in a row, in the order items finish

    def stop_by(exc: BaseException) -> None:
        nonlocal stop
        if not stop:
            stop, result.stopped_by = True, exc

    with open_progress(progress, total=len(queue), description=description) as bar:

        async def worker() -> None:
            nonlocal position, connection_failures
            while not stop and position < len(queue):
                key, call = queue[position]
                position += 1
                async with limiter:
                    try:
                        value = await call()
                    except ITEM_ERRORS as exc:
                        result.failed[key] = exc
                        if isinstance(exc, APIConnectionError):
                            connection_failures += 1
                            if give_up_after is not None and (
                                    connection_failures >= give_up_after):
                                stop_by(exc)
                        else:
                            connection_failures = 0
                        if fail_fast or isinstance(exc, SessionClosedError):
                            stop_by(exc)
                    except Exception as exc:  # a bug: the item's failure, not the run's end
                        exc.add_note(f"lightly_async: unexpected error on bulk item {key!r} "
                                     "(a bug: please report it)")
                        log.warning("bulk item %r failed with an unexpected %s (a bug)", key,
                                    type(exc).__name__)
                        result.failed[key] = exc
                        if fail_fast:
                            stop_by(exc)
                    else:
                        connection_failures = 0
                        result.succeeded.append(key)
                        result.results[key] = value
                bar.advance(1)

        async with anyio.create_task_group() as tg:
            for _ in range(workers):
                tg.start_soon(worker)

    result.not_attempted.extend(key for key, _ in queue[position:])
    return result
