"""Models of the Predictions API: task schemas and the ``PredictionSingleton`` union."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeAlias

import attrs

__all__ = [
    "PredictionSingleton",
    "PredictionSingletonClassification",
    "PredictionSingletonInstanceSegmentation",
    "PredictionSingletonKeypointDetection",
    "PredictionSingletonObjectDetection",
    "PredictionSingletonSemanticSegmentation",
    "PredictionSingletonUnknown",
    "PredictionTaskSchema",
    "PredictionTaskSchemaCategory",
    "PredictionTaskSchemas",
    "TaskType",
]


class TaskType(str, Enum):
    """The type of a prediction task (and the discriminator of ``PredictionSingleton``)."""

    CLASSIFICATION = "CLASSIFICATION"
    OBJECT_DETECTION = "OBJECT_DETECTION"
    SEMANTIC_SEGMENTATION = "SEMANTIC_SEGMENTATION"
    INSTANCE_SEGMENTATION = "INSTANCE_SEGMENTATION"
    KEYPOINT_DETECTION = "KEYPOINT_DETECTION"


@attrs.frozen(kw_only=True)
class PredictionTaskSchemaCategory:
    """A category of a task: its id and display name (keypoint tasks: names and skeleton)."""

    id: int | None = None
    name: str | None = None
    keypoint_names: list[str] | None = None
    keypoint_skeleton: list[list[int]] | None = None


@attrs.frozen(kw_only=True)
class PredictionTaskSchema:
    """A prediction task: its name, type and categories (ids unique)."""

    name: str
    type: TaskType | str
    categories: list[PredictionTaskSchemaCategory]


@attrs.frozen(kw_only=True)
class PredictionTaskSchemas:
    """The newer answer of ``list_task_schemas``: the version's timestamp and its schemas."""

    prediction_uuid_timestamp: int = attrs.field(metadata={"wire": "predictionUUIDTimestamp"})
    schemas: list[PredictionTaskSchema]


@attrs.frozen(kw_only=True)
class PredictionSingletonClassification:
    """A classification of the whole image."""

    task_name: str
    category_id: int
    score: float
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "CLASSIFICATION"


@attrs.frozen(kw_only=True)
class PredictionSingletonObjectDetection:
    """A detected object: ``bbox`` is ``[x, y, width, height]`` in pixels (ints or floats)."""

    task_name: str
    category_id: int
    score: float
    bbox: list[float]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "OBJECT_DETECTION"


@attrs.frozen(kw_only=True)
class PredictionSingletonInstanceSegmentation:
    """An instance mask: a COCO RLE string (seed-era) or an RLE list of counts (newer)."""

    task_name: str
    category_id: int
    score: float
    segmentation: str | list[int]
    bbox: list[float] | None = None
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "INSTANCE_SEGMENTATION"


@attrs.frozen(kw_only=True)
class PredictionSingletonKeypointDetection:
    """Keypoints as COCO triplets ``[x1, y1, v1, …]`` (ints or floats)."""

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
class PredictionSingletonSemanticSegmentation:
    """A semantic mask as an RLE list of counts."""

    task_name: str
    category_id: int
    score: float
    segmentation: list[int]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "SEMANTIC_SEGMENTATION"


@attrs.frozen(kw_only=True)
class PredictionSingletonUnknown:
    """A singleton ``type`` this client does not know; ``raw`` is the JSON object as received.

    Sending it back (``predictions.upsert``) sends ``raw`` unchanged.
    """

    type: str
    raw: dict[str, Any]


PredictionSingleton: TypeAlias = (
    PredictionSingletonClassification
    | PredictionSingletonObjectDetection
    | PredictionSingletonSemanticSegmentation
    | PredictionSingletonInstanceSegmentation
    | PredictionSingletonKeypointDetection
    | PredictionSingletonUnknown
)
"""One prediction of a sample: a type alias for annotations and ``isinstance``, not a class.

Construct one of its concrete classes (each sets its own ``type``);
``PredictionSingletonUnknown`` is what a variant newer than the client decodes to."""
