"""The fake Lightly server in a process of its own, for the engines' tests.

``python tests/ray/fake_process.py --samples N`` seeds a fake as ``lightly-async fake serve``
does (N samples with images, N raw files, the ``classification`` task schema), serves it on
127.0.0.1 and prints one JSON line: ``base_url``, ``token``, ``dataset_id``, ``raw_files``,
``sample_ids`` and their ``file_names`` (each image holds ``image_bytes(file name)``).
Then it answers one JSON command per stdin line with one JSON line:

- ``{"cmd": "rate_limit", "per_second": R}``: the server-wide rate limit (replacing any),
  ``{"cmd": "rate_limit", "per_second": null}`` removes it;
- ``{"cmd": "latency", "path": GLOB, "seconds": S}``: delay each matching request by S
  seconds (``seconds: 0`` removes every fault and limit);
- ``{"cmd": "stats"}``: ``{"statuses": {"200": n, "429": m, ...}, "limited": m}`` since the
  last ``reset``;
- ``{"cmd": "reset"}``: forget the calls recorded so far.

:class:`FakeProcess` drives it from a test. The process ends when stdin closes.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()


def image_bytes(file_name: str) -> bytes:
    """What the seeded sample ``file_name``'s image holds (as ``fake serve`` seeds it)."""
    return b"\xff\xd8\xff\xe0" + file_name.encode()


class FakeProcess:
    """A running fake_process.py: its address, token, dataset, and the command channel."""

    def __init__(self, samples: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE), "--samples", str(samples)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        hello = self._read()
        self.base_url: str = hello["base_url"]
        self.token: str = hello["token"]
        self.dataset_id: str = hello["dataset_id"]
        self.raw_files: list[str] = hello["raw_files"]
        self.sample_ids: list[str] = hello["sample_ids"]
        self.file_names: list[str] = hello["file_names"]
        self.samples: int = samples

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake process ended (exit status {self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        """Send one command, return its answer."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def stop(self) -> None:
        """Close stdin (the process then ends) and wait for it."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


def main() -> None:
    from lightly_async.cli._fake import seed
    from lightly_async.testing import FakeLightly

    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    fake = FakeLightly(api="latest")
    dataset_id = seed(fake, args.samples)
    limits: list[Any] = []
    with fake.serve_in_thread(log_level="critical") as base_url:
        raw = [f"raw/img_{i:05d}.jpg" for i in range(args.samples)]
        print(json.dumps({"base_url": base_url, "token": fake.token, "dataset_id": dataset_id,
                          "raw_files": raw, "sample_ids": fake.sample_ids(dataset_id),
                          "file_names": [f"img_{i:05d}.jpg" for i in range(args.samples)]}),
              flush=True)
        calls_seen = len(fake.calls)
        for line in sys.stdin:
            cmd = json.loads(line)
            answer: dict[str, Any] = {}
            if cmd["cmd"] == "rate_limit":
                fake.faults.clear()
                limits.clear()
                if cmd["per_second"] is not None:
                    limits.append(fake.faults.add_rate_limit(cmd["per_second"]))
            elif cmd["cmd"] == "latency":
                if cmd["seconds"]:
                    fake.faults.add(path=cmd["path"], latency=cmd["seconds"])
                else:
                    fake.faults.clear()
                    limits.clear()
            elif cmd["cmd"] == "stats":
                statuses = collections.Counter(str(c.status) for c in fake.calls[calls_seen:])
                answer = {"statuses": dict(statuses),
                          "limited": sum(limit.limited for limit in limits)}
            elif cmd["cmd"] == "reset":
                calls_seen = len(fake.calls)
                for limit in limits:
                    limit.limited = limit.allowed = 0
            else:
                answer = {"error": f"unknown command {cmd['cmd']!r}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
