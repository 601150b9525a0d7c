"""Predictions and their task schemas, versioned by ``predictionUUIDTimestamp`` (ms)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._constraints import (
    CATEGORY_ID,
    CATEGORY_NAME,
    singleton_problems,
)
from lightly_async.bulk import BulkResult, OnResult, map_items, run_bulk
from lightly_async.errors import InvalidInputError
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.predictions import (
    PredictionSingleton,
    PredictionSingletonClassification,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    PredictionSingletonSemanticSegmentation,
    PredictionSingletonUnknown,
    PredictionTaskSchema,
    PredictionTaskSchemas,
    TaskType,
)
from lightly_async.progress import ProgressArg
from lightly_async.resources._base import DatasetResource

__all__ = ["Predictions", "check_singletons"]

#: ``list_task_schemas``' answer: a bare list (seed era) or the newer wrapper object.
_TaskSchemasAnswer = builtins.list[PredictionTaskSchema] | PredictionTaskSchemas

PredictionItems = (Mapping[str, Sequence[PredictionSingleton]]
                   | Iterable[tuple[str, Sequence[PredictionSingleton]]]
                   | AsyncIterable[tuple[str, Sequence[PredictionSingleton]]])
"""``upsert_many``'s input: a mapping of sample id to singletons, or an (async) iterable of
``(sample_id, singletons)`` pairs."""

_SINGLETON_TYPES = (PredictionSingletonClassification, PredictionSingletonObjectDetection,
                    PredictionSingletonInstanceSegmentation, PredictionSingletonKeypointDetection,
                    PredictionSingletonSemanticSegmentation, PredictionSingletonUnknown)


class Predictions(DatasetResource):
    """``dataset.predictions``: per-sample prediction singletons and task schemas."""

    __slots__ = ()

    async def upsert(
        self,
        sample_id: str,
        singletons: Sequence[PredictionSingleton],
        *,
        prediction_uuid_timestamp: int,
    ) -> CreateEntityResponse:
        """Set all of a sample's singletons for this prediction version (replace)."""
        sample_id = check.object_id("sample_id", sample_id)
        ts = check.timestamp("prediction_uuid_timestamp", prediction_uuid_timestamp)
        body = self._dump(check_singletons(singletons), list[PredictionSingleton])
        return await self._post_singletons(sample_id, body, ts)

    async def upsert_many(
        self,
        predictions: PredictionItems,
        *,
        prediction_uuid_timestamp: int,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
        on_result: OnResult | None = None,
    ) -> BulkResult[str, CreateEntityResponse]:
        """Upsert many samples' singletons concurrently; every sample id is accounted for.

        A mapping (sample id -> singletons) is validated whole before the first request is
        sent. An iterable or async iterable of ``(sample_id, singletons)`` pairs is
        streamed: pulled as the run goes (at most ``concurrency`` pairs ahead), each pair
        validated when it is pulled (an invalid one is that sample's failure, nothing sent
        for it; an item that is no pair ends the run with :class:`InvalidInputError`).
        ``on_result`` receives each :class:`~lightly_async.bulk.BulkOutcome` as it ends,
        and the result then keeps only counts and failures (see :mod:`lightly_async.bulk`).
        """
        ts = check.timestamp("prediction_uuid_timestamp", prediction_uuid_timestamp)
        if not isinstance(predictions, Mapping):
            if isinstance(predictions, str | bytes) or not isinstance(
                    predictions, Iterable | AsyncIterable):
                raise InvalidInputError(
                    "predictions", "must map sample ids to singleton lists, or be an "
                    "(async) iterable of (sample_id, singletons) pairs")
            return await run_bulk(
                self._session, map_items(predictions, partial(self._streamed_item, ts)),
                concurrency=concurrency, fail_fast=fail_fast, progress=progress,
                description="predictions", on_result=on_result)
        bodies = {
            check.object_id(f"predictions[{sample_id!r}]", sample_id): self._dump(
                check_singletons(singletons, field=f"predictions[{sample_id!r}]"),
                builtins.list[PredictionSingleton])
            for sample_id, singletons in predictions.items()
        }
        return await run_bulk(
            self._session,
            [(sample_id, partial(self._post_singletons, sample_id, body, ts))
             for sample_id, body in bodies.items()],
            concurrency=concurrency, fail_fast=fail_fast, progress=progress,
            description="predictions", on_result=on_result)

    def _streamed_item(
        self, ts: int, pair: Any,
    ) -> tuple[str, Callable[[], Awaitable[CreateEntityResponse]]]:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInputError("predictions", f"items must be (sample_id, singletons) "
                                                   f"pairs, got {type(pair).__name__}")
        sample_id, singletons = pair
        return sample_id, partial(self._check_and_post, sample_id, singletons, ts)

    async def _check_and_post(
        self, sample_id: Any, singletons: Any, ts: int,
    ) -> CreateEntityResponse:
        field = f"predictions[{sample_id!r}]"
        sample_id = check.object_id(field, sample_id)
        body = self._dump(check_singletons(singletons, field=field),
                          builtins.list[PredictionSingleton])
        return await self._post_singletons(sample_id, body, ts)

    async def _post_singletons(self, sample_id: str, body: Any, ts: int) -> CreateEntityResponse:
        return await self._call(
            op.CREATE_OR_UPDATE_PREDICTION_BY_SAMPLE_ID, cast=CreateEntityResponse,
            params={"predictionUUIDTimestamp": ts}, json_body=body, replay_safe=True,
            sampleId=sample_id)

    async def get(
        self, sample_id: str, *, prediction_uuid_timestamp: int
    ) -> builtins.list[PredictionSingleton]:
        """A sample's singletons for this prediction version."""
        sample_id = check.object_id("sample_id", sample_id)
        ts = check.timestamp("prediction_uuid_timestamp", prediction_uuid_timestamp)
        return await self._call(
            op.GET_PREDICTIONS_BY_SAMPLE_ID, cast=builtins.list[PredictionSingleton],
            params={"predictionUUIDTimestamp": ts}, sampleId=sample_id)

    async def list(
        self, *, prediction_uuid_timestamp: int, task_name: str | None = None
    ) -> builtins.list[list[PredictionSingleton]]:
        """One list of singletons per sample, in sample order; optionally one task's only."""
        ts = check.timestamp("prediction_uuid_timestamp", prediction_uuid_timestamp)
        name = None if task_name is None else check.path_safe_name("task_name", task_name)
        return await self._call(
            op.GET_PREDICTIONS_BY_DATASET_ID, cast=builtins.list[list[PredictionSingleton]],
            params={"predictionUUIDTimestamp": ts, "taskName": name})

    async def upsert_task_schema(
        self, schema: PredictionTaskSchema, *, prediction_uuid_timestamp: int
    ) -> CreateEntityResponse:
        """Create or update a task schema (by name) for this prediction version."""
        ts = check.timestamp("prediction_uuid_timestamp", prediction_uuid_timestamp)
        body = self._dump(check_task_schema(schema))
        return await self._call(
            op.CREATE_OR_UPDATE_PREDICTION_TASK_SCHEMA_BY_DATASET_ID, cast=CreateEntityResponse,
            params={"predictionUUIDTimestamp": ts}, json_body=body, replay_safe=True)

    async def get_task_schema(
        self, task_name: str, *, prediction_uuid_timestamp: int
    ) -> PredictionTaskSchema:
        """The task schema named ``task_name`` in this prediction version."""
        name = check.path_safe_name("task_name", task_name)
        ts = check.timestamp("prediction_uuid_timestamp", prediction_uuid_timestamp)
        return await self._call(
            op.GET_PREDICTION_TASK_SCHEMA_BY_TASK_NAME, cast=PredictionTaskSchema,
            params={"predictionUUIDTimestamp": ts}, taskName=name)

    async def list_task_schemas(
        self, *, prediction_uuid_timestamp: int | None = None
    ) -> builtins.list[PredictionTaskSchema]:
        """Every task schema of a prediction version (default: the newest).

        Seed-era servers answer a bare list, newer ones ``{predictionUUIDTimestamp,
        schemas}``; both give the list of schemas.
        """
        ts = None if prediction_uuid_timestamp is None else check.timestamp(
            "prediction_uuid_timestamp", prediction_uuid_timestamp)
        answer: builtins.list[PredictionTaskSchema] | PredictionTaskSchemas = (
            await self._call(op.GET_PREDICTION_TASK_SCHEMAS_BY_DATASET_ID,
                             cast=_TaskSchemasAnswer, params={"predictionUUIDTimestamp": ts}))
        return answer.schemas if isinstance(answer, PredictionTaskSchemas) else answer


