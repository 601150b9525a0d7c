"""What the sync resources share: the runner and async twin, and the plain-iterator pager."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from lightly_async._pager import Pager as AsyncPager
    from lightly_async.sync._portal import Runner

__all__ = ["Pager", "Resource"]

PageT = TypeVar("PageT")
RowT = TypeVar("RowT")


class Resource:
    """Base of the sub-resources: the runner and the async twin."""

    __slots__ = ("_aio", "_runner")

    def __init__(self, runner: Runner, aio: Any) -> None:
        self._runner = runner
        self._aio = aio

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
    round trip to the session's loop.
    """

    def __init__(self, runner: Runner, pager: AsyncPager[Any, Any],
                 rows: Callable[[PageT], Sequence[RowT]]) -> None:
        self._runner = runner
        self._pager = pager
        self._rows = rows

    def pages(self) -> Iterator[PageT]:
        """Iterate over whole pages."""
        return self._runner.iterate(self._pager.pages())

    def __iter__(self) -> Iterator[RowT]:
        for page in self.pages():
            yield from self._rows(page)

    def __repr__(self) -> str:
        return f"<lightly_async.sync.Pager over {self._pager!r}>"
