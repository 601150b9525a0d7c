"""A session used from an event loop not its own, and a sync session after ``fork()``
(issue 23.2): a clear ``WrongContextError`` saying what to do, never a bare asyncio error, and
never a hang.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from lightly_async import LightlySession, SessionClosedError, WrongContextError

from .server import DS, TOKEN, Received, Reply, hostile_server

LIMIT = 20


async def _tags(request: Received, reply: Reply) -> None:
    await reply.json([])


def _run_server_in_thread() -> tuple[str, threading.Event, threading.Thread]:
    """The hostile server on its own loop in a thread (so the test can run several loops)."""
    import anyio

    ready: list[str] = []
    stop = threading.Event()
    started = threading.Event()

    async def main() -> None:
        async with hostile_server(_tags) as server:
            ready.append(server.url)
            started.set()
            await anyio.to_thread.run_sync(stop.wait)

    thread = threading.Thread(target=anyio.run, args=(main,), daemon=True)
    thread.start()
    assert started.wait(LIMIT)
    return ready[0], stop, thread


@pytest.fixture
def server_url() -> Any:
    url, stop, thread = _run_server_in_thread()
    yield url
    stop.set()
    thread.join(LIMIT)


@pytest.mark.parametrize("transport", ["httpx2", "auto"])
def test_a_session_reused_in_a_second_asyncio_run_says_what_to_do(
    server_url: str, transport: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_ASYNC_TRANSPORT", transport)
    session = LightlySession(token=TOKEN, base_url=server_url)

    async def first() -> None:
        assert await session.dataset(DS).tags.list() == []

    async def second() -> None:
        with pytest.raises(WrongContextError, match="Create a session per event loop"):
            await session.dataset(DS).tags.list()
        with pytest.raises(WrongContextError):  # a download is refused the same way
            await session.dataset(DS).samples.download(["a" * 24], ".")
        await session.aclose()  # that loop has ended: closing here only marks it closed
        assert session.is_closed
        with pytest.raises(SessionClosedError):
            await session.dataset(DS).tags.list()

    asyncio.run(first())
    asyncio.run(second())


@pytest.mark.parametrize("transport", ["httpx2", "auto"])
def test_a_session_used_from_another_threads_loop_says_what_to_do(
    server_url: str, transport: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_ASYNC_TRANSPORT", transport)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        session = LightlySession(token=TOKEN, base_url=server_url)
        done = asyncio.run_coroutine_threadsafe(session.dataset(DS).tags.list(), loop)
        assert done.result(LIMIT) == []

        async def here() -> None:
            with pytest.raises(WrongContextError, match="other than the one it first ran on"):
                await session.dataset(DS).tags.list()
            with pytest.raises(WrongContextError, match="close it there"):
                await session.aclose()

        asyncio.run(here())
        asyncio.run_coroutine_threadsafe(session.aclose(), loop).result(LIMIT)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(LIMIT)
        loop.close()


def test_a_session_first_used_on_asyncio_is_refused_under_trio(server_url: str) -> None:
    import trio

    session = LightlySession(token=TOKEN, base_url=server_url)
    asyncio.run(session.dataset(DS).tags.list())

    async def under_trio() -> None:
        with pytest.raises(WrongContextError):
            await session.dataset(DS).tags.list()

    trio.run(under_trio)


FORK_SCRIPT = textwrap.dedent('''
    import os, sys
    from lightly_async import APIConnectionError, WrongContextError
    from lightly_async import sync as lsync

    DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
    session = lsync.LightlySession(token="tok-9f2c41", base_url=sys.argv[1], max_retries=0)
    assert session.dataset(DS).tags.list() == []
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            session.dataset(DS).tags.list()
            code = 3
        except WrongContextError as exc:
            if "fork" not in str(exc) or "new session" not in str(exc):
                code = 4
        session.close()  # neither hangs nor raises in the child
        with lsync.LightlySession(token="tok-9f2c41", base_url=sys.argv[1]) as fresh:
            if fresh.dataset(DS).tags.list() != []:
                code = 5
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert session.dataset(DS).tags.list() == []  # the parent's session is unharmed
    session.close()
    print("child", os.waitstatus_to_exitcode(status))
''')


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX-only")
def test_a_sync_session_after_fork_raises_in_the_child_and_never_hangs(server_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-c",
                           FORK_SCRIPT, server_url], capture_output=True, text=True,
                          timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "child 0", done.stderr
