"""Cursor pager: async iteration over rows or whole pages, one page in memory at a time.

The first request carries the caller's filters (``from``/``to``); every later one carries
only the ``cursor`` the previous page returned. Iteration stops when a page says
``hasMore: false``. Nothing is requested until iteration starts, and no connection or task
is held between pages, so breaking out of ``async for`` early leaves nothing open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from lightly_async.errors import DecodeError

__all__ = ["CursorPage", "Pager"]

RowT = TypeVar("RowT")
PageT = TypeVar("PageT", bound="CursorPage")


class CursorPage(Protocol):
    """What the pager needs of a page."""

    @property
    def has_more(self) -> bool: ...

    @property
    def cursor(self) -> str: ...


class Pager(Generic[PageT, RowT]):
    """``async for row in pager`` yields rows; ``async for page in pager.pages()`` pages."""

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[PageT]],
        rows: Callable[[PageT], Sequence[RowT]],
    ) -> None:
        self._fetch = fetch
        self._rows = rows

    def pages(self) -> AsyncIterator[PageT]:
        """Iterate over whole pages."""
        return _PageIterator(self._fetch)

    def __aiter__(self) -> AsyncIterator[RowT]:
        return _RowIterator(_PageIterator(self._fetch), self._rows)

    def __repr__(self) -> str:
        return f"<Pager of {getattr(self._fetch, '__qualname__', 'pages')}>"


class _PageIterator(Generic[PageT]):
    def __init__(self, fetch: Callable[[str | None], Awaitable[PageT]]) -> None:
        self._fetch = fetch
        self._cursor: str | None = None
        self._done = False
        self._started = False

    def __aiter__(self) -> _PageIterator[PageT]:
        return self

    async def __anext__(self) -> PageT:
        if self._done:
            raise StopAsyncIteration
        page = await self._fetch(self._cursor if self._started else None)
        self._started = True
        if not page.has_more:
            self._done = True
        elif not page.cursor or page.cursor == self._cursor:
            # Following it would loop forever or restart the listing: refuse, lose nothing.
            raise DecodeError("page says hasMore=true but carries no new cursor")
        else:
            self._cursor = page.cursor
        return page


class _RowIterator(Generic[PageT, RowT]):
    def __init__(
        self, pages: _PageIterator[PageT], rows: Callable[[PageT], Sequence[RowT]]
    ) -> None:
        self._pages = pages
        self._rows = rows
        self._current: Sequence[RowT] = ()
        self._index = 0

    def __aiter__(self) -> _RowIterator[PageT, RowT]:
        return self

    async def __anext__(self) -> RowT:
        while self._index >= len(self._current):
            page = await self._pages.__anext__()  # StopAsyncIteration ends us too
            self._current, self._index = self._rows(page), 0
        row = self._current[self._index]
        self._index += 1
        return row
