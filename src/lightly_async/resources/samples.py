"""Samples: get, list, update and the signed image URLs.

The newest API (``api="latest"``, the default) serves them under
``/v1/datasets/{id}/samples``, the seed era under ``/users/datasets/{id}/samples``; the two
differ in a few parameters and shapes, noted on each method.
"""

from __future__ import annotations

import builtins
import errno
import os
from collections.abc import AsyncIterable, Awaitable, Callable, Collection, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio

from lightly_async import _operations as op
from lightly_async import _transfer
from lightly_async import _validate as check
from lightly_async._session import NOT_GIVEN, NotGiven
from lightly_async._transfer import DEFAULT_TRANSFER_TIMEOUT, IfExists, TransferTimeout
from lightly_async.bulk import SKIPPED, BulkResult, OnResult, map_items, run_bulk
from lightly_async.errors import DecodeError, InvalidInputError, PermissionDeniedError
from lightly_async.models.samples import (
    ImageUrlType,
    InlineObject,
    InlineResponse200,
    SampleData,
    SampleListMode,
    SampleSortBy,
    SampleUpdateRequest,
)
from lightly_async.progress import ProgressArg
from lightly_async.resources._base import DatasetResource

__all__ = ["Samples"]

T = TypeVar("T")


ImageSource = str | os.PathLike[str] | tuple[str, bytes] | bytes
"""A file path, a ``(file_name, bytes)`` pair, or (for thumbnails) bare bytes."""

ImageItems = (Mapping[str, ImageSource] | Iterable[tuple[str, ImageSource]]
              | AsyncIterable[tuple[str, ImageSource]])
"""``upload_images``' input: a mapping, or an (async) iterable of ``(sample_id, source)``."""

DownloadItems = (Iterable[str] | Mapping[str, str] | Iterable[tuple[str, str]]
                 | AsyncIterable[str] | AsyncIterable[tuple[str, str]])
"""``download``'s input: ids, a mapping of id to file name, or an (async) iterable of ids or
``(sample_id, file_name)`` pairs."""


