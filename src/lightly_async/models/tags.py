"""Models of the Tags API: tags, requests, arithmetic and the LabelBox/LabelStudio/Sama exports."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeAlias

import attrs

from lightly_async._redact import url_repr
from lightly_async.bitmask import BitMask
from lightly_async.models.common import CreateEntityResponse

__all__ = [
    "CropData",
    "CustomSampleMetaData",
    "FileNameFormat",
    "ImageType",
    "InitialTagCreateRequest",
    "LabelBoxDataRow",
    "LabelBoxV4DataRow",
    "LabelStudioTask",
    "LabelStudioTaskData",
    "SamaTask",
    "SamaTaskData",
    "SampleDataV2",
    "SampleMetaDataV2",
    "SampleType",
    "TagArithmeticsOperation",
    "TagArithmeticsRequest",
    "TagArithmeticsResponse",
    "TagBitMaskResponse",
    "TagChangeData",
    "TagChangeDataArithmetics",
    "TagChangeDataInitial",
    "TagChangeDataMetadata",
    "TagChangeDataOperationMethod",
    "TagChangeDataRename",
    "TagChangeDataSampler",
    "TagChangeDataSamples",
    "TagChangeDataScatterplot",
    "TagChangeDataUpsize",
    "TagChangeEntry",
    "TagCreateRequest",
    "TagCreator",
    "TagData",
    "TagFileExport",
    "TagUpdateRequest",
    "TagUpsizeRequest",
    "VideoFrameData",
]


class TagCreator(str, Enum):
    """Who created a tag."""

    UNKNOWN = "UNKNOWN"
    USER_WEBAPP = "USER_WEBAPP"
    USER_PIP = "USER_PIP"
    USER_PIP_LIGHTLY_MAGIC = "USER_PIP_LIGHTLY_MAGIC"
    USER_WORKER = "USER_WORKER"
    SAMPLER_ACTIVE_LEARNING = "SAMPLER_ACTIVE_LEARNING"
    SAMPLER_CORAL = "SAMPLER_CORAL"
    SAMPLER_CORESET = "SAMPLER_CORESET"
    SAMPLER_RANDOM = "SAMPLER_RANDOM"


class ImageType(str, Enum):
    """What was uploaded for a dataset: full images, thumbnails or metadata only."""

    FULL = "full"
    THUMBNAIL = "thumbnail"
    META = "meta"


class TagArithmeticsOperation(str, Enum):
    """Set operation between two tags' bitmasks."""

    UNION = "UNION"
    INTERSECTION = "INTERSECTION"
    DIFFERENCE = "DIFFERENCE"


class SampleType(str, Enum):
    """Image or video frame (newer sample shape)."""

    CROP = "CROP"
    IMAGE = "IMAGE"
    VIDEO_FRAME = "VIDEO_FRAME"


class TagChangeDataOperationMethod(str, Enum):
    """How a tag change selected samples."""

    SELECTED = "selected"
    ADDED = "added"
    REMOVED = "removed"


@attrs.frozen(kw_only=True)
class TagChangeDataInitial:
    """The tag was created as a dataset's initial tag."""

    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagChangeDataRename:
    """The tag was renamed (``from_`` is the wire key ``from``)."""

    from_: str = attrs.field(metadata={"wire": "from"})
    to: str


@attrs.frozen(kw_only=True)
class TagChangeDataUpsize:
    """The tag grew with the dataset, from ``from_`` to ``to`` samples."""

    from_: float = attrs.field(metadata={"wire": "from"})
    to: float
    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagChangeDataArithmetics:
    """The tag was computed from two others."""

    operation: str
    tag1: str
    tag2: str


@attrs.frozen(kw_only=True)
class TagChangeDataMetadata:
    """Samples were picked by metadata."""

    method: TagChangeDataOperationMethod | str
    count: float
    added: float
    removed: float
    changes: dict[str, Any]


@attrs.frozen(kw_only=True)
class TagChangeDataSamples:
    """Samples were picked one by one."""

    method: TagChangeDataOperationMethod | str
    count: float
    added: float
    removed: float


