"""Models shared by every API group: entity ids, errors, async tasks and jobs."""

from __future__ import annotations

from enum import Enum
from typing import Any

import attrs

__all__ = [
    "ApiErrorCode",
    "ApiErrorResponse",
    "AsyncTaskData",
    "CreateEntityResponse",
    "JobResultType",
    "JobState",
    "JobStatusData",
    "JobStatusDataResult",
    "JobStatusMeta",
    "JobStatusUploadMethod",
]


class ApiErrorCode(str, Enum):
    """Machine-readable error codes known to the seed-era API (servers may send others)."""

    BAD_REQUEST = "BAD_REQUEST"
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHORIZED = "UNAUTHORIZED"
    NOT_FOUND = "NOT_FOUND"
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    MALFORMED_RESPONSE = "MALFORMED_RESPONSE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    JWT_INVALID = "JWT_INVALID"
    JWT_MALFORMED = "JWT_MALFORMED"
    CREATION_FAILED = "CREATION_FAILED"
    JOB_CREATION_FAILED = "JOB_CREATION_FAILED"
    JOB_UNKNOWN = "JOB_UNKNOWN"
    USER_NOT_KNOWN = "USER_NOT_KNOWN"
    USER_ACCOUNT_DEACTIVATED = "USER_ACCOUNT_DEACTIVATED"
    USER_ACCOUNT_BLOCKED = "USER_ACCOUNT_BLOCKED"
    TEAM_ACCOUNT_PLAN_INSUFFICIENT = "TEAM_ACCOUNT_PLAN_INSUFFICIENT"
    ILLEGAL_ACTION_RESOURCE_IN_USE = "ILLEGAL_ACTION_RESOURCE_IN_USE"
    DATASET_UNKNOWN = "DATASET_UNKNOWN"
    DATASET_NOT_SUPPORTED = "DATASET_NOT_SUPPORTED"
    DATASET_TAG_INVALID = "DATASET_TAG_INVALID"
    DATASET_NAME_EXISTS = "DATASET_NAME_EXISTS"
    DATASET_AT_MAX_CAPACITY = "DATASET_AT_MAX_CAPACITY"
    DATASET_DATASOURCE_UNKNOWN = "DATASET_DATASOURCE_UNKNOWN"
    DATASET_DATASOURCE_CREDENTIALS_ERROR = "DATASET_DATASOURCE_CREDENTIALS_ERROR"
    DATASET_DATASOURCE_INVALID = "DATASET_DATASOURCE_INVALID"
    DATASET_DATASOURCE_ACTION_NOT_IMPLEMENTED = "DATASET_DATASOURCE_ACTION_NOT_IMPLEMENTED"
    DATASET_DATASOURCE_ILLEGAL_ACTION = "DATASET_DATASOURCE_ILLEGAL_ACTION"
    DATASET_DATASOURCE_RELEVANT_FILENAMES_INVALID = (
        "DATASET_DATASOURCE_RELEVANT_FILENAMES_INVALID"
    )
    ACCESS_CONTROL_UNKNOWN = "ACCESS_CONTROL_UNKNOWN"
    EMBEDDING_UNKNOWN = "EMBEDDING_UNKNOWN"
    EMBEDDING_NAME_EXISTS = "EMBEDDING_NAME_EXISTS"
    EMBEDDING_INVALID = "EMBEDDING_INVALID"
    EMBEDDING_NOT_READY = "EMBEDDING_NOT_READY"
    EMBEDDING_ROW_COUNT_UNKNOWN = "EMBEDDING_ROW_COUNT_UNKNOWN"
    EMBEDDING_ROW_COUNT_INVALID = "EMBEDDING_ROW_COUNT_INVALID"
    EMBEDDING_2D_UNKNOWN = "EMBEDDING_2D_UNKNOWN"
    TAG_UNKNOWN = "TAG_UNKNOWN"
    TAG_NAME_EXISTS = "TAG_NAME_EXISTS"
    TAG_INITIAL_EXISTS = "TAG_INITIAL_EXISTS"
    TAG_UNDELETABLE_NOT_A_LEAF = "TAG_UNDELETABLE_NOT_A_LEAF"
    TAG_UNDELETABLE_IS_INITIAL = "TAG_UNDELETABLE_IS_INITIAL"
    TAG_NO_TAG_IN_DATASET = "TAG_NO_TAG_IN_DATASET"
    TAG_PREVTAG_NOT_IN_DATASET = "TAG_PREVTAG_NOT_IN_DATASET"
    TAG_QUERYTAG_NOT_IN_DATASET = "TAG_QUERYTAG_NOT_IN_DATASET"
    TAG_PRESELECTEDTAG_NOT_IN_DATASET = "TAG_PRESELECTEDTAG_NOT_IN_DATASET"
    TAG_NO_SCORES_AVAILABLE = "TAG_NO_SCORES_AVAILABLE"
    SAMPLE_UNKNOWN = "SAMPLE_UNKNOWN"
    SAMPLE_THUMBNAME_UNKNOWN = "SAMPLE_THUMBNAME_UNKNOWN"
    SAMPLE_CREATE_REQUEST_INVALID_FORMAT = "SAMPLE_CREATE_REQUEST_INVALID_FORMAT"
    SAMPLE_CREATE_REQUEST_INVALID_CROP_DATA = "SAMPLE_CREATE_REQUEST_INVALID_CROP_DATA"
    PREDICTION_TASK_SCHEMA_UNKNOWN = "PREDICTION_TASK_SCHEMA_UNKNOWN"
    PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE = "PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE"
    SCORE_UNKNOWN = "SCORE_UNKNOWN"
    DOCKER_RUN_UNKNOWN = "DOCKER_RUN_UNKNOWN"
    DOCKER_RUN_REPORT_UNAVAILABLE = "DOCKER_RUN_REPORT_UNAVAILABLE"
    DOCKER_WORKER_UNKNOWN = "DOCKER_WORKER_UNKNOWN"
    DOCKER_WORKER_CONFIG_UNKNOWN = "DOCKER_WORKER_CONFIG_UNKNOWN"
    DOCKER_WORKER_CONFIG_IN_USE = "DOCKER_WORKER_CONFIG_IN_USE"
    DOCKER_WORKER_SCHEDULE_UNKNOWN = "DOCKER_WORKER_SCHEDULE_UNKNOWN"
    DOCKER_WORKER_SCHEDULE_UPDATE_FAILED = "DOCKER_WORKER_SCHEDULE_UPDATE_FAILED"
    METADATA_CONFIGURATION_UNKNOWN = "METADATA_CONFIGURATION_UNKNOWN"
    CUSTOM_METADATA_AT_MAX_SIZE = "CUSTOM_METADATA_AT_MAX_SIZE"
    TAG_PREVTAG_NOT_OF_DATASET = "TAG_PREVTAG_NOT_OF_DATASET"


