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

Streaming: every bulk helper also takes an iterable or an async iterable of items (a
generator, an ``async for`` source) instead of a whole mapping, and pulls it lazily: at most
``concurrency`` items are in flight, and the state of an item is dropped once it is done.
Each item's outcome can be handed over as it ends, with ``on_result=`` (a function or a
coroutine function called with a :class:`BulkOutcome`) or with :func:`stream` (an
``async for`` over the outcomes); the :class:`BulkResult` returned then keeps the counts and
the failures only (``summary_only``), so a run of any length holds memory bounded by its
concurrency (and its failures). Results of several runs (shards, workers) combine with
:meth:`BulkResult.merge`; :meth:`BulkResult.to_rows` gives plain rows for a table.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Hashable,
    Iterable,
    Iterator,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeAlias, TypeVar

import anyio
import anyio.lowlevel
import attrs

from lightly_async.errors import (
    APIConnectionError,
    APIError,
    BulkError,
    InvalidInputError,
    LightlyError,
    SessionClosedError,
)
from lightly_async.progress import ProgressArg, check_progress, open_progress

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

    from lightly_async._session import LightlySession

__all__ = [  # BulkError lives in errors
    "SKIPPED",
    "BulkError",
    "BulkOutcome",
    "BulkResult",
    "BulkStream",
    "OnResult",
    "run_bulk",
    "stream",
]

log = logging.getLogger("lightly_async")
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
T = TypeVar("T")
S = TypeVar("S")

#: Errors an item may meet (the server's, the network's, the disk's): recorded as its failure.
#: Any other ``Exception`` is a bug; it is recorded as that item's failure too (so the run
#: still returns its ``BulkResult``), with a note on it and a warning logged.
#: ``BaseException``s that are not ``Exception`` (cancellation, Ctrl-C) end the run.
ITEM_ERRORS: tuple[type[BaseException], ...] = (LightlyError, OSError)

Status = Literal["succeeded", "failed", "skipped", "not_attempted"]
_STATUSES: Final = ("succeeded", "skipped", "failed", "not_attempted")


class _Skipped:
    """What an item's call returns to be counted as skipped (left alone on purpose)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIPPED"

    def __reduce__(self) -> str:
        return "SKIPPED"


SKIPPED: Final = _Skipped()
"""Returned by an item's call: the item is reported as ``skipped`` rather than succeeded."""


