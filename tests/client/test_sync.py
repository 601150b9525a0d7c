"""The sync facade's runner: one loop thread, calls that block, and the errors that say why a
call cannot run."""

from __future__ import annotations

import signal
import threading

import anyio
import pytest

from lightly_async import SessionClosedError, WrongContextError
from lightly_async.sync._portal import Runner


def test_a_call_returns_the_coroutines_result_and_runs_on_the_runners_thread() -> None:
    runner = Runner()
    try:
        async def where() -> str:
            return threading.current_thread().name

        assert runner.call(where) == "lightly-async-sync"
    finally:
        runner.stop()


def test_an_interrupted_call_is_cancelled_on_the_loop() -> None:
    runner = Runner()
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await anyio.sleep(60)
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise

    main = threading.main_thread().ident
    assert main is not None
    # A real SIGINT to the waiting thread, as Ctrl-C sends it.
    timer = threading.Timer(0.2, signal.pthread_kill, args=(main, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.call(slow)
        assert cancelled.wait(timeout=10)
    finally:
        timer.cancel()
        runner.stop()


def test_a_call_from_the_loop_thread_names_the_async_api() -> None:
    runner = Runner()
    try:
        async def reenter() -> None:
            runner.call(anyio.sleep, 0)

        with pytest.raises(WrongContextError, match="must use the async API"):
            runner.call(reenter)
    finally:
        runner.stop()


def test_a_stopped_runner_refuses_calls_and_its_thread_is_gone() -> None:
    runner = Runner()
    runner.stop()
    runner.stop()  # idempotent
    assert not runner._thread.is_alive()
    with pytest.raises(SessionClosedError, match="is closed"):
        runner.call(anyio.sleep, 0)


def test_an_unknown_backend_fails_in_the_constructor() -> None:
    with pytest.raises(LookupError):
        Runner("no-such-backend")
