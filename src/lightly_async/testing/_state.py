"""The fake server's records and its one error type; no HTTP and no semantics live here.

Status codes chosen for error codes (guesses; NOTES.md says the real mapping is unspecified):

* ``UNAUTHORIZED`` -> 401, ``FORBIDDEN`` -> 403;
* every ``*_UNKNOWN`` code (``DATASET_UNKNOWN``, ``TAG_UNKNOWN``, ``SAMPLE_UNKNOWN``,
  ``EMBEDDING_UNKNOWN``, ``JOB_UNKNOWN``, ``PREDICTION_TASK_SCHEMA_UNKNOWN``,
  ``DATASET_DATASOURCE_UNKNOWN``, ``ACCESS_CONTROL_UNKNOWN``, ...) and ``NOT_FOUND`` -> 404;
* every ``*_EXISTS`` code (``TAG_NAME_EXISTS``, ``TAG_INITIAL_EXISTS``) -> 409;
* everything else (``MALFORMED_REQUEST``, ``TAG_UNDELETABLE_*``, ``TAG_*_NOT_IN_DATASET``,
  ``TAG_NO_TAG_IN_DATASET``, ``TAG_NO_SCORES_AVAILABLE``,
  ``PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE``) -> 400.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from lightly_async._constraints import INT64_MAX, OBJECT_ID, OneOf, Pattern, Range
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    DatasourceConfig,
    PredictionSingleton,
    PredictionTaskSchema,
    SampleDataV2,
    SampleMetaData,
    SampleMetaDataV2,
)

__all__ = [
    "INT64_MAX",
    "Dataset",
    "Embedding",
    "FakeApiError",
    "Job",
    "RawFile",
    "Sample",
    "Tag",
    "User",
    "check",
    "check_object_id",
    "new_object_id",
    "raw_blob_key",
    "sample_blob_key",
    "sample_v2",
    "status_for_code",
]


class FakeApiError(Exception):
    """An API error the fake answers with: ``status`` and an ``ApiErrorResponse`` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @classmethod
    def of(cls, code: str, message: str) -> FakeApiError:
        """The error for ``code`` with the fake's status choice for it."""
        return cls(status_for_code(code), code, message)


def status_for_code(code: str) -> int:
    """The HTTP status the fake uses for an error code (see the module docstring)."""
    if code == "UNAUTHORIZED":
        return 401
    if code == "FORBIDDEN":
        return 403
    if code.endswith("_UNKNOWN") or code == "NOT_FOUND":
        return 404
    if code.endswith("_EXISTS"):
        return 409
    return 400


def check(value: object, constraint: Pattern | Range | OneOf, what: str) -> Any:
    """``value`` if it satisfies ``constraint`` (from ``_constraints``), else a 400."""
    problem = constraint.problem(value)
    if problem:
        raise FakeApiError.of("MALFORMED_REQUEST", f"{what} {problem}")
    return value


def check_object_id(value: object, what: str) -> str:
    """``value`` if it is a 24-hex ObjectId, else a 400 ``MALFORMED_REQUEST``."""
    checked: str = check(value, OBJECT_ID, what)
    return checked


@dataclass
class User:
    """A credential (API token or bearer JWT) and the datasets it owns."""

    id: str
    token: str


@dataclass
class Sample:
    """A sample; ``index`` is its position in the dataset's sample order (bitmask bit)."""

    id: str
    file_name: str
    index: int
    created_at: int
    thumb_name: str
    is_thumbnail: bool = False
    meta: SampleMetaData | None = None
    # set by the newest API's PUT (SampleUpdateRequest); None: derived from ``meta``
    meta_data: SampleMetaDataV2 | None = None
    exif: dict[str, Any] | None = None
    custom_meta_data: dict[str, Any] | None = None
    last_modified_at: int | None = None


def sample_v2(dataset_id: str, sample: Sample) -> SampleDataV2:
    """A stored sample in the newest API's shape (``SampleData`` of lightly 1.5.20)."""
    meta = sample.meta
    meta_data = sample.meta_data
    if meta_data is None and meta is not None:
        meta_data = SampleMetaDataV2(
            sharpness=meta.sharpness, size_in_bytes=meta.size_in_bytes, snr=meta.snr,
            mean=meta.mean, shape=meta.shape, std=meta.std,
            sum_of_squares=meta.sum_of_squares, sum_of_values=meta.sum_of_values)
    return SampleDataV2(
        id=sample.id, type="IMAGE", file_name=sample.file_name, dataset_id=dataset_id,
        thumb_name=sample.thumb_name, exif=sample.exif, index=sample.index,
        created_at=sample.created_at, last_modified_at=sample.last_modified_at,
        meta_data=meta_data, custom_meta_data=sample.custom_meta_data)


