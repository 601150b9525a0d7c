"""What the sync resources share: the runner and async twin, and the plain-iterator pagers."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from lightly_async._offset_pager import OffsetPager as AsyncOffsetPager
    from lightly_async._pager import Pager as AsyncPager
    from lightly_async.sync._portal import Runner

__all__ = ["DatasetResource", "OffsetPager", "Pager", "Resource"]

PageT = TypeVar("PageT")
RowT = TypeVar("RowT")


class Resource:
    """Base of the sync resources: the session's runner and the async twin."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: Any) -> None:
        self._runner = runner
        self._aio = aio

    def __repr__(self) -> str:
        return f"<lightly_async.sync.{type(self).__name__}>"


class DatasetResource(Resource):
    """Base of the dataset sub-resources: also the dataset's id."""

    __slots__ = ()

    @property
    def dataset_id(self) -> str:
        """The id of the dataset this resource belongs to."""
        dataset_id: str = self._aio.dataset_id
        return dataset_id

    def __repr__(self) -> str:
        return f"<lightly_async.sync.{type(self).__name__} of dataset {self.dataset_id}>"


class Pager(Generic[PageT, RowT]):
    """``for row in pager`` yields rows; ``for page in pager.pages()`` yields whole pages.

    One page is fetched at a time, on demand; rows are handed out from it without a further
    round trip to the session's loop. ``cursor`` and ``exhausted`` mean what they mean on
    the async pager: after a failure or an early ``break``, ``cursor=pager.cursor`` lists
    again from the first page whose rows were not all handed out.
    """

    def __init__(self, runner: Runner, pager: AsyncPager[Any, Any]) -> None:
        self._runner = runner
        self._pager = pager
        # a page's rows as the async pager hands them out
        self._rows: Callable[[PageT], Sequence[RowT]] = pager._rows
        self._rows_mode = False
        self._page_cursor: str | None = None  # the cursor fetching the page being handed out
        self._rows_done = False

    @property
    def cursor(self) -> str | None:
        """Where the latest iteration would resume (``None``: the very first request)."""
        return self._page_cursor if self._rows_mode else self._pager.cursor

    @property
    def exhausted(self) -> bool:
        """True once the latest iteration reached its end."""
        return self._pager.exhausted and (self._rows_done or not self._rows_mode)

    def pages(self) -> Iterator[PageT]:
        """Iterate over whole pages."""
        self._rows_mode = False
        return self._runner.iterate(self._pager.pages())

    def __iter__(self) -> Iterator[RowT]:
        pages = self._pager.pages()
        self._rows_mode, self._rows_done = True, False
        self._page_cursor = self._pager.cursor
        for page in self._runner.iterate(pages):
            yield from self._rows(page)
            self._page_cursor = self._pager.cursor  # every row of that page handed out
        self._rows_done = True

    def __repr__(self) -> str:
        return f"<lightly_async.sync.Pager over {self._pager!r}>"


class OffsetPager(Generic[RowT]):
    """``for row in pager`` yields rows; ``pages()`` whole pages; ``collect()`` a list.

    The twin of the async offset pager (``pageSize``/``pageOffset`` listings such as
    ``session.datasets.list()``): nothing is requested until iteration starts, and each
    iteration starts again from the first page. One page is fetched per call to the
    session's loop; its rows are handed out from memory.
    """

    def __init__(self, runner: Runner, pager: AsyncOffsetPager[RowT]) -> None:
        self._runner = runner
        self._pager = pager

    @property
    def page_size(self) -> int | None:
        """Rows asked for per request (``None``: the listing is not paged, one request)."""
        return self._pager.page_size

    def pages(self) -> Iterator[builtins.list[RowT]]:
        """Iterate over whole pages (each a non-empty list of rows)."""
        return self._runner.iterate(self._pager.pages())

    def __iter__(self) -> Iterator[RowT]:
        for page in self.pages():
            yield from page

    def collect(self) -> builtins.list[RowT]:
        """Every row, in order, as one list."""
        return self._runner.call(self._pager.collect)

    def __repr__(self) -> str:
        return f"<lightly_async.sync.OffsetPager page_size={self.page_size}>"
