"""``dataset.datasource``, synchronously: the raw-file pager is a plain iterator and the
incremental batch a ``with`` block."""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lightly_async.models.datasources import DatasourceRawSamplesData, DatasourceRawSamplesDataRow
from lightly_async.sync._base import Pager, Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.models.datasources import (
        DatasourceConfig,
        DatasourceConfigVerifyData,
        DatasourcePurpose,
    )
    from lightly_async.resources.datasource import RawSamplesBatch as AsyncRawSamplesBatch
    from lightly_async.sync._portal import Runner

__all__ = ["Datasource", "RawSamplesBatch", "RawSamplesPager"]

RawSamplesPager = Pager[DatasourceRawSamplesData, DatasourceRawSamplesDataRow]


class Datasource(Resource):
    """``dataset.datasource``: where the dataset's raw files live."""

    __slots__ = ()
    _aio: aio.Datasource

    def get(self, *, purpose: DatasourcePurpose | str | None = None) -> DatasourceConfig:
        """The datasource config (one of the ``DatasourceConfig*`` classes, by ``type``);
        ``purpose`` (the newest API) picks the datasource of that purpose."""
        return self._runner.call(self._aio.get, purpose=purpose)

    def update(self, config: DatasourceConfig) -> None:
        """Replace the datasource config."""
        self._runner.call(self._aio.update, config)

    def verify(self) -> DatasourceConfigVerifyData:
        """Check that Lightly can read, write and list the datasource."""
        return self._runner.call(self._aio.verify)

    def get_processed_until(self) -> int:
        """The processed-until bookmark, in seconds (0: never processed)."""
        return self._runner.call(self._aio.get_processed_until)

    def set_processed_until(self, timestamp: int) -> None:
        """Move the processed-until bookmark (seconds)."""
        self._runner.call(self._aio.set_processed_until, timestamp)

    def list_raw_samples(
        self,
        *,
        from_: int | None = None,
        to: int | None = None,
        cursor: str | None = None,
        use_redirected_read_url: bool | None = None,
        relevant_filenames_file_name: str | None = None,
    ) -> RawSamplesPager:
        """Raw files created between ``from_`` and ``to`` (seconds, inclusive), lazily:
        ``for row in ...`` yields rows, ``.pages()`` whole pages. Input is checked at once.
        The newest API also takes ``use_redirected_read_url`` and
        ``relevant_filenames_file_name`` (see the async method)."""
        return Pager(self._runner, self._aio.list_raw_samples(
            from_=from_, to=to, cursor=cursor, use_redirected_read_url=use_redirected_read_url,
            relevant_filenames_file_name=relevant_filenames_file_name), _raw_rows)

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


def _raw_rows(page: DatasourceRawSamplesData) -> builtins.list[DatasourceRawSamplesDataRow]:
    return page.data
