"""The Lightly Worker through ``lightly_async.sync``: the same calls, plain iterators, the same
models and errors, against the fake's simulated worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from lightly_async import RetryPolicy, RunFailedError, sync
from lightly_async.models import DockerRunState
from lightly_async.testing import FAKE_BASE_URL, FakeLightly
from lightly_async.testing._docker import RUN_STATES

SELECTION = {"n_samples": 3, "strategies": [
    {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]}


async def _no_sleep(seconds: float) -> None:
    return None


def _session(fake: FakeLightly) -> sync.LightlySession:
    return sync.LightlySession(fake.token, base_url=FAKE_BASE_URL, transport=fake.transport(),
                               allow_insecure_http=True, retry=RetryPolicy(sleep=_no_sleep))


def _fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=5)
    ds = fake.create_dataset("sync-worker", [f"img_{i:02d}.jpg" for i in range(10)])
    fake.add_embedding(ds)
    return fake, ds


def test_a_run_is_scheduled_watched_and_harvested_synchronously(tmp_path: Path) -> None:
    fake, ds = _fake()
    worker_id = fake.add_worker("gpu-1")
    with _session(fake) as session:
        assert session.workers.register("gpu-1") == worker_id
        assert [w.id for w in session.workers.list()] == [worker_id]
        runs = session.dataset(ds).runs
        scheduled_id = runs.schedule(selection_config=SELECTION)
        assert [s.id for s in runs.scheduled()] == [scheduled_id]  # listed OPEN, picked up
        states = [info.state for info in runs.watch(scheduled_id, poll_interval=0)]
        run = session.runs.from_scheduled(scheduled_id)
        tags = session.runs.tags(run.id, dataset_id=ds)
        listed = list(session.runs.list())
        result = session.runs.download_artifacts(run, tmp_path)
        report = session.runs.report(run)
    assert states == list(RUN_STATES)
    assert run.state is DockerRunState.COMPLETED
    assert tags[0].bit_mask_data.count() == 3
    assert [r.id for r in listed] == [run.id]
    assert result.ok
    assert report["selection"]["nSelected"] == 3


def test_wait_raises_run_failed_error_synchronously() -> None:
    fake, ds = _fake()
    fake.add_worker("gpu-1", fail_at="EMBEDDING", fail_as="ABORTED")
    with _session(fake) as session:
        runs = session.dataset(ds).runs
        scheduled_id = runs.schedule(selection_config=SELECTION)
        with pytest.raises(RunFailedError) as info:
            runs.wait(scheduled_id, poll_interval=0)
    assert info.value.state == "ABORTED"
