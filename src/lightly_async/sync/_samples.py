"""``dataset.samples``, synchronously."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lightly_async._transfer import DEFAULT_TRANSFER_TIMEOUT, IfExists, TransferTimeout
from lightly_async.models.samples import ImageUrlType, SampleListMode
from lightly_async.sync._base import Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.bulk import BulkResult
    from lightly_async.models.samples import SampleData, SampleSortBy, SampleUpdateRequest
    from lightly_async.progress import ProgressArg
    from lightly_async.resources.samples import ImageSource

__all__ = ["Samples"]


class Samples(Resource):
    """``dataset.samples``: the dataset's samples."""

    __slots__ = ()
    _aio: aio.Samples

    def get(self, sample_id: str) -> SampleData:
        """One sample."""
        return self._runner.call(self._aio.get, sample_id)

    def list(
        self,
        *,
        mode: SampleListMode | str = SampleListMode.FULL,
        filename: str | None = None,
        sort_by: SampleSortBy | str | None = None,
        page_size: int | None = None,
        page_offset: int | None = None,
    ) -> builtins.list[SampleData]:
        """Every sample; ``mode="ids"`` fills only ``id``; ``filename`` filters by name;
        the newest API also sorts (``sort_by``) and pages (``page_size``, followed to the
        end, from ``page_offset``)."""
        return self._runner.call(self._aio.list, mode=mode, filename=filename, sort_by=sort_by,
                                 page_size=page_size, page_offset=page_offset)

    def update(self, sample_id: str, sample: SampleData | SampleUpdateRequest) -> SampleData:
        """Update a sample; returns the sample as stored (the newest API: read back)."""
        return self._runner.call(self._aio.update, sample_id, sample)

    def read_url(self, sample_id: str, *, type: ImageUrlType | str = "full") -> str:
        """A signed URL to read the full image or its thumbnail."""
        return self._runner.call(self._aio.read_url, sample_id, type=type)

    def write_url(
        self, sample_id: str, file_name: str | None = None, *, thumbnail: bool | None = None
    ) -> str:
        """A signed URL to PUT the image (or its thumbnail) to: the newest API signs the
        sample's own name (``thumbnail=True``: its thumbnail's), the seed era ``file_name``."""
        return self._runner.call(self._aio.write_url, sample_id, file_name, thumbnail=thumbnail)

    def update_many(
        self,
        samples: Iterable[SampleData],
        *,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
    ) -> BulkResult[str, SampleData]:
        """Update many samples concurrently, keyed by sample id."""
        return self._runner.call(self._aio.update_many, samples, concurrency=concurrency,
                                 fail_fast=fail_fast, progress=progress)

    def upload_images(
        self,
        images: Mapping[str, ImageSource],
        *,
        thumbnail: bool = False,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> BulkResult[str, str]:
        """Upload image files (or bytes) through signed write URLs, one per sample."""
        return self._runner.call(self._aio.upload_images, images, thumbnail=thumbnail,
                                 concurrency=concurrency, fail_fast=fail_fast, progress=progress,
                                 transfer_timeout=transfer_timeout)

    def download(
        self,
        sample_ids: Iterable[str] | Mapping[str, str],
        dest_dir: str | os.PathLike[str],
        *,
        type: ImageUrlType | str = "full",
        if_exists: IfExists = "error",
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> BulkResult[str, Path]:
        """Stream images to ``dest_dir`` through signed read URLs, never whole in memory;
        ``if_exists`` says what happens to a file already there (error, skip, overwrite)."""
        return self._runner.call(self._aio.download, sample_ids, dest_dir, type=type,
                                 if_exists=if_exists, concurrency=concurrency,
                                 fail_fast=fail_fast, progress=progress,
                                 transfer_timeout=transfer_timeout)
