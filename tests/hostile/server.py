"""The hostile-server suites' one server module: a scriptable HTTP/1.1 server on 127.0.0.1
(asyncio and trio), and the data and settings the suites share.

It speaks just enough HTTP for a client under test: it reads each request (head, then a
``Content-Length`` or chunked body, kept up to 1 MiB and counted beyond), records it, and
hands it to the test's handler, which writes the answer however it likes (whole, trickled,
cut short, never). Every connection is closed after one exchange.

:func:`close_after_answer_server` is another kind: its answers say nothing of closing
(HTTP/1.1 keeps a connection open by default), so a client pools the connection, and the
server closes it the moment the answer is written, as a server in its own process does.

:func:`hostile_server` also plays the Lightly API's signed-URL endpoints, so
``samples.upload_images``/``download`` run against it whole:

* ``GET /v1/datasets/{ds}/samples/{sid}/writeurl`` -> ``"<blob url>"`` (the newest API)
* ``GET /users/datasets/{ds}/samples/{sid}/writeurl`` -> ``{"signedWriteUrl": <blob url>}``
  (the seed era's)
* ``GET /{v1|users}/datasets/{ds}/samples/{sid}/readurl``  -> ``"<blob url>"``

where ``<blob url>`` is ``{base}/blob/{sid}?{SIGNED_QUERY}`` by default; every other
request goes to the handler.

:func:`raw_server` is the same server at its rawest: a reply function gets the request's head
as read and the connection, for answers no well-behaved server would write (redirects,
floods, trickles, bad encodings).

The suites that run against the fake with faults injected (``FakeLightly``, the ``fake``
fixture of ``conftest.py``) share the rest: a fast retry policy, prediction data whose
mix-ups are visible, probes of the session's pool, a progress sink that cancels, and
:func:`anyio_backend` for a module that runs on asyncio and trio on the default pool only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
import anyio.abc
import attrs
import pytest

from lightly_async import RetryPolicy
from lightly_async.models import (
    PredictionSingleton,
    PredictionSingletonClassification,
    PredictionSingletonObjectDetection,
    PredictionTaskSchema,
    PredictionTaskSchemaCategory,
    TaskType,
)
from lightly_async.testing import FakeLightly

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
#: A token shaped like a real one; every secrecy test searches for it verbatim.
TOKEN = "lightly-SECRET-7f3a9c1e5b2d4f60"
#: A signed query whose every value is a secret the tests search for.
SIGNED_QUERY = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASECRETKEY%2F20260101"
                "&X-Amz-Signature=SECRETsig0123abcdef")
SECRETS = (TOKEN, "SECRETsig", "AKIASECRETKEY", "SECRET")
_KEEP = 1 << 20


def sample_id(n: int) -> str:
    return f"{n + 1:024x}"


@attrs.define
class Received:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    body_length: int
    body_sha256: str
    chunked: bool

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))


class Reply:
    """Writes one answer on the connection."""

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self._stream = stream

    async def send(self, data: bytes) -> None:
        await self._stream.send(data)

    async def head(self, status: int, headers: dict[str, str] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} X", "Connection: close",
                 *(f"{k}: {v}" for k, v in (headers or {}).items())]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def whole(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                    content_type: str = "application/json") -> None:
        await self.head(status, {"Content-Type": content_type,
                                 "Content-Length": str(len(body)), **(headers or {})})
        await self.send(body)

    async def json(self, value: Any) -> None:
        await self.whole(200, json.dumps(value).encode())


Handler = Callable[[Received, Reply], Awaitable[None]]


@attrs.define
class Hostile:
    """The running server: its base URL and every request it read, in order."""

    url: str
    received: list[Received] = attrs.Factory(list)

    def blob_url(self, sid: str, query: str = SIGNED_QUERY) -> str:
        return f"{self.url}/blob/{sid}?{query}"

    def requests_to(self, prefix: str) -> list[Received]:
        return [r for r in self.received if r.path.startswith(prefix)]


@asynccontextmanager
async def _listening(
    handle: Callable[[anyio.abc.SocketStream], Awaitable[None]],
) -> AsyncIterator[str]:
    """A TCP listener on 127.0.0.1 for the block, handing each connection to ``handle``;
    yields the base URL. A client that goes away mid-exchange just ends that connection."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def guarded(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                await handle(stream)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError,
                    anyio.IncompleteRead):
                return  # the client went away: nothing left to answer

    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, guarded)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            tg.cancel_scope.cancel()
    await listener.aclose()


