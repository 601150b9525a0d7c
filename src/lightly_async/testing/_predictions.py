"""Prediction semantics of the fake: task schemas and singletons, versioned by timestamp.

Guesses about the real service made here (NOTES.md 8 marks them unspecified or inferred):

* ``predictionUUIDTimestamp`` is matched exactly on every read that requires it; listing task
  schemas without it uses the newest version that has any schema (none: ``[]``). With
  ``api="latest"`` it is optional everywhere: absent means the newest version that has a
  schema or a prediction (none: version 0).
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
from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async._constraints import (
    CATEGORY_ID,
    CATEGORY_NAME,
    PATH_SAFE_NAME,
    TASK_TYPES,
    TASK_TYPES_LATEST,
    singleton_problems,
)
from lightly_async._convert import get_converter
from lightly_async.models import (
    CreateEntityResponse,
    PredictionSingleton,
    PredictionSingletonUnknown,
    PredictionTaskSchema,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._latest import task_schemas_json
from lightly_async.testing._state import (
    Dataset,
    FakeApiError,
    User,
    check,
)

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "PredictionOps", "check_task_name"]


class PredictionOps:
    """The Predictions API over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def upsert_task_schema(
        self, user: User, dataset_id: str, version: int | None, schema: PredictionTaskSchema
    ) -> CreateEntityResponse:
        """``POST .../predictions/tasks``."""
        dataset = self._store.dataset(user, dataset_id)
        version = _resolve(dataset, version)
        check_task_name(schema.name)
        check(schema.type, TASK_TYPES_LATEST if self._store.latest else TASK_TYPES, "task type")
        ids = [check(c.id, CATEGORY_ID, "category id") for c in schema.categories
               if c.id is not None]
        if len(ids) != len(set(ids)):
            raise FakeApiError.of(
                "PREDICTION_TASK_SCHEMA_CATEGORIES_NOT_UNIQUE", "category ids must be unique"
            )
        for category in schema.categories:
            if category.name is not None:
                check(category.name, CATEGORY_NAME, "category name")
        schemas = dataset.task_schemas.setdefault(version, {})
        schema_id = schemas[schema.name][0] if schema.name in schemas else self._store.new_id()
        schemas[schema.name] = (schema_id, schema)
        return CreateEntityResponse(id=schema_id)

    def list_task_schemas(self, user: User, dataset_id: str, version: int | None) -> Any:
        """``GET .../predictions/tasks`` (newest version when none is given).

        The seed answers the list; the newest API ``{predictionUUIDTimestamp, schemas}``.
        """
        dataset = self._store.dataset(user, dataset_id)
        if version is None:
            versions = [v for v, schemas in dataset.task_schemas.items() if schemas]
            version = max(versions, default=None)
        schemas = [] if version is None else [
            schema for _, schema in dataset.task_schemas.get(version, {}).values()]
        if not self._store.latest:
            return schemas
        return task_schemas_json(version or 0, get_converter().unstructure(schemas))

    def get_task_schema(
        self, user: User, dataset_id: str, name: str, version: int | None
    ) -> PredictionTaskSchema:
        """``GET .../predictions/tasks/{taskName}``."""
        dataset = self._store.dataset(user, dataset_id)
        check_task_name(name)
        return _schema(dataset, name, _resolve(dataset, version))

    def upsert_singletons(
        self,
        user: User,
        dataset_id: str,
        sample_id: str,
        version: int | None,
        singletons: Sequence[PredictionSingleton],
    ) -> CreateEntityResponse:
        """``POST .../predictions/samples/{sampleId}``: replace the sample's singletons."""
        dataset = self._store.dataset(user, dataset_id)
        sample = dataset.sample(sample_id)
        version = _resolve(dataset, version)
        for position, singleton in enumerate(singletons):
            _check_singleton(dataset, version, position, singleton, latest=self._store.latest)
        by_sample = dataset.predictions.setdefault(version, {})
        prediction_id = self._store.new_id()
        by_sample[sample.id] = (prediction_id, list(singletons))
        return CreateEntityResponse(id=prediction_id)

    def get_singletons(
        self, user: User, dataset_id: str, sample_id: str, version: int | None
    ) -> list[PredictionSingleton]:
        """``GET .../predictions/samples/{sampleId}``."""
        dataset = self._store.dataset(user, dataset_id)
        sample = dataset.sample(sample_id)
        version = _resolve(dataset, version)
        return list(dataset.predictions.get(version, {}).get(sample.id, ("", []))[1])

    def list_singletons(
        self, user: User, dataset_id: str, version: int | None, task_name: str | None
    ) -> list[list[PredictionSingleton]]:
        """``GET .../predictions/samples``: one list per sample in sample order."""
        dataset = self._store.dataset(user, dataset_id)
        if task_name is not None:
            check_task_name(task_name)
        by_sample = dataset.predictions.get(_resolve(dataset, version), {})
        return [
            [
                p
                for p in by_sample.get(sample.id, ("", []))[1]
                if task_name is None or getattr(p, "task_name", None) == task_name
            ]
            for sample in dataset.samples
        ]


