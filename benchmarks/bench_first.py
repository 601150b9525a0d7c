"""The figures a user meets first, each in a fresh process against the loopback server.

8. One call, whole process: the wall time of a script that imports the client, builds a
   session from the environment (``LIGHTLY_TOKEN``, ``LIGHTLY_SERVER_LOCATION``), fetches one
   tag and exits. lightly_async (``async with LightlySession()`` and ``await
   ds.tags.get(...)`` under ``asyncio.run``), its sync facade (``with
   lightly_async.sync.LightlySession()``) and the official client's same script
   (``ApiWorkflowClient(dataset_id=...).get_tag_by_id(...)``; its constructor asks the
   server for the minimum compatible version first, as it does for every user) vs
   ``python -c pass``. Interleaved runs, the median of each.
7. Page, cold: the first 10,000-row raw-file page of a brand-new session in a fresh process,
   timed by the process itself from just after its import line to the rows in hand: the
   session (or ``ApiWorkflowClient``) built, the connection made, the code loaded on first
   use, lightly_async's decoder generated. The warm figure (a session's later pages) is the
   page row of ``bench_api``. Interleaved runs, the median of each; the whole process's
   wall time (import included) is recorded too.

Every script is what a user would write, given as ``python -c`` source; each prints what it
fetched (the tag's id, the page's row count), and the run fails unless that is the answer.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from _common import log, server_process

N_PAGE_ROWS = 10_000
TOKEN = "bench-token"

ONE_CALL = {
    "lightly_async": """\
import asyncio
import lightly_async as la

async def main():
    async with la.LightlySession() as session:
        return await session.dataset({dataset_id!r}).tags.get({tag_id!r})

print(asyncio.run(main()).id)
""",
    "lightly_async (sync)": """\
from lightly_async.sync import LightlySession

with LightlySession() as session:
    tag = session.dataset({dataset_id!r}).tags.get({tag_id!r})
print(tag.id)
""",
    "official": """\
from lightly.api import ApiWorkflowClient

client = ApiWorkflowClient(dataset_id={dataset_id!r})
print(client.get_tag_by_id({tag_id!r}).id)
""",
    "python -c pass": "pass",
}

COLD_PAGE = {
    "lightly_async": """\
import asyncio, json, time
import lightly_async as la

async def main():
    async with la.LightlySession() as session:
        ds = session.dataset({dataset_id!r})
        async for page in ds.datasource.list_raw_samples(from_=0).pages():
            return len(page.data), time.perf_counter()

start = time.perf_counter()
rows, end = asyncio.run(main())
print(json.dumps({{"rows": rows, "seconds": end - start}}))
""",
    "official": """\
import json, time
from lightly.api import ApiWorkflowClient

start = time.perf_counter()
client = ApiWorkflowClient(dataset_id={dataset_id!r})
page = client._datasources_api.get_list_of_raw_samples_from_datasource_by_dataset_id(
    dataset_id={dataset_id!r}, var_from=0)
end = time.perf_counter()
print(json.dumps({{"rows": len(page.data), "seconds": end - start}}))
""",
}


def run(*, runs: int = 7) -> dict[str, Any]:
    with server_process("_loopback_server.py", "--raw-rows", str(N_PAGE_ROWS),
                        "--token", TOKEN) as info:
        return {"one_call": one_call(info, runs), "cold_page": cold_page(info, runs)}


def environment(info: dict[str, Any]) -> dict[str, str]:
    """What a user's shell would hold: the token and the server, and no version check.

    Every other ``LIGHTLY_*`` variable of the caller is dropped (a test run pins the
    transport with one), so each script runs with the clients' defaults.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")}
    return {**env, "LIGHTLY_TOKEN": info["token"], "LIGHTLY_SERVER_LOCATION": info["base_url"],
            "LIGHTLY_DID_VERSION_CHECK": "True"}


def _script(source: str, info: dict[str, Any]) -> str:
    return source.format(dataset_id=info["dataset_id"], tag_id=info["tag_id"])


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"a benchmark script failed:\n{code}\n{done.stderr[-2000:]}")
    return done.stdout


def one_call(info: dict[str, Any], runs: int) -> dict[str, Any]:
    """Each script's whole-process wall time (s), interleaved, ``runs`` of each."""
    env = environment(info)
    scripts = {name: _script(source, info) for name, source in ONE_CALL.items()}
    times: dict[str, list[float]] = {name: [] for name in scripts}
    log(f"one call, whole process: {runs} runs each, interleaved")
    for _ in range(runs):
        for name, code in scripts.items():
            start = time.perf_counter()
            out = _python(code, env)
            times[name].append(time.perf_counter() - start)
            if code != "pass" and out.strip() != info["tag_id"]:
                raise AssertionError(f"{name} printed {out!r}, not the tag's id")
    return {"median_s": {k: statistics.median(v) for k, v in times.items()},
            "min_s": {k: min(v) for k, v in times.items()}, "runs": runs}


def cold_page(info: dict[str, Any], runs: int, rows: int = N_PAGE_ROWS) -> dict[str, Any]:
    """The first page of a new session, timed inside a fresh process (s), ``runs`` each.

    ``process_median_s`` is the whole process's wall time besides (import included): the
    official client loads all its code at import, lightly_async on first use, so the cold
    page alone charges lightly_async for loading that the official client did before.
    """
    env = environment(info)
    scripts = {name: _script(source, info) for name, source in COLD_PAGE.items()}
    times: dict[str, list[float]] = {name: [] for name in scripts}
    log(f"page, cold: the first {rows:,}-row page of a new session, {runs} fresh processes "
        "each, interleaved")
    process: dict[str, list[float]] = {name: [] for name in scripts}
    for _ in range(runs):
        for name, code in scripts.items():
            start = time.perf_counter()
            out = _python(code, env)
            process[name].append(time.perf_counter() - start)
            figures = json.loads(out.strip().splitlines()[-1])
            if figures["rows"] != rows:
                raise AssertionError(f"{name} got {figures['rows']} rows, not {rows}")
            times[name].append(figures["seconds"])
    return {"median_s": {k: statistics.median(v) for k, v in times.items()},
            "min_s": {k: min(v) for k, v in times.items()},
            "process_median_s": {k: statistics.median(v) for k, v in process.items()},
            "runs": runs, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
