"""The newest API's shapes where they differ from the seed's, for ``FakeLightly(api="latest")``.

The newest public description of the API is lightly 1.5.20's. Where its request bodies only
add optional fields (``runId``, ``updateCreator``, ``bitMaskData``, datasource ``purpose``,
``id``, ``webServerLocation``, ``s3ServerSideEncryptionKMSKey``) the request models here are
the seed models plus those fields, so the strict parser still refuses any key neither contract
knows. Where a value's type changed (float ``bbox``/``keypoints``, integer-list
``segmentation``) the singleton models are the newest shapes. Answers are the seed answers
re-rendered (:func:`tag_json`, :func:`verify_json`, :func:`task_schemas_json`,
:func:`datasource_json`, :func:`error_json`).

This is the fake's own small layer over the shared converter; once the client's models carry
these shapes, the fake parses and renders with those instead.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from lightly_async._constraints import OneOf
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLIGHTLY,
    DatasourceConfigLOCAL,
    DatasourceConfigS3,
    InitialTagCreateRequest,
    PredictionSingletonClassification,
    TagArithmeticsRequest,
    TagCreateRequest,
    TagCreator,
    TagUpdateRequest,
    TagUpsizeRequest,
)

__all__ = [
    "API_MODES",
    "DATASOURCE_PURPOSES",
    "DatasourceConfigAzureLatest",
    "DatasourceConfigGCSLatest",
    "DatasourceConfigLIGHTLYLatest",
    "DatasourceConfigLOCALLatest",
    "DatasourceConfigS3Latest",
    "InitialTagCreateRequestLatest",
    "PredictionSingletonInstanceSegmentationLatest",
    "PredictionSingletonKeypointDetectionLatest",
    "PredictionSingletonObjectDetectionLatest",
    "PredictionSingletonSemanticSegmentationLatest",
    "TagArithmeticsRequestLatest",
    "TagCreateRequestLatest",
    "TagUpdateRequestLatest",
    "TagUpsizeRequestLatest",
    "check_api",
    "datasource_model",
    "newest_only",
    "singleton_model",
]

API_MODES: Final = ("seed", "latest")
"""``FakeLightly(api=...)``: the seed contract (default) or the newest public API."""

DATASOURCE_PURPOSES: Final = OneOf("DatasourcePurpose", ("INPUT_OUTPUT", "INPUT", "LIGHTLY"))
DEFAULT_PURPOSE: Final = "INPUT_OUTPUT"


def check_api(api: str) -> str:
    """``api`` if it names a mode, else a ``ValueError`` listing them."""
    if api not in API_MODES:
        raise ValueError(f"api must be one of {', '.join(map(repr, API_MODES))}, got {api!r}")
    return api


# -- requests: the seed models plus the newest optional fields ---------------------------------
@attrs.frozen(kw_only=True)
class InitialTagCreateRequestLatest(InitialTagCreateRequest):
    """``POST .../tags/initial`` with ``runId``."""

    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagCreateRequestLatest(TagCreateRequest):
    """``POST .../tags`` with ``runId``."""

    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagUpdateRequestLatest(TagUpdateRequest):
    """``PUT .../tags/{tagId}``: rename and, newest, ``updateCreator``, ``bitMaskData``."""

    update_creator: TagCreator | str | None = None
    bit_mask_data: BitMask | None = None
    changes: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class TagUpsizeRequestLatest(TagUpsizeRequest):
    """``POST .../tags/upsize`` with ``runId``."""

    run_id: str | None = None


@attrs.frozen(kw_only=True)
class TagArithmeticsRequestLatest(TagArithmeticsRequest):
    """``POST .../tags/arithmetics[/bitmask]`` with ``runId``."""

    run_id: str | None = None


@attrs.frozen(kw_only=True)
class DatasourceConfigS3Latest(DatasourceConfigS3):
    """An S3 datasource with the newest base fields and the KMS key."""

    id: str | None = None
    purpose: str | None = None
    s3_server_side_encryption_kms_key: str | None = attrs.field(
        default=None, metadata={"wire": "s3ServerSideEncryptionKMSKey"})


@attrs.frozen(kw_only=True)
class DatasourceConfigGCSLatest(DatasourceConfigGCS):
    """A GCS datasource with the newest base fields."""

    id: str | None = None
    purpose: str | None = None


@attrs.frozen(kw_only=True)
class DatasourceConfigAzureLatest(DatasourceConfigAzure):
    """An Azure datasource with the newest base fields."""

    id: str | None = None
    purpose: str | None = None


@attrs.frozen(kw_only=True)
class DatasourceConfigLOCALLatest(DatasourceConfigLOCAL):
    """A LOCAL datasource with the newest base fields and ``webServerLocation``."""

    id: str | None = None
    purpose: str | None = None
    web_server_location: str | None = None


@attrs.frozen(kw_only=True)
class DatasourceConfigLIGHTLYLatest(DatasourceConfigLIGHTLY):
    """A LIGHTLY datasource with the newest base fields."""

    id: str | None = None
    purpose: str | None = None


_DATASOURCES: Final[dict[str, type]] = {
    "S3": DatasourceConfigS3Latest,
    "GCS": DatasourceConfigGCSLatest,
    "AZURE": DatasourceConfigAzureLatest,
    "LOCAL": DatasourceConfigLOCALLatest,
    "LIGHTLY": DatasourceConfigLIGHTLYLatest,
}


def datasource_model(data: Any) -> type | None:
    """The newest datasource class for a body's ``type`` (None: a type the fake lacks)."""
    return _DATASOURCES.get(str(data.get("type"))) if isinstance(data, dict) else None


