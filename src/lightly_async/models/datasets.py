"""Models of the Datasets API (beyond the seeds; shapes of lightly 1.5.20's ``DatasetsApi``)."""

from __future__ import annotations

from enum import Enum

import attrs

from lightly_async.models.tags import ImageType

__all__ = [
    "DatasetCreateRequest",
    "DatasetCreator",
    "DatasetData",
    "DatasetType",
    "DatasetUpdateRequest",
    "SharedAccessType",
]


class DatasetType(str, Enum):
    """What a dataset holds."""

    CROPS = "Crops"
    IMAGES = "Images"
    VIDEOS = "Videos"


class DatasetCreator(str, Enum):
    """Who created a dataset."""

    UNKNOWN = "UNKNOWN"
    USER_WEBAPP = "USER_WEBAPP"
    USER_PIP = "USER_PIP"
    USER_PIP_LIGHTLY_MAGIC = "USER_PIP_LIGHTLY_MAGIC"
    USER_WORKER = "USER_WORKER"


class SharedAccessType(str, Enum):
    """How a dataset was shared with the user."""

    WRITE = "WRITE"


@attrs.frozen(kw_only=True)
class DatasetData:
    """A dataset as the server reports it (``GET /v1/datasets/{datasetId}``)."""

    id: str
    name: str
    user_id: str
    type: DatasetType | str
    n_samples: int
    size_in_bytes: int
    created_at: int
    last_modified_at: int
    access_type: SharedAccessType | str | None = None
    img_type: ImageType | str | None = None
    meta_data_configuration_id: str | None = None
    datasources: list[str] | None = None
    datasource_processed_until_timestamp: int | None = None
    access_role: str | None = None
    parent_dataset_id: str | None = None
    original_dataset_id: str | None = None


@attrs.frozen(kw_only=True)
class DatasetCreateRequest:
    """Request body of ``datasets.create``."""

    name: str
    # Always sent (a defaulted ``type`` is a tag the converter never omits); Images is what
    # lightly's own client sends by default.
    type: DatasetType | str = DatasetType.IMAGES
    img_type: ImageType | str | None = None
    creator: DatasetCreator | str | None = None
    parent_dataset_id: str | None = None


@attrs.frozen(kw_only=True)
class DatasetUpdateRequest:
    """Request body of ``datasets.update``."""

    name: str