@asynccontextmanager
async def hostile_server(
    handler: Handler, *, blob_url: Callable[[Hostile, str], str] | None = None
) -> AsyncIterator[Hostile]:
    """Serve ``handler`` on 127.0.0.1 (plus the signed-URL endpoints) for the block."""
    servers: list[Hostile] = []
    make_url = blob_url or (lambda srv, sid: srv.blob_url(sid))

    async def handle(stream: anyio.abc.SocketStream) -> None:
        server = servers[0]
        received = await _read_request(_Buffered(stream))
        server.received.append(received)
        reply = Reply(stream)
        parts = received.path.strip("/").split("/")
        api = parts[0] in ("v1", "users") and parts[1:3] == ["datasets", DS]
        if api and parts[3:4] == ["samples"] and parts[-1] == "writeurl":
            url = make_url(server, parts[4])
            await reply.json(url if parts[0] == "v1" else {"signedWriteUrl": url})
        elif api and parts[3:4] == ["samples"] and parts[-1] == "readurl":
            await reply.json(make_url(server, parts[4]))
        else:
            await handler(received, reply)

    async with _listening(handle) as url:
        servers.append(Hostile(url=url))
        yield servers[0]


#: ``reply(head, stream)`` of :func:`raw_server`: the request's head as read, the connection.
RawReply = Callable[[bytes, anyio.abc.SocketStream], Any]


@asynccontextmanager
async def raw_server(reply: RawReply) -> AsyncIterator[tuple[str, list[bytes]]]:
    """The server at its rawest: ``reply(head, stream)`` answers each request, its body
    unread; yields the base URL and the heads seen (``Connection: close`` is up to ``reply``)."""
    heads: list[bytes] = []

    async def handle(stream: anyio.abc.SocketStream) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += await stream.receive()
        head = data.partition(b"\r\n\r\n")[0]
        heads.append(head)
        await reply(head, stream)

    async with _listening(handle) as url:
        yield url, heads


def raw_answer(status: int, body: bytes = b"", **headers: str) -> RawReply:
    """A :data:`RawReply` writing one whole answer and closing (``content_type=`` for
    ``Content-Type``: underscores become dashes)."""
    async def reply(head: bytes, stream: anyio.abc.SocketStream) -> None:
        extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
        await stream.send(
            f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{extra}"
            "Connection: close\r\n\r\n".encode() + body)
    return reply


class _Buffered:
    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self._stream = stream
        self._buffer = b""

    async def until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._buffer += await self._stream.receive()
        data, _, self._buffer = self._buffer.partition(marker)
        return data

    async def exactly(self, n: int, sink: Callable[[bytes], None]) -> None:
        while n > 0:
            if not self._buffer:
                self._buffer = await self._stream.receive()
            piece, self._buffer = self._buffer[:n], self._buffer[n:]
            sink(piece)
            n -= len(piece)


async def _read_request(reader: _Buffered) -> Received:
    head = (await reader.until(b"\r\n\r\n")).decode("latin-1")
    request_line, *lines = head.split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    kept = bytearray()
    digest = hashlib.sha256()
    length = 0

    def sink(piece: bytes) -> None:
        nonlocal length
        length += len(piece)
        digest.update(piece)
        if len(kept) < _KEEP:
            kept.extend(piece[:_KEEP - len(kept)])

    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    if chunked:
        while True:
            size = int((await reader.until(b"\r\n")).split(b";")[0], 16)
            await reader.exactly(size, sink)
            await reader.until(b"\r\n")
            if size == 0:
                break
    else:
        await reader.exactly(int(headers.get("content-length", "0")), sink)
    return Received(method=method, target=target, headers=headers, body=bytes(kept),
                    body_length=length, body_sha256=digest.hexdigest(), chunked=chunked)


