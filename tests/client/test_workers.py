"""The Lightly Worker calls send the requests lightly 1.5.20's ``DockerApi`` sends.

``session.workers``, ``ds.runs`` and ``session.runs``: method, path, query (the token, nothing
unset), JSON body in the wire's camelCase, and the decoded answer; configs given as snake_case
dicts are checked (with a suggestion for a mistyped key) before anything is sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from lightly_async import InvalidInputError, LightlySession, RetryPolicy, RunFailedError
from lightly_async.models import (
    AutoTaskTiling,
    DockerRunArtifactType,
    DockerRunData,
    DockerRunScheduledPriority,
    DockerRunState,
    DockerWorkerConfigV2Data,
    DockerWorkerConfigV4Docker,
    DockerWorkerConfigVXDataUnknown,
    SelectionConfigV4,
    SelectionConfigV4Entry,
    SelectionConfigV4EntryInput,
    SelectionConfigV4EntryStrategy,
)
from lightly_async.resources.runs import CANCELED_OR_NOT_EXISTING, OPEN, RunInfo

BASE = "https://api.test"
TOKEN = "tok-worker-0123456789"
DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
WID = "60a1b2c3d4e5f60718293a4b"
CID = "61b2c3d4e5f60718293a4b5c"
SCH = "62c3d4e5f60718293a4b5c6d"
RID = "63d4e5f60718293a4b5c6d7e"
AID = "64e5f60718293a4b5c6d7e8f"
STORAGE = "https://storage.test"


def _session(**kwargs: Any) -> LightlySession:
    async def no_sleep(seconds: float) -> None:
        return None

    return LightlySession(token=TOKEN, base_url=BASE, retry=RetryPolicy(sleep=no_sleep),
                          **kwargs)


def _worker(name: str = "gpu-1") -> dict[str, Any]:
    return {"id": WID, "userId": "user-1", "name": name, "workerType": "FULL", "state": "IDLE",
            "createdAt": 1, "lastModifiedAt": 2, "labels": ["gpu"]}


def _run(state: str, message: str | None = None, *, artifacts: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"id": RID, "userId": "user-1", "dockerVersion": "2.11.0",
                            "state": state, "datasetId": DS, "scheduledId": SCH, "createdAt": 1,
                            "lastModifiedAt": 2}
    if message is not None:
        body["message"] = message
    if artifacts:
        body["artifacts"] = [
            {"id": AID, "type": "REPORT_V2_JSON", "fileName": "report_v2.json"},
            {"id": CID, "type": "LOG", "fileName": "logs/log.txt"},
        ]
    return body


def _scheduled(sid: str = SCH) -> dict[str, Any]:
    return {"id": sid, "datasetId": DS, "configId": CID, "priority": "MID", "runsOn": [],
            "state": "OPEN", "createdAt": 1, "lastModifiedAt": 2}


def _body(route: respx.Route, n: int = 0) -> Any:
    return json.loads(route.calls[n].request.content)


# -- workers --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_register_posts_the_registry_entry_and_returns_the_id() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        route = router.post("/v1/docker/worker").respond(201, json={"id": WID})
        async with _session() as session:
            worker_id = await session.workers.register("gpu-1", labels=["gpu", "eu"])
    assert worker_id == WID
    assert dict(route.calls[0].request.url.params) == {"token": TOKEN}
    assert _body(route) == {"name": "gpu-1", "workerType": "FULL", "labels": ["gpu", "eu"],
                            "creator": "USER_PIP"}


@pytest.mark.asyncio
async def test_list_get_and_delete_workers_use_the_registry_paths() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        listed = router.get("/v1/docker/worker").respond(200, json=[_worker()])
        got = router.get(f"/v1/docker/worker/{WID}").respond(200, json=_worker("gpu-2"))
        deleted = router.delete(f"/v1/docker/worker/{WID}").respond(200)
        async with _session() as session:
            workers = await session.workers.list()
            one = await session.workers.get(WID)
            assert await session.workers.delete(WID) is None
    assert [w.name for w in workers] == ["gpu-1"]
    assert one.name == "gpu-2"
    assert one.labels == ["gpu"]
    assert (listed.call_count, got.call_count, deleted.call_count) == (1, 1, 1)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["", "ab", "-lead", "has/slash", 7])
async def test_register_refuses_a_bad_name_before_sending(name: Any) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False):  # no route: any request fails
        async with _session() as session:
            with pytest.raises(InvalidInputError, match="name"):
                await session.workers.register(name)


# -- configs --------------------------------------------------------------------------------------
SELECTION = {
    "n_samples": 3,
    "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {
        "type": "DIVERSITY", "stopping_condition_minimum_distance": 0.1}},
                   {"input": {"type": "RANDOM", "random_seed": 42},
                    "strategy": {"type": "WEIGHTS"}}],
    "auto_tasks": [{"type": "TILING", "name": "tiles", "num_rows": 2, "num_cols": 3}],
}
SELECTION_WIRE = {
    "nSamples": 3,
    "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {
        "type": "DIVERSITY", "stopping_condition_minimum_distance": 0.1}},
                   {"input": {"type": "RANDOM", "randomSeed": 42},
                    "strategy": {"type": "WEIGHTS"}}],
    "autoTasks": [{"type": "TILING", "name": "tiles", "numRows": 2, "numCols": 3}],
}


@pytest.mark.asyncio
async def test_create_config_sends_a_v4_config_in_the_wire_keys_of_snake_case_dicts() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        route = router.post("/v1/docker/worker/config/vX").respond(201, json={"id": CID})
        async with _session() as session:
            config_id = await session.workers.create_config(
                worker_config={"enable_training": False, "corruptness_check": {
                    "corruption_threshold": 0.1}},
                lightly_config={"loader": {"batch_size": 16}, "trainer": {"max_epochs": 1}},
                selection_config=SELECTION)
    assert config_id == CID
    assert _body(route) == {"version": "V4", "creator": "USER_PIP", "config": {
        "workerType": "FULL",
        "docker": {"enableTraining": False, "corruptnessCheck": {"corruptionThreshold": 0.1}},
        "lightly": {"loader": {"batchSize": 16}, "trainer": {"maxEpochs": 1}},
        "selection": SELECTION_WIRE}}


@pytest.mark.asyncio
async def test_create_config_takes_models_and_sends_the_same_as_for_dicts() -> None:
    selection = SelectionConfigV4(n_samples=3, strategies=[
        SelectionConfigV4Entry(input=SelectionConfigV4EntryInput(type="EMBEDDINGS"),
                               strategy=SelectionConfigV4EntryStrategy(
                                   type="DIVERSITY", stopping_condition_minimum_distance=0.1)),
        SelectionConfigV4Entry(input=SelectionConfigV4EntryInput(type="RANDOM", random_seed=42),
                               strategy=SelectionConfigV4EntryStrategy(type="WEIGHTS"))],
        auto_tasks=[AutoTaskTiling(name="tiles", num_rows=2, num_cols=3)])
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        route = router.post("/v1/docker/worker/config/vX").respond(201, json={"id": CID})
        async with _session() as session:
            await session.workers.create_config(
                worker_config=DockerWorkerConfigV4Docker(enable_training=False),
                selection_config=selection)
    assert _body(route)["config"] == {"workerType": "FULL", "docker": {"enableTraining": False},
                                      "selection": SELECTION_WIRE}


@pytest.mark.asyncio
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"selection_config": {"n_samples": 3, "strategies": [
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"typ": "DIVERSITY"}}]}},
     "selection.strategies[0].strategy.typ: unknown key; did you mean `type`?"),
    ({"worker_config": {"enable_trainig": True}},
     "docker.enable_trainig: unknown key; did you mean `enable_training`?"),
    ({"lightly_config": {"loader": {"batch_sise": 8}}},
     "lightly.loader.batch_sise: unknown key; did you mean `batch_size`?"),
    ({"selection_config": {"strategies": [{"input": {"type": "RANDOM", "random_seed": "x"},
                                           "strategy": {"type": "WEIGHTS"}}]}},
     "selection.strategies[0].input.random_seed: expected an integer"),
    ({"selection_config": {"strategies": [], "auto_tasks": [{"type": "TILES", "name": "t"}]}},
     "selection.auto_tasks[0].type: must be one of `CROP`, `TILING`"),
    ({"selection_config": {"n_samples": 3}},
     "selection.strategies: required field missing"),
    ({"worker_config": ["enable_training"]}, "docker: must be a dict"),
])
async def test_a_wrong_config_is_refused_before_anything_is_sent(
    kwargs: dict[str, Any], message: str,
) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False):  # no route: any request fails
        async with _session() as session:
            with pytest.raises(InvalidInputError) as info:
                await session.dataset(DS).runs.schedule(**kwargs)
    assert message in str(info.value)


@pytest.mark.asyncio
async def test_get_config_reads_older_configs_and_keeps_an_unknown_version() -> None:
    v2 = {"id": CID, "version": "V2", "createdAt": 1, "config": {
        "workerType": "FULL", "docker": {"method": "coreset", "stoppingCondition": {
            "nSamples": 10}}, "lightly": {"trainer": {"precision": 16}}}}
    v9 = {"id": CID, "version": "V9", "createdAt": 1, "config": {"new": True}}
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/worker/config/vX/{CID}").mock(side_effect=[
            httpx.Response(200, json=v2), httpx.Response(200, json=v9)])
        async with _session() as session:
            old = await session.workers.get_config(CID)
            new = await session.workers.get_config(CID)
    assert isinstance(old, DockerWorkerConfigV2Data)
    assert old.config.docker is not None
    assert old.config.docker.stopping_condition is not None
    assert old.config.docker.stopping_condition.n_samples == 10
    assert isinstance(new, DockerWorkerConfigVXDataUnknown)
    assert new.version == "V9"
    assert new.raw == v9


# -- scheduling and following a run ------------------------------------------------------------
@pytest.mark.asyncio
async def test_schedule_stores_the_config_then_schedules_it_on_the_dataset() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        config = router.post("/v1/docker/worker/config/vX").respond(201, json={"id": CID})
        scheduled = router.post(f"/v1/datasets/{DS}/docker/worker/schedule").respond(
            201, json={"id": SCH})
        async with _session() as session:
            sid = await session.dataset(DS).runs.schedule(
                selection_config=SELECTION, priority=DockerRunScheduledPriority.HIGH,
                runs_on=["gpu"])
    assert sid == SCH
    assert config.call_count == 1
    assert _body(scheduled) == {"configId": CID, "priority": "HIGH", "runsOn": ["gpu"],
                                "creator": "USER_PIP"}


@pytest.mark.asyncio
async def test_scheduled_lists_by_state_and_cancel_puts_the_scheduled_path() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        listed = router.get(f"/v1/datasets/{DS}/docker/worker/schedule").respond(
            200, json=[_scheduled()])
        cancel = router.put(f"/v1/datasets/{DS}/docker/worker/schedule/{SCH}").respond(200)
        async with _session() as session:
            runs = session.dataset(DS).runs
            entries = await runs.scheduled("OPEN")
            everything = await runs.scheduled()
            await runs.cancel(SCH)
    assert [e.id for e in entries] == [SCH]
    assert len(everything) == 1
    assert dict(listed.calls[0].request.url.params) == {"token": TOKEN, "state": "OPEN"}
    assert dict(listed.calls[1].request.url.params) == {"token": TOKEN}
    assert cancel.call_count == 1


@pytest.mark.asyncio
async def test_info_resolves_run_then_scheduled_entry_then_neither() -> None:
    other = "6f0c1c6e2a9b4c1d8e7f6a5c"
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/schedule/{SCH}").mock(side_effect=[
            httpx.Response(200, json=_run("TRAINING", "epoch 1")),
            httpx.Response(404, json={"code": "NOT_FOUND", "error": "no run"}),
            httpx.Response(404, json={"code": "NOT_FOUND", "error": "no run"}),
        ])
        router.get(f"/v1/datasets/{DS}/docker/worker/schedule").mock(side_effect=[
            httpx.Response(200, json=[_scheduled()]),
            httpx.Response(200, json=[_scheduled(other)]),
        ])
        async with _session() as session:
            runs = session.dataset(DS).runs
            running, waiting, gone = (await runs.info(SCH), await runs.info(SCH),
                                      await runs.info(SCH))
    assert running.state is DockerRunState.TRAINING
    assert running.message == "epoch 1"
    assert running.run is not None
    assert running.run.id == RID
    assert not running.in_end_state
    assert (waiting.state, waiting.run, waiting.in_end_state) == (OPEN, None, False)
    assert "Waiting for pickup" in (waiting.message or "")
    assert (gone.state, gone.in_end_state, gone.ended_successfully) == (
        CANCELED_OR_NOT_EXISTING, True, False)


@pytest.mark.asyncio
async def test_watch_yields_each_change_once_and_ends_after_an_end_state() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    answers = [_run("STARTED"), _run("STARTED"), _run("TRAINING", "epoch 1"),
               _run("TRAINING", "epoch 2"), _run("COMPLETED")]
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/schedule/{SCH}").mock(
            side_effect=[httpx.Response(200, json=a) for a in answers])
        async with LightlySession(token=TOKEN, base_url=BASE,
                                  retry=RetryPolicy(sleep=sleep)) as session:
            seen = [(i.state, i.message) async for i in session.dataset(DS).runs.watch(
                SCH, poll_interval=5)]
    assert seen == [(DockerRunState.STARTED, None), (DockerRunState.TRAINING, "epoch 1"),
                    (DockerRunState.TRAINING, "epoch 2"), (DockerRunState.COMPLETED, None)]
    assert waits == [5, 5, 5, 5]


@pytest.mark.asyncio
async def test_wait_returns_the_run_on_completed_and_shows_an_unknown_state() -> None:
    shown: list[RunInfo] = []
    answers = [_run("EMBEDDING"), _run("QUANTUM_SELECTING"), _run("COMPLETED", artifacts=True)]
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/schedule/{SCH}").mock(
            side_effect=[httpx.Response(200, json=a) for a in answers])
        async with _session() as session:
            run = await session.dataset(DS).runs.wait(SCH, progress=shown.append)
    assert isinstance(run, DockerRunData)
    assert run.state is DockerRunState.COMPLETED
    assert [i.state for i in shown] == [DockerRunState.EMBEDDING, "QUANTUM_SELECTING",
                                        DockerRunState.COMPLETED]


@pytest.mark.asyncio
@pytest.mark.parametrize("state", ["FAILED", "CRASHED", "ABORTED"])
async def test_wait_raises_run_failed_error_for_each_failing_end_state(state: str) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/schedule/{SCH}").mock(side_effect=[
            httpx.Response(200, json=_run("TRAINING")),
            httpx.Response(200, json=_run(state, "out of memory"))])
        async with _session() as session:
            with pytest.raises(RunFailedError, match="out of memory") as info:
                await session.dataset(DS).runs.wait(SCH)
    assert info.value.state == state
    assert info.value.message == "out of memory"
    assert info.value.run is not None
    assert info.value.run.id == RID


@pytest.mark.asyncio
async def test_wait_raises_run_failed_error_when_the_scheduled_run_is_canceled() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/schedule/{SCH}").respond(404, json={"code": "NOT_FOUND"})
        router.get(f"/v1/datasets/{DS}/docker/worker/schedule").mock(side_effect=[
            httpx.Response(200, json=[_scheduled()]), httpx.Response(200, json=[])])
        async with _session() as session:
            with pytest.raises(RunFailedError) as info:
                await session.dataset(DS).runs.wait(SCH)
    assert info.value.state == CANCELED_OR_NOT_EXISTING
    assert info.value.run is None


def test_run_failed_error_pickles_with_its_attributes() -> None:
    import pickle

    error = RunFailedError("FAILED", "boom", None)
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), back.state, back.message, str(back)) == (
        RunFailedError, "FAILED", "boom", str(error))


# -- the user's runs ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_runs_get_from_scheduled_and_list_with_and_without_a_dataset() -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/{RID}").respond(200, json=_run("COMPLETED"))
        router.get(f"/v1/docker/runs/schedule/{SCH}").respond(200, json=_run("TRAINING"))
        every = router.get("/v1/docker/runs").mock(side_effect=[
            httpx.Response(200, json=[_run("COMPLETED"), _run("FAILED")]),
            httpx.Response(200, json=[_run("ABORTED")])])
        of_ds = router.get(f"/v1/docker/runs/query/datasetId/{DS}").respond(
            200, json=[_run("COMPLETED")])
        async with _session() as session:
            assert (await session.runs.get(RID)).state is DockerRunState.COMPLETED
            assert (await session.runs.from_scheduled(SCH)).state is DockerRunState.TRAINING
            runs = await session.runs.list(page_size=2)
            mine = await session.runs.list(DS)
    assert [r.state for r in runs] == ["COMPLETED", "FAILED", "ABORTED"]
    assert [dict(c.request.url.params) for c in every.calls] == [
        {"token": TOKEN, "pageSize": "2", "pageOffset": "0"},
        {"token": TOKEN, "pageSize": "2", "pageOffset": "2"}]
    assert len(mine) == 1
    assert of_ds.call_count == 1


@pytest.mark.asyncio
async def test_run_tags_are_newest_first_and_filtered_by_dataset() -> None:
    def tag(tid: str, ds: str, created: int) -> dict[str, Any]:
        return {"id": tid, "datasetId": ds, "prevTagId": None, "bitMaskData": "0x1",
                "name": f"tag-{created}", "totSize": 1, "createdAt": created, "changes": []}

    other = "6f0c1c6e2a9b4c1d8e7f6a5c"
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        router.get(f"/v1/docker/runs/{RID}/tags").respond(200, json=[
            tag(CID, DS, 1), tag(SCH, other, 3), tag(AID, DS, 2)])
        async with _session() as session:
            every = await session.runs.tags(RID)
            mine = await session.runs.tags(RID, dataset_id=DS)
    assert [t.created_at for t in every] == [3, 2, 1]
    assert [t.id for t in mine] == [AID, CID]


@pytest.mark.asyncio
async def test_artifacts_are_streamed_through_signed_urls_and_the_report_parsed(
    tmp_path: Path,
) -> None:
    report = {"run": {"selected": 3}, "version": 2}
    with respx.mock(assert_all_called=True) as router:
        router.get(f"{BASE}/v1/docker/runs/{RID}").respond(200, json=_run("COMPLETED",
                                                                           artifacts=True))
        read = router.get(f"{BASE}/v1/docker/runs/{RID}/artifacts/{AID}/readurl").respond(
            200, json=f"{STORAGE}/report.json?X-Amz-Signature=s1")
        router.get(f"{BASE}/v1/docker/runs/{RID}/artifacts/{CID}/readurl").respond(
            200, json=f"{STORAGE}/log.txt?X-Amz-Signature=s2")
        storage_report = router.get(f"{STORAGE}/report.json").respond(
            200, content=json.dumps(report).encode())
        router.get(f"{STORAGE}/log.txt").respond(200, content=b"line 1\n")
        async with _session() as session:
            url = await session.runs.artifact_read_url(RID, "REPORT_V2_JSON")
            assert await session.runs.report(RID) == report
            run = await session.runs.get(RID)
            one = await session.runs.download_artifact(run, DockerRunArtifactType.LOG,
                                                       tmp_path / "the.log")
            out = tmp_path / "all"
            out.mkdir()
            result = await session.runs.download_artifacts(run, out)
            again = await session.runs.download_artifacts(run, out, if_exists="skip")
            with pytest.raises(InvalidInputError, match="no CHECKPOINT artifact"):
                await session.runs.download_artifact(run, "CHECKPOINT", tmp_path / "c.ckpt")
    assert url == f"{STORAGE}/report.json?X-Amz-Signature=s1"
    assert "token" not in str(storage_report.calls[0].request.url)
    assert one.read_bytes() == b"line 1\n"
    assert result.ok
    assert sorted(p.name for p in out.iterdir()) == ["log.txt", "report_v2.json"]
    assert json.loads((out / "report_v2.json").read_text()) == report
    assert sorted(again.skipped) == sorted([AID, CID])
    assert read.call_count == 3  # the url, the report, the bulk download


def test_the_models_package_exports_every_generated_worker_model() -> None:
    from lightly_async import models
    from lightly_async.models import docker

    assert set(docker.__all__) <= set(models.__all__)
    assert {"DockerWorkerConfigV4", "SelectionConfigV4", "AutoTask", "AutoTaskUnknown",
            "DockerRunState"} <= set(docker.__all__)
