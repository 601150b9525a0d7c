"""``python -m lightly_async demo --serve [--api latest]`` serves the fake in the chosen mode."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest


@pytest.mark.parametrize(("api", "keys"), [
    ("seed", {"code", "message"}), ("latest", {"code", "error", "requestId"}),
])
def test_demo_serve_answers_in_the_chosen_mode_when_started(api: str, keys: set[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lightly_async", "demo", "--serve", "--api", api],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.match(r"fake Lightly server on (http://127\.0\.0\.1:\d+) \(api=(\w+)\)", first)
        assert found, first + (proc.stderr.read() if proc.poll() is not None and proc.stderr
                               else "")
        base_url, mode = found.groups()
        assert mode == api
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(f"{base_url}/v1/datasets/{'f' * 24}/tags", timeout=10)
        assert answer.value.code == 401
        assert set(json.loads(answer.value.read())) == keys
    finally:
        proc.terminate()
        proc.wait(timeout=30)