@contextmanager
def close_after_answer_server(
    status: int, body: bytes, *, close: str = "at-once",
) -> Iterator[Hostile]:
    """Answer every request with ``status``/``body``, keep-alive by the headers, and close.

    ``close="at-once"``: the connection closes right behind the answer (on Linux the answer
    and the FIN leave in one segment, TCP_CORK), as a server in another process does it.
    ``close="on-next-request"``: the connection stays open until the client's next request
    arrives on it, then closes without reading it (the race of a server closing an idle
    connection just as a request comes: the request never reaches the server).

    Plain blocking sockets in a thread of its own, so no event loop sits between the answer
    and the close, whatever loop the client runs on.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    server = Hostile(url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()
    head = (f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    cork = getattr(socket, "TCP_CORK", None)

    def read_request(conn: socket.socket) -> Received | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head_text, _, rest = data.partition(b"\r\n\r\n")
        lines = head_text.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:])}
        while len(rest) < int(headers.get("content-length", "0")):
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return Received(method=method, target=target, headers=headers, body=rest,
                        body_length=len(rest), body_sha256=hashlib.sha256(rest).hexdigest(),
                        chunked=False)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                received = read_request(conn)
                if received is None:
                    continue
                server.received.append(received)
                if close == "at-once" and cork is not None:
                    conn.setsockopt(socket.IPPROTO_TCP, cork, 1)
                conn.sendall(head + body)
                if close == "on-next-request":
                    with contextlib.suppress(OSError):
                        conn.recv(1, socket.MSG_PEEK)  # the next request is here: close
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))  # unread: a reset, no answer
                else:
                    conn.shutdown(socket.SHUT_WR)  # with the cork: answer and FIN at once

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(10)
        listener.close()


@contextmanager
def hostile_server_in_thread(handler: Handler) -> Iterator[Hostile]:
    """:func:`hostile_server` on an event loop of its own, in a thread (for tests that run
    clients in other processes, or several event loops one after another)."""
    ready: list[Hostile] = []
    started, stop = threading.Event(), threading.Event()

    async def main() -> None:
        async with hostile_server(handler) as server:
            ready.append(server)
            started.set()
            await anyio.to_thread.run_sync(stop.wait)

    thread = threading.Thread(target=anyio.run, args=(main,), daemon=True)
    thread.start()
    if not started.wait(20):
        raise RuntimeError("the hostile server did not start")
    try:
        yield ready[0]
    finally:
        stop.set()
        thread.join(20)


# -- the suites against the fake: settings, data, probes ---------------------------------------
#: Retries fast enough for CI: real waits, but tens of milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_retries=8, initial_backoff=0.01, max_backoff=0.05,
                         max_retry_after=0.05)

TASK = "detector"
CLASSES = "classifier"


def task_schemas() -> list[PredictionTaskSchema]:
    """A detection and a classification task with three categories each."""
    categories = [PredictionTaskSchemaCategory(id=i, name=f"c{i}") for i in range(3)]
    return [
        PredictionTaskSchema(name=TASK, type=TaskType.OBJECT_DETECTION, categories=categories),
        PredictionTaskSchema(name=CLASSES, type=TaskType.CLASSIFICATION, categories=categories),
    ]


def singletons_for(n: int) -> list[PredictionSingleton]:
    """Distinct, deterministic singletons for the n-th item (so mix-ups are visible)."""
    out: list[PredictionSingleton] = [
        PredictionSingletonObjectDetection(
            task_name=TASK, category_id=(n + k) % 3, score=((n * 7 + k) % 100) / 100,
            bbox=[n % 640, k, 10 + n % 50, 20 + k])
        for k in range(n % 3)
    ]
    out.append(PredictionSingletonClassification(
        task_name=CLASSES, category_id=n % 3, score=(n % 97) / 97,
        probabilities=[0.5, 0.25, 0.25]))
    return out


def stored(fake: FakeLightly, dataset_id: str, version: int) -> dict[str, list[object]]:
    """What the fake holds for a prediction version: sample id -> its singletons."""
    with fake.store.lock:
        by_sample = fake.store.datasets[dataset_id].predictions.get(version, {})
        return {sample_id: list(singletons) for sample_id, (_, singletons) in by_sample.items()}


def file_names(n: int) -> Sequence[str]:
    return [f"img_{i:05d}.jpg" for i in range(n)]


def assert_pool_drained(session: object) -> None:
    """No request is queued in, or holding, a connection of the session's httpx pool.

    httpx 0.28 keeps its httpcore ``AsyncConnectionPool`` at ``client._transport._pool``;
    ``connections`` is public there, the queue of waiting requests (``_requests``) is not.
    """
    pool = session._client._transport._pool  # type: ignore[attr-defined]
    assert pool._requests == [], f"requests still queued in the pool: {pool!r}"
    assert busy_connections(session) == 0, f"connections still busy: {pool!r}"


def busy_connections(session: object) -> int:
    """How many pooled connections are carrying a request right now."""
    pool = session._client._transport._pool  # type: ignore[attr-defined]
    return sum(not (c.is_idle() or c.is_closed()) for c in pool.connections)


class CancelAfter:
    """A progress sink that cancels ``scope`` once ``n`` items have completed."""

    def __init__(self, n: int, cancel: Callable[[], object]) -> None:
        self.n = n
        self.done = 0
        self._cancel = cancel

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int) -> None:
        self.done += n
        if self.done == self.n:
            self._cancel()

    def close(self) -> None:
        pass


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Both anyio backends on the session's default pool, for a module that imports this
    fixture instead of running on ``conftest.py``'s every (backend, pool) pair."""
    return str(request.param)
