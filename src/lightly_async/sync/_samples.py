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
    from lightly_async.models.samples import SampleData
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
        self, *, mode: SampleListMode | str = SampleListMode.FULL, filename: str | None = None
    ) -> builtins.list[SampleData]:
        """Every sample; ``mode="ids"`` fills only ``id``; ``filename`` filters by name."""
        return self._runner.call(self._aio.list, mode=mode, filename=filename)

    def update(self, sample_id: str, sample: SampleData) -> SampleData:
        """Update a sample; returns the sample as stored."""
        return self._runner.call(self._aio.update, sample_id, sample)

    def read_url(self, sample_id: str, *, type: ImageUrlType | str = "full") -> str:
        """A signed URL to read the full image or its thumbnail."""
        return self._runner.call(self._aio.read_url, sample_id, type=type)

    def write_url(self, sample_id: str, file_name: str) -> str:
        """A signed URL to PUT the image (or its thumbnail) to."""
        return self._runner.call(self._aio.write_url, sample_id, file_name)

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
        max_file_size: int | None = None,
    ) -> BulkResult[str, Path]:
        """Stream images to ``dest_dir`` through signed read URLs, never whole in memory,
        byte for byte as stored; ``if_exists`` says what happens to a file already there
        (error, skip, overwrite), ``max_file_size`` bounds each file."""
        return self._runner.call(self._aio.download, sample_ids, dest_dir, type=type,
                                 if_exists=if_exists, concurrency=concurrency,
                                 fail_fast=fail_fast, progress=progress,
                                 transfer_timeout=transfer_timeout, max_file_size=max_file_size)
