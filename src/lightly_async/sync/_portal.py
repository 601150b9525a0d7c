"""The event loop a synchronous session runs its async core on: one thread, one portal.

Why a thread: the sync API must work where an event loop is already running in the caller's
thread (a Jupyter cell, an async test, a web framework's handler). Running the async core on
that loop is impossible from a blocking call, so each session gets its own loop in a thread of
its own, reached through an anyio ``BlockingPortal`` (asyncio by default, trio on request).

Unlike a process-wide portal, this one lives exactly as long as its session: ``stop()`` (from
``session.close()``) ends the loop and joins the thread. The thread is a daemon only so that a
session a script forgot to close cannot hang the interpreter at exit; a garbage-collected,
unclosed session stops its thread and warns (``ResourceWarning``), like an unclosed file.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import warnings
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, ParamSpec, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from lightly_async._constants import SYNC_UNWIND_SECONDS
from lightly_async.errors import SessionClosedError, WrongContextError

__all__ = ["Runner"]

P = ParamSpec("P")
T = TypeVar("T")

#: How long an interrupted call may take to unwind (its cleanup) before the caller goes on.
UNWIND_SECONDS = SYNC_UNWIND_SECONDS


class Runner:
    """Runs coroutines of one session on its own event loop thread."""

    def __init__(self, backend: str = "asyncio", backend_options: dict[str, Any] | None = None
                 ) -> None:
        self._ready = threading.Event()
        self._portal: BlockingPortal | None = None
        self._loop_thread: int | None = None
        self._failure: BaseException | None = None
        self._stopped = False
        self._pid = os.getpid()  # its loop thread lives only in this process
        self._thread = threading.Thread(
            target=self._run, args=(backend, backend_options or {}),
            name="lightly-async-sync", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    # -- calls -------------------------------------------------------------------------------
    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` on the session's loop and return its result."""
        portal = self._usable_portal()
        unwound = threading.Event()

        async def run() -> T:
            try:
                return await fn(*args, **kwargs)
            finally:
                unwound.set()

        future = portal.start_task_soon(run)
        try:
            return future.result()
        except BaseException:
            # Ctrl-C (or any exception) while waiting: cancel the call on the loop, so it
            # does not run on behind the caller's back, and give it a moment to clean up
            # (a download removes its temporary files) before the caller moves on, perhaps
            # to the interpreter's exit, which would stop the loop thread mid-way.
            future.cancel()
            unwound.wait(UNWIND_SECONDS)
            raise

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        """A plain iterator over an async one; each item is fetched on the session's loop."""
        try:
            while True:
                try:
                    item = self.call(iterator.__anext__)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None and not self._stopped:
                self.call(aclose)  # an async generator left early runs its finally blocks

    @contextlib.contextmanager
    def enter(self, manager: AbstractAsyncContextManager[T]) -> Iterator[T]:
        """Enter an async context manager on the session's loop, for a ``with`` block."""
        with self._usable_portal().wrap_async_context_manager(manager) as value:
            yield value

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def is_stopped(self) -> bool:
        """True once :meth:`stop` ran."""
        return self._stopped

    @property
    def forked(self) -> bool:
        """True in a child process forked after this runner started (its thread is gone)."""
        return os.getpid() != self._pid

    def stop(self) -> None:
        """End the loop (cancelling nothing still running: callers have returned) and join."""
        if self._stopped:
            return
        self._stopped = True
        if self.forked:
            return  # no loop thread in this process: nothing to end
        portal = self._portal
        if portal is not None:
            portal.call(portal.stop)
        self._thread.join()

    def stop_soon(self) -> None:
        """Ask the loop to end without waiting (used by the garbage-collection finalizer)."""
        if self._stopped or self._portal is None or self.forked:
            self._stopped = True
            return
        self._stopped = True
        with contextlib.suppress(RuntimeError):  # the loop is already gone
            self._portal.start_task_soon(self._portal.stop, True)

    # -- helpers -----------------------------------------------------------------------------
    def _usable_portal(self) -> BlockingPortal:
        if self.forked:
            raise WrongContextError(
                "this lightly_async.sync.LightlySession was created before fork(), in process "
                f"{self._pid}; its event loop thread does not exist in this child process. "
                "Open a new session in the child (after the fork), or use the 'spawn' start "
                "method of multiprocessing")
        if self._stopped or self._portal is None:
            raise SessionClosedError(
                "this lightly_async.sync.LightlySession is closed; "
                "open a new one (with lightly_async.sync.LightlySession() as s:)")
        if threading.get_ident() == self._loop_thread:
            raise WrongContextError(
                "lightly_async.sync was called from inside its own event loop (from a progress "
                "callback or other code the async core runs); code running there must use the "
                "async API: await the lightly_async.LightlySession methods instead")
        return self._portal

    def _run(self, backend: str, backend_options: dict[str, Any]) -> None:
        try:
            anyio.run(self._serve, backend=backend, backend_options=backend_options)
        except BaseException as exc:  # reported to the constructor, which re-raises it
            self._failure = exc
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        async with BlockingPortal() as portal:
            self._portal = portal
            self._loop_thread = threading.get_ident()
            self._ready.set()
            await portal.sleep_until_stopped()


_OPEN: weakref.WeakSet[Any] = weakref.WeakSet()


def close_at_exit(session: Any) -> None:
    """Have ``session`` (a sync session) closed at interpreter exit if it is still open."""
    _OPEN.add(session)


@atexit.register
def _close_open_sessions() -> None:
    """At exit, close what a script left open, quietly: its pool (so aiohttp has no
    "Unclosed connector" to report), then its loop thread. Each close is bounded; a hung one
    is left."""
    for session in list(_OPEN):
        with contextlib.suppress(Exception):
            session._close_quietly(timeout=UNWIND_SECONDS)


def finalize_unclosed(runner: Runner, what: str) -> None:
    """``weakref.finalize`` callback: an unclosed session was garbage-collected."""
    if not runner.is_stopped:
        warnings.warn(f"unclosed {what}: use `with` or call close()", ResourceWarning,
                      stacklevel=1)
        runner.stop_soon()
