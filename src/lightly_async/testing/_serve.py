"""Serve an ASGI app on 127.0.0.1 with uvicorn in a background thread.

uvicorn runs only on asyncio, so it always gets its own thread and event loop; that makes the
same server usable from asyncio, from trio and from plain synchronous code. The socket is
bound (ephemeral port) and listening before the thread starts, so the base URL is valid at
once; we still wait until uvicorn reports it has started, to surface startup errors.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio.to_thread
import uvicorn

__all__ = ["serve", "serve_in_thread"]

_STARTUP_TIMEOUT = 10.0


@contextlib.contextmanager
def serve_in_thread(
    app: Any, *, log_level: str = "warning", host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields the base URL ``http://127.0.0.1:<port>``.

    ``port=0`` picks a free port; another ``host`` (``0.0.0.0``) serves beyond loopback.
    """
    running = _start(app, log_level, host, port)
    try:
        running.wait_started()
        yield running.base_url
    finally:
        running.stop()


@contextlib.asynccontextmanager
async def serve(
    app: Any, *, log_level: str = "warning", host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Async twin of :func:`serve_in_thread` (waits in a worker thread; asyncio or trio)."""
    running = _start(app, log_level, host, port)
    try:
        await anyio.to_thread.run_sync(running.wait_started)
        yield running.base_url
    finally:
        await anyio.to_thread.run_sync(running.stop)


class _Running:
    def __init__(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        host, port = sock.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        self.thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="lightly-fake-server", daemon=True
        )

    def wait_started(self) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the fake server failed to start")
            if time.monotonic() > deadline:
                raise RuntimeError("the fake server did not start in time")
            time.sleep(0.001)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.sock.close()


def _start(app: Any, log_level: str, host: str, port: int) -> _Running:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says it is TCP; without it every keep-alive answer waits ~40 ms for
    # Nagle's algorithm and the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    running = _Running(uvicorn.Server(config), sock)
    running.thread.start()
    return running
