"""9. Listing fast: ``list_raw_samples`` over 100,000 raw files, each page answered after
50 ms (a latency fault of the fake, in a process of its own): ``shards=8`` (eight time
windows read at once) vs one cursor (one page after another).

Both list every row of the same ``[from_, to]`` span (file ``i`` created at second ``i``) and
are checked: 100,000 distinct file names. The pages hold ``PAGE_SIZE`` rows, so one cursor
waits for ``ROWS / PAGE_SIZE`` pages in a row and the shards for about an eighth of that.
The fake answers on one thread: its CPU per request (a few ms, more on a loaded machine)
is the rest of each wait, and what caps the ratio.
Goal: shards=8 at least 5x faster than one cursor.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from _common import interleaved, log, server_process

import lightly_async as la

ROWS = 100_000
PAGE_SIZE = 100
LATENCY = 0.05
SHARDS = 8


def run(*, rounds: int = 2) -> dict[str, Any]:
    log(f"shards: seeding the fake with {ROWS:,} raw files, {LATENCY * 1000:g} ms per page")
    with server_process("_fake_server.py", "--raw-rows", str(ROWS), "--page-size",
                        str(PAGE_SIZE), "--list-latency", str(LATENCY)) as info:

        def listing(shards: int | None) -> Any:
            async def go() -> float:
                async with la.LightlySession(info["token"], base_url=info["base_url"],
                                             allow_insecure_http=True) as session:
                    source = session.dataset(info["dataset_id"]).datasource
                    start = time.perf_counter()
                    names = [row.file_name async for row in source.list_raw_samples(
                        from_=0, to=ROWS - 1, shards=shards)]
                    elapsed = time.perf_counter() - start
                assert len(names) == len(set(names)) == ROWS, len(names)
                return elapsed

            return lambda: asyncio.run(go())

        best = interleaved(rounds, {"one cursor": listing(None),
                                    f"shards={SHARDS}": listing(SHARDS)})
    log(f"shards: one cursor {best['one cursor']:.2f} s, shards={SHARDS} "
        f"{best[f'shards={SHARDS}']:.2f} s")
    return {"seconds": best, "rows": ROWS, "page_size": PAGE_SIZE, "latency_s": LATENCY,
            "shards": SHARDS}


if __name__ == "__main__":
    figures = run(rounds=1)
    seconds = figures["seconds"]
    figures["ratio"] = seconds["one cursor"] / seconds[f"shards={SHARDS}"]
    print(json.dumps(figures, indent=2))
