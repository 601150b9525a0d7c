"""A minimal Lightly-shaped HTTP server on 127.0.0.1 for the client benchmarks (own process).

    python benchmarks/_loopback_server.py [--latency S] [--samples N] [--raw-rows N] [--token T]

prints one JSON line (``base_url``, ``token``, ``dataset_id``, ``tag_id``, ``ts``,
``sample_ids``, ``page_bytes``) and serves until its stdin is closed.

Why not the fake: the fake validates every request and builds every answer (starlette, its
models, its store), ~1 ms of CPU per upsert and ~0.1 s per 10,000-row page. On two cores
that is what a client benchmark would then measure. This server is a bare asyncio protocol
(uvloop's loop and httptools' parser when installed: ``nox -s bench`` installs them) with
canned answers built once at start-up, so the time measured is the clients':

* ``POST /v1/datasets/{datasetId}/predictions/samples/{sampleId}``: the body must be a JSON
  list of singletons (objects with a ``type``) or the answer is a 400; after ``--latency``
  seconds (query ``ms=`` overrides it) ``201 {"id": "<sampleId>"}``. Every accepted upsert
  is counted per sample id, so a benchmark can check that all of them arrived.
* ``GET /v1/datasets/{datasetId}/tags/{tagId}``: a tag (no latency).
* ``GET /v1/datasets/{datasetId}/datasource/list``: one page of ``--raw-rows`` raw files,
  encoded once (``hasMore: false``).
* ``GET /_bench/stats``: ``{"upserts": n, "distinct": n, "rejected": n}``;
  ``POST /_bench/reset`` zeroes them.

With ``--token``, API paths without ``token=<T>`` in the query answer 401. Anything else is
a 404 with a Lightly-style error body. Keep-alive and in-order answers per connection (a
delayed answer holds back the ones behind it).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import json
import sys
import threading
from typing import Any
from urllib.parse import parse_qs

import httptools

DATASET_ID = "5f0c1c6e2a9b4c1d8e7f6a5c"
TAG_ID = "5f0c1c6e2a9b4c1d8e7f6a5b"
TS = 1_700_000_000_000
_REASONS = {200: b"OK", 201: b"Created", 400: b"Bad Request", 401: b"Unauthorized",
            404: b"Not Found"}


def _response(status: int, body: bytes, keep_alive: bool = True) -> bytes:
    head = (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s\r\n"
            % (status, _REASONS[status], len(body),
               b"" if keep_alive else b"connection: close\r\n"))
    return head + body


def _error(status: int, code: str, message: str) -> bytes:
    return _response(status, json.dumps({"code": code, "error": message}).encode())


def tag_body() -> bytes:
    return json.dumps({
        "id": TAG_ID, "datasetId": DATASET_ID, "prevTagId": None, "name": "initial-tag",
        "bitMaskData": "0x" + "f" * 64, "totSize": 256, "createdAt": TS, "changes": {},
    }).encode()


def page_body(base_url: str, rows: int) -> bytes:
    """``DatasourceRawSamplesData`` of ``rows`` files, signed read URLs as the fake makes."""
    def row(i: int) -> dict[str, str]:
        key = f"{DATASET_ID}/raw/raw/{i:07d}.jpg"
        sig = hashlib.sha256(key.encode()).hexdigest()[:32]
        return {"fileName": f"raw/{i:07d}.jpg",
                "readUrl": f"{base_url}/_fake/blobs/{key}?expires=0&sig={sig}"}

    return json.dumps({"hasMore": False, "cursor": "c0", "data": [row(i) for i in range(rows)]},
                      separators=(",", ":")).encode()


class Server:
    def __init__(self, latency: float, token: str | None) -> None:
        self.latency, self.token = latency, token
        self.upserts: collections.Counter[str] = collections.Counter()
        self.rejected = 0
        self.tag = _response(200, tag_body())
        self.page = b""

    def answer(self, method: bytes, url: bytes, body: bytes) -> tuple[bytes, float]:
        """(the whole HTTP answer, seconds to wait before sending it)."""
        parsed = httptools.parse_url(url)
        path = parsed.path.decode()
        query = parse_qs(parsed.query.decode()) if parsed.query else {}
        parts = path.strip("/").split("/")
        if parts[0] == "_bench":
            return self._bench(method, parts), 0.0
        if self.token is not None and query.get("token") != [self.token]:
            return _error(401, "UNAUTHORIZED", "missing or wrong token"), 0.0
        if len(parts) >= 4 and parts[:2] == ["v1", "datasets"]:
            rest = parts[3:]
            if method == b"POST" and len(rest) == 3 and rest[:2] == ["predictions", "samples"]:
                return self._upsert(rest[2], query, body)
            if method == b"GET" and len(rest) == 2 and rest[0] == "tags":
                return self.tag, 0.0
            if method == b"GET" and rest == ["datasource", "list"]:
                return self.page, 0.0
        return _error(404, "NOT_FOUND", f"no route {method.decode()} {path}"), 0.0

    def _upsert(self, sample_id: str, query: dict[str, list[str]],
                body: bytes) -> tuple[bytes, float]:
        try:
            singletons = json.loads(body)
            ok = (isinstance(singletons, list)
                  and all(isinstance(s, dict) and "type" in s for s in singletons)
                  and "predictionUUIDTimestamp" in query)
        except ValueError:
            ok = False
        if not ok:
            self.rejected += 1
            return _error(400, "BAD_REQUEST", "expected a list of prediction singletons "
                          "and predictionUUIDTimestamp"), 0.0
        self.upserts[sample_id] += 1
        delay = int(query["ms"][0]) / 1000 if "ms" in query else self.latency
        return _response(201, b'{"id":"%s"}' % sample_id.encode()), delay

    def _bench(self, method: bytes, parts: list[str]) -> bytes:
        if parts == ["_bench", "stats"]:
            return _response(200, json.dumps({
                "upserts": sum(self.upserts.values()), "distinct": len(self.upserts),
                "rejected": self.rejected}).encode())
        if parts == ["_bench", "reset"] and method == b"POST":
            self.upserts.clear()
            self.rejected = 0
            return _response(200, b"{}")
        return _error(404, "NOT_FOUND", "no such bench route")


class Protocol(asyncio.Protocol):
    """One connection: parse requests with httptools, answer in order."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.parser = httptools.HttpRequestParser(self)
        self.loop = asyncio.get_running_loop()
        self.pending: collections.deque[list[Any]] = collections.deque()
        self.url = b""
        self.body: list[bytes] = []
        self.transport: Any = None  # an asyncio.Transport (uvloop's are not subclasses)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.write(_error(400, "BAD_REQUEST", "malformed HTTP"))
                self.transport.close()

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url = b""
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        answer, delay = self.server.answer(self.parser.get_method(), self.url,
                                           b"".join(self.body))
        slot = [None, self.parser.should_keep_alive()]
        self.pending.append(slot)
        if delay > 0:
            self.loop.call_later(delay, self._ready, slot, answer)
        else:
            self._ready(slot, answer)

    def _ready(self, slot: list[Any], answer: bytes) -> None:
        slot[0] = answer
        while self.pending and self.pending[0][0] is not None:
            done, keep_alive = self.pending.popleft()
            if self.transport is None:
                continue
            self.transport.write(done)
            if not keep_alive:
                self.transport.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--raw-rows", type=int, default=0)
    parser.add_argument("--token", default=None)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        loop = asyncio.new_event_loop()
    else:
        loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    server = Server(args.latency, args.token)

    async def start() -> asyncio.AbstractServer:
        # create_server makes a TCP socket, so accepted sockets get TCP_NODELAY (no Nagle
        # stall on keep-alive answers).
        return await loop.create_server(lambda: Protocol(server), "127.0.0.1", 0, backlog=1024)

    listener = loop.run_until_complete(start())
    port = listener.sockets[0].getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    server.page = _response(200, page_body(base_url, args.raw_rows))
    print(json.dumps({
        "base_url": base_url, "token": args.token, "dataset_id": DATASET_ID, "tag_id": TAG_ID,
        "ts": TS, "sample_ids": [f"{i:024x}" for i in range(args.samples)],
        "page_bytes": len(server.page), "loop": type(loop).__module__.split(".")[0],
    }), flush=True)

    def wait_for_stdin() -> None:
        sys.stdin.read()  # serve until the parent closes our stdin
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=wait_for_stdin, daemon=True).start()
    loop.run_forever()
    listener.close()


if __name__ == "__main__":
    main()