def check_singletons(
    singletons: Any, *, field: str = "singletons"
) -> builtins.list[PredictionSingleton]:
    """Validate a sample's singletons locally (names, ids, scores, shapes).

    ``field`` prefixes the name of an offending value (bulk helpers name the sample there).
    """
    if isinstance(singletons, str | bytes) or not isinstance(singletons, Sequence):
        raise InvalidInputError(field, f"must be a list of singletons, got {singletons!r}")
    out: list[PredictionSingleton] = []
    prefix = field
    for i, s in enumerate(singletons):
        field = f"{prefix}[{i}]"
        if not isinstance(s, _SINGLETON_TYPES):
            raise InvalidInputError(field, f"must be a PredictionSingleton*, got {s!r}")
        if isinstance(s, PredictionSingletonUnknown):
            out.append(s)  # a type this client does not know: sent back exactly as received
            continue
        # the newest rules: number coordinates, RLE as a string or integers (both servers)
        for name, problem in singleton_problems(s, latest=True):
            raise InvalidInputError(f"{field}.{name}", problem)
        out.append(s)
    return out


def check_task_schema(schema: Any) -> PredictionTaskSchema:
    """Validate a task schema locally: name, type, unique category ids."""
    if not isinstance(schema, PredictionTaskSchema):
        raise InvalidInputError("schema", f"must be a PredictionTaskSchema, got {schema!r}")
    check.path_safe_name("schema.name", schema.name)
    task_type = check.enum_value("schema.type", schema.type, TaskType)
    seen: set[int] = set()
    for i, category in enumerate(schema.categories):
        if category.id is not None:
            check.check(f"schema.categories[{i}].id", category.id, CATEGORY_ID)
            if category.id in seen:
                raise InvalidInputError(f"schema.categories[{i}].id",
                                        f"duplicate category id {category.id}")
            seen.add(category.id)
        if category.name is not None:
            check.check(f"schema.categories[{i}].name", category.name, CATEGORY_NAME)
    if task_type is not schema.type:
        return PredictionTaskSchema(name=schema.name, type=task_type, categories=schema.categories)
    checked: PredictionTaskSchema = schema
    return checked


