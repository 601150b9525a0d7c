"""Offset pager: ``pageSize``/``pageOffset`` listings as async iterators, one page in memory.

lightly 1.5.20 pages ``GET /v1/datasets`` and ``GET /v1/datasets/{id}/mappings`` by
``pageOffset`` (items to skip) and ``pageSize``; a page shorter than ``pageSize`` is the last
one (as lightly's own ``utils.paginate_endpoint`` concludes). Nothing is requested until
iteration starts; no connection is held between pages. ``await pager`` is ``await
pager.collect()``. A listing the server does not page (``paged=False``, the seed era's
exports) is one request.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

__all__ = ["OffsetPager"]

RowT = TypeVar("RowT")

Fetch = Callable[[int, int], Awaitable[builtins.list[RowT]]]


class OffsetPager(Generic[RowT]):
    """``async for row in pager`` yields rows; ``pages()`` whole pages; ``collect()`` (or
    ``await pager``) a list."""

    def __init__(self, fetch: Fetch[RowT], page_size: int, *, paged: bool = True) -> None:
        self._fetch = fetch
        self._page_size = page_size if paged else None

    @property
    def page_size(self) -> int | None:
        """Rows asked for per request (``None``: the listing is not paged, one request)."""
        return self._page_size

    def __await__(self) -> Generator[Any, None, builtins.list[RowT]]:
        return self.collect().__await__()

    def pages(self) -> AsyncIterator[builtins.list[RowT]]:
        """Iterate over whole pages (each a non-empty list of rows)."""
        return _PageIterator(self._fetch, self._page_size)

    def __aiter__(self) -> AsyncIterator[RowT]:
        return _RowIterator(_PageIterator(self._fetch, self._page_size))

    async def collect(self) -> builtins.list[RowT]:
        """Every row, in order, as one list."""
        rows: builtins.list[RowT] = []
        async for page in self.pages():
            rows.extend(page)
        return rows

    def __repr__(self) -> str:
        return f"<OffsetPager page_size={self._page_size}>"


class _PageIterator(Generic[RowT]):
    # Plain iterator classes, not async generators: abandoning one early needs no finalizer.
    def __init__(self, fetch: Fetch[RowT], page_size: int | None) -> None:
        self._fetch = fetch
        self._page_size = page_size
        self._offset = 0
        self._done = False

    def __aiter__(self) -> _PageIterator[RowT]:
        return self

    async def __anext__(self) -> builtins.list[RowT]:
        if self._done:
            raise StopAsyncIteration
        page = await self._fetch(self._offset, self._page_size or 0)
        self._offset += len(page)
        if self._page_size is None or len(page) < self._page_size:
            self._done = True
        if not page:
            raise StopAsyncIteration
        return page


class _RowIterator(Generic[RowT]):
    def __init__(self, pages: _PageIterator[RowT]) -> None:
        self._pages = pages
        self._current: builtins.list[RowT] = []
        self._index = 0

    def __aiter__(self) -> _RowIterator[RowT]:
        return self

    async def __anext__(self) -> RowT:
        while self._index >= len(self._current):
            self._current, self._index = await self._pages.__anext__(), 0
        row = self._current[self._index]
        self._index += 1
        return row
