"""The API's value constraints, written once: patterns, lengths, ranges and enum sets.

Both sides read this module: the client's input checks (``_validate``, the prediction checks
in ``resources.predictions``) and the fake server's request validation (``testing``). Each
constraint's ``problem(value)`` is ``None`` for a good value, else a phrase such as
``"must match ^[a-f0-9]{24}$, got 'x'"`` that either side prefixes with the field's name and
raises as its own error type (``InvalidInputError`` in the client, a 400 in the fake).

Patterns match the whole value (``fullmatch``): the spec's patterns are ECMA-262, where ``$``
does not match before a trailing newline as Python's does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any, Final

import attrs

__all__ = [
    "BBOX",
    "BITMASK_HEX",
    "CATEGORY_ID",
    "CATEGORY_NAME",
    "COORDINATE",
    "COORDINATE_INT",
    "DATASET_NAME",
    "IMAGE_TYPES",
    "INT64_MAX",
    "KEYPOINTS_MIN_LENGTH",
    "OBJECT_ID",
    "PATH_SAFE_NAME",
    "PROBABILITY",
    "READ_URL_TYPES",
    "S3_REGIONS",
    "SAMPLES_MODES",
    "SCORE",
    "SCORE_TYPE",
    "TAG_CREATORS",
    "TAG_CREATORS_LATEST",
    "TAG_NAME",
    "TASK_TYPES",
    "TASK_TYPES_LATEST",
    "TIMESTAMP",
    "OneOf",
    "Pattern",
    "Range",
    "kind",
    "singleton_problems",
]

INT64_MAX: Final = 2**63 - 1
"""The largest ``format: int64`` integer (timestamps, category ids, seed-era coordinates)."""


@attrs.frozen
class Pattern:
    """A string schema: ``regex`` matched in full, at least ``min_length`` characters."""

    name: str
    regex: re.Pattern[str]
    min_length: int = 1

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not a valid ``name``, or ``None``."""
        if not isinstance(value, str):
            return f"must be a string, got {kind(value)}"
        if len(value) < self.min_length or not self.regex.fullmatch(value):
            return f"must {self.rule}, got {value!r}"
        return None

    @property
    def rule(self) -> str:
        """The constraint in words (``be >= 3 characters matching ^...$``, ``match ^...$``)."""
        if self.min_length > 1:
            return f"be >= {self.min_length} characters matching {self.regex.pattern}"
        return f"match {self.regex.pattern}"