@attrs.frozen(kw_only=True)
class BulkOutcome(Generic[K, R]):
    """How one item of a bulk run ended: what ``on_result=`` receives and :func:`stream`
    yields.

    Attributes:
        key: the item's key (a sample id, a file name, …).
        status: ``"succeeded"``, ``"failed"``, ``"skipped"`` or ``"not_attempted"``.
        value: what the call returned (``succeeded`` only; else ``None``).
        error: the typed error it failed with (``failed``), or for ``not_attempted`` the
            failure that stopped the run; else ``None``.
    """

    key: K
    status: Status
    value: R | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the item succeeded or was skipped on purpose."""
        return self.status in ("succeeded", "skipped")

    def to_row(self) -> dict[str, Any]:
        """This outcome as a row of plain values (see :meth:`BulkResult.to_rows`)."""
        return _row(self.key, self.status, self.error)


def _row(key: Any, status: str, error: BaseException | None) -> dict[str, Any]:
    plain = key if isinstance(key, str | int | float | bool) or key is None else str(key)
    failed = status == "failed"
    message = (str(error) if failed and error is not None else
               f"not attempted: the run stopped ({type(error).__name__})"
               if status == "not_attempted" and error is not None else
               "not attempted" if status == "not_attempted" else None)
    return {
        "key": plain,
        "ok": status in ("succeeded", "skipped"),
        "status": status,
        "error_type": type(error).__name__ if failed and error is not None else None,
        "message": message,
        "status_code": error.status_code if failed and isinstance(error, APIError) else None,
        "request_id": error.request_id if failed and isinstance(error, APIError) else None,
    }


#: ``on_result=``: called with each item's :class:`BulkOutcome` as it ends (a plain function,
#: or a coroutine function, which is awaited: the run waits for it, so a slow consumer slows
#: the run rather than piling outcomes up).
OnResult: TypeAlias = Callable[[BulkOutcome[Any, Any]], "Awaitable[None] | None"]


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
        summary_only: True for a run that handed its outcomes over as they ended
            (``on_result=``, :func:`stream`): ``succeeded``, ``results``, ``skipped`` and
            ``not_attempted`` are then left empty, and only ``failed`` and the counts
            (``n_succeeded``, …) are kept.
    """

    succeeded: list[K] = attrs.Factory(list)
    failed: dict[K, BaseException] = attrs.Factory(dict)
    not_attempted: list[K] = attrs.Factory(list)
    results: dict[K, R] = attrs.Factory(dict)
    skipped: list[K] = attrs.Factory(list)
    stopped_by: BaseException | None = None
    summary_only: bool = False
    #: items counted but whose keys were not kept (``summary_only``), by status
    _uncounted: dict[str, int] = attrs.field(factory=dict, alias="uncounted", repr=False)

    @property
    def n_succeeded(self) -> int:
        """How many items succeeded (kept or only counted)."""
        return len(self.succeeded) + self._uncounted.get("succeeded", 0)

    @property
    def n_failed(self) -> int:
        """How many items failed."""
        return len(self.failed)

    @property
    def n_skipped(self) -> int:
        """How many items were skipped on purpose."""
        return len(self.skipped) + self._uncounted.get("skipped", 0)

    @property
    def n_not_attempted(self) -> int:
        """How many items were never sent."""
        return len(self.not_attempted) + self._uncounted.get("not_attempted", 0)

    @property
    def ok(self) -> bool:
        """True when every item succeeded."""
        return not self.failed and not self.n_not_attempted

    @property
    def total(self) -> int:
        """How many items the operation was given."""
        return self.n_succeeded + self.n_failed + self.n_not_attempted + self.n_skipped

    def raise_for_failures(self) -> None:
        """Raise the first failure (as an ExceptionGroup of all of them) unless ``ok``."""
        if self.failed:
            errors = [e for e in self.failed.values() if isinstance(e, Exception)]
            raise BulkError(self, errors)
        if self.n_not_attempted:
            raise BulkError(self, [])

    @classmethod
    def merge(cls, *results: BulkResult[K, R]) -> BulkResult[K, R]:
        """One result holding every item of ``results`` (the runs of several shards, workers
        or batches); the inputs are left as they are.

        Lists are concatenated in the order given, ``failed`` and ``results`` united;
        ``stopped_by`` is the first one set; the merge is ``summary_only`` if any input is
        (its counts still add up). A key in two of the results (one item reported twice) is
        an :class:`InvalidInputError`.
        """
        merged: BulkResult[K, R] = cls()
        seen: set[Any] = set()
        for i, result in enumerate(results):
            if not isinstance(result, BulkResult):
                raise InvalidInputError(f"results[{i}]", f"must be a BulkResult, got "
                                                         f"{type(result).__name__}")
            keys = [*result.succeeded, *result.failed, *result.not_attempted, *result.skipped]
            again = seen.intersection(keys)
            if again:
                raise InvalidInputError(
                    f"results[{i}]", f"reports {len(again)} key(s) another result reports "
                    f"too (e.g. {next(iter(again))!r}): each item must be in one result")
            seen.update(keys)
            merged.succeeded.extend(result.succeeded)
            merged.failed.update(result.failed)
            merged.not_attempted.extend(result.not_attempted)
            merged.results.update(result.results)
            merged.skipped.extend(result.skipped)
            if merged.stopped_by is None:
                merged.stopped_by = result.stopped_by
            merged.summary_only = merged.summary_only or result.summary_only
            for status, n in result._uncounted.items():
                merged._uncounted[status] = merged._uncounted.get(status, 0) + n
        return merged

    def to_rows(self) -> list[dict[str, Any]]:
        """One row (a dict of plain values: Arrow-, pandas- and pickle-friendly) per item
        whose key is kept: succeeded, skipped, failed, then not attempted.

        Columns: ``key``, ``ok`` (bool), ``status`` (``"succeeded"``, ``"skipped"``,
        ``"failed"``, ``"not_attempted"``), ``error_type`` (the exception's class name),
        ``message`` (its text: redacted, as every error's), ``status_code`` (the HTTP
        status of an API error) and ``request_id``; ``None`` where they do not apply. A key
        that is no str/int/float/bool is given as ``str(key)``. The values returned by the
        calls are not in the rows (see ``results``). A ``summary_only`` result has rows for
        its failures only.
        """
        stopped = self.stopped_by
        return [
            *(_row(key, "succeeded", None) for key in self.succeeded),
            *(_row(key, "skipped", None) for key in self.skipped),
            *(_row(key, "failed", error) for key, error in self.failed.items()),
            *(_row(key, "not_attempted", stopped) for key in self.not_attempted),
        ]

    def _record(self, outcome: BulkOutcome[K, R], *, keep: bool) -> None:
        status = outcome.status
        if status == "failed":
            assert outcome.error is not None
            self.failed[outcome.key] = outcome.error
        elif not keep:
            self._uncounted[status] = self._uncounted.get(status, 0) + 1
        elif status == "succeeded":
            self.succeeded.append(outcome.key)
            self.results[outcome.key] = outcome.value  # type: ignore[assignment]
        elif status == "skipped":
            self.skipped.append(outcome.key)
        else:
            self.not_attempted.append(outcome.key)

    def __repr__(self) -> str:
        skipped = f", skipped={self.n_skipped}" if self.n_skipped else ""
        stopped = (f", stopped_by={type(self.stopped_by).__name__}"
                   if self.stopped_by is not None and self.n_not_attempted else "")
        summary = ", summary_only=True" if self.summary_only else ""
        return (f"BulkResult(ok={self.ok}, succeeded={self.n_succeeded}, "
                f"failed={self.n_failed}, not_attempted={self.n_not_attempted}{skipped}"
                f"{stopped}{summary})")


