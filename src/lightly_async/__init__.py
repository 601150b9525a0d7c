"""lightly_async: the async Python client for the Lightly platform REST API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lightly_async._retry import RetryPolicy
from lightly_async._send import LocalRateBudget, RateBudget, SessionStats
from lightly_async._session import NOT_GIVEN, LightlySession
from lightly_async.bitmask import BitMask
from lightly_async.errors import (
    AmbiguousNameError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BulkError,
    ConflictError,
    DecodeError,
    InvalidInputError,
    JobFailedError,
    LightlyError,
    MockNotSeenError,
    NameNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ResponseTooLargeError,
    RunFailedError,
    ServerError,
    SessionClosedError,
    TLSCertificateError,
    UnprocessableEntityError,
    WrongContextError,
)

if TYPE_CHECKING:
    from lightly_async._config import SessionConfig
    from lightly_async._observe import CallEvent
    from lightly_async._transfer import TransferTimeout
    from lightly_async.bulk import BulkOutcome, BulkResult
    from lightly_async.models import (
        CreateEntityResponse,
        DatasetCreator,
        DatasetData,
        DatasetEmbeddingData,
        DatasetType,
        DatasourceConfig,
        DatasourceConfigUnknown,
        DockerRunData,
        DockerRunState,
        DockerWorkerConfigV4,
        ImageType,
        PredictionSingleton,
        PredictionSingletonClassification,
        PredictionSingletonInstanceSegmentation,
        PredictionSingletonKeypointDetection,
        PredictionSingletonObjectDetection,
        PredictionSingletonSemanticSegmentation,
        PredictionSingletonUnknown,
        PredictionTaskSchema,
        PredictionTaskSchemaCategory,
        SampleData,
        SamplingConfig,
        SamplingConfigStoppingCondition,
        SamplingMethod,
        SelectionConfigV4,
        TagArithmeticsOperation,
        TagCreator,
        TagData,
        TaskType,
    )
    from lightly_async.progress import ProgressCallback
    from lightly_async.resources import (
        Dataset,
        DatasetPager,
        Datasets,
        Datasource,
        Embeddings,
        Jobs,
        Mappings,
        Predictions,
        RunInfo,
        Runs,
        Samples,
        Samplings,
        Tags,
        Workers,
    )
    from lightly_async.resources.datasource import RawSamplesShard

# Models, resources and the bulk helpers load on first use (PEP 562), so that a script or CLI
# that only imports the package does not pay for building ~45 attrs classes and the converter.
_LAZY: dict[str, str] = {
    "BulkOutcome": "lightly_async.bulk",
    "BulkResult": "lightly_async.bulk",
    "CallEvent": "lightly_async._observe",
    "RawSamplesShard": "lightly_async.resources.datasource",
    "ProgressCallback": "lightly_async.progress",
    "SessionConfig": "lightly_async._config",
    "TransferTimeout": "lightly_async._transfer",
    **dict.fromkeys(
        ["Dataset", "DatasetPager", "Datasets", "Datasource", "Embeddings", "Jobs", "Mappings",
         "Predictions", "RunInfo", "Runs", "Samples", "Samplings", "Tags", "Workers"],
        "lightly_async.resources"),
    **dict.fromkeys(
        ["CreateEntityResponse", "DatasetCreator", "DatasetData", "DatasetEmbeddingData",
         "DatasetType", "DatasourceConfig", "DatasourceConfigUnknown", "ImageType",
         "PredictionSingleton", "PredictionSingletonSemanticSegmentation",
         "PredictionSingletonUnknown",
         "PredictionSingletonClassification", "PredictionSingletonInstanceSegmentation",
         "PredictionSingletonKeypointDetection", "PredictionSingletonObjectDetection",
         "PredictionTaskSchema", "PredictionTaskSchemaCategory", "SampleData", "SamplingConfig",
         "SamplingConfigStoppingCondition", "SamplingMethod", "TagArithmeticsOperation",
         "TagCreator", "TagData", "TaskType", "DockerRunData", "DockerRunState",
         "DockerWorkerConfigV4", "SelectionConfigV4"],
        "lightly_async.models"),
}

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousNameError",
    "AuthenticationError",
    "BadRequestError",
    "BitMask",
    "BulkError",
    "BulkOutcome",
    "BulkResult",
    "CallEvent",
    "ConflictError",
    "CreateEntityResponse",
    "Dataset",
    "DatasetCreator",
    "DatasetData",
    "DatasetEmbeddingData",
    "DatasetPager",
    "DatasetType",
    "Datasets",
    "Datasource",
    "DatasourceConfig",
    "DatasourceConfigUnknown",
    "DecodeError",
    "DockerRunData",
    "DockerRunState",
    "DockerWorkerConfigV4",
    "Embeddings",
    "ImageType",
    "InvalidInputError",
    "JobFailedError",
    "Jobs",
    "LightlyError",
    "LightlySession",
    "LocalRateBudget",
    "Mappings",
    "MockNotSeenError",
    "NameNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "PredictionSingleton",
    "PredictionSingletonClassification",
    "PredictionSingletonInstanceSegmentation",
    "PredictionSingletonKeypointDetection",
    "PredictionSingletonObjectDetection",
    "PredictionSingletonSemanticSegmentation",
    "PredictionSingletonUnknown",
    "PredictionTaskSchema",
    "PredictionTaskSchemaCategory",
    "Predictions",
    "ProgressCallback",
    "RateBudget",
    "RateLimitError",
    "RawSamplesShard",
    "RedirectError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "RunFailedError",
    "RunInfo",
    "Runs",
    "SampleData",
    "Samples",
    "SamplingConfig",
    "SamplingConfigStoppingCondition",
    "SamplingMethod",
    "Samplings",
    "SelectionConfigV4",
    "ServerError",
    "SessionClosedError",
    "SessionConfig",
    "SessionStats",
    "TLSCertificateError",
    "TagArithmeticsOperation",
    "TagCreator",
    "TagData",
    "Tags",
    "TaskType",
    "TransferTimeout",
    "UnprocessableEntityError",
    "Workers",
    "WrongContextError",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in ("models", "resources", "bulk", "progress"):
        return importlib.import_module(f"lightly_async.{name}")
    if name == "__version__":
        from importlib.metadata import version

        return version("lightly-async")
    raise AttributeError(f"module 'lightly_async' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, "__version__"])
