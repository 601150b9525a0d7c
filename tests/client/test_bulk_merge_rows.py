"""BulkResult.merge (the runs of shards or workers as one) and to_rows (plain rows)."""

from __future__ import annotations

import json
import pickle

import pytest

from lightly_async.bulk import BulkOutcome, BulkResult
from lightly_async.errors import APIConnectionError, InvalidInputError, NotFoundError


def _result(prefix: str, *, failed: bool = False) -> BulkResult[str, int]:
    result: BulkResult[str, int] = BulkResult()
    result.succeeded += [f"{prefix}1", f"{prefix}2"]
    result.results.update({f"{prefix}1": 1, f"{prefix}2": 2})
    if failed:
        result.failed[f"{prefix}3"] = NotFoundError(
            "no such sample", status_code=404, method="GET",
            url="https://api.test/v1/datasets/d/samples/s", request_id="req-7")
        result.not_attempted.append(f"{prefix}4")
        result.stopped_by = APIConnectionError("refused")
    result.skipped.append(f"{prefix}5")
    return result


def test_merge_unites_every_item() -> None:
    a, b = _result("a"), _result("b", failed=True)
    merged = BulkResult.merge(a, b)
    assert merged.succeeded == ["a1", "a2", "b1", "b2"]
    assert merged.results == {"a1": 1, "a2": 2, "b1": 1, "b2": 2}
    assert list(merged.failed) == ["b3"]
    assert merged.not_attempted == ["b4"]
    assert merged.skipped == ["a5", "b5"]
    assert merged.stopped_by is b.stopped_by
    assert merged.total == a.total + b.total == 8
    assert not merged.ok
    assert a.succeeded == ["a1", "a2"]  # the inputs are left alone
    assert BulkResult.merge().total == 0


def test_merge_refuses_an_item_in_two_results() -> None:
    with pytest.raises(InvalidInputError, match="another result reports") as info:
        BulkResult.merge(_result("a"), _result("a"))
    assert info.value.field == "results[1]"
    with pytest.raises(InvalidInputError):
        BulkResult.merge(_result("a"), "not a result")  # type: ignore[arg-type]


def test_merge_adds_the_counts_of_summary_results() -> None:
    summary: BulkResult[str, int] = BulkResult(
        summary_only=True, uncounted={"succeeded": 5, "skipped": 1, "not_attempted": 2})
    merged = BulkResult.merge(summary, _result("x"), summary)
    assert merged.summary_only
    assert merged.n_succeeded == 12
    assert merged.n_skipped == 3
    assert merged.n_not_attempted == 4
    assert merged.total == 19
    assert "summary_only=True" in repr(merged)


def test_to_rows_gives_plain_values_for_each_item() -> None:
    rows = _result("k", failed=True).to_rows()
    assert [row["key"] for row in rows] == ["k1", "k2", "k5", "k3", "k4"]
    assert rows[0] == {"key": "k1", "ok": True, "status": "succeeded", "error_type": None,
                       "message": None, "status_code": None, "request_id": None}
    assert rows[2]["status"] == "skipped"
    assert rows[2]["ok"] is True
    failed = rows[3]
    assert failed["ok"] is False
    assert failed["status"] == "failed"
    assert failed["error_type"] == "NotFoundError"
    assert failed["status_code"] == 404
    assert failed["request_id"] == "req-7"
    assert "no such sample" in failed["message"]
    assert rows[4]["status"] == "not_attempted"
    assert rows[4]["message"] == "not attempted: the run stopped (APIConnectionError)"
    # plain values only: JSON- and pickle-friendly, the same columns in every row
    assert json.loads(json.dumps(rows)) == rows
    assert pickle.loads(pickle.dumps(rows)) == rows
    assert len({tuple(row) for row in rows}) == 1


def test_a_key_that_is_no_plain_value_is_given_as_text() -> None:
    result: BulkResult[tuple[str, int], None] = BulkResult()
    result.failed[("a", 1)] = InvalidInputError("x", "bad")
    (row,) = result.to_rows()
    assert row["key"] == "('a', 1)"
    assert row["error_type"] == "InvalidInputError"
    assert row["status_code"] is None


def test_an_outcome_gives_the_same_row() -> None:
    error = NotFoundError("gone", status_code=404, request_id="r")
    outcome = BulkOutcome(key="s", status="failed", error=error)
    assert not outcome.ok
    result: BulkResult[str, None] = BulkResult()
    result.failed["s"] = error
    assert outcome.to_row() == result.to_rows()[0]
    assert pickle.loads(pickle.dumps(outcome)).to_row() == outcome.to_row()
