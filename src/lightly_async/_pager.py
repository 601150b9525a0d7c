"""Cursor pager: async iteration over rows or whole pages, one page in memory at a time.

The first request carries the caller's filters (``from``/``to``, or a ``cursor`` to resume
from); every later one carries only the ``cursor`` the previous page returned. Iteration
stops when a page says ``hasMore: false``. Nothing is requested until iteration starts, and
no connection or task is held between pages, so breaking out of ``async for`` early leaves
nothing open.

A page that says ``hasMore: true`` with no cursor, or with a cursor already followed in this
iteration (``c1 -> c2 -> c1``), ends the iteration with a :class:`DecodeError` naming the
cycle: following it would loop forever. After any failure, :attr:`Pager.cursor` says where
to resume without losing a row.
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
    """``async for row in pager`` yields rows; ``async for page in pager.pages()`` pages.

    ``fetch(None)`` makes the first request (with the caller's filters); ``fetch(cursor)``
    every later one. ``start_cursor`` is the cursor the first request resumes from, if any.
    """

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[PageT]],
        rows: Callable[[PageT], Sequence[RowT]],
        *,
        start_cursor: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._rows = rows
        self._start_cursor = start_cursor
        self._latest: _PageIterator[PageT] | _RowIterator[PageT, RowT] | None = None

    @property
    def cursor(self) -> str | None:
        """Where the latest iteration would resume: pass it as ``cursor=`` to list again.

        For rows, it is the cursor of the first page whose rows were not all yielded yet
        (that page's rows come again: nothing is lost); for pages, the cursor of the next
        page not yet yielded. ``None`` means that point is the very first request: list
        again with the original filters.
        """
        if self._latest is None:
            return self._start_cursor
        return self._latest.cursor

    @property
    def exhausted(self) -> bool:
        """True once the latest iteration reached a page with ``hasMore: false``."""
        return self._latest is not None and self._latest.exhausted

    def pages(self) -> AsyncIterator[PageT]:
        """Iterate over whole pages."""
        pages = _PageIterator(self._fetch, self._start_cursor)
        self._latest = pages
        return pages

    def __aiter__(self) -> AsyncIterator[RowT]:
        rows = _RowIterator(_PageIterator(self._fetch, self._start_cursor), self._rows)
        self._latest = rows
        return rows

    def __repr__(self) -> str:
        return f"<Pager of {getattr(self._fetch, '__qualname__', 'pages')}>"


class _PageIterator(Generic[PageT]):
    def __init__(
        self, fetch: Callable[[str | None], Awaitable[PageT]], start_cursor: str | None
    ) -> None:
        self._fetch = fetch
        self._started = False
        self.exhausted = False
        #: the cursor of the next request (None: the first one, with the caller's filters)
        self.cursor = start_cursor
        # every cursor requested so far, in order: a repeat would loop forever
        self._seen: dict[str, int] = {} if start_cursor is None else {start_cursor: 0}

    def __aiter__(self) -> _PageIterator[PageT]:
        return self

    async def __anext__(self) -> PageT:
        if self.exhausted:
            raise StopAsyncIteration
        page = await self._fetch(self.cursor if self._started else None)
        self._started = True
        if not page.has_more:
            self.exhausted = True
            return page
        following = page.cursor
        if not following:
            raise DecodeError("page says hasMore=true but carries no cursor")
        if following in self._seen:
            raise DecodeError(f"page says hasMore=true but its cursor repeats, "
                              f"{self._cycle(following)}: following it would loop forever")
        self._seen[following] = len(self._seen)
        self.cursor = following
        return page

    def _cycle(self, repeated: str) -> str:
        cursors = list(self._seen)
        loop = [*cursors[cursors.index(repeated):], repeated]
        return " -> ".join(repr(_short(c)) for c in loop)


class _RowIterator(Generic[PageT, RowT]):
    def __init__(
        self, pages: _PageIterator[PageT], rows: Callable[[PageT], Sequence[RowT]]
    ) -> None:
        self._pages = pages
        self._rows = rows
        self._current: Sequence[RowT] = ()
        self._index = 0
        #: the cursor that fetches the page whose rows are being yielded
        self.cursor = pages.cursor

    @property
    def exhausted(self) -> bool:
        return self._pages.exhausted and self._index >= len(self._current)

    def __aiter__(self) -> _RowIterator[PageT, RowT]:
        return self

    async def __anext__(self) -> RowT:
        while self._index >= len(self._current):
            # Every row of the current page was handed out: resume after it from now on.
            self.cursor = self._pages.cursor
            page = await self._pages.__anext__()  # StopAsyncIteration ends us too
            self._current, self._index = self._rows(page), 0
        row = self._current[self._index]
        self._index += 1
        return row


def _short(cursor: str, limit: int = 40) -> str:
    return cursor if len(cursor) <= limit else f"{cursor[:limit]}…"
