"""The official ``lightly==1.5.20`` client drives the fake's Lightly Worker.

``ApiWorkflowClient``'s worker methods (``api_workflow_compute_worker.py``) and every
``download_compute_worker_run_*`` artifact method (``api_workflow_artifacts.py``) against
``FakeLightly(api="latest")`` over loopback, with a simulated worker on; results are checked
against the fake's own state. ``compute_worker_run_info_generator`` sleeps 30 s between polls:
its ``time.sleep`` is patched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lightly_async.testing import FakeLightly
from lightly_async.testing._docker import RUN_STATES

pytest.importorskip("lightly.api", reason="the conformance suite needs lightly==1.5.20 "
                    "(`nox -s tests` installs it)")

from lightly.api import api_workflow_compute_worker as official_worker
from lightly.api.bitmask import BitMask as OfficialBitMask
from lightly.openapi_generated.swagger_client import models as m

Official = Callable[..., Any]
FILES = [f"img-{i:02d}.jpg" for i in range(12)]
SELECTION = {
    "n_samples": 4,
    "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(official_worker.time, "sleep", slept.append)
    return slept


def _dataset(fake: FakeLightly) -> str:
    ds = fake.create_dataset("worker", FILES)
    fake.add_embedding(ds)
    return ds


def test_worker_registry_calls_match_the_fake(fake: FakeLightly, official: Official) -> None:
    simulated = fake.add_worker("gpu-1", labels=["gpu"])
    client = official(_dataset(fake))
    assert client.register_compute_worker(name="gpu-1") == simulated
    other = client.register_compute_worker(name="other", labels=["cpu"])
    assert client.register_compute_worker(name="other") == other
    assert client.get_compute_worker_ids() == [simulated, other]
    workers = client.get_compute_workers()
    assert [(w.name, w.labels) for w in workers] == [("gpu-1", ["gpu"]), ("other", ["cpu"])]
    client.delete_compute_worker(other)
    assert client.get_compute_worker_ids() == [simulated]


def test_a_config_with_an_auto_task_is_stored_as_sent(
    fake: FakeLightly, official: Official,
) -> None:
    client = official(_dataset(fake))
    selection = {**SELECTION, "auto_tasks": [
        {"type": "TILING", "name": "tiles", "num_rows": 2, "num_cols": 2}]}
    config_id = client.create_compute_worker_config(
        worker_config={"enable_training": False, "datasource": {"process_all": True}},
        lightly_config={"loader": {"batch_size": 8}},
        selection_config=selection)
    stored = fake.store.docker.configs[config_id][1].config
    assert stored.docker.enable_training is False
    assert stored.docker.datasource.process_all is True
    assert stored.lightly.loader.batch_size == 8
    assert stored.selection.n_samples == 4
    assert [(t.type, t.num_rows) for t in stored.selection.auto_tasks] == [("TILING", 2)]


def test_a_scheduled_run_is_watched_to_completed_and_its_tags_read(
    fake: FakeLightly, official: Official, no_sleep: list[float],
) -> None:
    fake.add_worker("gpu-1", labels=["gpu"])
    ds = _dataset(fake)
    client = official(ds)
    scheduled_id = client.schedule_compute_worker_run(
        selection_config=SELECTION, worker_config={"enable_training": False},
        runs_on=["gpu"], priority="HIGH")
    [entry] = client.get_scheduled_compute_worker_runs()  # answers OPEN, then is picked up
    assert (entry.id, entry.priority, entry.runs_on, entry.state) == (
        scheduled_id, "HIGH", ["gpu"], "OPEN")
    infos = list(client.compute_worker_run_info_generator(scheduled_run_id=scheduled_id))
    assert [i.state for i in infos] == list(RUN_STATES)
    assert [e.id for e in client.get_scheduled_compute_worker_runs(state="DONE")] == [
        scheduled_id]
    assert infos[-1].ended_successfully()
    assert no_sleep == [30] * (len(infos) - 1)
    run = client.get_compute_worker_run_from_scheduled_run(scheduled_run_id=scheduled_id)
    assert client.get_compute_worker_run(run.id) == run
    assert run.state == m.DockerRunState.COMPLETED
    info = client.get_compute_worker_run_info(scheduled_run_id=scheduled_id)
    assert (info.state, info.in_end_state()) == (m.DockerRunState.COMPLETED, True)
    tags = client.get_compute_worker_run_tags(run_id=run.id)
    assert [t.name for t in tags] == ["selected-run-1", "initial-tag"]
    assert fake.tags(ds)[-1].id == tags[0].id
    assert OfficialBitMask.from_hex(tags[0].bit_mask_data).to_indices() == \
        fake.tags(ds)[-1].bit_mask_data.indices()
    assert len(fake.tags(ds)[-1].bit_mask_data.indices()) == 4
    assert [r.id for r in client.get_compute_worker_runs()] == [run.id]
    assert [r.id for r in client.get_compute_worker_runs(dataset_id=ds)] == [run.id]
    other = fake.create_dataset("other", FILES[:2])
    assert client.get_compute_worker_runs(dataset_id=other) == []


def test_an_open_then_canceled_run_reads_as_1520_expects(
    fake: FakeLightly, official: Official,
) -> None:
    fake.add_worker("gpu-1", labels=["gpu"], picks_up=False)
    client = official(_dataset(fake))
    scheduled_id = client.schedule_compute_worker_run(selection_config=SELECTION)
    info = client.get_compute_worker_run_info(scheduled_run_id=scheduled_id)
    assert (info.state, info.in_end_state()) == ("OPEN", False)
    client._compute_worker_api.cancel_scheduled_docker_run_state_by_id(  # no helper in 1.5.20
        dataset_id=client.dataset_id, scheduled_id=scheduled_id)
    info = client.get_compute_worker_run_info(scheduled_run_id=scheduled_id)
    assert info.state == "CANCELED_OR_NOT_EXISTING"
    assert info.in_end_state()
    assert not info.ended_successfully()


@pytest.mark.parametrize("fail_as", ["FAILED", "CRASHED", "ABORTED"])
def test_a_failing_worker_ends_the_run_in_its_failure_state(
    fake: FakeLightly, official: Official, no_sleep: list[float], fail_as: str,
) -> None:
    fake.add_worker("gpu-1", fail_at="SAMPLING", fail_as=fail_as)
    client = official(_dataset(fake))
    scheduled_id = client.schedule_compute_worker_run(selection_config=SELECTION)
    last = list(client.compute_worker_run_info_generator(scheduled_run_id=scheduled_id))[-1]
    assert last.state == fail_as
    assert not last.ended_successfully()


def test_every_artifact_download_writes_what_the_fake_stores(
    fake: FakeLightly, official: Official, no_sleep: list[float], tmp_path: Path,
) -> None:
    fake.add_worker("gpu-1")
    client = official(_dataset(fake))
    scheduled_id = client.schedule_compute_worker_run(selection_config=SELECTION)
    for _ in client.compute_worker_run_info_generator(scheduled_run_id=scheduled_id):
        pass
    run = client.get_compute_worker_run_from_scheduled_run(scheduled_run_id=scheduled_id)
    every = tmp_path / "all"
    every.mkdir()
    client.download_compute_worker_run_artifacts(run=run, output_dir=str(every))
    stored = {a.file_name: fake.blob(f"{run.dataset_id}/_runs/{run.id}/{a.id}/{a.file_name}")
              for a in run.artifacts}
    assert {p.name: p.read_bytes() for p in every.iterdir()} == stored
    one_by_one = {
        "download_compute_worker_run_checkpoint": "checkpoint.ckpt",
        "download_compute_worker_run_report_pdf": "report.pdf",
        "download_compute_worker_run_report_json": "report.json",
        "download_compute_worker_run_report_v2_json": "report_v2.json",
        "download_compute_worker_run_log": "log.txt",
        "download_compute_worker_run_memory_log": "memlog.txt",
        "download_compute_worker_run_corruptness_check_information":
            "corruptness_check_information.json",
        "download_compute_worker_run_sequence_information": "sequence_information.json",
    }
    for method, name in one_by_one.items():
        path = tmp_path / f"one-{name}"
        getattr(client, method)(run=run, output_path=str(path))
        assert path.read_bytes() == stored[name], method
    assert json.loads(stored["report_v2.json"] or b"")["selection"]["nSelected"] == 4
    assert client.get_compute_worker_run_checkpoint_url(run=run).startswith("http://127.0.0.1")
