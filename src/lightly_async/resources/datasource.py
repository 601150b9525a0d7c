"""The dataset's datasource: config, verification, the processed-until bookmark, raw files."""

from __future__ import annotations

import base64
import binascii
import builtins
import errno
import json
import os
import posixpath
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio
import attrs

from lightly_async import _operations as op
from lightly_async import _transfer
from lightly_async import _validate as check
from lightly_async._concurrent import gather_first_error
from lightly_async._operation import Operation
from lightly_async._pager import Pager
from lightly_async._transfer import DEFAULT_TRANSFER_TIMEOUT, IfExists, TransferTimeout
from lightly_async.bulk import BulkResult, run_bulk
from lightly_async.errors import InvalidInputError, PermissionDeniedError
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
from lightly_async.progress import ProgressArg
from lightly_async.resources._base import DatasetResource

__all__ = ["Datasource", "RawSamplesBatch", "RawSamplesPager", "RawSamplesShard"]

RawSamplesPager = Pager[DatasourceRawSamplesData, DatasourceRawSamplesDataRow]
STEP_ROWS = 1000
"""A sharded listing's step reads each window's pages until this many rows (at least one
page), so a step joins at most about ``shards x max(STEP_ROWS, one page)`` rows."""

_SHARDED = "lightly-async-shards:"
"""How the cursor of a sharded listing starts (no cursor of the API does)."""


@attrs.frozen(kw_only=True)
class RawSamplesShard:
    """One time window of a raw-file listing (see ``Datasource.shards``): frozen and
    picklable, no secret inside. ``from_``/``to`` are seconds, both inclusive."""

    dataset_id: str
    index: int
    count: int
    from_: int
    to: int
    use_redirected_read_url: bool | None = None
    relevant_filenames_file_name: str | None = None


