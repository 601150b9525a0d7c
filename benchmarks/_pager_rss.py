"""Iterate a raw-file listing through the pager; print rows, seconds and peak RSS as JSON.

    python benchmarks/_pager_rss.py BASE_URL TOKEN DATASET_ID TO

Runs in a process of its own (the server is another one), so the peak is the client's.
Rows are counted and dropped, as a streaming consumer would.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

import lightly_async as la


async def main(base_url: str, token: str, dataset_id: str, to: int) -> dict[str, float]:
    async with la.LightlySession(token=token, base_url=base_url) as session:
        rows = 0
        start = time.perf_counter()
        async for _row in session.dataset(dataset_id).datasource.list_raw_samples(
                from_=0, to=to):
            rows += 1
        seconds = time.perf_counter() - start
    ru_maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": _vm_hwm_mb() or ru_maxrss_mb,
            "ru_maxrss_mb": ru_maxrss_mb}


def _vm_hwm_mb() -> float | None:
    """Peak RSS of this process image (Linux ``VmHWM``).

    ``ru_maxrss`` is kept across ``fork``/``exec``: a child of a big parent (the benchmark
    runner holds the official client, ~120 MB) reports at least the parent's size. ``VmHWM``
    belongs to the address space created by ``exec``, so it is this program's own peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


if __name__ == "__main__":
    base_url, token, dataset_id, to = sys.argv[1:5]
    print(json.dumps(asyncio.run(main(base_url, token, dataset_id, int(to)))))
