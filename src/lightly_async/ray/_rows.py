"""Batches in, columns out: what the Ray callables and the datasink share."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lightly_async import _validate as check
from lightly_async.errors import InvalidInputError

if TYPE_CHECKING:
    from lightly_async.bulk import BulkResult
    from lightly_async.models import PredictionSingleton

__all__ = ["OUTCOME_COLUMNS", "columns_of", "outcome", "outcome_columns", "outcomes_by_key",
           "sample_id_of", "singletons_of"]

OUTCOME_COLUMNS = ("ok", "status", "error_type", "message", "status_code", "request_id")
"""The columns each row gets, as in :meth:`BulkResult.to_rows`: ``ok`` (bool), ``status``
(``"succeeded"``, ``"skipped"``, ``"failed"``, ``"not_attempted"``), the error's type name,
its message, the HTTP status code and the server's request id (``None`` where they do not
apply)."""


def columns_of(batch: Any) -> dict[str, list[Any]]:
    """A batch (a dict of arrays or lists, a pandas DataFrame or a pyarrow Table) as
    plain column lists."""
    if hasattr(batch, "to_pydict"):  # pyarrow.Table
        return {k: list(v) for k, v in batch.to_pydict().items()}
    if hasattr(batch, "to_dict") and hasattr(batch, "columns"):  # pandas.DataFrame
        return {str(k): batch[k].tolist() for k in batch.columns}
    if isinstance(batch, Mapping):
        return {str(k): list(v) for k, v in batch.items()}
    raise TypeError(f"a batch must be a dict of columns, a DataFrame or a Table, "
                    f"got {type(batch).__name__}")


def outcome(error: BaseException) -> dict[str, Any]:
    """The outcome columns of a row refused before sending (``status="failed"``)."""
    from lightly_async.bulk import BulkOutcome

    row = BulkOutcome(key=None, status="failed", error=error).to_row()
    return {name: row[name] for name in OUTCOME_COLUMNS}


def outcomes_by_key(result: BulkResult[Any, Any]) -> dict[Any, dict[str, Any]]:
    """The outcome columns of every item of a bulk result (its ``to_rows()``), by key."""
    return {row["key"]: {name: row[name] for name in OUTCOME_COLUMNS}
            for row in result.to_rows()}


def outcome_columns(outcomes: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Outcome dicts, one per row, as the ``OUTCOME_COLUMNS`` arrays."""
    columns: dict[str, np.ndarray] = {"ok": np.array([o["ok"] for o in outcomes], dtype=bool)}
    for name in OUTCOME_COLUMNS[1:]:
        columns[name] = np.array([o[name] for o in outcomes], dtype=object)
    return columns


def sample_id_of(value: Any) -> str:
    """A row's sample id, checked (an :class:`InvalidInputError` naming the column)."""
    if isinstance(value, bytes):
        value = value.decode()
    return check.object_id("sample_id", value)


def singletons_of(value: Any, task_name: str | None = None) -> list[PredictionSingleton]:
    """A row's prediction singletons: JSON text, or a list of API-shaped dicts or models.

    With ``task_name``, dicts without ``taskName`` get it and any singleton naming another
    task is refused. A value that is not a list of singletons raises
    :class:`InvalidInputError` (or :class:`DecodeError` for a malformed singleton).
    """
    from lightly_async.resources.predictions import check_singletons

    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise InvalidInputError("predictions", f"is not JSON: {exc}") from None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidInputError("predictions", f"must be a list of singletons, got "
                                               f"{type(value).__name__}")
    singletons = []
    for item in value:
        if isinstance(item, Mapping):
            item = dict(item)
            if task_name is not None:
                item.setdefault("taskName", task_name)
            item = _from_wire(item)
        singletons.append(item)
    checked = list(check_singletons(singletons, field="predictions"))
    if task_name is not None:
        for singleton in checked:
            named = getattr(singleton, "task_name", task_name)
            if named != task_name:
                raise InvalidInputError("predictions", f"a singleton names task {named!r}, "
                                                       f"not {task_name!r}")
    return checked


def _from_wire(item: dict[str, Any]) -> PredictionSingleton:
    from lightly_async.models import PredictionSingleton, from_wire

    singleton: PredictionSingleton = from_wire(PredictionSingleton, item)
    return singleton