@attrs.frozen(kw_only=True)
class TagChangeDataScatterplot:
    """Samples were picked on the embedding scatterplot."""

    method: TagChangeDataOperationMethod | str
    count: float
    added: float
    removed: float
    view: str | None = None


@attrs.frozen(kw_only=True)
class TagChangeDataSampler:
    """The tag was created by a sampler."""

    method: str


@attrs.frozen(kw_only=True)
class TagChangeData:
    """What one change did to a tag (newer servers); each kind of change is optional."""

    initial: TagChangeDataInitial | None = None
    rename: TagChangeDataRename | None = None
    upsize: TagChangeDataUpsize | None = None
    arithmetics: TagChangeDataArithmetics | None = None
    metadata: TagChangeDataMetadata | None = None
    samples: TagChangeDataSamples | None = None
    scatterplot: TagChangeDataScatterplot | None = None
    sampler: TagChangeDataSampler | None = None


@attrs.frozen(kw_only=True)
class TagChangeEntry:
    """One entry of a tag's change history (newer servers)."""

    user_id: str
    creator: TagCreator | str
    ts: int
    changes: TagChangeData


@attrs.frozen(kw_only=True)
class TagData:
    """A tag: a named set of samples (``bit_mask_data``) of size ``tot_size``.

    ``changes`` is the seed-era free-form object or, from newer servers, a list of
    ``TagChangeEntry``.
    """

    id: str
    dataset_id: str
    prev_tag_id: str | None
    name: str
    bit_mask_data: BitMask
    tot_size: int
    created_at: int
    query_tag_id: str | None = None
    preselected_tag_id: str | None = None
    last_modified_at: int | None = None
    changes: dict[str, Any] | list[TagChangeEntry] | None = None
    run_id: str | None = None


@attrs.frozen(kw_only=True)
class InitialTagCreateRequest:
    """Request body of ``tags.create_initial``."""

    img_type: ImageType | str
    name: str | None = None
    creator: TagCreator | str | None = None
    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagCreateRequest:
    """Request body of ``tags.create``."""

    name: str
    prev_tag_id: str
    bit_mask_data: BitMask
    tot_size: int
    query_tag_id: str | None = None
    preselected_tag_id: str | None = None
    creator: TagCreator | str | None = None
    changes: dict[str, Any] | None = None
    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagUpdateRequest:
    """Request body of ``tags.update`` (rename; newer servers also take the other fields)."""

    name: str
    update_creator: TagCreator | str | None = None
    bit_mask_data: BitMask | None = None
    changes: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class TagUpsizeRequest:
    """Request body of ``tags.upsize``."""

    upsize_tag_name: str
    upsize_tag_creator: TagCreator | str
    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagArithmeticsRequest:
    """Request body of the two arithmetic operations."""

    tag_id1: str = attrs.field(metadata={"wire": "tagId1"})
    tag_id2: str = attrs.field(metadata={"wire": "tagId2"})
    operation: TagArithmeticsOperation | str
    new_tag_name: str | None = None
    creator: TagCreator | str | None = None
    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagBitMaskResponse:
    """A computed bitmask (no tag created)."""

    bit_mask_data: BitMask


TagArithmeticsResponse: TypeAlias = CreateEntityResponse | TagBitMaskResponse
"""What ``tags.arithmetics`` answers: the new tag's id (a tag name was given) or the bitmask."""


@attrs.frozen(kw_only=True)
class LabelBoxDataRow:
    """A LabelBox import row: external id and a signed image URL."""

    external_id: str
    image_url: str = attrs.field(repr=url_repr)  # a signed URL: its query is a credential


@attrs.frozen(kw_only=True)
class LabelBoxV4DataRow:
    """A LabelBox v4 import row: a signed image URL, the global key (the file name) and the
    media type (its wire keys are snake_case)."""

    row_data: str = attrs.field(repr=url_repr, metadata={"wire": "row_data"})
    global_key: str | None = attrs.field(default=None, metadata={"wire": "global_key"})
    media_type: str | None = attrs.field(default=None, metadata={"wire": "media_type"})