async def run_bulk(
    session: LightlySession,
    items: Iterable[tuple[K, Callable[[], Awaitable[R]]]]
    | AsyncIterable[tuple[K, Callable[[], Awaitable[R]]]],
    *,
    concurrency: int | None = None,
    fail_fast: bool = False,
    progress: ProgressArg = None,
    description: str = "items",
    on_result: OnResult | None = None,
) -> BulkResult[K, R]:
    """Run each ``(key, call)`` once, ``concurrency`` at a time.

    ``items`` is pulled lazily (an iterable or an async iterable): at most ``concurrency``
    items are taken ahead of their end. ``None`` uses the session's whole ceiling. With
    ``fail_fast`` the first failure stops new items from starting; calls already running
    finish and are recorded; the items left are reported ``not_attempted`` (the source is
    read to its end for their keys, nothing is sent). A call returning :data:`SKIPPED`
    counts its item as skipped.

    With ``on_result`` each outcome is handed over as it ends, and the result keeps the
    counts and the failures only (``summary_only``); keys are then not checked for
    uniqueness (that would keep them all). Without it, a key given twice is an
    :class:`InvalidInputError` (before anything is sent when ``items`` is a collection;
    from a stream, when the duplicate is pulled, which ends the run). An exception raised
    by ``on_result`` stops the run and is raised once the items in flight are done.
    """
    check_progress(progress)
    if on_result is not None and not callable(on_result):
        raise InvalidInputError("on_result", f"must be a callable, got {on_result!r}")
    if session.is_closed:
        raise SessionClosedError("this LightlySession is closed")
    session._sender.check_usable()  # another event loop: one clear error, not one per item
    limiter = session.limiter
    slot = _Slot(limiter)
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
    keep = on_result is None
    total = 0
    sized = isinstance(items, Collection) and not isinstance(items, str | bytes)
    if isinstance(items, Collection) and sized:
        total = len(items)
        if keep:
            keys = [key for key, _ in items]
            if len(set(keys)) != len(keys):
                raise InvalidInputError("items", "keys must be unique")
            del keys
    result: BulkResult[K, R] = BulkResult(summary_only=not keep)
    seen: set[K] | None = set() if keep and not sized else None  # a stream's keys, kept
    source = _Source(items)
    stop = False
    give_up_after = session.bulk_give_up_after
    connection_failures = 0  # in a row, in the order items finish
    raised: list[BaseException] = []  # from on_result, or a duplicate key in a stream

    def stop_by(exc: BaseException) -> None:
        nonlocal stop
        if not stop:
            stop, result.stopped_by = True, exc

    async def report(outcome: BulkOutcome[K, R]) -> None:
        result._record(outcome, keep=keep)
        if on_result is not None and not raised:
            try:
                returned = on_result(outcome)
                if inspect.isawaitable(returned):
                    await returned
            except Exception as exc:
                raised.append(exc)
                stop_by(exc)

    with open_progress(progress, total=total, description=description) as bar:

        async def worker() -> None:
            nonlocal connection_failures
            done = 0
            while not stop:
                try:
                    pulled = await source.next()
                except Exception as exc:  # the caller's iterable failed: the run ends
                    raised.append(exc)
                    stop_by(exc)
                    return
                if pulled is None:
                    return
                key, call = pulled
                if seen is not None:
                    if key in seen:
                        raised.append(InvalidInputError(
                            "items", f"keys must be unique: {key!r} is given twice"))
                        stop_by(raised[-1])
                        return
                    seen.add(key)
                async with slot:
                    try:
                        value = await call()
                    except ITEM_ERRORS as exc:
                        outcome: BulkOutcome[K, R] = BulkOutcome(
                            key=key, status="failed", error=exc)
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
                        outcome = BulkOutcome(key=key, status="failed", error=exc)
                        if fail_fast:
                            stop_by(exc)
                    else:
                        connection_failures = 0
                        outcome = (BulkOutcome(key=key, status="skipped")
                                   if value is SKIPPED else
                                   BulkOutcome(key=key, status="succeeded", value=value))
                await report(outcome)
                bar.advance(1)
                done += 1
                if not done % 32:  # items that never wait (bad input) still let others run
                    await anyio.lowlevel.checkpoint()

        workers = concurrency or ceiling
        if sized:
            workers = min(workers, total)
        async with anyio.create_task_group() as tg:
            for _ in range(workers):
                tg.start_soon(worker)

        if not raised:
            # the items never started: reported, nothing sent (a stream is read to its end)
            while (pulled := await source.next()) is not None:
                await report(BulkOutcome(key=pulled[0], status="not_attempted",
                                         error=result.stopped_by))
    if raised:
        raise raised[0]
    return result


