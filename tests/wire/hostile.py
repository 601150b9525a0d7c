"""A scriptable HTTP/1.1 server on 127.0.0.1 for hostile-server tests (asyncio and trio).

It speaks just enough HTTP for a client under test: it reads each request (head, then a
``Content-Length`` or chunked body, kept up to 1 MiB and counted beyond), records it, and
hands it to the test's handler, which writes the answer however it likes (whole, trickled,
cut short, never). Every connection is closed after one exchange.

:func:`close_after_answer_server` is another kind: its answers say nothing of closing
(HTTP/1.1 keeps a connection open by default), so a client pools the connection, and the
server closes it the moment the answer is written, as a server in its own process does.
 It also plays the Lightly
API's signed-URL endpoints, so ``samples.upload_images``/``download`` run against it whole:

* ``GET /v1/datasets/{ds}/samples/{sid}/writeurl`` -> ``"<blob url>"`` (the newest API)
* ``GET /users/datasets/{ds}/samples/{sid}/writeurl`` -> ``{"signedWriteUrl": <blob url>}``
  (the seed era's)
* ``GET /{v1|users}/datasets/{ds}/samples/{sid}/readurl``  -> ``"<blob url>"``

where ``<blob url>`` is ``{base}/blob/{sid}?{SIGNED_QUERY}`` by default; every other
request goes to the handler.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
import anyio.abc
import attrs

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TOKEN = "tokSECRETa1b2c3d4e5f6"
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
async def hostile_server(
    handler: Handler, *, blob_url: Callable[[Hostile, str], str] | None = None
) -> AsyncIterator[Hostile]:
    """Serve ``handler`` on 127.0.0.1 (plus the signed-URL endpoints) for the block."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    server = Hostile(url=f"http://127.0.0.1:{port}")
    make_url = blob_url or (lambda srv, sid: srv.blob_url(sid))

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
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
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError,
                    anyio.IncompleteRead):
                return  # the client went away: nothing left to answer

    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()
    await listener.aclose()


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
