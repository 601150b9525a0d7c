"""Bulk upserts, per-call overhead and a large page against a minimal loopback server.

The server (``_loopback_server.py``, its own process) answers with canned bodies built once,
so the clients are what is measured, not the fake's validation and page building; it counts
the upserts, and every bulk round is checked there: all 2,000 (200 for the official
client's subset) arrived, each to its own sample, none rejected.

1. Bulk: 2,000 prediction upserts, 20 ms server latency each. lightly_async
   (``upsert_many``, concurrency 32) vs the official client (sequential, as its
   ``create_or_update_prediction`` is used; timed on a subset and scaled per item) vs the
   latency limit ``N x latency / concurrency``.
3. Per call: sequential ``GET tag`` without latency, in interleaved batches (the median
   batch; see ``_per_call``). lightly_async
   (``ds.tags.get``) vs each bare transport (one ``httpx2.AsyncClient.get`` + ``json.loads``,
   and raw aiohttp: ``ClientSession.get`` + ``json.loads``) vs the official client
   (``TagsApi.get_tag_by_tag_id``).
7. Page: one 10,000-row raw-file page over loopback (~1 MB). lightly_async
   (``list_raw_samples(...).pages()``, first page) vs each bare transport (as in 3) +
   ``json.loads`` + structuring into ``DatasourceRawSamplesData`` vs the official client.

lightly_async runs with its default transport and, side by side, with each transport
injected explicitly. Contenders are interleaved round by round; each keeps its best round
(per call: the median of interleaved batches).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import _official
import httpx2
from _common import counted, interleaved, log, server_process

import lightly_async as la
import lightly_async._convert
from lightly_async import _http
from lightly_async.models import DatasourceRawSamplesData

N_BULK = 2000
LATENCY = 0.02
CONCURRENCY = 32
PER_CALL_BATCH = 200
PER_CALL_BATCHES = 10  # per round: 20 batches, 4,000 calls per contender in a full run
N_PAGE_ROWS = 10_000
N_PAGES = 20
TOKEN = "bench-token"
POOL = httpx2.Limits(max_connections=64, max_keepalive_connections=32)

Factory = Callable[[], httpx2.AsyncBaseTransport | None]


def run(*, rounds: int = 2, official_subset: int = 200) -> dict[str, Any]:
    with server_process("_loopback_server.py", "--samples", str(N_BULK),
                        "--latency", str(LATENCY), "--raw-rows", str(N_PAGE_ROWS),
                        "--token", TOKEN) as info:
        return {
            "server": {"loop": info["loop"], "page_bytes": info["page_bytes"]},
            "bulk": _bulk(info, rounds, official_subset),
            "per_call": _per_call(info, rounds),
            "page": _page(info, rounds),
        }


# -- transports -------------------------------------------------------------------------------
def transports() -> dict[str, Factory]:
    """The transports compared under lightly_async: name -> factory (None: the default)."""
    return {
        "default": lambda: None,
        "httpx2 pool": lambda: httpx2.AsyncHTTPTransport(limits=POOL),
        "aiohttp": lambda: _http.AiohttpTransport(POOL),
    }


#: aiohttp on its own, no httpx2: what a session's API calls sit on when its pool is aiohttp's
#: (they go straight to aiohttp there), so the floor of the per-call and page rows.
RAW = "raw aiohttp"


def raw_aiohttp() -> Any:
    """An ``aiohttp.ClientSession`` set up as the session's own.

    The same pool size, no cookie jar, and the same timeouts the session's per-phase
    defaults become on aiohttp (30 s per read, 5 s to connect, 30 s to get a connection):
    the row then differs from lightly_async by the pipeline alone.
    """
    import aiohttp

    phases = _http.DEFAULT_TIMEOUT
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=64, limit_per_host=0),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None, connect=phases.pool,
                                      sock_connect=phases.connect, sock_read=phases.read))


def default_transport_name() -> str:
    """Which transport a plain ``LightlySession`` uses on asyncio here (a key of transports)."""

    async def probe() -> str:
        transport = _http.choose_transport()  # what a session's first request picks
        await transport.aclose()
        return "aiohttp" if isinstance(transport, _http.AiohttpTransport) else "httpx2 pool"

    return asyncio.run(probe())


def _session(info: dict[str, Any], transport: httpx2.AsyncBaseTransport | None,
             **kw: Any) -> la.LightlySession:
    return la.LightlySession(token=info["token"], base_url=info["base_url"],
                             transport=transport, **kw)


# -- 1. bulk ----------------------------------------------------------------------------------
def _bulk(info: dict[str, Any], rounds: int, subset: int) -> dict[str, Any]:
    ids: list[str] = info["sample_ids"][:N_BULK]
    ts: int = info["ts"]
    base_url: str = info["base_url"]
    ours = {sid: [la.PredictionSingletonObjectDetection(
        task_name="vehicles", category_id=i % 3, score=0.5 + (i % 50) / 100,
        bbox=[i % 640, i % 480, 32, 32])] for i, sid in enumerate(ids)}

    def lightly_async(factory: Factory) -> Callable[[], float]:
        async def go() -> float:
            async with _session(info, factory(), concurrency=CONCURRENCY) as session:
                ds = session.dataset(info["dataset_id"])
                start = time.perf_counter()
                result = await ds.predictions.upsert_many(
                    ours, prediction_uuid_timestamp=ts, concurrency=CONCURRENCY,
                    progress=False)
                elapsed = time.perf_counter() - start
            assert result.ok, result
            return elapsed
        return lambda: asyncio.run(go())

    client = _official.workflow_client(info["base_url"], info["token"], info["dataset_id"])
    theirs = [(sid, [_official.object_detection(0.5 + (i % 50) / 100,
                                                [i % 640, i % 480, 32, 32])])
              for i, sid in enumerate(ids[:subset])]

    def official() -> float:
        start = time.perf_counter()
        for sid, singletons in theirs:
            _official.upsert_prediction(client, sid, singletons, ts)
        return (time.perf_counter() - start) * N_BULK / subset

    def bare(factory: Factory) -> Callable[[], float]:
        bodies = {sid: json.dumps(la._convert.get_converter().unstructure(
            singletons, list[la.PredictionSingleton])).encode() for sid, singletons in ours.items()}

        async def go() -> float:
            async with httpx2.AsyncClient(base_url=info["base_url"], transport=factory(),
                                         limits=POOL) as client:
                params = {"token": info["token"], "predictionUUIDTimestamp": str(ts)}
                sem = asyncio.Semaphore(CONCURRENCY)

                async def one(sid: str, body: bytes) -> None:
                    async with sem:
                        response = await client.post(
                            f"/v1/datasets/{info['dataset_id']}/predictions/samples/{sid}",
                            params=params, content=body,
                            headers={"Content-Type": "application/json"})
                        response.raise_for_status()
                        json.loads(response.content)

                start = time.perf_counter()
                await asyncio.gather(*(one(sid, body) for sid, body in bodies.items()))
                return time.perf_counter() - start
        return lambda: asyncio.run(go())

    contenders: dict[str, Callable[[], float]] = {}
    for name, factory in transports().items():
        contenders[f"lightly_async ({name})"] = counted(base_url, N_BULK, lightly_async(factory))
        if name != "default":
            contenders[f"bare {name} + json.loads"] = counted(base_url, N_BULK, bare(factory))
    contenders["official"] = counted(base_url, subset, official)
    log(f"bulk: {N_BULK} upserts, {LATENCY * 1000:g} ms latency, {rounds} rounds")
    best = interleaved(rounds, contenders)
    return {
        "seconds": best,
        "limit_s": N_BULK * LATENCY / CONCURRENCY,
        "official_subset": subset,
        "n": N_BULK, "latency_s": LATENCY, "concurrency": CONCURRENCY,
    }


# -- 3. per-call overhead ---------------------------------------------------------------------
def _per_call(info: dict[str, Any], rounds: int) -> dict[str, Any]:
    """Interleaved batches in one event loop, each contender's figure the median batch.

    A difference of tens of µs per call is what this row decides, and on a shared 2-core
    machine one contender's run of 2,000 calls can drift by as much. So every contender is
    open at once (warm: connection made, code paths hot) and they take turns in batches of
    ``PER_CALL_BATCH`` calls, ``PER_CALL_BATCHES x rounds`` times each: a slow phase of the
    machine hits all of them alike, and the median batch is the figure. The official client
    is synchronous; its batches block the (otherwise idle) loop, as it would in a script.
    """
    dataset_id, tag_id = info["dataset_id"], info["tag_id"]
    path = f"/v1/datasets/{dataset_id}/tags/{tag_id}"
    client = _official.workflow_client(info["base_url"], info["token"], dataset_id)

    async def go() -> dict[str, list[float]]:
        async with contextlib.AsyncExitStack() as stack:
            calls: dict[str, Callable[[], Awaitable[Any]]] = {}
            for name, factory in transports().items():
                session = await stack.enter_async_context(_session(info, factory()))
                calls[f"lightly_async ({name})"] = partial(
                    session.dataset(dataset_id).tags.get, tag_id)
                if name != "default":
                    bare = await stack.enter_async_context(httpx2.AsyncClient(
                        base_url=info["base_url"], transport=factory(), limits=POOL))
                    calls[f"bare {name} + json.loads"] = partial(
                        _httpx2_get, bare, path, {"token": info["token"]})
            raw = await stack.enter_async_context(raw_aiohttp())
            calls[f"{RAW} + json.loads"] = partial(
                _aiohttp_get, raw, info["base_url"] + path, {"token": info["token"]})

            async def official() -> Any:
                return _official.get_tag(client, tag_id)

            calls["official"] = official
            for call in calls.values():
                for _ in range(20):
                    await call()
            batches: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(PER_CALL_BATCHES * rounds):
                for name, call in calls.items():
                    start = time.perf_counter()
                    for _ in range(PER_CALL_BATCH):
                        await call()
                    batches[name].append((time.perf_counter() - start) / PER_CALL_BATCH)
            return batches

    log(f"per call: sequential GET tag, {PER_CALL_BATCHES * rounds} interleaved batches of "
        f"{PER_CALL_BATCH} per contender")
    batches = asyncio.run(go())
    return {"seconds_per_call": {name: statistics.median(v) for name, v in batches.items()},
            "best_batch": {name: min(v) for name, v in batches.items()},
            "n": PER_CALL_BATCH * len(next(iter(batches.values()))),
            "batch": PER_CALL_BATCH, "batches": len(next(iter(batches.values())))}


async def _httpx2_get(client: httpx2.AsyncClient, path: str, params: dict[str, str]) -> Any:
    response = await client.get(path, params=params)
    response.raise_for_status()
    return json.loads(response.content)


async def _aiohttp_get(client: Any, url: str, params: dict[str, str]) -> Any:
    async with client.get(url, params=params) as response:
        response.raise_for_status()
        return json.loads(await response.read())


# -- 7. one large page ------------------------------------------------------------------------
def _page(info: dict[str, Any], rounds: int) -> dict[str, Any]:
    dataset_id = info["dataset_id"]
    path = f"/v1/datasets/{dataset_id}/datasource/list"

    def lightly_async(factory: Factory) -> Callable[[], float]:
        async def go() -> float:
            async with _session(info, factory()) as session:
                ds = session.dataset(dataset_id)

                async def one() -> None:
                    async for page in ds.datasource.list_raw_samples(from_=0).pages():
                        assert len(page.data) == N_PAGE_ROWS
                        break

                await one()
                start = time.perf_counter()
                for _ in range(N_PAGES):
                    await one()
                return (time.perf_counter() - start) / N_PAGES
        return lambda: asyncio.run(go())

    def bare(factory: Factory) -> Callable[[], float]:
        decoder = la._convert.get_decoder()

        async def go() -> float:
            async with httpx2.AsyncClient(base_url=info["base_url"], transport=factory(),
                                          limits=POOL) as client:
                params = {"token": info["token"], "from": "0"}

                async def one() -> None:
                    response = await client.get(path, params=params)
                    response.raise_for_status()
                    page = decoder.structure(json.loads(response.content),
                                             DatasourceRawSamplesData)
                    assert len(page.data) == N_PAGE_ROWS

                await one()
                start = time.perf_counter()
                for _ in range(N_PAGES):
                    await one()
                return (time.perf_counter() - start) / N_PAGES
        return lambda: asyncio.run(go())

    def raw() -> float:
        decoder = la._convert.get_decoder()

        async def go() -> float:
            async with raw_aiohttp() as client:
                url, params = info["base_url"] + path, {"token": info["token"], "from": "0"}

                async def one() -> None:
                    async with client.get(url, params=params) as response:
                        response.raise_for_status()
                        page = decoder.structure(json.loads(await response.read()),
                                                 DatasourceRawSamplesData)
                    assert len(page.data) == N_PAGE_ROWS

                await one()
                start = time.perf_counter()
                for _ in range(N_PAGES):
                    await one()
                return (time.perf_counter() - start) / N_PAGES
        return asyncio.run(go())

    client = _official.workflow_client(info["base_url"], info["token"], dataset_id)

    def official() -> float:
        _official.raw_page(client)
        start = time.perf_counter()
        for _ in range(N_PAGES):
            _official.raw_page(client)
        return (time.perf_counter() - start) / N_PAGES

    contenders: dict[str, Callable[[], float]] = {}
    for name, factory in transports().items():
        contenders[f"lightly_async ({name})"] = lightly_async(factory)
        if name != "default":
            contenders[f"bare {name} + json.loads + structuring"] = bare(factory)
    contenders[f"{RAW} + json.loads + structuring"] = raw
    contenders["official"] = official
    log(f"page: {N_PAGES} x one {N_PAGE_ROWS:,}-row raw-file page, {rounds} rounds")
    best = interleaved(rounds, contenders)
    return {"seconds_per_page": best, "rows": N_PAGE_ROWS}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