class _Slot:
    """A place under the session's ceiling: taken at once when one is free (no two event
    loop round trips per item, as ``async with limiter`` makes), else waited for."""

    __slots__ = ("_limiter",)

    def __init__(self, limiter: anyio.CapacityLimiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> None:
        try:
            self._limiter.acquire_nowait()
        except anyio.WouldBlock:
            await self._limiter.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self._limiter.release()


class _Source(Generic[T]):
    """Items pulled one at a time by several workers, from an iterable or an async one."""

    def __init__(self, items: Iterable[T] | AsyncIterable[T]) -> None:
        self._sync: Iterator[T] | None = None
        self._async: AsyncIterator[T] | None = None
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
            self._lock = anyio.Lock()  # an async generator refuses two pending __anext__
        elif isinstance(items, Iterable):
            self._sync = iter(items)
        else:
            raise InvalidInputError("items", f"must be an iterable or an async iterable, got "
                                             f"{type(items).__name__}")
        self._done = False

    async def next(self) -> T | None:
        if self._done:
            return None
        if self._sync is not None:
            for item in self._sync:
                return item
            self._done = True
            return None
        assert self._async is not None
        async with self._lock:
            if self._done:
                return None
            try:
                return await anext(self._async)
            except StopAsyncIteration:
                self._done = True
                return None


def map_items(
    source: Iterable[S] | AsyncIterable[S], function: Callable[[S], T],
) -> Iterator[T] | AsyncIterator[T]:
    """``function`` applied lazily to each item of ``source``, sync or async as it is."""
    if isinstance(source, AsyncIterable):
        return _amap(source, function)
    return map(function, source)


async def _amap(source: AsyncIterable[S], function: Callable[[S], T]) -> AsyncIterator[T]:
    async for item in source:
        yield function(item)


class BulkStream(Generic[K, R]):
    """The outcomes of a bulk helper's run as an async iterator: see :func:`stream`."""

    def __init__(self, helper: Callable[..., Awaitable[BulkResult[K, R]]], args: Any,
                 kwargs: Any, buffer: int) -> None:
        if "on_result" in kwargs:
            raise InvalidInputError("on_result", "stream() hands the outcomes over itself")
        self._helper, self._args, self._kwargs = helper, args, kwargs
        self._send, self._receive = anyio.create_memory_object_stream[BulkOutcome[K, R]](
            buffer)
        self._group: TaskGroup | None = None
        self._error: BaseException | None = None
        self.result: BulkResult[K, R] | None = None
        """The run's ``summary_only`` result, once the ``async for`` has ended."""

    async def __aenter__(self) -> BulkStream[K, R]:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        self._group.start_soon(self._run)
        return self

    async def _run(self) -> None:
        async with self._send:
            try:
                self.result = await self._helper(*self._args, on_result=self._send.send,
                                                 **self._kwargs)
            except Exception as exc:  # raised by the async for (or the block's end)
                self._error = exc

    def __aiter__(self) -> BulkStream[K, R]:
        return self

    async def __anext__(self) -> BulkOutcome[K, R]:
        try:
            return await self._receive.receive()
        except anyio.EndOfStream:
            self._raise()
            raise StopAsyncIteration from None

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._group is not None
        early = exc_type is not None or self.result is None
        if early:
            self._group.cancel_scope.cancel()  # left early: the run stops
        self._receive.close()
        await self._group.__aexit__(None, None, None)
        if exc_type is None and (not early or not isinstance(
                self._error, anyio.BrokenResourceError | anyio.ClosedResourceError)):
            self._raise()


def stream(
    helper: Callable[..., Awaitable[BulkResult[K, R]]], /, *args: Any, buffer: int = 0,
    **kwargs: Any,
) -> BulkStream[K, R]:
    """Run a bulk helper and iterate over its outcomes as they end.

    ::

        async with la.bulk.stream(ds.predictions.upsert_many, rows,
                                  prediction_uuid_timestamp=ts) as outcomes:
            async for outcome in outcomes:
                if not outcome.ok:
                    print(outcome.key, outcome.error)
        print(outcomes.result)          # counts and failures (summary_only)

    ``helper`` is any bulk helper (``upsert_many``, ``update_many``, ``upload_images``,
    ``download``, ``read_bytes``, ``download_artifacts``) or :func:`run_bulk` bound to a
    session, called with ``args``/``kwargs`` and an ``on_result`` of this stream's own. The
    run waits for the loop to take each outcome (``buffer`` outcomes may wait ahead), so
    memory stays bounded by the concurrency. Leaving the block early cancels the run (the
    calls in flight end); an error the helper raises (bad input, a closed session) is
    raised by the ``async for``.
    """
    return BulkStream(helper, args, kwargs, buffer)
