"""Runs tests/httpx_family/ on the real httpx (not aliased to httpx2) in a subprocess.

The main run aliases ``httpx`` to httpx2 for respx (pyproject's ``addopts`` load
``lightly_async.testing.alias_httpx``); a caller's client or transport of the httpx family must
keep working too, so those checks run in their own interpreter, with ``addopts`` overridden,
where ``import httpx`` is httpx itself.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_callers_httpx_family_works_when_run_on_real_httpx() -> None:
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=-ra",
         "tests/httpx_family/check_real_httpx.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
    assert "skipped" not in result.stdout
