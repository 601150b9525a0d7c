"""Models of the Samples API: ``/v1/datasets/{datasetId}/samples`` (the newest API) and the
seed era's ``/users/datasets/{datasetId}/samples``."""

from __future__ import annotations

from enum import Enum
from typing import Any

import attrs

from lightly_async._redact import url_repr
from lightly_async.models.tags import CropData, SampleMetaDataV2, SampleType, VideoFrameData

__all__ = [
    "ImageUrlType",
    "InlineObject",
    "InlineResponse200",
    "SampleData",
    "SampleListMode",
    "SampleMetaData",
    "SampleSortBy",
    "SampleUpdateRequest",
]


class SampleListMode(str, Enum):
    """``mode`` of ``samples.list``: every field, or just the ids (the newest API also has
    ``fileNames``: the ids and file names)."""

    FULL = "full"
    IDS = "ids"
    FILE_NAMES = "fileNames"


class SampleSortBy(str, Enum):
    """``sort_by`` of ``samples.list`` (the newest API): by id or by index."""

    ID = "_id"
    INDEX = "index"


class ImageUrlType(str, Enum):
    """``type`` of ``samples.read_url``: the full image or its thumbnail."""

    FULL = "full"
    THUMBNAIL = "thumbnail"


@attrs.frozen(kw_only=True)
class SampleMetaData:
    """Image statistics computed on upload."""

    sharpness: float
    size_in_bytes: int
    snr: float
    mean: list[float]
    shape: list[int]
    std: list[float]
    sum_of_squares: list[float]
    sum_of_values: list[float]


@attrs.frozen(kw_only=True)
class SampleData:
    """A sample, in either API's shape: every field but ``id`` is optional.

    The newest API (``api="latest"``) fills ``type``, ``file_name`` and the fields after it;
    the seed era's answers fill ``is_thumbnail``, ``thumb_name`` and ``meta``, and call the
    id ``_id`` (read as ``id``; the seed dialect sends it back as ``_id``). ``mode="ids"``
    answers fill only ``id``.
    """

    id: str = attrs.field(metadata={"wire_alias": "_id"})
    type: SampleType | str | None = None
    dataset_id: str | None = None
    file_name: str | None = None
    thumb_name: str | None = None
    exif: dict[str, Any] | None = None
    index: int | None = None
    created_at: int | None = None
    last_modified_at: int | None = None
    meta_data: SampleMetaDataV2 | None = None
    custom_meta_data: dict[str, Any] | None = None
    video_frame_data: VideoFrameData | None = None
    crop_data: CropData | None = None
    # the seed era's
    is_thumbnail: bool | None = None
    meta: SampleMetaData | None = None


@attrs.frozen(kw_only=True)
class SampleUpdateRequest:
    """Request body of ``samples.update`` in the newest API: the fields to set."""

    file_name: str | None = None
    thumb_name: str | None = None
    exif: dict[str, Any] | None = None
    meta_data: SampleMetaDataV2 | None = None
    custom_meta_data: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class InlineObject:
    """Request body of ``samples.update``."""

    sample: SampleData | None = None


@attrs.frozen(kw_only=True)
class InlineResponse200:
    """Response of ``samples.write_url``."""

    signed_write_url: str | None = attrs.field(default=None, repr=url_repr)
