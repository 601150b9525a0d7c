"""Prediction semantics of the fake: task schemas and singletons, versioned by timestamp.

Guesses about the real service made here (NOTES.md 8 marks them unspecified or inferred):

* ``predictionUUIDTimestamp`` is matched exactly on every read that requires it; listing task
  schemas without it uses the newest version that has any schema (none: ``[]``).
* ``POST .../tasks`` creates or replaces the schema by name within the version; the answered
  ``{id}`` is stable across updates. Category ids must be unique (400
  ``PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE``).
* ``POST .../predictions/samples/{sampleId}`` replaces all of the sample's singletons for that
  version. Each singleton's ``taskName`` must name a schema of that version (404
  ``PREDICTION_TASK_SCHEMA_UNKNOWN``), its ``type`` must be the schema's type and its
  ``categoryId`` one of the schema's category ids (400 ``MALFORMED_REQUEST``).
* A sample without predictions for a version answers ``[]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lightly_async.models import (
    CreateEntityResponse,
    PredictionSingleton,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    PredictionSingletonUnknown,
    PredictionTaskSchema,
    TaskType,
)
from lightly_async.testing._state import (
    CATEGORY_NAME_RE,
    INT64_MAX,
    PATH_SAFE_NAME_RE,
    Dataset,
    FakeApiError,
    User,
    check_object_id,
    check_pattern,
)

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["PredictionOps", "check_task_name"]


class PredictionOps:
    """The Predictions API over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def upsert_task_schema(
        self, user: User, dataset_id: str, version: int, schema: PredictionTaskSchema
    ) -> CreateEntityResponse:
        """``POST .../predictions/tasks``."""
        dataset = self._store.dataset(user, dataset_id)
        check_task_name(schema.name)
        if schema.type not in _SEED_TASK_TYPES:
            raise FakeApiError.of("MALFORMED_REQUEST", f"unknown task type {schema.type!r}")
        ids = [c.id for c in schema.categories if c.id is not None]
        if any(not 0 <= i <= INT64_MAX for i in ids):
            raise FakeApiError.of("MALFORMED_REQUEST", f"category ids must be in 0..{INT64_MAX}")
        if len(ids) != len(set(ids)):
            raise FakeApiError.of(
                "PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE", "category ids must be unique"
            )
        for category in schema.categories:
            if category.name is not None:
                check_pattern(category.name, CATEGORY_NAME_RE, "category name")
        schemas = dataset.task_schemas.setdefault(version, {})
        schema_id = schemas[schema.name][0] if schema.name in schemas else self._store.new_id()
        schemas[schema.name] = (schema_id, schema)
        return CreateEntityResponse(id=schema_id)

    def list_task_schemas(
        self, user: User, dataset_id: str, version: int | None
    ) -> list[PredictionTaskSchema]:
        """``GET .../predictions/tasks`` (newest version when none is given)."""
        dataset = self._store.dataset(user, dataset_id)
        if version is None:
            versions = [v for v, schemas in dataset.task_schemas.items() if schemas]
            if not versions:
                return []
            version = max(versions)
        return [schema for _, schema in dataset.task_schemas.get(version, {}).values()]

    def get_task_schema(
        self, user: User, dataset_id: str, name: str, version: int
    ) -> PredictionTaskSchema:
        """``GET .../predictions/tasks/{taskName}``."""
        dataset = self._store.dataset(user, dataset_id)
        check_task_name(name)
        return _schema(dataset, name, version)

    def upsert_singletons(
        self,
        user: User,
        dataset_id: str,
        sample_id: str,
        version: int,
        singletons: Sequence[PredictionSingleton],
    ) -> CreateEntityResponse:
        """``POST .../predictions/samples/{sampleId}``: replace the sample's singletons."""
        dataset = self._store.dataset(user, dataset_id)
        sample = dataset.sample(sample_id)
        for position, singleton in enumerate(singletons):
            _check_singleton(dataset, version, position, singleton)
        by_sample = dataset.predictions.setdefault(version, {})
        prediction_id = self._store.new_id()
        by_sample[sample.id] = (prediction_id, list(singletons))
        return CreateEntityResponse(id=prediction_id)

    def get_singletons(
        self, user: User, dataset_id: str, sample_id: str, version: int
    ) -> list[PredictionSingleton]:
        """``GET .../predictions/samples/{sampleId}``."""
        dataset = self._store.dataset(user, dataset_id)
        sample = dataset.sample(sample_id)
        return list(dataset.predictions.get(version, {}).get(sample.id, ("", []))[1])

    def list_singletons(
        self, user: User, dataset_id: str, version: int, task_name: str | None
    ) -> list[list[PredictionSingleton]]:
        """``GET .../predictions/samples``: one list per sample in sample order."""
        dataset = self._store.dataset(user, dataset_id)
        if task_name is not None:
            check_task_name(task_name)
        by_sample = dataset.predictions.get(version, {})
        return [
            [
                p
                for p in by_sample.get(sample.id, ("", []))[1]
                if task_name is None or getattr(p, "task_name", None) == task_name
            ]
            for sample in dataset.samples
        ]