# -- singletons in the newest shapes ------------------------------------------------------------
@attrs.frozen(kw_only=True)
class PredictionSingletonObjectDetectionLatest:
    """An object detection with number coordinates."""

    task_name: str
    category_id: int
    score: float
    bbox: list[float]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "OBJECT_DETECTION"


@attrs.frozen(kw_only=True)
class PredictionSingletonKeypointDetectionLatest:
    """Keypoints (numbers) with an optional bbox."""

    task_name: str
    category_id: int
    score: float
    keypoints: list[float]
    bbox: list[float] | None = None
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "KEYPOINT_DETECTION"


@attrs.frozen(kw_only=True)
class PredictionSingletonInstanceSegmentationLatest:
    """An instance mask: run-length encoding as integers, and its bbox."""

    task_name: str
    category_id: int
    score: float
    segmentation: list[int]
    bbox: list[float]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "INSTANCE_SEGMENTATION"


@attrs.frozen(kw_only=True)
class PredictionSingletonSemanticSegmentationLatest:
    """A semantic mask: run-length encoding as integers."""

    task_name: str
    category_id: int
    score: float
    segmentation: list[int]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "SEMANTIC_SEGMENTATION"


_SINGLETONS: Final[dict[str, type]] = {
    "CLASSIFICATION": PredictionSingletonClassification,
    "OBJECT_DETECTION": PredictionSingletonObjectDetectionLatest,
    "KEYPOINT_DETECTION": PredictionSingletonKeypointDetectionLatest,
    "INSTANCE_SEGMENTATION": PredictionSingletonInstanceSegmentationLatest,
    "SEMANTIC_SEGMENTATION": PredictionSingletonSemanticSegmentationLatest,
}


def singleton_model(data: Any) -> type | None:
    """The newest singleton class for an item's ``type`` (None: unknown)."""
    return _SINGLETONS.get(str(data.get("type"))) if isinstance(data, dict) else None


# -- what the seed contract lacks ---------------------------------------------------------------
_NEWEST_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "InitialTagCreateRequest": ("run_id",),
    "TagCreateRequest": ("run_id",),
    "TagUpdateRequest": ("update_creator", "bit_mask_data", "changes"),
    "TagUpsizeRequest": ("run_id",),
    "TagArithmeticsRequest": ("run_id",),
    "DatasourceConfigS3": ("id", "purpose", "s3_server_side_encryption_kms_key"),
    "DatasourceConfigGCS": ("id", "purpose"),
    "DatasourceConfigAzure": ("id", "purpose"),
    "DatasourceConfigLOCAL": ("id", "purpose", "web_server_location"),
    "DatasourceConfigLIGHTLY": ("id", "purpose"),
    "PredictionSingletonKeypointDetection": ("bbox",),
    "PredictionSingletonInstanceSegmentation": ("bbox", "probabilities"),
}
"""Per request model: the fields only the newest API has (the client's models carry both)."""

_NEWEST_CLASSES: Final = frozenset({
    "DatasourceConfigS3DelegatedAccess", "DatasourceConfigOBS",
    "PredictionSingletonSemanticSegmentation",
})
"""Union variants only the newest API has."""


def newest_only(value: Any) -> list[str]:
    """The newest-only parts of a parsed request body (the seed contract refuses them)."""
    if isinstance(value, list):
        return [part for item in value for part in newest_only(item)]
    if not attrs.has(type(value)):
        return []
    names = [c.__name__.removesuffix("Latest") for c in type(value).__mro__]
    if _NEWEST_CLASSES.intersection(names):
        return [f"type {getattr(value, 'type', names[0])!r}"]
    fields = {f for name in names for f in _NEWEST_FIELDS.get(name, ())}
    return [_camel(f) for f in sorted(fields) if getattr(value, f, None) is not None]


def _camel(name: str) -> str:
    if name == "s3_server_side_encryption_kms_key":
        return "s3ServerSideEncryptionKMSKey"
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# -- answers ------------------------------------------------------------------------------------
def tag_json(seed: dict[str, Any], history: list[dict[str, Any]], run_id: str | None) -> Any:
    """A ``TagData`` answer: ``changes`` as the list of change entries, ``runId``."""
    out = {k: v for k, v in seed.items() if k != "changes"}
    if history:
        out["changes"] = history
    if run_id is not None:
        out["runId"] = run_id
    return out


def verify_json(flags: tuple[bool, bool, bool, bool]) -> dict[str, Any]:
    """A ``DatasourceConfigVerifyData`` answer with ``canOverwrite`` and per-check errors."""
    names = ("canRead", "canWrite", "canList", "canOverwrite")
    out: dict[str, Any] = dict(zip(names, flags, strict=True))
    errors = {name: f"{name} check failed (set by FakeLightly.set_verify)"
              for name, ok in zip(names, flags, strict=True) if not ok}
    if errors:
        out["errors"] = errors
    return out


def task_schemas_json(version: int, schemas: list[Any]) -> dict[str, Any]:
    """A ``PredictionTaskSchemas`` answer."""
    return {"predictionUUIDTimestamp": version, "schemas": schemas}


def datasource_json(seed: dict[str, Any], purpose: str | None) -> dict[str, Any]:
    """A ``DatasourceConfig`` answer: ``purpose`` always present (required in the newest API)."""
    return {**seed, "purpose": purpose or DEFAULT_PURPOSE}


def error_json(code: str, message: str, request_id: str) -> dict[str, Any]:
    """An ``ApiErrorResponse`` in the newest shape."""
    return {"code": code, "error": message, "requestId": request_id}