@attrs.frozen(kw_only=True)
class ApiErrorResponse:
    """An error body: seed-era ``{code, message}`` or newer ``{code, error, requestId}``."""

    code: ApiErrorCode | str
    message: str | None = None
    error: str | None = None
    request_id: str | None = None
    error_labels: list[str] | None = None


@attrs.frozen(kw_only=True)
class CreateEntityResponse:
    """The id of an entity the server created or updated."""

    id: str


@attrs.frozen(kw_only=True)
class AsyncTaskData:
    """A server-side job was started; poll it with ``session.jobs``."""

    job_id: str


class JobState(str, Enum):
    """The state of a server-side job."""

    UNKNOWN = "UNKNOWN"
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    FINISHED = "FINISHED"


class JobResultType(str, Enum):
    """What a finished job produced."""

    DATASET_PROCESSING = "DATASET_PROCESSING"
    IMAGEMETA = "IMAGEMETA"
    EMBEDDING = "EMBEDDING"
    EMBEDDINGS2D = "EMBEDDINGS2D"
    SAMPLING = "SAMPLING"


@attrs.frozen(kw_only=True)
class JobStatusDataResult:
    """A job's result; for a sampling, ``data`` is the new tag's id."""

    type: JobResultType | str
    data: Any = None


class JobStatusUploadMethod(str, Enum):
    """Who started an upload job (newer servers)."""

    USER_WEBAPP = "USER_WEBAPP"
    USER_PIP = "USER_PIP"
    INTERNAL = "INTERNAL"


@attrs.frozen(kw_only=True)
class JobStatusMeta:
    """A job's progress (newer servers)."""

    total: int
    processed: int
    upload_method: JobStatusUploadMethod | str | None = None
    is_registered: bool | None = None


@attrs.frozen(kw_only=True)
class JobStatusData:
    """``GET /v1/jobs/{jobId}``: the job's state and, once finished, its result."""

    id: str
    status: JobState | str
    created_at: int
    wait_time_till_next_poll: int
    dataset_id: str | None = None
    finished_at: int | None = None
    error: str | None = None
    result: JobStatusDataResult | None = None
    last_modified_at: int | None = None
    meta: JobStatusMeta | None = None
