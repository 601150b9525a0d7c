"""``dataset.datasource``, synchronously: the generated twin, and the incremental batch as a
``with`` block."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lightly_async.sync import _generated

if TYPE_CHECKING:
    from lightly_async.models.datasources import DatasourceRawSamplesDataRow
    from lightly_async.resources.datasource import RawSamplesBatch as AsyncRawSamplesBatch
    from lightly_async.resources.datasource import RawSamplesShard
    from lightly_async.sync._portal import Runner

__all__ = ["Datasource", "RawSamplesBatch"]


class Datasource(_generated.Datasource):
    """``dataset.datasource``: where the dataset's raw files live."""

    __slots__ = ()

    def shards(
        self,
        n: int,
        *,
        from_: int | None = None,
        to: int | None = None,
        use_redirected_read_url: bool | None = None,
        relevant_filenames_file_name: str | None = None,
    ) -> list[RawSamplesShard]:
        """``[from_, to]`` split into ``n`` time windows for :meth:`list_shard` (no request
        is made). More in the async :meth:`lightly_async.Datasource.shards`."""
        return self._aio.shards(n, from_=from_, to=to,
                                use_redirected_read_url=use_redirected_read_url,
                                relevant_filenames_file_name=relevant_filenames_file_name)

    @contextlib.contextmanager
    def new_raw_samples(self) -> Iterator[RawSamplesBatch]:
        """Process raw files incrementally; the bookmark moves only after a clean, complete
        pass::

            with ds.datasource.new_raw_samples() as batch:
                for row in batch:
                    process(row)
        """
        with self._runner.enter(self._aio.new_raw_samples()) as batch:
            yield RawSamplesBatch(self._runner, batch)


class RawSamplesBatch:
    """The raw files new since the last processed batch; see ``Datasource.new_raw_samples``."""

    def __init__(self, runner: Runner, batch: AsyncRawSamplesBatch) -> None:
        self._runner = runner
        self._batch = batch

    def __iter__(self) -> Iterator[DatasourceRawSamplesDataRow]:
        return self._runner.iterate(aiter(self._batch))

    @property
    def from_(self) -> int | None:
        """First second listed (``None``: from the beginning)."""
        return self._batch.from_

    @property
    def to(self) -> int:
        """Last second listed; the bookmark moves here after a complete, clean pass."""
        return self._batch.to

    @property
    def rows_seen(self) -> int:
        """Rows handed out so far."""
        return self._batch.rows_seen

    @property
    def exhausted(self) -> bool:
        """True once the listing was read to its end."""
        return self._batch.exhausted

    def __repr__(self) -> str:
        return f"<lightly_async.sync.RawSamplesBatch from={self.from_} to={self.to} " \
               f"rows_seen={self.rows_seen}>"

