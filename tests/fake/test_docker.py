"""The fake's Lightly Worker: registry, configs, scheduled runs and a simulated worker that
moves a run one state per read, selects samples, creates tags and stores artifacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightly_async import NotFoundError, RetryPolicy, RunFailedError
from lightly_async.models import DockerRunState, DockerWorkerConfigV4Data
from lightly_async.resources.runs import CANCELED_OR_NOT_EXISTING, OPEN
from lightly_async.testing import FakeLightly
from lightly_async.testing._docker import RUN_STATES

FILES = [f"img-{i:02d}.jpg" for i in range(20)]


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def _no_sleep(seconds: float) -> None:
    return None


def _fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=3)
    ds = fake.create_dataset("worker-ds", FILES)
    fake.add_embedding(ds)
    return fake, ds


SELECTION: dict[str, Any] = {
    "n_samples": 5,
    "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
}


@pytest.mark.asyncio
async def test_register_returns_the_simulated_worker_for_its_name_and_lists_it() -> None:
    fake, _ = _fake()
    wid = fake.add_worker("gpu-1", labels=["gpu"])
    async with fake.session() as session:
        assert await session.workers.register("gpu-1") == wid
        other = await session.workers.register("other", labels=["cpu"])
        assert await session.workers.register("other") == other
        listed = await session.workers.list()
        assert [(w.name, w.labels) for w in listed] == [("gpu-1", ["gpu"]), ("other", ["cpu"])]
        assert (await session.workers.get(other)).state == "OFFLINE"
        await session.workers.delete(other)
        with pytest.raises(NotFoundError):
            await session.workers.get(other)


@pytest.mark.asyncio
async def test_a_run_is_watched_through_every_state_and_selects_into_a_tag(tmp_path: Path) -> None:
    fake, ds = _fake()
    fake.add_worker("gpu-1")
    async with fake.session(retry=RetryPolicy(sleep=_no_sleep)) as session:
        runs = session.dataset(ds).runs
        sid = await runs.schedule(selection_config=SELECTION, worker_config={
            "enable_training": False})
        seen = [info.state async for info in runs.watch(sid, poll_interval=0)]
        run = await session.runs.from_scheduled(sid)
        tags = await session.runs.tags(run.id, dataset_id=ds)
        selected = tags[0]
        names = await session.dataset(ds).tags.filenames(selected.id)
        report = await session.runs.report(run)
        result = await session.runs.download_artifacts(run, tmp_path)
        config = await session.workers.get_config(run.config_id or "")
    assert seen == [OPEN, *RUN_STATES]
    assert run.state is DockerRunState.COMPLETED
    assert selected.name == "selected-run-1"
    assert selected.bit_mask_data.count() == 5
    assert [t.name for t in tags] == ["selected-run-1", "initial-tag"]
    assert len(names) == 5
    assert set(names) <= set(FILES)
    assert report["selection"]["nSelected"] == 5
    assert result.ok
    assert _names(tmp_path) == [
        "checkpoint.ckpt", "corruptness_check_information.json", "log.txt", "memlog.txt",
        "report.json", "report.pdf", "report_v2.json", "sequence_information.json"]
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((tmp_path / "report_v2.json").read_text()) == report
    assert isinstance(config, DockerWorkerConfigV4Data)
    assert config.config.docker is not None
    assert config.config.docker.enable_training is False


@pytest.mark.asyncio
async def test_the_selection_is_deterministic_for_a_seed_and_honours_proportion() -> None:
    picks = []
    for _ in range(2):
        fake, ds = _fake()
        fake.add_worker("gpu-1")
        async with fake.session(retry=RetryPolicy(sleep=_no_sleep)) as session:
            runs = session.dataset(ds).runs
            sid = await runs.schedule(selection_config={
                "proportion_samples": 0.25, "strategies": [
                    {"input": {"type": "RANDOM", "random_seed": 7},
                     "strategy": {"type": "WEIGHTS"}}]})
            run = await runs.wait(sid, poll_interval=0)
            tag = (await session.runs.tags(run.id))[0]
            picks.append(tag.bit_mask_data.indices())
    assert picks[0] == picks[1]
    assert len(picks[0]) == 5


@pytest.mark.asyncio
async def test_threshold_and_weights_use_the_scores_of_the_dataset() -> None:
    fake, ds = _fake()
    fake.add_scores(ds, "uncertainty", [i / 20 for i in range(20)])
    fake.add_worker("gpu-1")
    async with fake.session(retry=RetryPolicy(sleep=_no_sleep)) as session:
        runs = session.dataset(ds).runs
        sid = await runs.schedule(selection_config={"n_samples": 3, "strategies": [
            {"input": {"type": "SCORES", "task": "t", "score": "uncertainty"},
             "strategy": {"type": "THRESHOLD", "threshold": 0.5, "operation": "SMALLER"}},
            {"input": {"type": "SCORES", "task": "t", "score": "uncertainty"},
             "strategy": {"type": "WEIGHTS"}}]})
        run = await runs.wait(sid, poll_interval=0)
        tag = (await session.runs.tags(run.id))[0]
    assert tag.bit_mask_data.indices() == [7, 8, 9]  # the highest scores below 0.5


@pytest.mark.asyncio
@pytest.mark.parametrize("fail_as", ["FAILED", "CRASHED", "ABORTED"])
async def test_a_worker_failing_at_a_state_ends_the_run_in_its_failure(fail_as: str) -> None:
    fake, ds = _fake()
    fake.add_worker("gpu-1", fail_at="EMBEDDING", fail_as=fail_as)
    async with fake.session(retry=RetryPolicy(sleep=_no_sleep)) as session:
        runs = session.dataset(ds).runs
        sid = await runs.schedule(selection_config=SELECTION)
        with pytest.raises(RunFailedError) as info:
            await runs.wait(sid, poll_interval=0)
        assert await runs.scheduled() == []  # DONE: no longer listed
    assert info.value.state == fail_as
    assert info.value.run is not None
    assert "embedding" in (info.value.message or "")


@pytest.mark.asyncio
async def test_runs_on_labels_choose_the_worker_and_an_unmatched_run_stays_open() -> None:
    fake, ds = _fake()
    fake.add_worker("cpu-only", labels=["cpu"])
    fake.add_worker("idle", labels=["gpu"], picks_up=False)
    async with fake.session(retry=RetryPolicy(sleep=_no_sleep)) as session:
        runs = session.dataset(ds).runs
        sid = await runs.schedule(selection_config=SELECTION, runs_on=["gpu"])
        states = [(await runs.info(sid)).state for _ in range(3)]
        scheduled = await runs.scheduled("OPEN")
        await runs.cancel(sid)
        gone = await runs.info(sid)
        with pytest.raises(RunFailedError) as info:
            await runs.wait(sid, poll_interval=0)
    assert states == [OPEN, OPEN, OPEN]
    assert [s.id for s in scheduled] == [sid]
    assert gone.state == CANCELED_OR_NOT_EXISTING
    assert info.value.state == CANCELED_OR_NOT_EXISTING


@pytest.mark.asyncio
async def test_runs_are_listed_newest_first_for_the_user_and_per_dataset() -> None:
    fake, ds = _fake()
    other = fake.create_dataset("other", FILES[:4])
    fake.add_worker("gpu-1")
    async with fake.session(retry=RetryPolicy(sleep=_no_sleep)) as session:
        first = await session.dataset(ds).runs.wait(
            await session.dataset(ds).runs.schedule(selection_config=SELECTION),
            poll_interval=0)
        second = await session.dataset(other).runs.wait(
            await session.dataset(other).runs.schedule(selection_config={
                "n_samples": 2, "strategies": [{"input": {"type": "RANDOM"},
                                                "strategy": {"type": "WEIGHTS"}}]}),
            poll_interval=0)
        every = await session.runs.list(page_size=1)
        mine = await session.runs.list(other)
    assert [r.id for r in every] == [second.id, first.id]
    assert [r.id for r in mine] == [second.id]