def check_task_name(name: str) -> str:
    """A valid ``PathSafeName`` or a 400."""
    checked: str = check(name, PATH_SAFE_NAME, "task name")
    return checked


def _resolve(dataset: Dataset, version: int | None) -> int:
    """The version asked for; none given (newest API only): the newest one there is, else 0."""
    if version is not None:
        return version
    return max([*dataset.task_schemas, *dataset.predictions], default=0)


def _schema(dataset: Dataset, name: str, version: int) -> PredictionTaskSchema:
    found = dataset.task_schemas.get(version, {}).get(name)
    if found is None:
        raise FakeApiError.of(
            "PREDICTION_TASK_SCHEMA_UNKNOWN",
            f"no task schema {name!r} at predictionUUIDTimestamp {version}",
        )
    return found[1]


def _check_singleton(
    dataset: Dataset, version: int, position: int, singleton: PredictionSingleton, *, latest: bool
) -> None:
    where = f"singleton {position}"
    if isinstance(singleton, PredictionSingletonUnknown):  # the strict parser refuses these
        raise FakeApiError.of("MALFORMED_REQUEST", f"{where}: unknown type {singleton.type!r}")
    check_task_name(singleton.task_name)
    schema = _schema(dataset, singleton.task_name, version)
    problems = [f"{name} {problem}" for name, problem in singleton_problems(
        singleton, latest=latest)]
    if singleton.type != schema.type:
        problems.append(f"type {singleton.type} differs from the task's {schema.type}")
    if singleton.category_id not in {c.id for c in schema.categories}:
        problems.append(f"categoryId {singleton.category_id} is not a category of the task")
    if problems:
        raise FakeApiError.of("MALFORMED_REQUEST", f"{where}: " + "; ".join(problems))


# -- HTTP handlers ---------------------------------------------------------------------------
def _version(c: RequestContext) -> int | None:
    """``predictionUUIDTimestamp``: required by the seed; newest API: absent = newest."""
    return c.timestamp("predictionUUIDTimestamp", required=not c.latest)


def _upsert_singletons(c: RequestContext) -> Any:
    return c.store.predictions.upsert_singletons(
        c.user, c.ds, c.path("sampleId"), _version(c), c.body)


def _get_singletons(c: RequestContext) -> Any:
    return c.store.predictions.get_singletons(c.user, c.ds, c.path("sampleId"), _version(c))


def _list_singletons(c: RequestContext) -> Any:
    rows = c.store.predictions.list_singletons(c.user, c.ds, _version(c), c.query("taskName"))
    if not c.latest:
        return rows
    # the newest API pages this list (pageOffset >= 0, pageSize >= 1, in sample order)
    offset = c.query_int("pageOffset") or 0
    size = c.query_int("pageSize", minimum=1)
    return rows[offset:] if size is None else rows[offset : offset + size]


def _upsert_task_schema(c: RequestContext) -> Any:
    return c.store.predictions.upsert_task_schema(c.user, c.ds, _version(c), c.body)


def _list_task_schemas(c: RequestContext) -> Any:
    version = c.timestamp("predictionUUIDTimestamp")
    return c.store.predictions.list_task_schemas(c.user, c.ds, version)


def _get_task_schema(c: RequestContext) -> Any:
    return c.store.predictions.get_task_schema(c.user, c.ds, c.path("taskName"), _version(c))


ROUTES: Final = [
    OperationRoute(op.CREATE_OR_UPDATE_PREDICTION_BY_SAMPLE_ID, _upsert_singletons,
                   list[PredictionSingleton], 201),
    OperationRoute(op.GET_PREDICTIONS_BY_SAMPLE_ID, _get_singletons),
    OperationRoute(op.GET_PREDICTIONS_BY_DATASET_ID, _list_singletons),
    OperationRoute(op.CREATE_OR_UPDATE_PREDICTION_TASK_SCHEMA_BY_DATASET_ID, _upsert_task_schema,
                   PredictionTaskSchema, 201),
    OperationRoute(op.GET_PREDICTION_TASK_SCHEMAS_BY_DATASET_ID, _list_task_schemas),
    OperationRoute(op.GET_PREDICTION_TASK_SCHEMA_BY_TASK_NAME, _get_task_schema),
]
"""The Predictions routes, as ``_app.py`` mounts them."""
