"""The dataset's datasource: config, verification, the processed-until bookmark, raw files."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import attrs

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._pager import Pager
from lightly_async.errors import InvalidInputError
from lightly_async.models.datasources import (
    DatasourceConfig,
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLIGHTLY,
    DatasourceConfigLOCAL,
    DatasourceConfigOBS,
    DatasourceConfigS3,
    DatasourceConfigS3DelegatedAccess,
    DatasourceConfigUnknown,
    DatasourceConfigVerifyData,
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    DatasourcePurpose,
    DatasourceRawSamplesData,
    DatasourceRawSamplesDataRow,
    S3Region,
)
from lightly_async.resources._base import DatasetResource

__all__ = ["Datasource", "RawSamplesBatch", "RawSamplesPager"]

RawSamplesPager = Pager[DatasourceRawSamplesData, DatasourceRawSamplesDataRow]
_CONFIG_TYPES = (DatasourceConfigS3, DatasourceConfigGCS, DatasourceConfigAzure,
                 DatasourceConfigLOCAL, DatasourceConfigLIGHTLY, DatasourceConfigS3DelegatedAccess,
                 DatasourceConfigOBS, DatasourceConfigUnknown)


class Datasource(DatasetResource):
    """``dataset.datasource``: where the dataset's raw files live."""

    __slots__ = ()

    async def get(self, *, purpose: DatasourcePurpose | str | None = None) -> DatasourceConfig:
        """The datasource config (one of the ``DatasourceConfig*`` classes, by ``type``).

        ``purpose`` (the newest API) picks the datasource of that purpose (``INPUT``,
        ``LIGHTLY``, ``INPUT_OUTPUT``: the server's default).
        """
        params = None
        if purpose is not None:
            self._newest_only("purpose")
            params = {"purpose": check.enum_value("purpose", purpose, DatasourcePurpose)}
        config: DatasourceConfig = await self._call(
            op.GET_DATASOURCE_BY_DATASET_ID, cast=DatasourceConfig, params=params)
        return config

    def _newest_only(self, field: str) -> None:
        if self._session.api == "seed":
            raise InvalidInputError(field, 'not in the seed API (api="seed")')

    async def update(self, config: DatasourceConfig) -> None:
        """Replace the datasource config."""
        _check_config(config)
        await self._call(op.UPDATE_DATASOURCE_BY_DATASET_ID,
                         json_body=self._dump(config, DatasourceConfig))

    async def verify(self) -> DatasourceConfigVerifyData:
        """Check that Lightly can read, write and list the datasource."""
        return await self._call(op.VERIFY_DATASOURCE_BY_DATASET_ID,
                                cast=DatasourceConfigVerifyData)

    async def get_processed_until(self) -> int:
        """The processed-until bookmark, in seconds (0: never processed)."""
        answer = await self._call(op.GET_DATASOURCE_PROCESSED_UNTIL_TIMESTAMP_BY_DATASET_ID,
                                  cast=DatasourceProcessedUntilTimestampResponse)
        return answer.processed_until_timestamp

    async def set_processed_until(self, timestamp: int) -> None:
        """Move the processed-until bookmark (seconds)."""
        body = DatasourceProcessedUntilTimestampRequest(
            processed_until_timestamp=check.timestamp("timestamp", timestamp))
        await self._call(op.UPDATE_DATASOURCE_PROCESSED_UNTIL_TIMESTAMP_BY_DATASET_ID,
                         json_body=self._dump(body))

    def list_raw_samples(
        self,
        *,
        from_: int | None = None,
        to: int | None = None,
        cursor: str | None = None,
        use_redirected_read_url: bool | None = None,
        relevant_filenames_file_name: str | None = None,
    ) -> RawSamplesPager:
        """Raw files created between ``from_`` and ``to`` (seconds, inclusive), lazily.

        ``async for row in ...`` yields rows; ``.pages()`` yields whole pages. The first
        request sends ``from``/``to`` (or ``cursor`` to resume); later ones only the cursor.
        The newest API also takes ``use_redirected_read_url`` (read URLs that redirect,
        without expiry) and ``relevant_filenames_file_name`` (a file in the datasource
        listing the file names to list, one per line); both are sent with every page.
        After a failure, the pager's ``cursor`` is where to resume without losing a row::

            pager = ds.datasource.list_raw_samples(from_=start)
            try:
                async for row in pager:
                    await process(row)
            except la.APIError:
                pager = ds.datasource.list_raw_samples(cursor=pager.cursor)  # if not None
        """
        params: dict[str, object] = {}
        if from_ is not None:
            params["from"] = check.timestamp("from_", from_)
        if to is not None:
            params["to"] = check.timestamp("to", to)
        if from_ is not None and to is not None and from_ > to:
            raise InvalidInputError("from_", f"must be <= to, got from_={from_} > to={to}")
        if cursor is not None:
            if not isinstance(cursor, str) or not cursor:
                raise InvalidInputError("cursor", f"must be a non-empty string, got {cursor!r}")
            params = {"cursor": cursor}
        sticky: dict[str, object] = {}
        if use_redirected_read_url is not None:
            self._newest_only("use_redirected_read_url")
            if not isinstance(use_redirected_read_url, bool):
                raise InvalidInputError("use_redirected_read_url",
                                        f"must be a bool, got {use_redirected_read_url!r}")
            sticky["useRedirectedReadUrl"] = use_redirected_read_url
        if relevant_filenames_file_name is not None:
            self._newest_only("relevant_filenames_file_name")
            if (not isinstance(relevant_filenames_file_name, str)
                    or len(relevant_filenames_file_name) < 4):
                raise InvalidInputError("relevant_filenames_file_name", f"must be a file name "
                                        f"of 4 characters or more, got "
                                        f"{relevant_filenames_file_name!r}")
            sticky["relevantFilenamesFileName"] = relevant_filenames_file_name
        params.update(sticky)

        async def fetch(next_cursor: str | None) -> DatasourceRawSamplesData:
            query = params if next_cursor is None else {"cursor": next_cursor, **sticky}
            return await self._call(op.GET_LIST_OF_RAW_SAMPLES_FROM_DATASOURCE_BY_DATASET_ID,
                                    cast=DatasourceRawSamplesData, params=query)

        return Pager(fetch, _rows, start_cursor=cursor)

    @asynccontextmanager
    async def new_raw_samples(self) -> AsyncIterator[RawSamplesBatch]:
        """Process raw files incrementally, losing nothing and repeating nothing.

        Reads the processed-until bookmark, lists files from bookmark+1 up to the moment the
        batch started, and moves the bookmark there only when the block exits without an
        exception *and* the listing was read to its end::

            async with ds.datasource.new_raw_samples() as batch:
                async for row in batch:
                    await process(row)
        """
        bookmark = await self.get_processed_until()
        # Up to the last *complete* second: a file created later in the current second
        # belongs to the next batch, not to a gap between two batches.
        to = int(time.time()) - 1
        from_ = bookmark + 1 if bookmark else None
        if from_ is not None and from_ > to:  # nothing new yet (or a clock ahead of ours)
            batch = RawSamplesBatch(None, from_, to)
        else:
            batch = RawSamplesBatch(self.list_raw_samples(from_=from_, to=to), from_, to)
        yield batch
        if batch.exhausted and to > bookmark:
            await self.set_processed_until(to)


