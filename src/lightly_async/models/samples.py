"""Models of the 2021 Samples API (``/users/datasets/{datasetId}/samples``)."""

from __future__ import annotations

from enum import Enum

import attrs

from lightly_async._redact import url_repr

__all__ = [
    "ImageUrlType",
    "InlineObject",
    "InlineResponse200",
    "SampleData",
    "SampleListMode",
    "SampleMetaData",
]


class SampleListMode(str, Enum):
    """``mode`` of ``samples.list``: every field, or just the ids."""

    FULL = "full"
    IDS = "ids"


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
    """A sample of the 2021 API; ``mode="ids"`` answers fill only ``id`` (wire key ``_id``)."""

    id: str = attrs.field(metadata={"wire": "_id"})
    is_thumbnail: bool | None = None
    thumb_name: str | None = None
    meta: SampleMetaData | None = None


@attrs.frozen(kw_only=True)
class InlineObject:
    """Request body of ``samples.update``."""

    sample: SampleData | None = None


@attrs.frozen(kw_only=True)
class InlineResponse200:
    """Response of ``samples.write_url``."""

    signed_write_url: str | None = attrs.field(default=None, repr=url_repr)
