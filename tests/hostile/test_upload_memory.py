"""Uploads stream from disk: 16 concurrent 64 MiB uploads raise the peak RSS by well under
100 MB, on both pools. Measured in a subprocess (``benchmarks/upload_rss.py``, which puts its
sink server in a third process), so nothing of the test run itself is counted. Reading each
file whole, as the client once did, raises it by about 2 GB (both the file's bytes and the
transport's copy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "upload_rss.py"
UPLOADS, SIZE_MB, BUDGET_MB = 16, 64, 100


@pytest.mark.parametrize("pool", ["httpx", "aiohttp"])
def test_peak_rss_stays_within_budget_when_16_files_of_64_mib_upload_at_once(pool: str) -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--uploads", str(UPLOADS), "--size-mb", str(SIZE_MB),
         "--pool", pool], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    print(figures)  # `pytest -s` shows the figures

    assert figures["sink"] == {"puts": UPLOADS, "bytes": UPLOADS * SIZE_MB << 20, "bad": 0}
    assert figures["transport"] == ("AiohttpTransport" if pool == "aiohttp"
                                    else "AsyncHTTPTransport")
    assert figures["delta_mb"] < BUDGET_MB, figures
