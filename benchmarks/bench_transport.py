"""HTTP stacks side by side: httpx2's own pool, httpx2 over our aiohttp transport, httpx's
own pool and httpx-aiohttp (when installed, for comparison), and raw aiohttp.

Against a near-zero-work server in its own process (``_loopback_server.py``: a bare asyncio
protocol with canned answers), so the client is what is measured:

* bulk: 500 POSTs, 20 ms of server latency each, at concurrency 8, 32 and 64;
* sequential: GETs of a tag-sized body without latency, per call.

Raw aiohttp is the floor. ``lightly_async`` runs the same work through its public API
(``predictions.upsert_many`` / ``tags.get``) on each transport. Contenders interleaved,
best of ``rounds``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx2
from _common import log, server_process

import lightly_async as la
from lightly_async import _http

N_BULK = 500
LATENCY_MS = 20
CONCURRENCIES = (8, 32, 64)
N_SEQ = 1000
LIMITS = httpx2.Limits(max_connections=64, max_keepalive_connections=64)
DATASET = "5f0c1c6e2a9b4c1d8e7f6a5c"
TAG = "5f0c1c6e2a9b4c1d8e7f6a5b"
SINGLETONS = [{"type": "CLASSIFICATION", "taskName": "vehicles", "categoryId": 0, "score": 0.5}]
SAMPLES = [f"{i:024x}" for i in range(N_BULK)]


class Contender:
    """Opens a client, runs ``post()``/``get()`` calls, closes it; one at a time."""

    name: str

    async def open(self, base_url: str, concurrency: int) -> None: ...
    async def post(self, sample_id: str) -> Any: ...
    async def get(self) -> Any: ...
    async def close(self) -> None: ...

    async def bulk(self, concurrency: int) -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one(sample_id: str) -> None:
            async with sem:
                await self.post(sample_id)

        await asyncio.gather(*(one(s) for s in SAMPLES))


class Httpx(Contender):
    """A client of the httpx family (``module`` is httpx2 or httpx) on a given transport."""

    def __init__(self, name: str, module: Any, transport: Callable[[], Any]):
        self.name, self._module, self._transport = name, module, transport

    async def open(self, base_url: str, concurrency: int) -> None:
        limits = self._module.Limits(max_connections=64, max_keepalive_connections=64)
        self.client = self._module.AsyncClient(base_url=base_url, limits=limits,
                                               transport=self._transport())

    async def post(self, sample_id: str) -> Any:
        r = await self.client.post(_prediction_path(sample_id), json=SINGLETONS)
        r.raise_for_status()
        return json.loads(r.content)

    async def get(self) -> Any:
        r = await self.client.get(f"/v1/datasets/{DATASET}/tags/{TAG}")
        r.raise_for_status()
        return json.loads(r.content)

    async def close(self) -> None:
        await self.client.aclose()


class RawAiohttp(Contender):
    name = "raw aiohttp (floor)"

    async def open(self, base_url: str, concurrency: int) -> None:
        import aiohttp

        self.base = base_url
        self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))

    async def post(self, sample_id: str) -> Any:
        async with self.client.post(f"{self.base}{_prediction_path(sample_id)}",
                                    json=SINGLETONS) as r:
            r.raise_for_status()
            return json.loads(await r.read())

    async def get(self) -> Any:
        async with self.client.get(f"{self.base}/v1/datasets/{DATASET}/tags/{TAG}") as r:
            r.raise_for_status()
            return json.loads(await r.read())

    async def close(self) -> None:
        await self.client.close()


class LightlyAsync(Contender):
    def __init__(self, name: str, transport: Callable[[], httpx2.AsyncBaseTransport | None]):
        self.name, self._transport = name, transport
        self.singletons = [la.PredictionSingletonClassification(
            task_name="vehicles", category_id=0, score=0.5)]

    async def open(self, base_url: str, concurrency: int) -> None:
        self.session = la.LightlySession(token="bench", base_url=base_url,
                                         transport=self._transport(), concurrency=concurrency)
        self.ds = self.session.dataset(DATASET)

    async def bulk(self, concurrency: int) -> None:
        result = await self.ds.predictions.upsert_many(
            dict.fromkeys(SAMPLES, self.singletons), prediction_uuid_timestamp=0,
            concurrency=concurrency, progress=False)
        assert result.ok, result

    async def get(self) -> Any:
        return await self.ds.tags.get(TAG)

    async def close(self) -> None:
        await self.session.aclose()


def _prediction_path(sample_id: str) -> str:
    return (f"/v1/datasets/{DATASET}/predictions/samples/{sample_id}"
            f"?predictionUUIDTimestamp=0&ms={LATENCY_MS}")


def contenders() -> list[Contender]:
    out: list[Contender] = [
        Httpx("httpx2, own pool", httpx2, lambda: None),
        Httpx("httpx2 + aiohttp (ours)", httpx2, lambda: _http.AiohttpTransport(LIMITS)),
    ]
    try:  # the stalled httpx line, for comparison only: lightly_async does not use it
        import httpx
    except ImportError:
        log("httpx is not installed: its rows are left out")
    else:
        out.append(Httpx("httpx, own pool", httpx, lambda: None))
        try:
            from httpx_aiohttp import AiohttpTransport
        except ImportError:
            log("httpx-aiohttp is not installed: its row is left out")
        else:
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            out.append(Httpx("httpx + httpx-aiohttp", httpx,
                             lambda: AiohttpTransport(limits=limits)))
    out.append(RawAiohttp())
    out.append(LightlyAsync("lightly_async (default)", lambda: None))
    out.append(LightlyAsync("lightly_async, httpx2 pool", lambda: httpx2.AsyncHTTPTransport(
        limits=LIMITS)))
    return out


async def _timed_bulk(c: Contender, base_url: str, concurrency: int) -> float:
    await c.open(base_url, concurrency)
    try:
        for _ in range(20):
            await c.get()  # warm up: a connection open, code paths hot
        start = time.perf_counter()
        await c.bulk(concurrency)
        return time.perf_counter() - start
    finally:
        await c.close()


async def _timed_sequential(c: Contender, base_url: str) -> float:
    await c.open(base_url, 1)
    try:
        for _ in range(50):
            await c.get()
        start = time.perf_counter()
        for _ in range(N_SEQ):
            await c.get()
        return (time.perf_counter() - start) / N_SEQ
    finally:
        await c.close()


def run(*, rounds: int = 2) -> dict[str, Any]:
    log(f"transports: {N_BULK} POSTs at {CONCURRENCIES}, {N_SEQ} GETs, {rounds} rounds")
    with server_process("_loopback_server.py", "--latency", str(LATENCY_MS / 1000)) as info:
        base_url = info["base_url"]
        cs = contenders()
        bulk: dict[str, dict[str, float]] = {c.name: {} for c in cs}
        seq: dict[str, float] = {}
        for _ in range(rounds):
            for conc in CONCURRENCIES:
                for c in cs:
                    t = asyncio.run(_timed_bulk(c, base_url, conc))
                    bulk[c.name][str(conc)] = min(bulk[c.name].get(str(conc), t), t)
            for c in cs:
                t = asyncio.run(_timed_sequential(c, base_url))
                seq[c.name] = min(seq.get(c.name, t), t)
    return {"bulk_s": bulk, "sequential_s": seq, "n_bulk": N_BULK, "latency_ms": LATENCY_MS,
            "n_sequential": N_SEQ,
            "limit_s": {str(c): N_BULK * LATENCY_MS / 1000 / c for c in CONCURRENCIES}}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