#: The seed contract's task types (the client's ``TaskType`` also knows newer ones).
_SEED_TASK_TYPES = {t.value for t in TaskType} - {TaskType.SEMANTIC_SEGMENTATION.value}


def check_task_name(name: str) -> str:
    """A valid ``PathSafeName`` or a 400."""
    return check_pattern(name, PATH_SAFE_NAME_RE, "task name")


def _schema(dataset: Dataset, name: str, version: int) -> PredictionTaskSchema:
    found = dataset.task_schemas.get(version, {}).get(name)
    if found is None:
        raise FakeApiError.of(
            "PREDICTION_TASK_SCHEMA_UNKNOWN",
            f"no task schema {name!r} at predictionUUIDTimestamp {version}",
        )
    return found[1]


def _check_singleton(
    dataset: Dataset, version: int, position: int, singleton: PredictionSingleton
) -> None:
    where = f"singleton {position}"
    if isinstance(singleton, PredictionSingletonUnknown):  # the strict parser refuses these
        raise FakeApiError.of("MALFORMED_REQUEST", f"{where}: unknown type {singleton.type!r}")
    check_task_name(singleton.task_name)
    schema = _schema(dataset, singleton.task_name, version)
    problems = []
    if singleton.type != schema.type:
        problems.append(f"type {singleton.type} differs from the task's {schema.type}")
    if singleton.category_id not in {c.id for c in schema.categories}:
        problems.append(f"categoryId {singleton.category_id} is not a category of the task")
    if not 0.0 <= singleton.score <= 1.0:
        problems.append("score must be in 0..1")
    probabilities = getattr(singleton, "probabilities", None) or []
    if any(not 0.0 <= p <= 1.0 for p in probabilities):
        problems.append("probabilities must be in 0..1")
    if isinstance(singleton, PredictionSingletonObjectDetection) and (
        len(singleton.bbox) != 4 or not all(_int64(v) for v in singleton.bbox)
    ):
        problems.append("bbox must be 4 int64 integers >= 0")
    if isinstance(singleton, PredictionSingletonKeypointDetection) and (
        len(singleton.keypoints) < 3 or not all(_int64(v) for v in singleton.keypoints)
    ):
        problems.append("keypoints must be at least 3 int64 integers >= 0")
    if isinstance(singleton, PredictionSingletonInstanceSegmentation) and not isinstance(
        singleton.segmentation, str
    ):
        problems.append("segmentation must be an RLE string")
    for crop_id in (singleton.crop_dataset_id, singleton.crop_sample_id):
        if crop_id is not None:
            check_object_id(crop_id, f"{where} crop id")
    if problems:
        raise FakeApiError.of("MALFORMED_REQUEST", f"{where}: " + "; ".join(problems))


def _int64(value: float) -> bool:
    # The seed contract says int64 for bbox and keypoints; the models also hold newer floats.
    return isinstance(value, int) and 0 <= value <= INT64_MAX
