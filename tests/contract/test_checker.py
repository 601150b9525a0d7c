"""The spec checker can fail: a wrong answer is a ``SpecError`` for every vendored spec."""

from __future__ import annotations

import json

import pytest

from contract.openapi_check import SpecChecker, SpecError, checker_for_api, operations

DS = "a" * 24
TAGS = f"/v1/datasets/{DS}/tags"
TAG = f"{TAGS}/{'b' * 24}"
TAG_DATA = {
    "id": "b" * 24, "datasetId": DS, "prevTagId": None, "name": "initial-tag",
    "bitMaskData": "0x1f", "totSize": 5, "createdAt": 1_700_000_000_000, "changes": [],
}


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def test_every_spec_describes_operations_when_loaded() -> None:
    seed, latest = set(operations("seed")), set(operations("latest"))
    assert len(seed) == 30
    # the newest spec: the 30 seed operations at their newest paths (the samples and two
    # exports moved), and jobs
    assert ("GET", "/v1/jobs/{jobId}") in latest
    assert ("GET", "/users/datasets/{datasetId}/samples") not in latest
    assert ("GET", "/v1/datasets/{datasetId}/samples") in latest
    assert ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelStudio/tasks") in latest
    assert ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelStudioTasks") not in latest
    assert len(latest) == 30 + 1
    assert len(set(operations("beyond-seeds"))) == 8


@pytest.mark.parametrize("api", ["seed", "latest"])
def test_checker_rejects_a_tag_without_its_required_fields_in_each_mode(api: str) -> None:
    checker = checker_for_api(api)
    with pytest.raises(SpecError, match="required"):
        checker.check("GET", TAG, 200, body({"id": "b" * 24}))
    assert ("GET", "/v1/datasets/{datasetId}/tags/{tagId}", 200) in checker.checked


def test_latest_checker_holds_the_moved_samples_to_the_newest_shapes() -> None:
    checker = checker_for_api("latest")
    newest = {"id": "b" * 24, "type": "IMAGE", "fileName": "a.png"}
    checker.check("GET", f"/v1/datasets/{'a' * 24}/samples/{'b' * 24}", 200, body(newest))
    checker.check("GET", f"/v1/datasets/{'a' * 24}/samples/partial", 200,
                  body([{"id": "b" * 24}]), {"mode": "ids"})
    checker.check("PUT", f"/v1/datasets/{'a' * 24}/samples/{'b' * 24}", 200, b"")
    with pytest.raises(SpecError, match="required"):  # the seed era's shape
        checker.check("GET", f"/v1/datasets/{'a' * 24}/samples/{'b' * 24}", 200,
                      body({"_id": "b" * 24, "isThumbnail": False}))
    assert ("GET", "/v1/datasets/{datasetId}/samples/partial", 200) in checker.checked


def test_each_mode_rejects_the_other_modes_tag_changes_and_accepts_its_own() -> None:
    newest = {**TAG_DATA, "changes": [
        {"userId": "u1", "creator": "USER_PIP", "ts": 1, "changes": {}}]}
    seed_shaped = {**TAG_DATA, "changes": {"anything": 1}}
    with pytest.raises(SpecError, match="is not of type 'object'"):
        checker_for_api("seed").check("GET", TAG, 200, body(newest))
    with pytest.raises(SpecError, match="is not of type 'array'"):
        checker_for_api("latest").check("GET", TAG, 200, body(seed_shaped))
    checker_for_api("seed").check("GET", TAG, 200, body(seed_shaped))
    checker_for_api("latest").check("GET", TAG, 200, body(newest))


@pytest.mark.parametrize("status", [404, 429])
def test_latest_checker_rejects_a_seed_shaped_error_and_seed_the_newest(status: int) -> None:
    seed_error = body({"code": "NOT_FOUND", "message": "no such tag"})
    newest_error = body({"code": "NOT_FOUND", "error": "no such tag", "requestId": "r1"})
    with pytest.raises(SpecError, match="'error' is a required property"):
        checker_for_api("latest").check("GET", TAG, status, seed_error)
    with pytest.raises(SpecError, match="'message' is a required property"):
        checker_for_api("seed").check("GET", TAG, status, newest_error)
    checker_for_api("latest").check("GET", TAG, status, newest_error)
    checker_for_api("seed").check("GET", TAG, status, seed_error)


@pytest.mark.parametrize("api", ["seed", "latest"])
def test_beyond_seed_operations_are_checked_in_each_mode(api: str) -> None:
    checker = checker_for_api(api)
    with pytest.raises(SpecError, match="is not of type"):
        checker.check("GET", f"/v1/datasets/{DS}/mappings", 200, b"[1]")
    with pytest.raises(SpecError, match="required"):
        checker.check("GET", f"/v1/datasets/{DS}", 200, b'{"id": "x"}')
    with pytest.raises(SpecError, match="required"):
        checker.check("GET", f"/v1/datasets/{DS}", 404, b'{"message": "gone"}')


def test_latest_checker_rejects_a_wrong_job_status_and_an_unknown_success_status() -> None:
    checker = SpecChecker("latest")
    with pytest.raises(SpecError, match="required"):
        checker.check("GET", "/v1/jobs/x", 200, b"{}")
    with pytest.raises(SpecError, match="status 202 is not in the spec"):
        checker.check("GET", TAGS, 202, body([TAG_DATA]))
    with pytest.raises(SpecError, match="expected no body"):
        checker.check("DELETE", TAG, 200, b'{"deleted": true}')


def test_latest_checker_holds_samples_at_their_newest_paths_only() -> None:
    checker = checker_for_api("latest")
    assert checker.operation("GET", f"/users/datasets/{DS}/samples") is None  # the seed era's
    with pytest.raises(SpecError, match="is not of type 'array'"):
        checker.check("GET", f"/v1/datasets/{DS}/samples", 200, b'{"samples": []}')
    with pytest.raises(SpecError, match="'error' is a required property"):
        checker.check("GET", f"/v1/datasets/{DS}/samples", 404,
                      b'{"code": "NOT_FOUND", "message": "m"}')
