"""Peak RSS of one ``tags.list()`` answered with a 200 MB body, in a fresh process.

    python benchmarks/_capped_rss.py [MAX_RESPONSE_SIZE|none]

A raw asyncio server in this process streams ``["aaaa…"]`` (200 MB, declared with no
Content-Length, sent as one reused 1 MiB chunk so the server itself holds ~1 MiB). Prints one
JSON object: the error raised, the idle peak RSS before the call and the peak after it (MB).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

import lightly_async as la

BODY_MB = 200
CHUNK = b"a" * (1 << 20)


def _peak_mb() -> float:
    """Peak RSS of this process image: ``VmHWM`` (``ru_maxrss`` survives ``exec``, so a
    child of the big benchmark runner would report the runner's size)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    frame_head = f"{len(CHUNK):x}\r\n".encode()
    try:
        writer.write(b'2\r\n["\r\n')
        for _ in range(BODY_MB * 1_000_000 // len(CHUNK)):
            writer.write(frame_head)
            writer.write(CHUNK)
            writer.write(b"\r\n")
            await writer.drain()
        writer.write(b'2\r\n"]\r\n0\r\n\r\n')
        await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(cap: int | None) -> dict[str, object]:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, la.LightlySession(
        token="t", base_url=f"http://127.0.0.1:{port}", max_response_size=cap, max_retries=0
    ) as session:
        ds = session.dataset("5f0c1c6e2a9b4c1d8e7f6a5b")
        idle = _peak_mb()
        try:
            await ds.tags.list()
            error = "none"
        except la.LightlyError as exc:
            error = type(exc).__name__
        return {"cap": cap, "body_mb": BODY_MB, "error": error, "idle_peak_mb": idle,
                "peak_mb": _peak_mb(), "transport": session.transport_name}


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else "default"
    cap = {"default": la.LightlySession(token="t").max_response_size, "none": None}.get(arg)
    print(json.dumps(asyncio.run(main(cap if arg in ("default", "none") else int(arg)))))
