"""``dataset.predictions``, synchronously."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from lightly_async.sync._base import Resource

if TYPE_CHECKING:
    from lightly_async import resources as aio
    from lightly_async.bulk import BulkResult
    from lightly_async.models.common import CreateEntityResponse
    from lightly_async.models.predictions import PredictionSingleton, PredictionTaskSchema
    from lightly_async.progress import ProgressArg

__all__ = ["Predictions"]


class Predictions(Resource):
    """``dataset.predictions``: per-sample prediction singletons and task schemas."""

    __slots__ = ()
    _aio: aio.Predictions

    def upsert(
        self,
        sample_id: str,
        singletons: Sequence[PredictionSingleton],
        *,
        prediction_uuid_timestamp: int,
    ) -> CreateEntityResponse:
        """Set all of a sample's singletons for this prediction version (replace)."""
        return self._runner.call(self._aio.upsert, sample_id, singletons,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def upsert_many(
        self,
        predictions: Mapping[str, Sequence[PredictionSingleton]],
        *,
        prediction_uuid_timestamp: int,
        concurrency: int | None = None,
        fail_fast: bool = False,
        progress: ProgressArg = None,
    ) -> BulkResult[str, CreateEntityResponse]:
        """Upsert many samples' singletons concurrently; every sample id is accounted for."""
        return self._runner.call(
            self._aio.upsert_many, predictions, prediction_uuid_timestamp=prediction_uuid_timestamp,
            concurrency=concurrency, fail_fast=fail_fast, progress=progress)

    def get(
        self, sample_id: str, *, prediction_uuid_timestamp: int
    ) -> builtins.list[PredictionSingleton]:
        """A sample's singletons for this prediction version."""
        return self._runner.call(self._aio.get, sample_id,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def list(
        self, *, prediction_uuid_timestamp: int, task_name: str | None = None
    ) -> builtins.list[builtins.list[PredictionSingleton]]:
        """One list of singletons per sample, in sample order; optionally one task's only."""
        return self._runner.call(self._aio.list,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp,
                                 task_name=task_name)

    def upsert_task_schema(
        self, schema: PredictionTaskSchema, *, prediction_uuid_timestamp: int
    ) -> CreateEntityResponse:
        """Create or update a task schema (by name) for this prediction version."""
        return self._runner.call(self._aio.upsert_task_schema, schema,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def get_task_schema(
        self, task_name: str, *, prediction_uuid_timestamp: int
    ) -> PredictionTaskSchema:
        """The task schema named ``task_name`` in this prediction version."""
        return self._runner.call(self._aio.get_task_schema, task_name,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)

    def list_task_schemas(
        self, *, prediction_uuid_timestamp: int | None = None
    ) -> builtins.list[PredictionTaskSchema]:
        """Every task schema of a prediction version (default: the newest)."""
        return self._runner.call(self._aio.list_task_schemas,
                                 prediction_uuid_timestamp=prediction_uuid_timestamp)