@attrs.frozen
class _ShardState:
    """Where each window of a sharded listing stands: ``None`` not started, a cursor, or
    ``""`` done."""

    shards: tuple[RawSamplesShard, ...]
    cursors: tuple[str | None, ...]

    @classmethod
    def start(cls, shards: builtins.list[RawSamplesShard]) -> _ShardState:
        return cls(tuple(shards), (None,) * len(shards))

    def active(self) -> builtins.list[int]:
        return [i for i, c in enumerate(self.cursors) if c != ""]

    def advance(self, pages: dict[int, builtins.list[DatasourceRawSamplesData]]
                ) -> DatasourceRawSamplesData:
        """The joined page (windows in order, each window's pages in order) and, as its
        cursor, the state after it."""
        cursors = list(self.cursors)
        rows: builtins.list[DatasourceRawSamplesDataRow] = []
        for i in sorted(pages):
            for page in pages[i]:
                rows.extend(page.data)
            last = pages[i][-1]
            cursors[i] = last.cursor if last.has_more else ""
        after = _ShardState(self.shards, tuple(cursors))
        return DatasourceRawSamplesData(has_more=bool(after.active()), cursor=after.encode(),
                                        data=rows)

    def encode(self) -> str:
        raw = json.dumps([[attrs.astuple(s), c] for s, c in zip(self.shards, self.cursors,
                                                                   strict=True)],
                         separators=(",", ":")).encode()
        return _SHARDED + base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, cursor: str, dataset_id: str) -> _ShardState:
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor[len(_SHARDED):].encode()))
            shards = tuple(RawSamplesShard(**dict(zip(_SHARD_FIELDS, s, strict=True)))
                           for s, _ in raw)
            cursors = tuple(c for _, c in raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise InvalidInputError("cursor", f"not a sharded listing's cursor: {exc}") from None
        if not shards or any(s.dataset_id != dataset_id for s in shards) or not all(
                c is None or isinstance(c, str) for c in cursors):
            raise InvalidInputError("cursor", "not a sharded listing's cursor of this dataset")
        return cls(shards, cursors)


_SHARD_FIELDS = tuple(f.name for f in attrs.fields(RawSamplesShard))

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
        shards: int | None = None,
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

        ``shards=N`` (N >= 1) lists faster where each page costs a round trip: ``[from_,
        to]`` (``from_`` default 0, ``to`` default now) is split into N time windows
        (:meth:`shards`) read at once: each step reads every unfinished window's next pages
        (one after another, about 1,000 rows or one page per window) concurrently. Each
        page the pager yields joins one step, window by window: the rows of one window come
        in its cursor order, the windows interleaved step by step (not the one-cursor
        order). Its ``cursor`` resumes the whole sharded listing when passed back as
        ``cursor=`` (without ``shards``; ``None``: list again as at first). Give ``from_``
        near the oldest file: the windows split the time evenly, not the files.
        """
        if shards is not None:
            if cursor is not None:
                raise InvalidInputError("shards", "cannot be combined with cursor= (a sharded "
                                                  "listing's cursor resumes it by itself)")
            parts = self.shards(shards, from_=from_, to=to,
                                use_redirected_read_url=use_redirected_read_url,
                                relevant_filenames_file_name=relevant_filenames_file_name)
            return self._sharded(parts, None)
        if isinstance(cursor, str) and cursor.startswith(_SHARDED):
            return self._sharded(None, cursor)
        params, sticky = self._listing_params(from_, to, cursor, use_redirected_read_url,
                                              relevant_filenames_file_name)

        async def fetch(next_cursor: str | None) -> DatasourceRawSamplesData:
            query = params if next_cursor is None else {"cursor": next_cursor, **sticky}
            return await self._call(op.GET_LIST_OF_RAW_SAMPLES_FROM_DATASOURCE_BY_DATASET_ID,
                                    cast=DatasourceRawSamplesData, params=query)

        return Pager(fetch, _rows, start_cursor=cursor)

    def shards(
        self,
        n: int,
        *,
        from_: int | None = None,
        to: int | None = None,
        use_redirected_read_url: bool | None = None,
        relevant_filenames_file_name: str | None = None,
    ) -> builtins.list[RawSamplesShard]:
        """``[from_, to]`` (seconds, inclusive; ``from_`` default 0, ``to`` default now) split
        into ``n`` time windows for :meth:`list_shard`, e.g. one per worker process.

        The windows are consecutive whole seconds, each ``[from_, to]`` inclusive as the API
        reads them, so every file is in exactly one window (none overlap, none is skipped at
        a boundary). Fewer than ``n`` come back when the span has fewer than ``n`` seconds.
        A :class:`RawSamplesShard` is frozen and picklable (no secret inside): hand it to
        another process and list it there with a session of its own.
        """
        count = check.positive_int("n", n)
        start = 0 if from_ is None else check.timestamp("from_", from_)
        end = int(time.time()) if to is None else check.timestamp("to", to)
        if start > end:
            raise InvalidInputError("from_", f"must be <= to, got from_={start} > to={end}")
        self._listing_params(start, end, None, use_redirected_read_url,
                             relevant_filenames_file_name)  # the options, checked once here
        span = end - start + 1
        count = min(count, span)
        bounds = [start + (span * i) // count for i in range(count + 1)]
        return [RawSamplesShard(dataset_id=self._dataset_id, index=i, count=count,
                                from_=bounds[i], to=bounds[i + 1] - 1,
                                use_redirected_read_url=use_redirected_read_url,
                                relevant_filenames_file_name=relevant_filenames_file_name)
                for i in range(count)]

    def list_shard(self, shard: RawSamplesShard) -> RawSamplesPager:
        """The raw files of one window of :meth:`shards`: the same pager as
        :meth:`list_raw_samples` over ``[shard.from_, shard.to]`` with the shard's options."""
        if not isinstance(shard, RawSamplesShard):
            raise InvalidInputError("shard", f"must be a RawSamplesShard, got {shard!r}")
        if shard.dataset_id != self._dataset_id:
            raise InvalidInputError("shard", f"belongs to dataset {shard.dataset_id}, not "
                                             f"{self._dataset_id}")
        return self.list_raw_samples(
            from_=shard.from_, to=shard.to, use_redirected_read_url=shard.use_redirected_read_url,
            relevant_filenames_file_name=shard.relevant_filenames_file_name)

    def _listing_params(
        self, from_: int | None, to: int | None, cursor: str | None,
        use_redirected_read_url: bool | None, relevant_filenames_file_name: str | None,
    ) -> tuple[dict[str, object], dict[str, object]]:
        """(the first request's query, the query every page repeats), checked."""
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
        return params, sticky

    def _sharded(self, parts: builtins.list[RawSamplesShard] | None, resume: str | None
                 ) -> RawSamplesPager:
        """A pager over several windows at once; its cursors carry every window's state,
        so it needs no task between pages and resumes from any of its cursors."""
        if parts is not None:
            first = _ShardState.start(parts)
        else:
            assert resume is not None
            first = _ShardState.decode(resume, self._dataset_id)
        for shard in first.shards:
            self._listing_params(shard.from_, shard.to, None, shard.use_redirected_read_url,
                                 shard.relevant_filenames_file_name)

        async def fetch(next_cursor: str | None) -> DatasourceRawSamplesData:
            state = first if next_cursor is None else _ShardState.decode(
                next_cursor, self._dataset_id)
            pages: dict[int, builtins.list[DatasourceRawSamplesData]] = {}

            async def one(i: int) -> None:
                # this window's pages, one after another, until STEP_ROWS rows (at least one
                # page): the windows drift apart within a step, so the server's work on them
                # spreads out instead of arriving all at once
                shard, position = state.shards[i], state.cursors[i]
                pager = (self.list_shard(shard) if position is None
                         else self.list_raw_samples(
                             cursor=position,
                             use_redirected_read_url=shard.use_redirected_read_url,
                             relevant_filenames_file_name=shard.relevant_filenames_file_name))
                got, rows = pages.setdefault(i, []), 0
                async for page in pager.pages():
                    got.append(page)
                    rows += len(page.data)
                    if rows >= STEP_ROWS:
                        break

            await gather_first_error([partial(one, i) for i in state.active()])
            return state.advance(pages)

        return Pager(fetch, _rows, start_cursor=resume)

    # -- Lightly's own files in the datasource (.lightly/) ---------------------------------
    def list_predictions(
        self,
        task_name: str,
        from_: int | None = None,
        to: int | None = None,
        *,
        cursor: str | None = None,
        use_redirected_read_url: bool | None = None,
        relevant_filenames_file_name: str | None = None,
    ) -> RawSamplesPager:
        """The prediction files of task ``task_name`` in the datasource
        (``.lightly/predictions/<task_name>/``) created between ``from_`` and ``to`` (seconds,
        inclusive): a pager like :meth:`list_raw_samples` (rows: ``file_name``, the path from
        the datasource's root, and ``read_url``). ``relevant_filenames_file_name`` limits it
        to the predictions of the files that file lists. lightly 1.5.20:
        ``download_raw_predictions(_iter)``.
        """
        if not isinstance(task_name, str) or not task_name or "/" in task_name:
            raise InvalidInputError("task_name", f"must be a task name (no '/'), got "
                                                 f"{task_name!r}")
        operation = op.GET_LIST_OF_RAW_SAMPLES_PREDICTIONS_FROM_DATASOURCE_BY_DATASET_ID
        return self._file_listing(operation, {"taskName": task_name}, from_, to, cursor,
                                  use_redirected_read_url, relevant_filenames_file_name)

    def list_metadata(
        self,
        from_: int | None = None,
        to: int | None = None,
        *,
        cursor: str | None = None,
        use_redirected_read_url: bool | None = None,
        relevant_filenames_file_name: str | None = None,
    ) -> RawSamplesPager:
        """The metadata files in the datasource (``.lightly/metadata/``) created between
        ``from_`` and ``to`` (seconds, inclusive): a pager like :meth:`list_predictions`.
        lightly 1.5.20: ``download_raw_metadata(_iter)``."""
        return self._file_listing(op.GET_LIST_OF_RAW_SAMPLES_METADATA_FROM_DATASOURCE_BY_DATASET_ID,
                                  {}, from_, to, cursor, use_redirected_read_url,
                                  relevant_filenames_file_name)

    def _file_listing(
        self, operation: Operation, fixed: dict[str, object], from_: int | None, to: int | None,
        cursor: str | None, use_redirected_read_url: bool | None,
        relevant_filenames_file_name: str | None,
    ) -> RawSamplesPager:
        params, sticky = self._listing_params(from_, to, cursor, use_redirected_read_url,
                                              relevant_filenames_file_name)
        sticky = {**fixed, **sticky}

        async def fetch(next_cursor: str | None) -> DatasourceRawSamplesData:
            query = ({**fixed, **params} if next_cursor is None
                     else {"cursor": next_cursor, **sticky})
            return await self._call(operation, cast=DatasourceRawSamplesData, params=query)

        return Pager(fetch, _rows, start_cursor=cursor)

    async def prediction_read_url(self, file_name: str) -> str:
        """A signed read URL of ``.lightly/predictions/<file_name>`` (a URL comes back
        whether or not the file exists). lightly 1.5.20: ``get_prediction_read_url``."""
        return await self._file_url(
            op.GET_PREDICTION_FILE_READ_URL_FROM_DATASOURCE_BY_DATASET_ID, file_name, 4)

    async def metadata_read_url(self, file_name: str) -> str:
        """A signed read URL of ``.lightly/metadata/<file_name>`` (a URL comes back whether
        or not the file exists). lightly 1.5.20: ``get_metadata_read_url``."""
        return await self._file_url(
            op.GET_METADATA_FILE_READ_URL_FROM_DATASOURCE_BY_DATASET_ID, file_name, 5)

    async def embedding_read_url(self, file_name: str) -> str:
        """A signed read URL of ``.lightly/embeddings/<file_name>`` (a custom embedding CSV;
        a URL comes back whether or not the file exists). lightly 1.5.20:
        ``get_custom_embedding_read_url``."""
        return await self._file_url(
            op.GET_CUSTOM_EMBEDDING_FILE_READ_URL_FROM_DATASOURCE_BY_DATASET_ID, file_name, 4)

    async def _file_url(self, operation: Operation, file_name: str, min_length: int) -> str:
        if not isinstance(file_name, str) or len(file_name) < min_length:
            raise InvalidInputError("file_name", f"must be a file name of {min_length} "
                                                 f"characters or more, got {file_name!r}")
        url: str = await self._call(operation, cast=str, params={"fileName": file_name})
        return url

    async def list_all(self) -> builtins.list[DatasourceConfig]:
        """Every datasource of the dataset (one per purpose), each a ``DatasourceConfig*``."""
        configs: builtins.list[DatasourceConfig] = await self._call(
            op.GET_DATASOURCES_BY_DATASET_ID, cast=builtins.list[DatasourceConfig])
        return configs

    async def download_predictions(
        self,
        task_name: str,
        dest_dir: str | os.PathLike[str],
        *,
        from_: int | None = None,
        to: int | None = None,
        relevant_filenames_file_name: str | None = None,
        if_exists: IfExists = "error",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
        max_file_size: int | None = None,
    ) -> BulkResult[str, Path]:
        """Download task ``task_name``'s prediction files into ``dest_dir``, keeping their
        paths below ``.lightly/predictions/`` (``<dest_dir>/<task_name>/<file>.json``).

        Lists them (:meth:`list_predictions`), then streams each as ``samples.download``
        does: a file appears only once complete, an existing one is never replaced unasked
        (``if_exists``), ``max_file_size`` bounds each. The result is keyed by the listed
        ``file_name``; a name that would land outside ``dest_dir`` (``..``, an absolute
        path) fails that item with :class:`InvalidInputError`, writing nothing. A read URL
        that expired on the way is asked for again once.
        """
        listing = self.list_predictions(task_name, from_, to,
                                        relevant_filenames_file_name=relevant_filenames_file_name)
        return await self._download_files(
            listing, ".lightly/predictions/", self.prediction_read_url, dest_dir,
            if_exists=if_exists, concurrency=concurrency, fail_fast=fail_fast,
            progress=progress, transfer_timeout=transfer_timeout, max_file_size=max_file_size)

    async def download_metadata(
        self,
        dest_dir: str | os.PathLike[str],
        *,
        from_: int | None = None,
        to: int | None = None,
        relevant_filenames_file_name: str | None = None,
        if_exists: IfExists = "error",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
        max_file_size: int | None = None,
    ) -> BulkResult[str, Path]:
        """Download the metadata files into ``dest_dir``, keeping their paths below
        ``.lightly/metadata/``; otherwise as :meth:`download_predictions`."""
        listing = self.list_metadata(from_, to,
                                     relevant_filenames_file_name=relevant_filenames_file_name)
        return await self._download_files(
            listing, ".lightly/metadata/", self.metadata_read_url, dest_dir,
            if_exists=if_exists, concurrency=concurrency, fail_fast=fail_fast,
            progress=progress, transfer_timeout=transfer_timeout, max_file_size=max_file_size)

    async def _download_files(
        self, listing: RawSamplesPager, folder: str, fresh_url: Callable[[str], Awaitable[str]],
        dest_dir: str | os.PathLike[str],
        *, if_exists: IfExists, concurrency: int | None, fail_fast: bool, progress: ProgressArg,
        transfer_timeout: TransferTimeout, max_file_size: int | None,
    ) -> BulkResult[str, Path]:
        if if_exists not in _transfer.IF_EXISTS_CHOICES:
            raise InvalidInputError("if_exists", f"must be one of "
                                    f"{', '.join(_transfer.IF_EXISTS_CHOICES)}, got {if_exists!r}")
        if not isinstance(transfer_timeout, TransferTimeout):
            raise InvalidInputError("transfer_timeout", f"must be a TransferTimeout, got "
                                                        f"{transfer_timeout!r}")
        if max_file_size is not None and (isinstance(max_file_size, bool) or not isinstance(
                max_file_size, int) or max_file_size < 0):
            raise InvalidInputError("max_file_size", f"must be a number of bytes >= 0 or None, "
                                                     f"got {max_file_size!r}")
        directory = Path(dest_dir)
        if not await anyio.Path(directory).is_dir():
            raise InvalidInputError("dest_dir", f"{directory} is not an existing directory")
        rows = [row async for row in listing]
        await anyio.to_thread.run_sync(_transfer.remove_stale_partials, directory)
        seen: set[str] = set()
        jobs = []
        skipped: builtins.list[str] = []
        for row in rows:
            if row.file_name in seen:  # listed twice: one download
                continue
            seen.add(row.file_name)
            relative = (row.file_name[len(folder):] if row.file_name.startswith(folder)
                        else row.file_name)
            if (if_exists == "skip" and _safe_relative(relative) is not None
                    and await anyio.to_thread.run_sync(os.path.lexists, directory / relative)):
                skipped.append(row.file_name)
                continue
            jobs.append((row.file_name, partial(
                self._download_file, row.read_url, relative, folder, fresh_url, directory,
                if_exists=if_exists, transfer_timeout=transfer_timeout,
                max_size=max_file_size)))
        result = await run_bulk(self._session, jobs, concurrency=concurrency,
                                fail_fast=fail_fast, progress=progress, description="downloads")
        result.skipped.extend(skipped)
        return result

    async def _download_file(
        self, url: str, relative: str, folder: str, fresh_url: Callable[[str], Awaitable[str]],
        directory: Path, *,
        if_exists: IfExists, transfer_timeout: TransferTimeout, max_size: int | None,
    ) -> Path:
        parts = _safe_relative(relative)
        if parts is None:
            raise InvalidInputError("file_name", f"{relative!r} would be written outside "
                                                 f"the destination directory")
        dest = await anyio.to_thread.run_sync(_prepare, directory, parts)
        if if_exists == "error" and await anyio.to_thread.run_sync(os.path.lexists, dest):
            raise FileExistsError(errno.EEXIST, "destination exists (if_exists='error')",
                                  str(dest))
        download = partial(self._download_from, dest=dest, if_exists=if_exists,
                           transfer_timeout=transfer_timeout, max_size=max_size)
        try:
            await download(url)
        except PermissionDeniedError:
            # Signed URLs expire; a fresh one is worth exactly one more try.
            await download(await fresh_url(relative))
        return dest

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


def _safe_relative(relative: str) -> builtins.list[str] | None:
    """The path's parts if it stays below the destination (no absolute path, no ``..``, no
    ``.``, no empty part, no backslash, no NUL), else None."""
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    parts = relative.split("/")
    if any(p in ("", ".", "..") for p in parts) or posixpath.isabs(relative):
        return None
    if os.altsep and any(os.altsep in p for p in parts):
        return None
    return parts


def _prepare(directory: Path, parts: builtins.list[str]) -> Path:
    """``directory/parts...`` with its parent folders made; refuses a parent that resolves
    outside ``directory`` (a symlinked folder)."""
    dest = directory.joinpath(*parts)
    dest.parent.mkdir(parents=True, exist_ok=True)
    root = os.path.realpath(directory)
    parent = os.path.realpath(dest.parent)
    if os.path.commonpath([root, parent]) != root:
        raise InvalidInputError("file_name", f"{'/'.join(parts)!r} would be written outside "
                                             f"the destination directory")
    return dest


def _rows(page: DatasourceRawSamplesData) -> list[DatasourceRawSamplesDataRow]:
    return page.data
