"""The per-call deadline on asyncio (``_pipeline._within``) keeps ``asyncio.timeout``'s protocol.

It replaces the context manager on the hot path, so each rule of that protocol is checked
here against asyncio itself: expiry is ``TimeoutError``; a cancellation that is not ours
stays a cancellation, also when both happen at once; work that absorbs the cancellation
keeps its result; the task's cancel count is left as found; an enclosing timeout still wins.
"""

from __future__ import annotations

import asyncio

import pytest

from lightly_async._pipeline import _within

pytestmark = pytest.mark.asyncio


async def _task() -> asyncio.Task[object]:
    task = asyncio.current_task()
    assert task is not None
    return task


async def test_expiry_raises_timeout_error_and_leaves_no_cancel_request() -> None:
    task = await _task()
    with pytest.raises(TimeoutError):
        await _within(task, 0.01, asyncio.sleep(5))
    assert task.cancelling() == 0
    await asyncio.sleep(0)  # the task was not left cancelled


async def test_a_result_before_the_deadline_is_returned() -> None:
    async def answer() -> str:
        await asyncio.sleep(0)
        return "ok"

    task = await _task()
    assert await _within(task, 5, answer()) == "ok"
    assert task.cancelling() == 0


async def test_an_error_of_the_work_passes_through_unchanged() -> None:
    async def fail() -> None:
        await asyncio.sleep(0)
        raise KeyError("x")

    with pytest.raises(KeyError):
        await _within(await _task(), 5, fail())


async def test_an_outside_cancellation_stays_a_cancellation() -> None:
    started = asyncio.Event()

    async def call() -> None:
        task = await _task()

        async def wait() -> None:
            started.set()
            await asyncio.sleep(5)

        await _within(task, 5, wait())

    runner = asyncio.ensure_future(call())
    await started.wait()
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner


async def test_an_outside_cancellation_at_expiry_is_not_turned_into_a_timeout() -> None:
    async def call() -> None:
        task = await _task()
        loop = asyncio.get_running_loop()
        # Both cancel requests land before the work resumes: ours (the deadline) and another.
        loop.call_later(0.01, task.cancel)
        await _within(task, 0.01, asyncio.sleep(5))

    with pytest.raises(asyncio.CancelledError):
        await asyncio.ensure_future(call())


async def test_a_zero_deadline_expires_as_asyncio_timeout_does() -> None:
    task = await _task()

    async def answer() -> str:
        await asyncio.sleep(0)
        return "ok"

    async def with_stdlib() -> str:
        async with asyncio.timeout(0):
            return await answer()

    async def with_ours() -> str:
        return await _within(task, 0, answer())

    for attempt in (with_stdlib, with_ours):
        with pytest.raises(TimeoutError):
            await attempt()
        assert task.cancelling() == 0


async def test_work_that_absorbs_the_cancellation_keeps_its_result_as_with_asyncio() -> None:
    task = await _task()

    async def stubborn() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            return "finished anyway"
        return "not cancelled"

    async with asyncio.timeout(0.01):
        stdlib = await stubborn()
    assert task.cancelling() == 0
    ours = await _within(task, 0.01, stubborn())
    assert ours == stdlib == "finished anyway"
    assert task.cancelling() == 0


async def test_an_enclosing_shorter_timeout_wins() -> None:
    task = await _task()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01) as outer:
            await _within(task, 5, asyncio.sleep(5))
    assert outer.expired()
    assert task.cancelling() == 0


async def test_an_enclosed_longer_timeout_does_not_mask_ours() -> None:
    task = await _task()
    async with asyncio.timeout(5) as outer:
        with pytest.raises(TimeoutError):
            await _within(task, 0.01, asyncio.sleep(5))
    assert not outer.expired()
    assert task.cancelling() == 0

