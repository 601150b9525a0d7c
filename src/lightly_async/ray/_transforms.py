"""Callable classes for ``Dataset.map_batches``: one session per actor, async inside."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lightly_async import _validate as check
from lightly_async.errors import InvalidInputError, LightlyError
from lightly_async.ray._rows import (
    OUTCOME_COLUMNS,
    columns_of,
    outcome,
    outcome_columns,
    outcomes_by_key,
    sample_id_of,
    singletons_of,
)
from lightly_async.ray._runner import SessionRunner

if TYPE_CHECKING:
    from lightly_async import RateBudget, SessionConfig
    from lightly_async._session import LightlySession
    from lightly_async.bulk import BulkResult
    from lightly_async.models import PredictionSingleton

__all__ = ["OUTCOME_COLUMNS", "DownloadImages", "UpsertPredictions"]


class _SessionActor:
    """What both callables share: a session per actor, opened in ``__init__``."""

    def __init__(self, config: SessionConfig, dataset_id: str, *,
                 concurrency: int | None, rate_budget: RateBudget | None) -> None:
        self.dataset_id = check.object_id("dataset_id", dataset_id)
        self.concurrency = concurrency
        self._runner = SessionRunner(config, rate_budget=rate_budget)

    def close(self) -> None:
        """Close this actor's session (Ray ends the actor's process anyway)."""
        self._runner.close()


class UpsertPredictions(_SessionActor):
    """``map_batches`` callable: upsert each row's predictions, add outcome columns.

    Each row has a sample id (``sample_id_column``) and its prediction singletons
    (``predictions_column``): JSON text of the API's singleton list, or a list of
    API-shaped dicts or of ``PredictionSingleton*`` models. With ``task_name``, singletons
    without one get it (and one naming another task fails its row). The batch comes back
    with the :data:`OUTCOME_COLUMNS` added; a row whose input is invalid fails alone
    (``InvalidInputError``) without a request. Use it with an actor pool::

        ds.map_batches(UpsertPredictions, fn_constructor_args=(config, dataset_id),
                       fn_constructor_kwargs={"prediction_uuid_timestamp": ts},
                       compute=ray.data.ActorPoolStrategy(size=4), batch_size=100)

    Args:
        config: how each actor opens its session (the token is read in the actor).
        dataset_id: the dataset the samples belong to.
        prediction_uuid_timestamp: the prediction version (milliseconds).
        task_name: the task the singletons belong to, filled in where missing.
        sample_id_column: the input column of sample ids.
        predictions_column: the input column of each sample's singletons.
        concurrency: requests in flight per actor (default: the session's ceiling).
        rate_budget: shared by every actor (a :class:`RayRateBudget`), else per actor.
    """

    def __init__(self, config: SessionConfig, dataset_id: str, *,
                 prediction_uuid_timestamp: int, task_name: str | None = None,
                 sample_id_column: str = "sample_id",
                 predictions_column: str = "predictions", concurrency: int | None = None,
                 rate_budget: RateBudget | None = None) -> None:
        self.prediction_uuid_timestamp = check.timestamp("prediction_uuid_timestamp",
                                                         prediction_uuid_timestamp)
        self.task_name = (None if task_name is None
                          else check.path_safe_name("task_name", task_name))
        self.sample_id_column = sample_id_column
        self.predictions_column = predictions_column
        super().__init__(config, dataset_id, concurrency=concurrency, rate_budget=rate_budget)

    def __call__(self, batch: Any) -> dict[str, np.ndarray]:
        """Upsert the batch's rows; the batch's columns plus the outcome columns."""
        columns = columns_of(batch)
        rows = _rows(columns, self.sample_id_column, self.predictions_column)
        outcomes = upsert_rows(self._runner.run, self.dataset_id, rows,
                               prediction_uuid_timestamp=self.prediction_uuid_timestamp,
                               task_name=self.task_name, concurrency=self.concurrency)[1]
        return _with_outcomes(columns, outcomes)


def _rows(columns: dict[str, list[Any]], *names: str) -> list[tuple[Any, ...]]:
    for name in names:
        if name not in columns:
            raise InvalidInputError(name, f"no such column in the batch (columns: "
                                          f"{', '.join(columns) or 'none'})")
    return list(zip(*(columns[n] for n in names), strict=True))


def upsert_rows(
    run: Any, dataset_id: str, rows: list[tuple[Any, ...]], *, prediction_uuid_timestamp: int,
    task_name: str | None, concurrency: int | None,
) -> tuple[BulkResult[str, Any] | None, list[dict[str, Any]], dict[int, LightlyError]]:
    """Check each ``(sample_id, predictions)`` row, upsert the valid ones in one bulk run
    (``run`` awaits a coroutine function of the session); the bulk result (``None`` when
    nothing was sent), one outcome per row in order, and the rows refused before sending
    (by position) with their errors."""
    outcomes: list[dict[str, Any] | None] = [None] * len(rows)
    refused: dict[int, LightlyError] = {}
    valid: dict[str, list[PredictionSingleton]] = {}
    where: dict[str, int] = {}
    for i, (raw_id, raw_predictions) in enumerate(rows):
        try:
            sample_id = sample_id_of(raw_id)
            if sample_id in valid:
                raise InvalidInputError("sample_id", f"{sample_id} is in the batch twice")
            valid[sample_id] = singletons_of(raw_predictions, task_name)
            where[sample_id] = i
        except LightlyError as exc:
            outcomes[i] = outcome(exc)
            refused[i] = exc
    result = None
    if valid:
        async def upsert(session: LightlySession) -> BulkResult[str, Any]:
            return await session.dataset(dataset_id).predictions.upsert_many(
                valid, prediction_uuid_timestamp=prediction_uuid_timestamp,
                concurrency=concurrency)

        result = run(upsert)
        by_key = outcomes_by_key(result)
        for sample_id, i in where.items():
            outcomes[i] = by_key[sample_id]
    return result, [o for o in outcomes if o is not None], refused


def _with_outcomes(columns: dict[str, list[Any]], outcomes: list[dict[str, Any]],
                   extra: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        if name in OUTCOME_COLUMNS:
            continue  # a second pass replaces the earlier outcome
        array = np.empty(len(values), dtype=object)
        array[:] = values
        out[name] = array
    out.update(extra or {})
    out.update(outcome_columns(outcomes))
    return out


class DownloadImages(_SessionActor):
    """``map_batches`` callable: download each row's sample image, add outcome columns.

    With ``dest_dir`` (a directory every actor can write, made if missing) each image is
    streamed to ``dest_dir/<file name>`` (the ``file_name_column`` value, else the sample
    id) and the ``path`` column says where; without it the image's bytes come back in the
    ``image`` column (``None`` for a failed row): keep batches small then. The
    :data:`OUTCOME_COLUMNS` are added either way.

    Args:
        config: how each actor opens its session.
        dataset_id: the dataset the samples belong to.
        dest_dir: where to write the files (``None``: bytes in the ``image`` column).
        sample_id_column: the input column of sample ids.
        file_name_column: the column naming each file (plain names), with ``dest_dir``.
        type: ``"full"`` or ``"thumbnail"``.
        if_exists: ``"error"``, ``"skip"`` or ``"overwrite"`` (see ``samples.download``).
        concurrency: downloads in flight per actor (default: the session's ceiling).
        rate_budget: shared by every actor (a :class:`RayRateBudget`), else per actor.
    """

    def __init__(self, config: SessionConfig, dataset_id: str, *,
                 dest_dir: str | os.PathLike[str] | None = None,
                 sample_id_column: str = "sample_id", file_name_column: str | None = None,
                 type: str = "full", if_exists: str = "error",
                 concurrency: int | None = None, rate_budget: RateBudget | None = None) -> None:
        self.dest_dir = None if dest_dir is None else Path(dest_dir)
        if self.dest_dir is not None:
            self.dest_dir.mkdir(parents=True, exist_ok=True)
        self.sample_id_column = sample_id_column
        self.file_name_column = file_name_column
        self.type = type
        self.if_exists = if_exists
        super().__init__(config, dataset_id, concurrency=concurrency, rate_budget=rate_budget)

    def __call__(self, batch: Any) -> dict[str, np.ndarray]:
        """Download the batch's images; the batch's columns plus ``path`` or ``image`` and
        the outcome columns."""
        columns = columns_of(batch)
        names = [self.sample_id_column] + ([self.file_name_column]
                                           if self.file_name_column else [])
        rows = _rows(columns, *names)
        outcomes: list[dict[str, Any] | None] = [None] * len(rows)
        wanted: dict[str, str] = {}
        where: dict[str, int] = {}
        for i, row in enumerate(rows):
            try:
                sample_id = sample_id_of(row[0])
                if sample_id in wanted:
                    raise InvalidInputError("sample_id", f"{sample_id} is in the batch twice")
                wanted[sample_id] = str(row[1]) if len(row) > 1 else sample_id
                where[sample_id] = i
            except LightlyError as exc:
                outcomes[i] = outcome(exc)
        values: list[Any] = [None] * len(rows)
        if wanted:
            if self.dest_dir is not None:
                result = self._runner.run(self._to_files(wanted))
            else:
                result = self._runner.run(self._to_bytes(wanted))
            by_key = outcomes_by_key(result)
            for sample_id, i in where.items():
                outcomes[i] = by_key[sample_id]
                value = result.results.get(sample_id)
                values[i] = str(value) if isinstance(value, Path) else value
        column = np.empty(len(rows), dtype=object)
        column[:] = values
        extra = {"path" if self.dest_dir is not None else "image": column}
        return _with_outcomes(columns, [o for o in outcomes if o is not None], extra)

    def _to_files(self, wanted: dict[str, str]) -> Any:
        async def download(session: LightlySession) -> BulkResult[str, Any]:
            assert self.dest_dir is not None
            return await session.dataset(self.dataset_id).samples.download(
                wanted, self.dest_dir, type=self.type, if_exists=self.if_exists,  # type: ignore[arg-type]
                concurrency=self.concurrency)
        return download

    def _to_bytes(self, wanted: dict[str, str]) -> Any:
        async def download(session: LightlySession) -> BulkResult[str, Any]:
            return await session.dataset(self.dataset_id).samples.read_bytes(
                list(wanted), type=self.type, concurrency=self.concurrency)
        return download
