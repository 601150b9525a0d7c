"""CPU-only work, no network: page decoding and bitmask conversions.

2. Decode: one 10,000-row raw-file page, as the fake serves it. lightly_async
   (``json.loads`` + the session's decoder into ``DatasourceRawSamplesData``, as a session
   decodes) vs the official models (``ApiClient.deserialize(response,
   "DatasourceRawSamplesData")``, pydantic) vs bare ``json.loads`` (the floor).
3b. Pipeline overhead without a network: 5,000 ``ds.tags.get`` on an ``httpx2.MockTransport``
   vs the same GET through a bare ``httpx2.AsyncClient`` + ``json.loads`` on that transport.
   CPU only, so it is the steadiest figure of the pipeline's cost on a shared machine.
4. BitMask at 300,000 samples (every other one set): indices -> hex and hex -> indices.
   lightly_async ``BitMask`` vs the official ``lightly.api.bitmask.BitMask`` (built with
   ``set_kth_bit`` per index, as its tag workflows do, and read with ``to_indices``).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import _official
import httpx2
from _common import interleaved, log, timed

import lightly_async as la
from lightly_async import BitMask
from lightly_async._convert import get_decoder
from lightly_async.models import DatasourceRawSamplesData
from lightly_async.testing import FakeLightly

N_ROWS = 10_000
N_BITS = 300_000


N_MOCK_CALLS = 5000
TAG_BODY = json.dumps({
    "id": "5f0c1c6e2a9b4c1d8e7f6a5b", "datasetId": "5f0c1c6e2a9b4c1d8e7f6a5c",
    "prevTagId": None, "name": "initial-tag", "bitMaskData": "0x" + "f" * 64,
    "totSize": 256, "createdAt": 1700000000000, "changes": {},
}).encode()


def run(*, rounds: int = 5) -> dict[str, Any]:
    return {"decode": _decode(rounds), "overhead": _overhead(rounds), "bitmask": _bitmask()}


def _overhead(rounds: int) -> dict[str, Any]:
    dataset_id, tag_id = "5f0c1c6e2a9b4c1d8e7f6a5c", "5f0c1c6e2a9b4c1d8e7f6a5b"

    def transport() -> httpx2.MockTransport:
        return httpx2.MockTransport(lambda request: httpx2.Response(
            200, content=TAG_BODY, headers={"content-type": "application/json"}))

    async def ours() -> float:
        async with la.LightlySession(token="t", base_url="https://api.test",
                                     transport=transport()) as session:
            tags = session.dataset(dataset_id).tags
            for _ in range(100):
                await tags.get(tag_id)
            start = time.perf_counter()
            for _ in range(N_MOCK_CALLS):
                await tags.get(tag_id)
            return (time.perf_counter() - start) / N_MOCK_CALLS

    async def bare() -> float:
        path = f"/v1/datasets/{dataset_id}/tags/{tag_id}"
        async with httpx2.AsyncClient(base_url="https://api.test",
                                      transport=transport()) as client:
            params = {"token": "t"}
            for _ in range(100):
                (await client.get(path, params=params)).raise_for_status()
            start = time.perf_counter()
            for _ in range(N_MOCK_CALLS):
                response = await client.get(path, params=params)
                response.raise_for_status()
                json.loads(response.content)
            return (time.perf_counter() - start) / N_MOCK_CALLS

    log(f"overhead: {N_MOCK_CALLS:,} GET tag on a mock transport, {rounds} rounds")
    best = interleaved(rounds, {"lightly_async": lambda: asyncio.run(ours()),
                                "bare httpx2 + json.loads": lambda: asyncio.run(bare())})
    return {"seconds_per_call": best, "n": N_MOCK_CALLS}


def page_body(n_rows: int = N_ROWS) -> bytes:
    """One page of ``n_rows`` raw files, the bytes the fake's HTTP answer carries."""
    fake = FakeLightly(seed=1)
    fake.page_size = n_rows
    dataset_id = fake.create_dataset("decode")
    fake.add_raw_files(dataset_id, ((f"raw/{i:07d}.jpg", i) for i in range(n_rows)))

    async def fetch() -> bytes:
        async with httpx2.AsyncClient(transport=fake.transport(),
                                     base_url="http://fake.lightly") as client:
            response = await client.get(f"/v1/datasets/{dataset_id}/datasource/list",
                                        params={"token": fake.token})
            response.raise_for_status()
            return response.content

    return asyncio.run(fetch())


def _decode(rounds: int) -> dict[str, Any]:
    body = page_body()
    converter = get_decoder()  # what a session decodes responses with
    official = _official.deserializer()

    def ours() -> None:
        page = converter.structure(json.loads(body), DatasourceRawSamplesData)
        assert len(page.data) == N_ROWS

    def theirs() -> None:
        page = official(body)
        assert len(page.data) == N_ROWS

    def floor() -> None:
        assert len(json.loads(body)["data"]) == N_ROWS

    log(f"decode: one {N_ROWS:,}-row page ({len(body):,} bytes), {rounds} rounds")
    best = interleaved(rounds, {
        "lightly_async": lambda: timed(ours),
        "official": lambda: timed(theirs),
        "json.loads": lambda: timed(floor),
    })
    return {"seconds": best, "rows": N_ROWS, "bytes": len(body)}


def _bitmask() -> dict[str, Any]:
    indices = list(range(0, N_BITS, 2))
    official_cls = _official.bitmask_class()
    hex_string = BitMask.from_indices(indices, N_BITS).to_hex()

    def official_from_indices() -> str:
        mask = official_cls(0)
        for i in indices:
            mask.set_kth_bit(i)
        return str(mask.to_hex())

    assert official_from_indices() == hex_string
    assert official_cls.from_hex(hex_string).to_indices() == indices
    assert BitMask.from_hex(hex_string).indices() == indices

    log(f"bitmask: {N_BITS:,} samples, {len(indices):,} set")
    ours = interleaved(5, {
        "to_hex": lambda: timed(lambda: BitMask.from_indices(indices, N_BITS).to_hex()),
        "to_indices": lambda: timed(lambda: BitMask.from_hex(hex_string).indices()),
    })
    # The official conversions are quadratic: one round each is plenty.
    theirs = {
        "to_hex": timed(official_from_indices),
        "to_indices": timed(lambda: official_cls.from_hex(hex_string).to_indices()),
    }
    return {"seconds": {"lightly_async": ours, "official": theirs},
            "samples": N_BITS, "set": len(indices)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