@attrs.frozen
class Range:
    """A number schema: ``minimum <= value <= maximum``; ``integer`` refuses floats (and bools)."""

    name: str
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = True

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not a valid ``name``, or ``None``."""
        if isinstance(value, bool) or not isinstance(value, int if self.integer else int | float):
            return f"must be {'an integer' if self.integer else 'a number'}, got {kind(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number, got {value!r}"
        too_low = self.minimum is not None and value < self.minimum
        if too_low or (self.maximum is not None and value > self.maximum):
            return f"must be {self.rule}, got {value!r}"
        return None

    @property
    def rule(self) -> str:
        """The constraint in words (``in 0..1``, ``>= 0``)."""
        if self.maximum is None:
            return f">= {_num(self.minimum)}"
        if self.minimum is None:
            return f"<= {_num(self.maximum)}"
        if self.maximum == INT64_MAX:
            return f">= {_num(self.minimum)} and an int64"
        return f"in {_num(self.minimum)}..{_num(self.maximum)}"


@attrs.frozen
class OneOf:
    """An enum schema: one of ``values`` (wire strings, in the spec's order)."""

    name: str
    values: tuple[str, ...]

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not one of the values, or ``None``."""
        wire = getattr(value, "value", value)  # a str Enum member counts as its wire string
        if isinstance(wire, str) and wire in self.values:
            return None
        return f"must be one of {', '.join(map(repr, self.values))}, got {value!r}"


# -- patterns ------------------------------------------------------------------------------------
OBJECT_ID: Final = Pattern("MongoObjectID", re.compile(r"^[a-f0-9]{24}$"))
TAG_NAME: Final = Pattern("TagName", re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$"), 3)
PATH_SAFE_NAME: Final = Pattern("PathSafeName", re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 ._-]+$"))
CATEGORY_NAME: Final = Pattern("CategoryName", TAG_NAME.regex)
# lightly 1.5.20, DatasetCreateRequest.name / DatasetUpdateRequest.name (beyond the seeds)
DATASET_NAME: Final = Pattern(
    "DatasetName", re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 _-]+$"), 3)
SCORE_TYPE: Final = Pattern("ActiveLearningScoreType", re.compile(r"^[a-zA-Z0-9_-]+$"))
BITMASK_HEX: Final = Pattern("BitMaskData", re.compile(r"^0x[a-f0-9]+$"))

# -- ranges --------------------------------------------------------------------------------------
TIMESTAMP: Final = Range("Timestamp", 0, INT64_MAX)
CATEGORY_ID: Final = Range("CategoryId", 0, INT64_MAX)
SCORE: Final = Range("Score", 0.0, 1.0, integer=False)
PROBABILITY: Final = Range("Probability", 0.0, 1.0, integer=False)
COORDINATE_INT: Final = Range("coordinate", 0, INT64_MAX)
"""A bbox or keypoint value in the seed contract: an int64 >= 0."""
COORDINATE: Final = Range("coordinate", 0, None, integer=False)
"""A bbox or keypoint value in the newest API: any number >= 0."""
BBOX: Final = 4
"""A bbox holds exactly ``[x, y, w, h]``."""
KEYPOINTS_MIN_LENGTH: Final = 3
"""Keypoints hold at least one ``(x, y, visibility)`` triplet."""

# -- enum sets -----------------------------------------------------------------------------------
TAG_CREATORS: Final = OneOf("TagCreator", (
    "UNKNOWN", "USER_WEBAPP", "USER_PIP", "SAMPLER_ACTIVE_LEARNING", "SAMPLER_CORAL",
    "SAMPLER_CORESET", "SAMPLER_RANDOM"))
TAG_CREATORS_LATEST: Final = OneOf("TagCreator", (*TAG_CREATORS.values, "USER_PIP_LIGHTLY_MAGIC",
                                                  "USER_WORKER"))
"""The newest API's creators (lightly 1.5.20) add two to the seed's."""
IMAGE_TYPES: Final = OneOf("ImageType", ("full", "thumbnail", "meta"))
TASK_TYPES: Final = OneOf("TaskType", (
    "CLASSIFICATION", "OBJECT_DETECTION", "INSTANCE_SEGMENTATION", "KEYPOINT_DETECTION"))
TASK_TYPES_LATEST: Final = OneOf("TaskType", (*TASK_TYPES.values, "SEMANTIC_SEGMENTATION"))
SAMPLES_MODES: Final = OneOf("mode", ("full", "ids"))
READ_URL_TYPES: Final = OneOf("type", ("full", "thumbnail"))
S3_REGIONS: Final = OneOf("S3Region", (
    "us-east-2", "us-east-1", "us-west-1", "us-west-2", "us-gov-west-1", "us-gov-east-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
    "cn-north-1", "cn-northwest-1", "ap-east-1", "ap-south-1", "ap-northeast-2",
    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ca-central-1", "me-south-1"))


# -- composite rules -----------------------------------------------------------------------------
def singleton_problems(singleton: Any, *, latest: bool = False) -> Iterator[tuple[str, str]]:
    """Every ``(field, problem)`` of one prediction singleton, checked on its own.

    ``field`` is relative (``"score"``, ``"bbox[2]"``). What needs the task schema (the
    type and category matching it) is the fake's to check. The seed contract has int64
    coordinates and an RLE string; the newest API (``latest``) numbers and an RLE int list.
    """
    coordinate = COORDINATE if latest else COORDINATE_INT
    for name, rule in (("task_name", PATH_SAFE_NAME), ("category_id", CATEGORY_ID),
                       ("score", SCORE)):
        problem = rule.problem(getattr(singleton, name))
        if problem:
            yield name, problem
    for j, p in enumerate(getattr(singleton, "probabilities", None) or ()):
        problem = PROBABILITY.problem(p)
        if problem:
            yield f"probabilities[{j}]", problem
    bbox = getattr(singleton, "bbox", None)
    if bbox is not None:
        if len(bbox) != BBOX:
            yield "bbox", f"must be [x, y, w, h] ({BBOX} values), got {list(bbox)!r}"
        yield from _each("bbox", bbox, coordinate)
    keypoints = getattr(singleton, "keypoints", None)
    if keypoints is not None:
        if len(keypoints) < KEYPOINTS_MIN_LENGTH:
            yield "keypoints", f"must hold at least one triplet ({KEYPOINTS_MIN_LENGTH} values)"
        yield from _each("keypoints", keypoints, coordinate)
    segmentation = getattr(singleton, "segmentation", None)
    if segmentation is not None and latest and isinstance(segmentation, list):
        yield from _each("segmentation", segmentation, COORDINATE_INT)
    elif hasattr(singleton, "segmentation") and not (
            isinstance(segmentation, str) and segmentation):
        yield "segmentation", "must be a non-empty RLE string"
    for id_field in ("crop_dataset_id", "crop_sample_id"):
        value = getattr(singleton, id_field, None)
        if value is not None:
            problem = OBJECT_ID.problem(value)
            if problem:
                yield id_field, problem


def kind(value: Any) -> str:
    """A short description of a value of the wrong type (``int 5``)."""
    return f"{type(value).__name__} {value!r}"[:80]


def _each(field: str, values: Any, rule: Range) -> Iterator[tuple[str, str]]:
    for j, v in enumerate(values):
        problem = rule.problem(v)
        if problem:
            yield f"{field}[{j}]", problem


def _num(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
