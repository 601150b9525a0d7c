"""Whole-process figures, each measured in a fresh interpreter.

5. Import: wall time of ``python -c "import lightly_async"`` vs the official client's
   ``from lightly.api import ApiWorkflowClient`` vs ``python -c pass`` (the interpreter
   alone); interleaved, median of several runs.
6. Memory: peak RSS of a process iterating 1,000,000 raw-file rows through the pager
   (1,000-row pages) vs the same for 100,000 rows. The fake holding the rows is another
   process, so its memory is not counted.
8. Capped answer: peak RSS of one ``tags.list()`` answered with a 200 MB body, with the
   default ``max_response_size`` (512 MiB: the body is read, then fails to decode) and with a
   32 MiB cap (the read stops there), each in a fresh process (``_capped_rss.py``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from _common import HERE, log, server_process

IMPORTS = {
    "lightly_async": "import lightly_async",
    "official": "from lightly.api import ApiWorkflowClient",
    "python -c pass": "pass",
}
ROWS = (1_000_000, 100_000)
PAGE_SIZE = 1000


def run(*, import_runs: int = 9) -> dict[str, Any]:
    return {"import": _imports(import_runs), "memory": _memory(), "capped": _capped()}


def _capped() -> list[dict[str, Any]]:
    out = []
    for cap in ("default", str(32 << 20)):
        log(f"capped answer: 200 MB body, max_response_size={cap}")
        done = subprocess.run([sys.executable, str(HERE / "_capped_rss.py"), cap],
                              check=True, capture_output=True, text=True)
        out.append(json.loads(done.stdout))
    return out


def _imports(runs: int) -> dict[str, Any]:
    env = {**os.environ, "LIGHTLY_DID_VERSION_CHECK": "True"}
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    log(f"import: {runs} runs each, interleaved")
    for _ in range(runs):
        for name, code in IMPORTS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env)
            times[name].append(time.perf_counter() - start)
    return {"median_s": {k: statistics.median(v) for k, v in times.items()},
            "min_s": {k: min(v) for k, v in times.items()}, "runs": runs}


def _memory() -> dict[str, Any]:
    log(f"memory: seeding the fake with {ROWS[0]:,} raw files")
    with server_process("_fake_server.py", "--raw-rows", str(ROWS[0]),
                        "--page-size", str(PAGE_SIZE)) as info:
        out: dict[str, Any] = {"page_size": PAGE_SIZE}
        for rows in ROWS:
            log(f"memory: paging {rows:,} rows")
            done = subprocess.run(
                [sys.executable, str(HERE / "_pager_rss.py"), info["base_url"], info["token"],
                 info["dataset_id"], str(rows - 1)],
                check=True, capture_output=True, text=True)
            result = json.loads(done.stdout)
            assert result["rows"] == rows, result
            out[str(rows)] = result
        return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
