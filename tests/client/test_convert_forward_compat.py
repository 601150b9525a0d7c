"""A newer server never breaks the client: new variants, new shapes, new job states.

Unknown union variants decode to ``DatasourceConfigUnknown`` / ``PredictionSingletonUnknown``
(``.type``, ``.raw``) without sinking the rest of the answer, and go back out exactly as they
came in; ``list_task_schemas`` takes both answer shapes; ``jobs.wait`` stops on any state it
does not know.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import lightly_async
from lightly_async import JobFailedError, RetryPolicy
from lightly_async.models import (
    DatasourceConfigOBS,
    DatasourceConfigS3DelegatedAccess,
    DatasourceConfigUnknown,
    JobState,
    PredictionSingletonObjectDetection,
    PredictionSingletonSemanticSegmentation,
    PredictionSingletonUnknown,
    TagChangeEntry,
)

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
SAMPLE = "61b2c3d4e5f60718293a4b5c"

#: a datasource type this client has never heard of, with nested values of every JSON type,
#: minified as servers send it
FUTURE_DATASOURCE = (
    b'{"type":"R2","fullPath":"bucket/p","purpose":"INPUT","r2AccountId":"acc",'
    b'"r2Secret":"s3cr3t","limits":{"rps":10,"burst":2.5,"on":true,"tags":[null,1.0]},'
    b'"thumbSuffix":null,"name":"caf\xc3\xa9"}')


def _json(content: bytes) -> httpx.Response:
    return httpx.Response(200, content=content, headers={"content-type": "application/json"})


@pytest.mark.asyncio
async def test_an_unknown_datasource_goes_back_out_as_received_when_updated(
    recorder: Any,
) -> None:
    recorder.script(_json(FUTURE_DATASOURCE), httpx.Response(200))
    async with recorder.session() as session:
        config = await session.dataset(DS).datasource.get()
        assert isinstance(config, DatasourceConfigUnknown)
        assert config.type == "R2"
        assert config.raw == json.loads(FUTURE_DATASOURCE)
        await session.dataset(DS).datasource.update(config)

    sent = recorder.requests[1]
    assert sent.method == "PUT"
    assert sent.content == FUTURE_DATASOURCE  # byte for byte: key order, 1.0, null, UTF-8


def test_an_unknown_datasource_hides_its_raw_credentials_from_the_repr() -> None:
    config = DatasourceConfigUnknown(type="R2", raw=json.loads(FUTURE_DATASOURCE))
    assert "s3cr3t" not in repr(config)
    assert "R2" in repr(config)


@pytest.mark.asyncio
async def test_newer_datasource_variants_decode_to_their_own_classes(recorder: Any) -> None:
    recorder.script(
        _json(b'{"type": "S3DelegatedAccess", "fullPath": "b/p", "s3Region": "eu-west-1",'
              b' "s3ExternalId": "external-0001", "s3ARN": "arn:aws:iam::123456789012:role/x",'
              b' "s3ServerSideEncryptionKMSKey": "arn:aws:kms:eu-west-1:123456789012:key/k",'
              b' "purpose": "INPUT_OUTPUT", "id": "' + SAMPLE.encode() + b'"}'),
        _json(b'{"type": "OBS", "fullPath": "b/p", "obsEndpoint": "https://obs.example",'
              b' "obsAccessKeyId": "ak", "obsSecretAccessKey": "sk"}'),
    )
    async with recorder.session() as session:
        delegated = await session.dataset(DS).datasource.get()
        obs = await session.dataset(DS).datasource.get()
    assert isinstance(delegated, DatasourceConfigS3DelegatedAccess)
    assert delegated.s3_arn == "arn:aws:iam::123456789012:role/x"
    assert delegated.s3_server_side_encryption_kms_key == "arn:aws:kms:eu-west-1:123456789012:key/k"
    assert (delegated.purpose, delegated.id) == ("INPUT_OUTPUT", SAMPLE)
    assert isinstance(obs, DatasourceConfigOBS)
    assert "sk" not in repr(obs)


SINGLETONS = [
    {"type": "OBJECT_DETECTION", "taskName": "det", "categoryId": 1, "score": 0.5,
     "bbox": [10.5, 20.25, 30.0, 40.75]},
    {"type": "POLYGON", "taskName": "poly", "categoryId": 2, "score": 1,
     "points": [[0, 0], [1.5, 2]], "extra": {"a": None}},
    {"type": "SEMANTIC_SEGMENTATION", "taskName": "seg", "categoryId": 0, "score": 0.25,
     "segmentation": [0, 5, 3, 12]},
]


@pytest.mark.asyncio
async def test_an_unknown_singleton_does_not_sink_the_others_and_goes_back_unchanged(
    recorder: Any,
) -> None:
    recorder.script(_json(json.dumps(SINGLETONS).encode()),
                    httpx.Response(201, json={"id": SAMPLE}))
    async with recorder.session() as session:
        ds = session.dataset(DS)
        got = await ds.predictions.get(SAMPLE, prediction_uuid_timestamp=5)
        await ds.predictions.upsert(SAMPLE, got, prediction_uuid_timestamp=5)

    detection, unknown, semantic = got
    assert isinstance(detection, PredictionSingletonObjectDetection)
    assert detection.bbox == [10.5, 20.25, 30.0, 40.75]  # not truncated to ints
    assert isinstance(unknown, PredictionSingletonUnknown)
    assert (unknown.type, unknown.raw) == ("POLYGON", SINGLETONS[1])
    assert isinstance(semantic, PredictionSingletonSemanticSegmentation)
    assert semantic.segmentation == [0, 5, 3, 12]
    assert json.loads(recorder.requests[1].content) == SINGLETONS


def test_the_fallback_classes_are_exported_at_the_top_level() -> None:
    assert lightly_async.DatasourceConfigUnknown is DatasourceConfigUnknown
    assert lightly_async.PredictionSingletonUnknown is PredictionSingletonUnknown
    assert lightly_async.PredictionSingletonSemanticSegmentation is (
        PredictionSingletonSemanticSegmentation)
    assert {"DatasourceConfigUnknown", "PredictionSingletonUnknown"} <= set(lightly_async.__all__)


TAG = {"id": SAMPLE, "datasetId": DS, "prevTagId": None, "name": "initial-tag",
       "bitMaskData": "0x1", "totSize": 1, "createdAt": 5}


@pytest.mark.asyncio
@pytest.mark.parametrize("changes", [
    [],
    [{"userId": "u", "creator": "USER_WORKER", "ts": 7,
      "changes": {"upsize": {"from": 10, "to": 12.5, "runId": DS}, "rename": {"from": "a",
                                                                              "to": "b"}}}],
    {"upsize": {"from": 10, "to": 12}},  # the seed era's free-form object
], ids=["empty list", "entries", "seed object"])
async def test_tag_changes_decode_in_both_shapes(recorder: Any, changes: Any) -> None:
    recorder.script(_json(json.dumps([{**TAG, "changes": changes, "runId": DS}]).encode()))
    async with recorder.session() as session:
        (tag,) = await session.dataset(DS).tags.list()
    assert tag.run_id == DS
    if isinstance(changes, dict):
        assert tag.changes == changes
    else:
        assert isinstance(tag.changes, list)
        assert all(isinstance(entry, TagChangeEntry) for entry in tag.changes)
    if changes and isinstance(changes, list):
        entry = tag.changes[0]
        assert isinstance(entry, TagChangeEntry)
        assert entry.changes.upsize is not None
        assert (entry.changes.upsize.from_, entry.changes.upsize.to) == (10, 12.5)


SCHEMA = {"name": "kp", "type": "KEYPOINT_DETECTION", "categories": [
    {"id": 0, "name": "person", "keypointNames": ["nose", "eye"], "keypointSkeleton": [[0, 1]]}]}


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", [
    [SCHEMA], {"predictionUUIDTimestamp": 1_700_000_000_000, "schemas": [SCHEMA]}],
    ids=["seed list", "newest object"])
async def test_list_task_schemas_accepts_both_answer_shapes(recorder: Any, answer: Any) -> None:
    recorder.script(_json(json.dumps(answer).encode()))
    async with recorder.session() as session:
        (schema,) = await session.dataset(DS).predictions.list_task_schemas()
    assert schema.name == "kp"
    assert schema.categories[0].keypoint_names == ["nose", "eye"]
    assert schema.categories[0].keypoint_skeleton == [[0, 1]]


# -- jobs.wait -----------------------------------------------------------------------------------
def _job(status: str, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"id": "job-42", "status": status, "createdAt": 1,
                                     "waitTimeTillNextPoll": 1, **extra})


@pytest.mark.asyncio
async def test_jobs_wait_keeps_waiting_only_while_waiting_running_or_unknown(
    recorder: Any, sleeps: Any,
) -> None:
    recorder.script(_job("WAITING"), _job("UNKNOWN"), _job("RUNNING"),
                    _job("FINISHED", meta={"total": 3, "processed": 3}))
    async with recorder.session(retry=RetryPolicy(sleep=sleeps)) as session:
        job = await session.jobs.wait("job-42")
    assert job.status is JobState.FINISHED
    assert job.meta is not None
    assert (job.meta.total, job.meta.processed) == (3, 3)
    assert len(recorder.requests) == 4
    assert sleeps.waits == [1.0, 1.0, 1.0]


@pytest.mark.asyncio
@pytest.mark.parametrize("state", ["FAILED", "CANCELED", "ABORTED"])
async def test_jobs_wait_raises_job_failed_error_naming_a_final_or_unknown_state(
    recorder: Any, sleeps: Any, state: str,
) -> None:
    recorder.script(_job("RUNNING"), _job(state, error="stopped by the user"))
    async with recorder.session(retry=RetryPolicy(sleep=sleeps)) as session:
        with pytest.raises(JobFailedError) as caught:
            await session.jobs.wait("job-42")
    assert caught.value.state == state
    assert state in str(caught.value)
    assert "stopped by the user" in str(caught.value)
    assert len(recorder.requests) == 2  # no polling on after the state it does not know
