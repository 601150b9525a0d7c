"""A Ray Data datasink upserting each row's predictions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ray.data.block import BlockAccessor
from ray.data.datasource import Datasink

from lightly_async import _validate as check
from lightly_async.bulk import BulkResult
from lightly_async.ray._rows import columns_of
from lightly_async.ray._runner import SessionRunner
from lightly_async.ray._transforms import _rows, upsert_rows

if TYPE_CHECKING:
    from ray.data.datasource.datasink import WriteResult

    from lightly_async import RateBudget, SessionConfig

__all__ = ["PredictionsDatasink"]


class PredictionsDatasink(Datasink[BulkResult[str, Any]]):
    """``Dataset.write_datasink`` target: upsert each row's predictions.

    Rows are as for :class:`UpsertPredictions` (a sample id and its singletons). Each
    write task opens a session from ``config`` and upserts its blocks; its
    :class:`~lightly_async.BulkResult` (picklable, failures with their typed errors) comes
    back to the driver, where ``sink.result`` merges them all once the write is done. A
    row refused before sending (a bad sample id or bad singletons) fails under the key
    ``"row:<write task>:<row>"``. The write itself does not fail on a failed row: check
    ``sink.result.ok`` (or ``sink.result.raise_for_failures()``). Each sample id may come
    once: one in two blocks makes the merge (``BulkResult.merge``) raise
    :class:`InvalidInputError`, as one item must not be reported twice.

    Args:
        config: how each write task opens its session.
        dataset_id: the dataset the samples belong to.
        task_name: the task the singletons belong to, filled in where missing.
        prediction_uuid_timestamp: the prediction version (milliseconds).
        sample_id_column: the input column of sample ids.
        predictions_column: the input column of each sample's singletons.
        concurrency: requests in flight per write task.
        rate_budget: shared by every write task (a :class:`RayRateBudget`).
    """

    def __init__(self, config: SessionConfig, dataset_id: str, task_name: str | None = None,
                 *, prediction_uuid_timestamp: int, sample_id_column: str = "sample_id",
                 predictions_column: str = "predictions", concurrency: int | None = None,
                 rate_budget: RateBudget | None = None) -> None:
        self.config = config
        self.dataset_id = check.object_id("dataset_id", dataset_id)
        self.task_name = (None if task_name is None
                          else check.path_safe_name("task_name", task_name))
        self.prediction_uuid_timestamp = check.timestamp("prediction_uuid_timestamp",
                                                         prediction_uuid_timestamp)
        self.sample_id_column = sample_id_column
        self.predictions_column = predictions_column
        self.concurrency = concurrency
        self.rate_budget = rate_budget
        self.result: BulkResult[str, Any] | None = None

    def get_name(self) -> str:
        """The name of the write tasks in Ray's progress and stats."""
        return "LightlyPredictions"

    def write(self, blocks: Iterable[Any], ctx: Any) -> BulkResult[str, Any]:
        """Upsert the rows of ``blocks`` (one write task); the merged outcome of its rows."""
        runner = SessionRunner(self.config, rate_budget=self.rate_budget)
        merged: BulkResult[str, Any] = BulkResult()
        try:
            row_number = 0
            for block in blocks:
                columns = columns_of(BlockAccessor.for_block(block).to_arrow())
                rows = _rows(columns, self.sample_id_column, self.predictions_column)
                result, _, refused = upsert_rows(
                    runner.run, self.dataset_id, rows,
                    prediction_uuid_timestamp=self.prediction_uuid_timestamp,
                    task_name=self.task_name, concurrency=self.concurrency)
                if result is not None:
                    merged = BulkResult.merge(merged, result)
                task = getattr(ctx, "task_idx", 0)
                for i, error in refused.items():
                    merged.failed[f"row:{task}:{row_number + i}"] = error
                row_number += len(rows)
        finally:
            runner.close()
        return merged

    def on_write_complete(self, write_result: WriteResult[BulkResult[str, Any]]) -> None:
        """On the driver: merge every write task's result into ``self.result``."""
        self.result = BulkResult.merge(*write_result.write_returns)