class FileNameFormat(str, Enum):
    """How ``GET .../tags/{tagId}/export/basic/filenames`` writes each of a tag's files."""

    NAME = "NAME"
    """The file name within the datasource (``car/green/frame0.png``)."""
    DATASOURCE_FULL = "DATASOURCE_FULL"
    """The file's full datasource URL (``s3://bucket/datasets/car/green/frame0.png``)."""
    REDIRECTED_READ_URL = "REDIRECTED_READ_URL"
    """A URL of the API that redirects to the file (a signed URL: its query is a
    credential)."""


@attrs.frozen(kw_only=True)
class TagFileExport:
    """One file of a tag, as :meth:`Tags.export_files` exports it: each field is ``None``
    unless its format was asked for (``NAME``: ``file_name``, ``REDIRECTED_READ_URL``:
    ``read_url``, ``DATASOURCE_FULL``: ``datasource_url``).

    Built by the client from the paged text export, not a body of the API.
    """

    file_name: str | None = None
    read_url: str | None = attrs.field(default=None, repr=url_repr)  # a credential
    datasource_url: str | None = None


@attrs.frozen(kw_only=True)
class SamaTaskData:
    """The ``data`` of a Sama task: the sample index, signed URLs to the image and the
    sample's file name and meta information (a JSON string)."""

    id: int
    url: str = attrs.field(repr=url_repr)  # a signed URL: its query is a credential
    image: str | None = attrs.field(default=None, repr=url_repr)
    lightly_file_name: str | None = None
    lightly_meta_info: str | None = None


@attrs.frozen(kw_only=True)
class SamaTask:
    """A Sama import task (``reserve_for`` is snake_case on the wire too)."""

    data: SamaTaskData
    priority: int | None = None
    reserve_for: int | None = attrs.field(default=None, metadata={"wire": "reserve_for"})


@attrs.frozen(kw_only=True)
class VideoFrameData:
    """Where a video frame came from."""

    source_video: str | None = None
    source_video_frame_index: float | None = None
    source_video_frame_timestamp: float | None = None


CustomSampleMetaData: TypeAlias = dict[str, Any]
"""A sample's free-form custom metadata, as the JSON object the API holds."""


@attrs.frozen(kw_only=True)
class SampleMetaDataV2:
    """The newer, all-optional sample metadata embedded in LabelStudio exports."""

    custom: dict[str, Any] | None = None
    dynamic: dict[str, Any] | None = None
    sharpness: float | None = None
    luminance: float | None = None
    size_in_bytes: int | None = None
    snr: float | None = None
    uniform_row_ratio: float | None = None
    mean: list[float] | None = None
    shape: list[int] | None = None
    std: list[float] | None = None
    sum_of_squares: list[float] | None = None
    sum_of_values: list[float] | None = None


@attrs.frozen(kw_only=True)
class CropData:
    """Where a crop sample came from: its parent sample and the prediction it shows."""

    parent_id: str
    prediction_uuid_timestamp: int = attrs.field(metadata={"wire": "predictionUUIDTimestamp"})
    prediction_index: int
    prediction_task_name: str
    prediction_task_category_id: int
    prediction_task_score: float


@attrs.frozen(kw_only=True)
class SampleDataV2:
    """The newer sample shape embedded in LabelStudio exports as ``lightlyMetaInfo``."""

    id: str
    type: SampleType | str
    file_name: str
    dataset_id: str | None = None
    thumb_name: str | None = None
    exif: dict[str, Any] | None = None
    index: int | None = None
    created_at: int | None = None
    last_modified_at: int | None = None
    meta_data: SampleMetaDataV2 | None = None
    custom_meta_data: dict[str, Any] | None = None
    video_frame_data: VideoFrameData | None = None
    crop_data: CropData | None = None


@attrs.frozen(kw_only=True)
class LabelStudioTaskData:
    """The ``data`` of a LabelStudio task."""

    image: str = attrs.field(repr=url_repr)  # a signed URL: its query is a credential
    lightly_file_name: str | None = None
    lightly_meta_info: SampleDataV2 | None = None


@attrs.frozen(kw_only=True)
class LabelStudioTask:
    """A LabelStudio import task."""

    id: int
    data: LabelStudioTaskData
