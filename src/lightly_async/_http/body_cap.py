"""The body cap: a response body is read only up to ``max_response_size`` bytes.

A declared ``Content-Length`` above the cap fails before anything is read; otherwise the
read stops as soon as the running total passes it, so memory stays bounded by the cap. No
HTTP library is imported here: both pools hand over their bodies as chunks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

__all__ = ["BodyTooLargeError", "declared_size", "gather_body", "read_body"]


class BodyTooLargeError(Exception):
    """A response body passed the cap; ``size`` is how much was seen (or declared)."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"body of at least {size} bytes exceeds the cap of {limit}")


async def read_body(response: Any, limit: int | None) -> bytes | bytearray:
    """The (decoded) body of a streamed response, refusing to hold more than ``limit`` bytes.

    A declared ``Content-Length`` above the cap fails before reading; otherwise the read
    stops as soon as the running total passes it, so memory stays bounded by the cap.
    """
    declared_size(response.headers, limit)
    return await gather_body(response.aiter_bytes(), limit)



def declared_size(headers: Any, limit: int | None) -> int | None:
    """The declared ``Content-Length``; past ``limit`` it fails before anything is read."""
    declared = headers.get("content-length")
    if declared is None or not declared.isdigit():
        return None
    size = int(declared)
    if limit is not None and size > limit:
        raise BodyTooLargeError(size, limit)
    return size


async def gather_body(chunks: AsyncIterator[bytes], limit: int | None) -> bytes | bytearray:
    """The chunks joined, stopping as soon as their total passes ``limit``."""
    first: bytes | None = None
    buffer: bytearray | None = None  # grown in place: no list of chunks plus a joined copy
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if limit is not None and total > limit:
            raise BodyTooLargeError(total, limit)
        if first is None:
            first = chunk
        elif buffer is None:
            buffer = bytearray(first)
            buffer += chunk
        else:
            buffer += chunk
    if buffer is not None:
        return buffer
    return b"" if first is None else first
