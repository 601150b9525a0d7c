"""Models of the Predictions API: task schemas and the ``PredictionSingleton`` union."""

from __future__ import annotations

from enum import Enum
from typing import TypeAlias

import attrs

__all__ = [
    "PredictionSingleton",
    "PredictionSingletonClassification",
    "PredictionSingletonInstanceSegmentation",
    "PredictionSingletonKeypointDetection",
    "PredictionSingletonObjectDetection",
    "PredictionTaskSchema",
    "PredictionTaskSchemaCategory",
    "TaskType",
]


class TaskType(str, Enum):
    """The type of a prediction task (and the discriminator of ``PredictionSingleton``)."""

    CLASSIFICATION = "CLASSIFICATION"
    OBJECT_DETECTION = "OBJECT_DETECTION"
    INSTANCE_SEGMENTATION = "INSTANCE_SEGMENTATION"
    KEYPOINT_DETECTION = "KEYPOINT_DETECTION"


@attrs.frozen(kw_only=True)
class PredictionTaskSchemaCategory:
    """A category of a task: its id and display name."""

    id: int | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class PredictionTaskSchema:
    """A prediction task: its name, type and categories (ids unique)."""

    name: str
    type: TaskType | str
    categories: list[PredictionTaskSchemaCategory]


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
    """A detected object: ``bbox`` is ``[x, y, width, height]`` in pixels."""

    task_name: str
    category_id: int
    score: float
    bbox: list[int]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "OBJECT_DETECTION"


@attrs.frozen(kw_only=True)
class PredictionSingletonInstanceSegmentation:
    """An instance mask as a COCO run-length-encoding string."""

    task_name: str
    category_id: int
    score: float
    segmentation: str
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "INSTANCE_SEGMENTATION"


@attrs.frozen(kw_only=True)
class PredictionSingletonKeypointDetection:
    """Keypoints as COCO triplets ``[x1, y1, v1, …]``."""

    task_name: str
    category_id: int
    score: float
    keypoints: list[int]
    probabilities: list[float] | None = None
    crop_dataset_id: str | None = None
    crop_sample_id: str | None = None
    type: str = "KEYPOINT_DETECTION"


PredictionSingleton: TypeAlias = (
    PredictionSingletonClassification
    | PredictionSingletonObjectDetection
    | PredictionSingletonInstanceSegmentation
    | PredictionSingletonKeypointDetection
)