class Samples(DatasetResource):
    """``dataset.samples``: the dataset's samples (``/v1/datasets/{id}/samples``; with
    ``api="seed"``, ``/users/datasets/{id}/samples``)."""

    __slots__ = ()

    @property
    def _seed(self) -> bool:
        return self._session.api == "seed"

    async def get(self, sample_id: str) -> SampleData:
        """One sample."""
        sample_id = check.object_id("sample_id", sample_id)
        return await self._call(op.GET_SAMPLE_BY_ID, cast=SampleData, sampleId=sample_id)

    async def list(
        self,
        *,
        mode: SampleListMode | str = SampleListMode.FULL,
        filename: str | None = None,
        sort_by: SampleSortBy | str | None = None,
        page_size: int | None = None,
        page_offset: int | None = None,
    ) -> builtins.list[SampleData]:
        """Every sample; ``mode="ids"`` fills only ``id`` (``"fileNames"``: ``id`` and
        ``file_name``); ``filename`` filters by name.

        The newest API also takes ``sort_by`` (``"_id"`` or ``"index"``, full mode only) and
        pages: with ``page_size`` the samples are fetched that many at a time, from
        ``page_offset`` (default 0), following the pages to the end. Left out, one request
        answers every sample. The seed era's API has none of these nor ``"fileNames"``.
        """
        mode = check.enum_value("mode", mode, SampleListMode)
        if filename is not None and not isinstance(filename, str):
            raise InvalidInputError("filename", f"must be a string, got {filename!r}")
        order = None if sort_by is None else check.enum_value("sort_by", sort_by, SampleSortBy)
        size = None if page_size is None else check.positive_int("page_size", page_size)
        offset = 0 if page_offset is None else check.non_negative_int("page_offset", page_offset)
        if self._seed:
            newest = {"sort_by": sort_by, "page_size": page_size, "page_offset": page_offset}
            for name, value in newest.items():
                if value is not None:
                    raise InvalidInputError(name, 'not in the seed API (api="seed")')
            if mode is SampleListMode.FILE_NAMES:
                raise InvalidInputError("mode", '"fileNames" is not in the seed API '
                                                '(api="seed")')
            return await self._call(op.GET_SAMPLES_BY_DATASET_ID, cast=builtins.list[SampleData],
                                    params={"mode": mode.value, "filename": filename})
        if order is not None and mode is not SampleListMode.FULL:
            raise InvalidInputError("sort_by", f"sorts full samples only, not mode={mode.value!r}")
        # mode=full is the plain listing; the other modes are the partial one
        listing = (op.GET_SAMPLES_BY_DATASET_ID if mode is SampleListMode.FULL
                   else op.GET_SAMPLES_PARTIAL_BY_DATASET_ID)
        params = {"mode": None if mode is SampleListMode.FULL else mode.value,
                  "fileName": filename, "sortBy": order}

        async def page(at: int | None) -> builtins.list[SampleData]:
            return await self._call(listing, cast=builtins.list[SampleData],
                                    params={**params, "pageSize": size, "pageOffset": at})

        if size is None:
            return await page(page_offset)
        rows: builtins.list[SampleData] = []
        while True:
            got = await page(offset)
            rows.extend(got)
            if len(got) < size:
                return rows
            offset += len(got)

    async def update(
        self, sample_id: str, sample: SampleData | SampleUpdateRequest
    ) -> SampleData:
        """Update a sample; returns the sample as stored.

        The newest API sets the fields of a :class:`SampleUpdateRequest` (from a
        ``SampleData``: its ``file_name``, ``thumb_name``, ``exif``, ``meta_data`` and
        ``custom_meta_data``) and answers nothing, so the stored sample is read back with a
        second request. The seed era's API takes a ``SampleData`` and answers it.
        """
        sample_id = check.object_id("sample_id", sample_id)
        if isinstance(sample, SampleData):
            check.object_id("sample.id", sample.id)
            if sample.id != sample_id:
                raise InvalidInputError("sample.id", f"{sample.id} is not the sample_id "
                                                     f"{sample_id}")
        elif not isinstance(sample, SampleUpdateRequest) or self._seed:
            wanted = "a SampleData" if self._seed else "a SampleData or SampleUpdateRequest"
            raise InvalidInputError("sample", f"must be {wanted}, got {sample!r:.80}")
        if isinstance(sample, SampleData) and self._seed:
            body = self._dump(InlineObject(sample=sample))
            body["sample"]["_id"] = body["sample"].pop("id")  # the seed era's key
            return await self._call(op.UPDATE_SAMPLE_BY_ID, cast=SampleData, json_body=body,
                                    sampleId=sample_id)
        if isinstance(sample, SampleData):
            sample = SampleUpdateRequest(
                file_name=sample.file_name, thumb_name=sample.thumb_name, exif=sample.exif,
                meta_data=sample.meta_data, custom_meta_data=sample.custom_meta_data)
        await self._call(op.UPDATE_SAMPLE_BY_ID, json_body=self._dump(sample), sampleId=sample_id)
        return await self.get(sample_id)

    async def read_url(self, sample_id: str, *, type: ImageUrlType | str = "full") -> str:
        """A signed URL to read the full image or its thumbnail."""
        sample_id = check.object_id("sample_id", sample_id)
        kind = check.enum_value("type", type, ImageUrlType)
        return await self._call(op.GET_SAMPLE_IMAGE_READ_URL_BY_ID, cast=str,
                                params={"type": kind.value}, sampleId=sample_id)

    async def write_url(
        self, sample_id: str, file_name: str | None = None, *, thumbnail: bool | None = None
    ) -> str:
        """A signed URL to PUT the image (or ``<stem>_thumb.webp`` thumbnail) to.

        The newest API signs the sample's own file name, or its thumbnail's with
        ``thumbnail=True``; a ``file_name`` given there only decides ``thumbnail`` when it
        is not given (a ``_thumb.webp`` name is a thumbnail). The seed era's API signs
        ``file_name``, which it requires.
        """
        sample_id = check.object_id("sample_id", sample_id)
        if file_name is not None and (not isinstance(file_name, str) or not file_name):
            raise InvalidInputError("file_name", f"must be a non-empty string, got "
                                                 f"{file_name!r}")
        if thumbnail is not None and not isinstance(thumbnail, bool):
            raise InvalidInputError("thumbnail", f"must be a bool, got {thumbnail!r}")
        if not self._seed:
            if thumbnail is None:
                thumbnail = file_name is not None and file_name.endswith(THUMBNAIL_SUFFIX)
            return await self._call(op.GET_SAMPLE_IMAGE_WRITE_URL_BY_ID, cast=str,
                                    params={"isThumbnail": thumbnail}, sampleId=sample_id)
        if file_name is None:
            raise InvalidInputError("file_name", 'is required by the seed API (api="seed")')
        answer = await self._call(op.GET_SAMPLE_IMAGE_WRITE_URL_BY_ID, cast=InlineResponse200,
                                  params={"fileName": file_name}, sampleId=sample_id)
        if not answer.signed_write_url:
            raise DecodeError("write URL answer carries no signedWriteUrl", method="GET")
        return answer.signed_write_url

    # -- bulk workflows ----------------------------------------------------------------------
    async def update_many(
        self,
        samples: Iterable[SampleData] | AsyncIterable[SampleData],
        *,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        on_result: OnResult | None = None,
    ) -> BulkResult[str, SampleData]:
        """Update many samples concurrently, keyed by sample id.

        A collection (a list, a tuple) is validated whole before the first request. An
        iterator (a generator) or an async iterable is streamed: pulled as the run goes, a
        sample with a bad id is that item's failure, an item that is no ``SampleData``
        ends the run with :class:`InvalidInputError`. ``on_result`` receives each outcome
        as it ends (the result then keeps only counts and failures).
        """
        if _streamed(samples):
            return await run_bulk(
                self._session, map_items(samples, self._streamed_update),
                concurrency=concurrency, fail_fast=fail_fast, progress=progress,
                description="sample updates", on_result=on_result)
        checked: dict[str, SampleData] = {}
        for i, sample in enumerate(samples):  # type: ignore[arg-type]
            if not isinstance(sample, SampleData):
                raise InvalidInputError(f"samples[{i}]", f"must be a SampleData, got {sample!r}")
            check.object_id(f"samples[{i}].id", sample.id)
            if sample.id in checked:
                raise InvalidInputError(f"samples[{i}].id", f"duplicate sample id {sample.id}")
            checked[sample.id] = sample
        return await run_bulk(
            self._session, [(sid, partial(self.update, sid, sample))
                            for sid, sample in checked.items()],
            concurrency=concurrency, fail_fast=fail_fast, progress=progress,
            description="sample updates", on_result=on_result)

    def _streamed_update(
        self, sample: Any,
    ) -> tuple[str, Callable[[], Awaitable[SampleData]]]:
        if not isinstance(sample, SampleData):
            raise InvalidInputError("samples", f"items must be SampleData, got "
                                               f"{type(sample).__name__}")
        return sample.id, partial(self.update, sample.id, sample)

    async def upload_images(
        self,
        images: ImageItems,
        *,
        thumbnail: bool = False,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
        on_result: OnResult | None = None,
    ) -> BulkResult[str, str]:
        """Upload image files (or bytes) through signed write URLs, one per sample.

        Each value is a path (stored under its base name), a ``(file_name, bytes)`` pair
        (``file_name`` must be the sample's file name), or — for thumbnails — bare bytes,
        stored under the sample's ``thumb_name``. Inside each concurrency slot the write URL
        is fetched, then the file is streamed from disk (re-opened for every retry) and PUT
        to it with its ``Content-Length`` and without the API token; on a 403 (an expired
        URL) a fresh URL is fetched once. ``thumbnail=True`` uploads thumbnails
        (``<stem>_thumb.webp``). ``transfer_timeout`` bounds each PUT (see
        :class:`TransferTimeout`). The result maps each sample id to the stored file name.

        A mapping is validated whole before anything is sent; an iterable or async
        iterable of ``(sample_id, source)`` pairs is streamed (each pair checked when it is
        pulled, a bad one that item's failure). ``on_result`` receives each outcome as it
        ends (the result then keeps only counts and failures).
        """
        if not isinstance(transfer_timeout, TransferTimeout):
            raise InvalidInputError("transfer_timeout", f"must be a TransferTimeout, got "
                                                        f"{transfer_timeout!r}")
        if not isinstance(images, Mapping):
            if isinstance(images, str | bytes) or not isinstance(
                    images, Iterable | AsyncIterable):
                raise InvalidInputError("images", "must map sample ids to paths or bytes, or "
                                                  "be an (async) iterable of such pairs")
            upload = partial(self._check_and_upload, transfer_timeout=transfer_timeout,
                             thumbnail=thumbnail)
            return await run_bulk(
                self._session, map_items(images, partial(_streamed_pair, "images", upload)),
                concurrency=concurrency, fail_fast=fail_fast, progress=progress,
                description="uploads", on_result=on_result)
        plan: dict[str, tuple[str | None, ImageSource]] = {}
        for sample_id, source in images.items():
            check.object_id(f"images[{sample_id!r}]", sample_id)
            name = _upload_name(sample_id, source, thumbnail)
            plan[sample_id] = (name, _source(sample_id, source))
        return await run_bulk(
            self._session, [(sid, partial(self._upload_one, sid, name, source, transfer_timeout,
                                          thumbnail=thumbnail))
                            for sid, (name, source) in plan.items()],
            concurrency=concurrency, fail_fast=fail_fast, progress=progress,
            description="uploads", on_result=on_result)

    async def _check_and_upload(
        self, sample_id: Any, source: Any, *, transfer_timeout: TransferTimeout,
        thumbnail: bool,
    ) -> str:
        sample_id = check.object_id(f"images[{sample_id!r}]", sample_id)
        name = _upload_name(sample_id, source, thumbnail)
        return await self._upload_one(sample_id, name, _source(sample_id, source),
                                      transfer_timeout, thumbnail=thumbnail)

    async def download(
        self,
        sample_ids: DownloadItems,
        dest_dir: str | os.PathLike[str],
        *,
        type: ImageUrlType | str = "full",
        if_exists: IfExists = "error",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
        max_file_size: int | None = None,
        on_result: OnResult | None = None,
    ) -> BulkResult[str, Path]:
        """Stream images to ``dest_dir`` through signed read URLs, never whole in memory.

        ``sample_ids`` may map each id to the file name to write (a plain name: not ``""``,
        ``"."`` or ``".."``, no path separator, no two ids to one name); otherwise the file
        is named after the sample id. A file appears only once it is complete (it is
        written to a temporary file created exclusively in ``dest_dir``, removed on any
        failure; those a killed process left there are removed when the next download into
        ``dest_dir`` starts). An existing file is never silently replaced:
        ``if_exists="error"`` (the default) fails that item with :class:`FileExistsError`,
        ``"skip"`` leaves it and
        lists the id in ``result.skipped`` (to resume an interrupted run), ``"overwrite"``
        replaces it once the new file is complete. ``transfer_timeout`` bounds each GET
        (see :class:`TransferTimeout`). A file holds exactly the bytes stored: nothing is
        decompressed (``Accept-Encoding: identity``; a ``Content-Encoding`` is ignored).
        ``max_file_size`` (bytes, default no bound) fails an item whose file would be larger
        with :class:`ResponseTooLargeError`, writing nothing.

        A collection (a mapping, a list, a set) is checked whole before anything is sent.
        An iterator (a generator) or an async iterable of ids or ``(sample_id, file_name)``
        pairs is streamed: each item is checked when it is pulled (a bad id or name is that
        item's failure); two ids streamed to one name are not detected beforehand (the
        second finds the file there: ``FileExistsError``, unless ``"overwrite"``).
        ``on_result`` receives each outcome as it ends (the result then keeps only counts
        and failures). To get the bytes in memory instead, see :meth:`read_bytes`.
        """
        kind = check.enum_value("type", type, ImageUrlType)
        if if_exists not in _transfer.IF_EXISTS_CHOICES:
            raise InvalidInputError("if_exists", f"must be one of "
                                    f"{', '.join(_transfer.IF_EXISTS_CHOICES)}, got {if_exists!r}")
        _check_transfer_timeout(transfer_timeout)
        _check_max_file_size(max_file_size)
        streamed = _streamed(sample_ids)
        names = None if streamed else _download_names(sample_ids)  # type: ignore[arg-type]
        directory = Path(dest_dir)
        if not await anyio.Path(directory).is_dir():
            raise InvalidInputError("dest_dir", f"{directory} is not an existing directory")
        # what a download killed outright (kill -9) left here: ours by name, its process gone
        await anyio.to_thread.run_sync(_transfer.remove_stale_partials, directory)
        download = partial(self._download_one, kind=kind, if_exists=if_exists,
                           transfer_timeout=transfer_timeout, max_size=max_file_size)
        items: Any
        if names is None:
            items = map_items(sample_ids, partial(_streamed_download, download, directory))
        else:
            items = [(sid, partial(download, sid, directory / name))
                     for sid, name in names.items()]
        return await run_bulk(
            self._session, items, concurrency=concurrency, fail_fast=fail_fast,
            progress=progress, description="downloads", on_result=on_result)

    async def read_image(
        self,
        sample_id: str,
        *,
        type: ImageUrlType | str = "full",
        max_file_size: int | NotGiven | None = NOT_GIVEN,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> bytes:
        """A sample's image (or thumbnail) as bytes, read through its signed URL.

        The transfer is the one :meth:`download` makes (no API token sent, redirects
        checked, retried like it, exactly the stored bytes), into memory. ``max_file_size``
        bounds what is held (default: the session's ``max_response_size``; ``None``: no
        bound): a larger file fails with :class:`ResponseTooLargeError`.
        """
        sample_id = check.object_id("sample_id", sample_id)
        kind = check.enum_value("type", type, ImageUrlType)
        _check_transfer_timeout(transfer_timeout)
        limit = self._read_limit(max_file_size)
        return await self._read_one(sample_id, kind=kind, transfer_timeout=transfer_timeout,
                                    max_size=limit)

    async def read_bytes(
        self,
        sample_ids: Iterable[str] | AsyncIterable[str],
        *,
        type: ImageUrlType | str = "full",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
        max_file_size: int | NotGiven | None = NOT_GIVEN,
        on_result: OnResult | None = None,
    ) -> BulkResult[str, bytes]:
        """Read many samples' images into memory: ``result.results[sample_id]`` is the
        bytes of each one read (the batch form of :meth:`read_image`).

        Each file is held whole in memory, up to ``max_file_size`` bytes (default: the
        session's ``max_response_size``; a larger one is that item's
        :class:`ResponseTooLargeError`). A collection of ids is checked whole before
        anything is sent; an iterator or async iterable is streamed (an id checked when it
        is pulled). With ``on_result`` each outcome carries its bytes (``outcome.value``)
        and is dropped once handed over: memory stays bounded by the concurrency.
        """
        kind = check.enum_value("type", type, ImageUrlType)
        _check_transfer_timeout(transfer_timeout)
        limit = self._read_limit(max_file_size)
        read = partial(self._checked_read, kind=kind, transfer_timeout=transfer_timeout,
                       max_size=limit)
        items: Any
        if _streamed(sample_ids):
            items = map_items(sample_ids, lambda sid: (sid, partial(read, sid)))
        else:
            if isinstance(sample_ids, str | bytes | Mapping):
                raise InvalidInputError("sample_ids", "must be an iterable of sample ids")
            ids = [check.object_id(f"sample_ids[{i}]", sid)
                   for i, sid in enumerate(sample_ids)]  # type: ignore[arg-type]
            items = [(sid, partial(read, sid)) for sid in ids]
        return await run_bulk(
            self._session, items, concurrency=concurrency, fail_fast=fail_fast,
            progress=progress, description="reads", on_result=on_result)

    def _read_limit(self, max_file_size: int | NotGiven | None) -> int | None:
        if max_file_size is NOT_GIVEN:
            return self._session.max_response_size
        _check_max_file_size(max_file_size)
        return max_file_size

    async def _checked_read(
        self, sample_id: Any, *, kind: ImageUrlType, transfer_timeout: TransferTimeout,
        max_size: int | None,
    ) -> bytes:
        sample_id = check.object_id(f"sample_ids[{sample_id!r}]", sample_id)
        return await self._read_one(sample_id, kind=kind, transfer_timeout=transfer_timeout,
                                    max_size=max_size)

    async def _read_one(
        self, sample_id: str, *, kind: ImageUrlType, transfer_timeout: TransferTimeout,
        max_size: int | None,
    ) -> bytes:
        url = await self.read_url(sample_id, type=kind)
        return await self._session._read(url, transfer_timeout=transfer_timeout,
                                         max_size=max_size)

    async def _upload_one(
        self, sample_id: str, file_name: str | None, source: ImageSource,
        transfer_timeout: TransferTimeout, *, thumbnail: bool = False,
    ) -> str:
        # A path is streamed from disk by the transfer (re-opened for each retry).
        content = source[1] if isinstance(source, tuple) else source
        if file_name is None:  # bare thumbnail bytes: the sample says where they belong
            sample = await self.get(sample_id)
            if not sample.thumb_name:
                raise InvalidInputError(f"images[{sample_id!r}]",
                                        "the sample has no thumb_name; pass (file_name, bytes)")
            file_name = sample.thumb_name
        url = await self.write_url(sample_id, file_name, thumbnail=thumbnail)
        upload = partial(self._upload_to, source=content, transfer_timeout=transfer_timeout)
        try:
            await upload(url)
        except PermissionDeniedError:
            # Signed URLs expire; a fresh one is worth exactly one more try.
            url = await self.write_url(sample_id, file_name, thumbnail=thumbnail)
            await upload(url)
        return file_name

    async def _download_one(
        self, sample_id: str, dest: Path, *, kind: ImageUrlType, if_exists: IfExists,
        transfer_timeout: TransferTimeout, max_size: int | None,
    ) -> Path:
        if if_exists != "overwrite" and await anyio.to_thread.run_sync(os.path.lexists, dest):
            if if_exists == "skip":
                return SKIPPED  # type: ignore[return-value]  # counted as skipped
            raise FileExistsError(errno.EEXIST, "destination exists (if_exists='error')",
                                  str(dest))
        url = await self.read_url(sample_id, type=kind)
        await self._download_from(url, dest, if_exists=if_exists,
                             transfer_timeout=transfer_timeout, max_size=max_size)
        return dest


def _streamed(items: object) -> bool:
    """True for an async iterable or an iterable that is no collection (a generator):
    pulled as the run goes, rather than checked whole first."""
    return isinstance(items, AsyncIterable) or (
        isinstance(items, Iterable) and not isinstance(items, Collection))


def _streamed_pair(
    field: str, call: Callable[..., Awaitable[T]], pair: Any,
) -> tuple[Any, Callable[[], Awaitable[T]]]:
    if not isinstance(pair, tuple) or len(pair) != 2:
        raise InvalidInputError(field, f"items must be (sample_id, value) pairs, got "
                                       f"{builtins.type(pair).__name__}")
    return pair[0], partial(call, pair[0], pair[1])


def _streamed_download(
    download: Callable[..., Awaitable[Path]], directory: Path, item: Any,
) -> tuple[Any, Callable[[], Awaitable[Path]]]:
    sample_id, name = item if isinstance(item, tuple) and len(item) == 2 else (item, None)
    return sample_id, partial(_checked_download, download, directory, sample_id, name)


async def _checked_download(
    download: Callable[..., Awaitable[Path]], directory: Path, sample_id: Any, name: Any,
) -> Path:
    field = f"sample_ids[{sample_id!r}]"
    sample_id = check.object_id(field, sample_id)
    name = sample_id if name is None else _plain_name(field, name)
    return await download(sample_id, directory / name)


def _plain_name(field: str, name: Any) -> str:
    if (not isinstance(name, str) or name in ("", ".", "..") or "\x00" in name
            or any(sep in name for sep in _SEPARATORS)):
        raise InvalidInputError(field, f"file name must be a plain name (no path "
                                       f"separator, not '.' or '..'), got {name!r}")
    return name


def _check_transfer_timeout(transfer_timeout: object) -> None:
    if not isinstance(transfer_timeout, TransferTimeout):
        raise InvalidInputError("transfer_timeout", f"must be a TransferTimeout, got "
                                                    f"{transfer_timeout!r}")


def _check_max_file_size(max_file_size: object) -> None:
    if max_file_size is not None and (isinstance(max_file_size, bool) or not isinstance(
            max_file_size, int) or max_file_size < 0):
        raise InvalidInputError("max_file_size", f"must be a number of bytes >= 0 or None, "
                                                 f"got {max_file_size!r}")


def _download_names(sample_ids: Iterable[str] | Mapping[str, str]) -> dict[str, str]:
    """Sample id -> file name, each a plain name, no two alike (checked before any request)."""
    if isinstance(sample_ids, str | bytes):
        raise InvalidInputError("sample_ids", "must be an iterable of sample ids or a mapping "
                                              "of sample id to file name, not one string")
    pairs = (builtins.list(sample_ids.items()) if isinstance(sample_ids, Mapping)
             else [(sid, sid) for sid in sample_ids])
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for sample_id, name in pairs:
        field = f"sample_ids[{sample_id!r}]"
        check.object_id(field, sample_id)
        if sample_id in names:
            raise InvalidInputError(field, "the same sample id is listed twice")
        _plain_name(field, name)
        key = os.path.normcase(name)
        if key in owners:
            raise InvalidInputError(field, f"file name {name!r} is also the name for sample "
                                           f"{owners[key]}: two downloads to one file")
        owners[key] = sample_id
        names[sample_id] = name
    return names


THUMBNAIL_SUFFIX = "_thumb.webp"
"""How a thumbnail's file name ends (``<stem>_thumb.webp``)."""

_SEPARATORS = {"/", "\\", os.sep, *([os.altsep] if os.altsep else [])}


def _source(sample_id: str, source: object) -> ImageSource:
    if isinstance(source, bytes | str | os.PathLike):
        return source
    if (isinstance(source, tuple) and len(source) == 2 and isinstance(source[0], str)
            and source[0] and isinstance(source[1], bytes)):
        return (source[0], source[1])
    raise InvalidInputError(f"images[{sample_id!r}]",
                            f"must be a path or a (file_name, bytes) pair, got {source!r:.80}")


def _upload_name(sample_id: str, source: object, thumbnail: bool) -> str | None:
    """The file name to store under; None: look up the sample's thumb_name in the slot."""
    field = f"images[{sample_id!r}]"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(field, f"{path} is not a file")
        name = path.name
    elif isinstance(source, tuple) and source and isinstance(source[0], str):
        name = source[0]
    elif thumbnail:
        return None
    else:
        raise InvalidInputError(
            field, "bytes need the sample's file name: pass (file_name, bytes) or a path")
    return f"{Path(name).stem}{THUMBNAIL_SUFFIX}" if thumbnail else name
