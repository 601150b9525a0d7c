"""Shared helpers: timing, servers in their own processes, interleaved rounds."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
os.environ.setdefault("LIGHTLY_DID_VERSION_CHECK", "True")  # the official client stays offline


def timed(fn: Callable[[], Any]) -> float:
    """Wall-clock seconds of one ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(rounds: int, contenders: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Run each contender once per round, in turn, and keep each one's best figure.

    A contender returns its own figure (seconds), so it can leave set-up out of it. On a
    shared, noisy machine the minimum is the figure least disturbed by other processes;
    interleaving makes a slow phase of the machine hit every contender alike.
    """
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, run in contenders.items():
            value = run()
            best[name] = min(best.get(name, value), value)
    return best


@contextlib.contextmanager
def server_process(script: str, *args: str) -> Iterator[dict[str, Any]]:
    """Run ``benchmarks/<script>`` in its own process; yield the JSON object it prints first.

    The object holds at least ``base_url``; the server runs until its stdin is closed.
    """
    proc = subprocess.Popen(
        [sys.executable, str(HERE / script), *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("{"):
            raise RuntimeError(f"{script} did not start: {line!r}")
        info: dict[str, Any] = json.loads(line)
        assert info["base_url"].startswith("http://127.0.0.1:")
        yield info
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(base_url: str, *, reset: bool = False) -> dict[str, int]:
    """The loopback server's upsert counters (``_loopback_server.py``); ``reset`` zeroes them."""
    request = urllib.request.Request(f"{base_url}/_bench/{'reset' if reset else 'stats'}",
                                     method="POST" if reset else "GET")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    with opener.open(request, timeout=10) as response:
        stats: dict[str, int] = json.loads(response.read())
    return stats


def counted(base_url: str, expected: int, run: Callable[[], float]) -> Callable[[], float]:
    """``run`` checked on the server: exactly ``expected`` upserts, to distinct samples."""
    def go() -> float:
        server_stats(base_url, reset=True)
        value = run()
        stats = server_stats(base_url)
        want = {"upserts": expected, "distinct": expected, "rejected": 0}
        if stats != want:
            raise AssertionError(f"the server saw {stats}, expected {want}")
        return value
    return go


def load_average() -> str:
    """``os.getloadavg()`` as ``uptime`` prints it (1, 5, 15 minutes)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def serve_until_stdin_closes(app: Any, info: dict[str, Any]) -> None:
    """Serve an ASGI app on 127.0.0.1 with uvicorn; print ``info`` plus ``base_url`` first.

    The listening socket is created with ``proto=IPPROTO_TCP``. That matters: asyncio sets
    ``TCP_NODELAY`` on accepted sockets only when the listening socket says it is TCP, and
    without it every keep-alive answer written in two parts (head, then body) waits ~40 ms
    for the client's delayed ACK (Nagle), which would swamp every figure measured here.
    """
    import socket
    import threading

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    # uvloop and httptools when installed (`nox -s bench` installs them): the server's own
    # overhead is not what is measured, so the less of it, the better.
    config = uvicorn.Config(app, loop="auto", http="auto", log_level="warning",
                            access_log=False, lifespan="off", backlog=1024)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server failed to start")
        time.sleep(0.005)
    info = {"base_url": f"http://127.0.0.1:{sock.getsockname()[1]}", **info}
    print(json.dumps(info), flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
    server.should_exit = True
    thread.join(5)