@dataclass
class Tag:
    """A tag as stored: what ``TagData`` shows plus its creator."""

    id: str
    name: str
    prev_tag_id: str | None
    bit_mask: BitMask
    tot_size: int
    created_at: int
    creator: str = "UNKNOWN"
    query_tag_id: str | None = None
    preselected_tag_id: str | None = None
    last_modified_at: int | None = None
    changes: dict[str, Any] | None = None
    is_initial: bool = False
    # the newest API's view: change entries ({userId, creator, ts, changes}) and runId
    history: list[dict[str, Any]] = field(default_factory=list)
    run_id: str | None = None


@dataclass
class RawFile:
    """A file in the dataset's datasource bucket; ``created_at`` in seconds."""

    file_name: str
    created_at: int


@dataclass
class Embedding:
    """An uploaded embedding: one vector per sample index."""

    id: str
    name: str
    vectors: list[list[float]]
    created_at: int = 0


@dataclass
class Job:
    """A server-side job (samplings): reported state advances one step per poll."""

    id: str
    owner_id: str
    dataset_id: str
    created_at: int
    steps: list[str]
    pending_tag: Tag | None = None
    result: str | None = None
    error: str | None = None
    polls: int = 0
    finished_at: int | None = None


@dataclass
class Dataset:
    """A dataset and everything hanging off it."""

    id: str
    name: str
    owner_id: str
    # DatasetData's own fields (testing/_datasets.py serves them)
    type: str = "Images"
    img_type: str | None = None
    created_at: int = 0
    last_modified_at: int = 0
    parent_id: str | None = None
    samples: list[Sample] = field(default_factory=list)
    tags: dict[str, Tag] = field(default_factory=dict)
    embeddings: dict[str, Embedding] = field(default_factory=dict)
    datasource: DatasourceConfig | None = None
    verify: tuple[bool, bool, bool, bool] = (True, True, True, True)  # read/write/list/overwrite
    processed_until: int = 0
    raw_files: dict[str, RawFile] = field(default_factory=dict)
    # the raw files outside .lightly/ by (created_at, file_name), their created_at; None: rebuild
    raw_order: tuple[list[RawFile], list[int]] | None = None
    # version (predictionUUIDTimestamp) -> task name -> (schema id, schema)
    task_schemas: dict[int, dict[str, tuple[str, PredictionTaskSchema]]] = field(
        default_factory=dict
    )
    # version -> sample id -> (prediction id, singletons)
    predictions: dict[int, dict[str, tuple[str, list[PredictionSingleton]]]] = field(
        default_factory=dict
    )
    # score type -> one score per sample index (active learning)
    scores: dict[str, list[float]] = field(default_factory=dict)

    def sample(self, sample_id: str) -> Sample:
        """The sample with that id, or a 404 ``SAMPLE_UNKNOWN``."""
        check_object_id(sample_id, "sampleId")
        for sample in self.samples:
            if sample.id == sample_id:
                return sample
        raise FakeApiError.of("SAMPLE_UNKNOWN", f"no sample {sample_id} in dataset {self.id}")

    def tag(self, tag_id: str, code: str = "TAG_UNKNOWN") -> Tag:
        """The tag with that id, or ``code`` (404 for ``TAG_UNKNOWN``)."""
        check_object_id(tag_id, "tagId")
        found = self.tags.get(tag_id)
        if found is None:
            raise FakeApiError.of(code, f"no tag {tag_id} in dataset {self.id}")
        return found

    def initial_tag(self) -> Tag | None:
        """The initial tag, once created."""
        return next((t for t in self.tags.values() if t.is_initial), None)


def sample_blob_key(dataset_id: str, sample_id: str, name: str) -> str:
    """Where the bytes of a sample's file ``name`` (image or thumbnail) are stored."""
    return f"{dataset_id}/samples/{sample_id}/{name}"


def raw_blob_key(dataset_id: str, name: str) -> str:
    """Where the bytes of a file in the dataset's datasource bucket are stored."""
    return f"{dataset_id}/raw/{name}"


def new_object_id(rng: random.Random) -> str:
    """A fresh 24-hex ObjectId drawn from ``rng``."""
    return f"{rng.getrandbits(96):024x}"
