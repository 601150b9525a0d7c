"""Models of the Datasources API: the config union, verify, bookmark and raw-file listing."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeAlias

import attrs

from lightly_async._redact import url_repr

__all__ = [
    "DatasourceConfig",
    "DatasourceConfigAzure",
    "DatasourceConfigGCS",
    "DatasourceConfigLIGHTLY",
    "DatasourceConfigLOCAL",
    "DatasourceConfigOBS",
    "DatasourceConfigS3",
    "DatasourceConfigS3DelegatedAccess",
    "DatasourceConfigUnknown",
    "DatasourceConfigVerifyData",
    "DatasourceConfigVerifyDataErrors",
    "DatasourceProcessedUntilTimestampRequest",
    "DatasourceProcessedUntilTimestampResponse",
    "DatasourcePurpose",
    "DatasourceRawSamplesData",
    "DatasourceRawSamplesDataRow",
    "DatasourceType",
    "S3Region",
]


class DatasourceType(str, Enum):
    """The discriminator of ``DatasourceConfig``."""

    S3 = "S3"
    GCS = "GCS"
    AZURE = "AZURE"
    LOCAL = "LOCAL"
    LIGHTLY = "LIGHTLY"
    S3_DELEGATED_ACCESS = "S3DelegatedAccess"
    OBS = "OBS"


class DatasourcePurpose(str, Enum):
    """What Lightly uses a datasource for (newer servers; not sent by seed-era ones)."""

    INPUT_OUTPUT = "INPUT_OUTPUT"
    INPUT = "INPUT"
    LIGHTLY = "LIGHTLY"


class S3Region(str, Enum):
    """AWS regions an S3 datasource may live in."""

    US_EAST_2 = "us-east-2"
    US_EAST_1 = "us-east-1"
    US_WEST_1 = "us-west-1"
    US_WEST_2 = "us-west-2"
    US_GOV_WEST_1 = "us-gov-west-1"
    US_GOV_EAST_1 = "us-gov-east-1"
    EU_CENTRAL_1 = "eu-central-1"
    EU_WEST_1 = "eu-west-1"
    EU_WEST_2 = "eu-west-2"
    EU_WEST_3 = "eu-west-3"
    EU_NORTH_1 = "eu-north-1"
    SA_EAST_1 = "sa-east-1"
    CN_NORTH_1 = "cn-north-1"
    CN_NORTHWEST_1 = "cn-northwest-1"
    AP_EAST_1 = "ap-east-1"
    AP_SOUTH_1 = "ap-south-1"
    AP_NORTHEAST_2 = "ap-northeast-2"
    AP_SOUTHEAST_1 = "ap-southeast-1"
    AP_SOUTHEAST_2 = "ap-southeast-2"
    AP_NORTHEAST_1 = "ap-northeast-1"
    CA_CENTRAL_1 = "ca-central-1"
    ME_SOUTH_1 = "me-south-1"


@attrs.frozen(kw_only=True)
class DatasourceConfigS3:
    """An S3 bucket datasource."""

    full_path: str
    s3_region: S3Region | str
    s3_access_key_id: str
    s3_secret_access_key: str = attrs.field(repr=False)
    s3_server_side_encryption_kms_key: str | None = attrs.field(
        default=None, metadata={"wire": "s3ServerSideEncryptionKMSKey"})
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "S3"


@attrs.frozen(kw_only=True)
class DatasourceConfigGCS:
    """A Google Cloud Storage datasource."""

    full_path: str
    gcs_project_id: str
    gcs_credentials: str = attrs.field(repr=False)
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "GCS"


@attrs.frozen(kw_only=True)
class DatasourceConfigAzure:
    """An Azure Blob Storage datasource."""

    full_path: str
    account_name: str
    account_key: str = attrs.field(repr=False)
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "AZURE"


@attrs.frozen(kw_only=True)
class DatasourceConfigLOCAL:
    """A local-storage datasource."""

    full_path: str
    web_server_location: str | None = None
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "LOCAL"


@attrs.frozen(kw_only=True)
class DatasourceConfigLIGHTLY:
    """Lightly's own storage."""

    full_path: str
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "LIGHTLY"


@attrs.frozen(kw_only=True)
class DatasourceConfigS3DelegatedAccess:
    """An S3 bucket read through a role Lightly assumes (no keys are shared)."""

    full_path: str
    s3_region: S3Region | str
    s3_external_id: str
    s3_arn: str = attrs.field(metadata={"wire": "s3ARN"})
    s3_server_side_encryption_kms_key: str | None = attrs.field(
        default=None, metadata={"wire": "s3ServerSideEncryptionKMSKey"})
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "S3DelegatedAccess"


@attrs.frozen(kw_only=True)
class DatasourceConfigOBS:
    """An S3-compatible Object Storage Service datasource."""

    full_path: str
    obs_endpoint: str
    obs_access_key_id: str
    obs_secret_access_key: str = attrs.field(repr=False)
    thumb_suffix: str | None = None
    id: str | None = None
    purpose: DatasourcePurpose | str | None = None
    type: str = "OBS"


@attrs.frozen(kw_only=True)
class DatasourceConfigUnknown:
    """A datasource ``type`` this client does not know, kept as received.

    ``raw`` is the JSON object exactly as the server sent it (it may hold credentials, so it
    is not shown in the repr); sending the config back sends ``raw`` unchanged.
    """

    type: str
    raw: dict[str, Any] = attrs.field(repr=False)


DatasourceConfig: TypeAlias = (
    DatasourceConfigLIGHTLY
    | DatasourceConfigS3
    | DatasourceConfigS3DelegatedAccess
    | DatasourceConfigGCS
    | DatasourceConfigAzure
    | DatasourceConfigOBS
    | DatasourceConfigLOCAL
    | DatasourceConfigUnknown
)
"""A datasource's configuration: a type alias for annotations and ``isinstance``, not a class.

Construct one of its concrete classes (each sets its own ``type``);
``DatasourceConfigUnknown`` is what a variant newer than the client decodes to."""


@attrs.frozen(kw_only=True)
class DatasourceConfigVerifyDataErrors:
    """Why a permission of ``DatasourceConfigVerifyData`` is missing, per permission."""

    can_read: str | None = None
    can_write: str | None = None
    can_list: str | None = None
    can_overwrite: str | None = None


@attrs.frozen(kw_only=True)
class DatasourceConfigVerifyData:
    """What Lightly can do with the configured datasource."""

    can_read: bool
    can_write: bool
    can_list: bool
    can_overwrite: bool | None = None
    errors: DatasourceConfigVerifyDataErrors | None = None


@attrs.frozen(kw_only=True)
class DatasourceProcessedUntilTimestampRequest:
    """Request body moving the processed-until bookmark (seconds)."""

    processed_until_timestamp: int


@attrs.frozen(kw_only=True)
class DatasourceProcessedUntilTimestampResponse:
    """The processed-until bookmark (seconds; 0 = never processed)."""

    processed_until_timestamp: int


@attrs.frozen(kw_only=True)
class DatasourceRawSamplesDataRow:
    """A raw file in the datasource and a signed URL to read it."""

    file_name: str
    read_url: str = attrs.field(repr=url_repr)  # a signed URL: its query is a credential


@attrs.frozen(kw_only=True)
class DatasourceRawSamplesData:
    """One page of the raw-file listing."""

    has_more: bool
    cursor: str
    data: list[DatasourceRawSamplesDataRow]
