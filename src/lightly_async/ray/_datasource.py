"""A Ray Data datasource listing a dataset's raw files, one read task per shard."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import anyio
import pyarrow as pa
import ray.data
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from lightly_async import _validate as check
from lightly_async._session import LightlySession
from lightly_async.ray._runner import SessionRunner

if TYPE_CHECKING:
    from lightly_async import SessionConfig
    from lightly_async.resources.datasource import RawSamplesShard

__all__ = ["RAW_SAMPLES_SCHEMA", "RawSamplesDatasource", "read_raw_samples"]

RAW_SAMPLES_SCHEMA = pa.schema([("file_name", pa.string()), ("read_url", pa.string())])
"""The rows of a raw-file listing: the file's name and a signed URL to read it."""


def read_raw_samples(config: SessionConfig, dataset_id: str, *, shards: int,
                     from_: int | None = None, to: int | None = None,
                     **read_options: Any) -> ray.data.Dataset:
    """A Ray Dataset of the raw files of a dataset's datasource, listed in ``shards`` parts.

    The driver splits ``[from_, to]`` (seconds, inclusive; default 0 to now) into
    ``shards`` time windows (``ds.datasource.shards``, no request); each read task then lists
    one shard with its own session from
    ``config``, a page at a time (one block per page), so the listing runs ``shards`` ways
    at once. Rows have ``file_name`` and ``read_url`` (a signed URL: a credential while it
    lasts). ``read_options`` go to ``ray.data.read_datasource`` (``concurrency=`` ...).
    """
    source = RawSamplesDatasource.from_config(config, dataset_id, shards=shards, from_=from_,
                                              to=to)
    dataset: ray.data.Dataset = ray.data.read_datasource(source, **read_options)
    return dataset


class RawSamplesDatasource(Datasource):
    """The datasource behind :func:`read_raw_samples`: picklable shard specs and a config.

    Build it with :meth:`from_config` (which fetches the shards) or from shards made
    elsewhere (``ds.datasource.shards(...)``); ``get_read_tasks`` returns one task per
    shard whatever parallelism Ray asks for.
    """

    def __init__(self, config: SessionConfig, shards: Sequence[RawSamplesShard]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.config = config
        self.shards = list(shards)

    @classmethod
    def from_config(cls, config: SessionConfig, dataset_id: str, *, shards: int,
                    from_: int | None = None, to: int | None = None) -> RawSamplesDatasource:
        """Split ``[from_, to]`` into the shard specs (``ds.datasource.shards``, no request)."""
        dataset_id = check.object_id("dataset_id", dataset_id)
        count = check.positive_int("shards", shards)

        async def split() -> list[RawSamplesShard]:
            async with LightlySession.from_config(config) as session:
                return session.dataset(dataset_id).datasource.shards(count, from_=from_, to=to)

        return cls(config, anyio.run(split))

    def get_name(self) -> str:
        """The name of the read tasks in Ray's progress and stats."""
        return "LightlyRawSamples"

    def estimate_inmemory_data_size(self) -> int | None:
        """Unknown until listed."""
        return None

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                       data_context: Any = None) -> list[ReadTask]:
        """One read task per shard (``parallelism`` is not a reason to split a cursor)."""
        return [
            ReadTask(_read_shard(self.config, shard),
                     BlockMetadata(num_rows=None, size_bytes=None, input_files=None,
                                   exec_stats=None),
                     schema=RAW_SAMPLES_SCHEMA, per_task_row_limit=per_task_row_limit)
            for shard in self.shards
        ]


class _read_shard:
    """The read function of one shard: its pages as Arrow tables."""

    def __init__(self, config: SessionConfig, shard: RawSamplesShard) -> None:
        self.config = config
        self.shard = shard

    def __call__(self) -> Iterator[pa.Table]:
        runner = SessionRunner(self.config)
        try:
            pager = runner.session.dataset(self.shard.dataset_id).datasource.list_shard(
                self.shard)
            listed = 0
            for page in runner.iterate(pager.pages().__aiter__()):
                if page.data:
                    listed += len(page.data)
                    yield pa.table({"file_name": [r.file_name for r in page.data],
                                    "read_url": [r.read_url for r in page.data]},
                                   schema=RAW_SAMPLES_SCHEMA)
            if not listed:
                yield RAW_SAMPLES_SCHEMA.empty_table()
        finally:
            runner.close()