class RawSamplesBatch:
    """The raw files new since the last processed batch; see ``new_raw_samples``."""

    def __init__(self, pager: RawSamplesPager | None, from_: int | None, to: int) -> None:
        self._pager = pager
        self.from_ = from_
        self.to = to
        self.rows_seen = 0
        self.exhausted = False

    def __aiter__(self) -> AsyncIterator[DatasourceRawSamplesDataRow]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[DatasourceRawSamplesDataRow]:
        if self._pager is not None:
            async for page in self._pager.pages():
                for row in page.data:
                    self.rows_seen += 1
                    yield row
        self.exhausted = True

    def __repr__(self) -> str:
        return f"<RawSamplesBatch from={self.from_} to={self.to} rows_seen={self.rows_seen}>"


def _check_config(config: object) -> None:
    if not isinstance(config, _CONFIG_TYPES):
        raise InvalidInputError(
            "config", f"must be one of the DatasourceConfig classes, got {config!r}")
    if isinstance(config, DatasourceConfigUnknown):
        if not isinstance(config.raw, dict) or config.raw.get("type") != config.type:
            raise InvalidInputError("config.raw", "must be the object received, with its type")
        return  # a type this client does not know: sent back exactly as received
    # `type` is the union's tag: a mismatch would send one variant's fields as another.
    expected = attrs.fields_dict(type(config))["type"].default
    if config.type != expected:
        raise InvalidInputError(
            "config.type", f"must be {expected!r} for {type(config).__name__}, "
            f"got {config.type!r}")
    if isinstance(config, DatasourceConfigS3 | DatasourceConfigS3DelegatedAccess):
        check.enum_value("config.s3_region", config.s3_region, S3Region)


def _rows(page: DatasourceRawSamplesData) -> list[DatasourceRawSamplesDataRow]:
    return page.data
