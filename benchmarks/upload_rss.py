"""Peak memory of concurrent streamed uploads: ``samples.upload_images`` from files on disk.

Usage: ``python benchmarks/upload_rss.py [--uploads 16] [--size-mb 64] [--pool httpx|aiohttp]``

The client process (this one) uploads ``--uploads`` files of ``--size-mb`` MiB each, all at
once (``concurrency=uploads``), to a sink server in a *separate* process on 127.0.0.1 that
plays the write-URL endpoint and swallows each signed PUT, checking its ``Content-Length``
and counting its bytes. One file on disk is uploaded to every sample (the client opens it
once per transfer, as it would distinct files), so the disk holds ``size-mb`` MiB only.

It prints one JSON line: the idle RSS (current RSS just before the uploads, after the
session's first request), the peak RSS after them (``VmHWM``; ``ru_maxrss`` off Linux), their
difference, and what the sink received. Streaming keeps the difference to the chunk buffers;
reading each file whole would add ``uploads * size-mb`` MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TOKEN = "bench-token"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=16)
    parser.add_argument("--size-mb", type=int, default=64)
    parser.add_argument("--pool", choices=["httpx", "aiohttp"], default="httpx")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        _run_sink()
        return
    os.environ["LIGHTLY_ASYNC_TRANSPORT"] = "auto" if args.pool == "aiohttp" else "httpx2"
    sink = subprocess.Popen([sys.executable, __file__, "--sink"], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert sink.stdout is not None
        base_url = sink.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "image.bin"
            _write_file(path, args.size_mb << 20)
            import asyncio

            figures = asyncio.run(_upload(base_url, path, args.uploads, args.pool))
    finally:
        sink.terminate()
        sink.wait(10)
    figures.update(uploads=args.uploads, size_mb=args.size_mb, pool=args.pool)
    print(json.dumps(figures))


async def _upload(base_url: str, path: Path, uploads: int, pool: str) -> dict[str, object]:
    import lightly_async as la

    sample_ids = [f"{n + 1:024x}" for n in range(uploads)]
    async with la.LightlySession(token=TOKEN, base_url=base_url, concurrency=uploads) as session:
        ds = session.dataset(DS)
        await ds.samples.write_url(sample_ids[0], "warm-up.bin")  # pool and imports warm
        transport = session._client._transport
        chosen = type(getattr(transport, "chosen", transport)).__name__
        idle = _rss_now()
        started = time.perf_counter()
        result = await ds.samples.upload_images(dict.fromkeys(sample_ids, path),
                                                concurrency=uploads, progress=False)
        elapsed = time.perf_counter() - started
        peak = _rss_peak()
        stats = await session._client.get(f"{base_url}/stats")
    if not result.ok:
        raise SystemExit(f"uploads failed: {result.failed}")
    return {"idle_rss_mb": round(idle / 2**20, 1), "peak_rss_mb": round(peak / 2**20, 1),
            "delta_mb": round((peak - idle) / 2**20, 1), "seconds": round(elapsed, 2),
            "transport": chosen, "sink": stats.json()}


def _write_file(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)  # 1 MiB at a time: writing the file must not raise the peak
    with path.open("wb") as out:
        for _ in range(size >> 20):
            out.write(block)


def _rss_now() -> int:
    try:
        return _proc_status("VmRSS")
    except OSError:
        return _rss_peak()


def _rss_peak() -> int:
    try:
        return _proc_status("VmHWM")
    except OSError:
        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _proc_status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


# -- the sink (its own process) -------------------------------------------------------------------
def _run_sink() -> None:
    import anyio
    import anyio.abc

    stats = {"puts": 0, "bytes": 0, "bad": 0}

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            buffer = b""
            while b"\r\n\r\n" not in buffer:
                buffer += await stream.receive()
            head, _, body = buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip()
                       for k, _, v in (line.partition(":") for line in lines[1:])}
            if method == "PUT":
                length = int(headers.get("content-length", "-1"))
                if length < 0 or "transfer-encoding" in headers:
                    stats["bad"] += 1
                received = len(body)
                while received < length:
                    received += len(await stream.receive(1 << 20))
                stats["puts"] += 1
                stats["bytes"] += received
                answer = b""
            elif "writeurl" in target:
                sid = target.split("/")[5]
                signed = f"{url}/blob/{sid}?sig=s"  # the newest API answers the bare URL
                answer = json.dumps(signed if target.startswith("/v1/")
                                    else {"signedWriteUrl": signed}).encode()
            else:
                answer = json.dumps(stats).encode()
            await stream.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              b"Connection: close\r\nContent-Length: "
                              + str(len(answer)).encode() + b"\r\n\r\n" + answer)

    async def serve() -> None:
        nonlocal url
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        url = f"http://127.0.0.1:{listener.extra(anyio.abc.SocketAttribute.local_port)}"
        print(url, flush=True)
        await listener.serve(handle)

    url = ""
    anyio.run(serve)


if __name__ == "__main__":
    main()
