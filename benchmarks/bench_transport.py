"""Transport comparison under httpx: its own pool vs httpx-aiohttp vs raw aiohttp (the floor).

Bulk: 500 POSTs with 20 ms server latency at concurrency 8/32/64. Sequential: GETs of a
tag-sized body without latency, per call. Contenders interleaved, best of ``rounds``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from _common import server_process

N_BULK = 500
LATENCY_MS = 20
CONCURRENCIES = (8, 32, 64)
N_SEQ = 1000
LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=64)

Post = Callable[[], Awaitable[Any]]


class Contender:
    name: str

    async def open(self, base_url: str) -> None: ...
    async def post(self) -> Any: ...
    async def get(self) -> Any: ...
    async def close(self) -> None: ...


class HttpxContender(Contender):
    def __init__(self, name: str, transport: Callable[[], httpx.AsyncBaseTransport | None]):
        self.name, self._transport = name, transport

    async def open(self, base_url: str) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, limits=LIMITS,
                                        transport=self._transport())

    async def post(self) -> Any:
        r = await self.client.post(f"/slow?ms={LATENCY_MS}", json={"a": 1})
        r.raise_for_status()
        return json.loads(r.content)

    async def get(self) -> Any:
        r = await self.client.get("/tag")
        r.raise_for_status()
        return json.loads(r.content)

    async def close(self) -> None:
        await self.client.aclose()


class AiohttpContender(Contender):
    name = "raw aiohttp"

    async def open(self, base_url: str) -> None:
        import aiohttp

        self.base = base_url
        self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))

    async def post(self) -> Any:
        async with self.client.post(f"{self.base}/slow?ms={LATENCY_MS}", json={"a": 1}) as r:
            r.raise_for_status()
            return json.loads(await r.read())

    async def get(self) -> Any:
        async with self.client.get(f"{self.base}/tag") as r:
            r.raise_for_status()
            return json.loads(await r.read())

    async def close(self) -> None:
        await self.client.close()


def _aiohttp_transport() -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport

    return AiohttpTransport(limits=LIMITS)


def _lightly_async_transport() -> httpx.AsyncBaseTransport | None:
    from lightly_async import _http

    return getattr(_http, "default_transport", lambda: None)()


def contenders() -> list[Contender]:
    return [
        HttpxContender("httpx own pool", lambda: None),
        HttpxContender("httpx + httpx-aiohttp", _aiohttp_transport),
        AiohttpContender(),
    ]


async def _bulk(c: Contender, concurrency: int) -> float:
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            await c.post()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(N_BULK)))
    return time.perf_counter() - start


async def _sequential(c: Contender) -> float:
    start = time.perf_counter()
    for _ in range(N_SEQ):
        await c.get()
    return (time.perf_counter() - start) / N_SEQ


async def _measure(base_url: str, rounds: int) -> dict[str, Any]:
    cs = contenders()
    bulk: dict[str, dict[int, float]] = {c.name: {} for c in cs}
    seq: dict[str, float] = {}
    for _ in range(rounds):
        for conc in CONCURRENCIES:
            for c in cs:
                await c.open(base_url)
                for _ in range(20):
                    await c.get()  # warm up: one open connection, code paths hot
                t = await _bulk(c, conc)
                await c.close()
                bulk[c.name][conc] = min(bulk[c.name].get(conc, t), t)
        for c in cs:
            await c.open(base_url)
            for _ in range(50):
                await c.get()
            t = await _sequential(c)
            await c.close()
            seq[c.name] = min(seq.get(c.name, t), t)
    return {"bulk_s": bulk, "sequential_ms": {k: v * 1000 for k, v in seq.items()}}


def run(rounds: int = 2) -> dict[str, Any]:
    with server_process("_echo_server.py") as info:
        return asyncio.run(_measure(info["base_url"], rounds))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
