"""Workflow helpers against the fake server: bulk outcomes, tag helpers, incremental listing,
sampling runs. Partial failures come from the fake's fault rules, so a BulkResult must name
exactly the items the server refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest

import lightly_async as la
from lightly_async.testing import FakeLightly

pytestmark = pytest.mark.anyio

TS = 1_700_000_000_000
SCHEMA = la.PredictionTaskSchema(
    name="det", type=la.TaskType.OBJECT_DETECTION,
    categories=[la.PredictionTaskSchemaCategory(id=0, name="car"),
                la.PredictionTaskSchemaCategory(id=1, name="bus")])


def detection(i: int) -> list[la.PredictionSingleton]:
    return [la.PredictionSingletonObjectDetection(
        task_name="det", category_id=i % 2, score=0.5, bbox=[i, i + 1, 10, 20])]


@pytest.fixture
def fake() -> FakeLightly:
    return FakeLightly(seed=1)


@pytest.fixture
def dataset_id(fake: FakeLightly) -> str:
    return fake.create_dataset("ds", file_names=[f"img_{i:03d}.jpg" for i in range(60)])


async def sample_ids(session: la.LightlySession, dataset_id: str) -> list[str]:
    return [s.id for s in await session.dataset(dataset_id).samples.list(mode="ids")]


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def start(self, total: int, description: str) -> None:
        self.events.append(("start", total))

    def advance(self, n: int) -> None:
        self.events.append(("advance", n))

    def close(self) -> None:
        self.events.append(("close", None))


async def test_upsert_many_names_exactly_the_refused_samples_when_faults_hit_some(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session(concurrency=8) as session:
        ds = session.dataset(dataset_id)
        await ds.predictions.upsert_task_schema(SCHEMA, prediction_uuid_timestamp=TS)
        ids = await sample_ids(session, dataset_id)
        refused = set(ids[5:8])
        for sid in refused:
            fake.faults.add(method="POST", path=f"/v1/datasets/*/predictions/samples/{sid}",
                            status=400)
        progress = Recorder()
        result = await ds.predictions.upsert_many(
            {sid: detection(i) for i, sid in enumerate(ids)}, prediction_uuid_timestamp=TS,
            progress=progress)

        assert set(result.failed) == refused
        assert all(isinstance(e, la.BadRequestError) for e in result.failed.values())
        assert sorted(result.succeeded) == sorted(set(ids) - refused)
        assert result.not_attempted == []
        assert not result.ok
        assert progress.events[0] == ("start", len(ids))
        assert sum(n for kind, n in progress.events if kind == "advance") == len(ids)
        stored = await ds.predictions.list(prediction_uuid_timestamp=TS)
        for i, sid in enumerate(ids):
            assert stored[i] == ([] if sid in refused else detection(i))


async def test_upsert_many_retries_transient_errors_when_server_flaps(
        fake: FakeLightly, dataset_id: str) -> None:
    policy = la.RetryPolicy(max_retries=5, initial_backoff=0.001, max_backoff=0.002)
    async with fake.session(retry=policy) as session:
        ds = session.dataset(dataset_id)
        await ds.predictions.upsert_task_schema(SCHEMA, prediction_uuid_timestamp=TS)
        ids = await sample_ids(session, dataset_id)
        rule = fake.faults.add(path="/v1/datasets/*/predictions/samples/*", status=503,
                               rate=0.3)
        result = await ds.predictions.upsert_many(
            {sid: detection(i) for i, sid in enumerate(ids)}, prediction_uuid_timestamp=TS)
        assert result.ok, result.failed
        assert rule.fired > 0
        assert session.stats.retries >= rule.fired


async def test_fail_fast_leaves_the_rest_not_attempted_when_one_item_fails(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.predictions.upsert_task_schema(SCHEMA, prediction_uuid_timestamp=TS)
        ids = await sample_ids(session, dataset_id)
        fake.faults.add(path=f"/v1/datasets/*/predictions/samples/{ids[0]}", status=404)
        result = await ds.predictions.upsert_many(
            {sid: detection(i) for i, sid in enumerate(ids)}, prediction_uuid_timestamp=TS,
            concurrency=1, fail_fast=True)
        assert list(result.failed) == [ids[0]]
        assert result.succeeded == []
        assert result.not_attempted == ids[1:]
        with pytest.raises(la.BulkError, match="1 of 60 items failed, 59 not attempted"):
            result.raise_for_failures()


async def test_concurrency_is_bounded_when_many_items_run(
        fake: FakeLightly, dataset_id: str) -> None:
    in_flight = peak = 0
    async with fake.session() as session:
        ids = await sample_ids(session, dataset_id)

        def tracked(sid: str) -> Any:
            async def call() -> str:
                nonlocal in_flight, peak
                in_flight += 1
                peak = max(peak, in_flight)
                try:
                    await anyio.sleep(0.001)  # let the other workers start theirs
                    await session.dataset(dataset_id).samples.get(sid)
                finally:
                    in_flight -= 1
                return sid
            return call

        from lightly_async.bulk import run_bulk

        result = await run_bulk(session, [(sid, tracked(sid)) for sid in ids], concurrency=4)
        assert result.ok
        assert 1 < peak <= 4


async def test_update_many_reports_each_sample_when_one_id_is_unknown(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        ids = await sample_ids(session, dataset_id)
        samples = [await ds.samples.get(sid) for sid in ids[:3]]
        renamed = [la.SampleData(id=s.id, is_thumbnail=True, thumb_name=f"t{i}.webp",
                                 meta=s.meta) for i, s in enumerate(samples)]
        ghost = la.SampleData(id="0" * 24, is_thumbnail=False, thumb_name="x", meta=samples[0].meta)
        result = await ds.samples.update_many([*renamed, ghost])
        assert sorted(result.succeeded) == sorted(ids[:3])
        assert list(result.failed) == ["0" * 24]
        assert isinstance(result.failed["0" * 24], la.NotFoundError)
        assert (await ds.samples.get(ids[1])).thumb_name == "t1.webp"


async def test_upload_then_download_round_trips_bytes_through_signed_urls(
        fake: FakeLightly, dataset_id: str, tmp_path: Path) -> None:
    image_file = tmp_path / "cat.png"
    image_file.write_bytes(b"\x89PNG from a file")
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        ids = await sample_ids(session, dataset_id)
        named = image_file.with_name("img_000.jpg")
        image_file.rename(named)
        uploads = {ids[0]: named, ids[1]: ("img_001.jpg", b"raw bytes"),
                   ids[2]: ("img_002.jpg", b"third image")}
        result = await ds.samples.upload_images(uploads)
        assert result.ok, result.failed
        assert result.results == {ids[0]: "img_000.jpg", ids[1]: "img_001.jpg",
                                  ids[2]: "img_002.jpg"}
        thumbs = await ds.samples.upload_images({ids[0]: b"tiny"}, thumbnail=True)
        assert thumbs.results[ids[0]] == (await ds.samples.get(ids[0])).thumb_name

        out = tmp_path / "out"
        out.mkdir()
        got = await ds.samples.download({ids[0]: "a.png", ids[1]: "b.bin", ids[2]: "c.bin"}, out)
        assert got.ok, got.failed
        assert (out / "a.png").read_bytes() == b"\x89PNG from a file"
        assert (out / "b.bin").read_bytes() == b"raw bytes"
        assert (out / "c.bin").read_bytes() == b"third image"
        thumb_dir = tmp_path / "thumbs"
        thumb_dir.mkdir()
        got = await ds.samples.download([ids[0]], thumb_dir, type="thumbnail")
        assert got.ok
        assert (thumb_dir / ids[0]).read_bytes() == b"tiny"
        assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.bin", "c.bin"]


async def test_upload_refreshes_the_url_once_when_the_signed_put_is_refused(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        ids = await sample_ids(session, dataset_id)
        writes_before = sum(1 for c in fake.calls if "writeurl" in str(c))
        rule = fake.faults.add(method="PUT", path="/_fake/blobs/*", status=403, times=1)
        result = await ds.samples.upload_images({ids[0]: ("img_000.jpg", b"payload")})
        assert result.ok, result.failed
        assert rule.fired == 1
        writes = sum(1 for c in fake.calls if "writeurl" in str(c)) - writes_before
        assert writes == 2


async def test_download_leaves_no_partial_file_when_the_transfer_fails(
        fake: FakeLightly, dataset_id: str, tmp_path: Path) -> None:
    async with fake.session(retry=la.RetryPolicy(max_retries=0)) as session:
        ds = session.dataset(dataset_id)
        ids = await sample_ids(session, dataset_id)
        await ds.samples.upload_images({ids[0]: ("img_000.jpg", b"x" * 1000)})
        fake.faults.add(method="GET", path="/_fake/blobs/*", status=500)
        result = await ds.samples.download([ids[0]], tmp_path)
        assert isinstance(result.failed[ids[0]], la.ServerError)
        assert [p async for p in anyio.Path(tmp_path).iterdir()] == []


async def test_tag_helpers_decode_and_build_tags_from_file_names(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        initial = await ds.tags.get_by_name("initial-tag")
        wanted = ["img_003.jpg", "img_010.jpg", "img_042.jpg"]
        tag = await ds.tags.create_from_filenames("picked", reversed(wanted))
        assert tag.bit_mask_data.indices() == [3, 10, 42]
        assert tag.prev_tag_id == initial.id
        assert await ds.tags.file_names_from_bitmask(tag) == wanted
        assert await ds.tags.file_names_from_bitmask(tag.id) == await ds.tags.filenames(tag.id)
        with pytest.warns(DeprecationWarning, match="file_names_from_bitmask"):
            assert await ds.tags.file_names(tag) == wanted  # the old name, kept as an alias
        child = await ds.tags.create_from_filenames("child", wanted[:1], parent=tag)
        assert child.prev_tag_id == tag.id
        with pytest.raises(la.NameNotFoundError, match="nope"):
            await ds.tags.get_by_name("nope")
        with pytest.raises(ValueError, match=r"file_names: 2 not in the dataset: 'a\.jpg', 'b"):
            await ds.tags.create_from_filenames("bad", ["img_001.jpg", "a.jpg", "b.jpg"])


async def test_new_raw_samples_moves_the_bookmark_only_after_a_clean_complete_pass(
        fake: FakeLightly, dataset_id: str) -> None:
    now = int(time.time())
    fake.page_size = 7
    fake.add_raw_files(dataset_id, [(f"old_{i}.jpg", now - 100 + i) for i in range(20)])
    fake.add_raw_files(dataset_id, [("too_young.jpg", now + 5)])  # after the batch's end
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        async def crash_mid_way() -> None:
            async with ds.datasource.new_raw_samples() as batch:
                async for row in batch:
                    if row.file_name == "old_9.jpg":
                        raise RuntimeError("crash mid-way")

        with pytest.raises(RuntimeError, match="crash"):
            await crash_mid_way()
        assert await ds.datasource.get_processed_until() == 0

        async with ds.datasource.new_raw_samples() as batch:
            seen = [row.file_name async for row in batch]
        assert sorted(seen) == sorted(f"old_{i}.jpg" for i in range(20))
        bookmark = await ds.datasource.get_processed_until()
        assert bookmark == batch.to >= now - 1

        async with ds.datasource.new_raw_samples() as batch:
            again = [row.file_name async for row in batch]
        assert again == []
        assert batch.from_ == bookmark + 1
        # a clean pass moves the bookmark to its end: the same second, or a later one
        assert await ds.datasource.get_processed_until() == max(bookmark, batch.to)


async def test_new_raw_samples_keeps_the_bookmark_when_the_listing_was_not_finished(
        fake: FakeLightly, dataset_id: str) -> None:
    fake.page_size = 3
    fake.add_raw_files(dataset_id, [(f"f{i}.jpg", 1000 + i) for i in range(10)])
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        async with ds.datasource.new_raw_samples() as batch:
            async for _row in batch:
                break
        assert batch.rows_seen == 1
        assert await ds.datasource.get_processed_until() == 0


async def test_samplings_run_returns_the_new_tag_when_the_job_finishes(
        fake: FakeLightly, dataset_id: str) -> None:
    embedding_id = fake.add_embedding(dataset_id)
    fake.job_steps = ("WAITING", "RUNNING", "RUNNING")
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        tag = await ds.samplings.run(
            embedding_id, new_tag_name="random-10", method="RANDOM",
            config=la.SamplingConfig(
                stopping_condition=la.SamplingConfigStoppingCondition(n_samples=10)))
        assert tag.name == "random-10"
        assert tag.bit_mask_data.count() == 10
        assert (await ds.tags.get_by_name("random-10")).id == tag.id


async def test_samplings_run_raises_job_failed_when_the_job_fails(
        fake: FakeLightly, dataset_id: str) -> None:
    embedding_id = fake.add_embedding(dataset_id)
    fake.job_steps = ("WAITING",) * 50
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        task = await ds.samplings.trigger(embedding_id, new_tag_name="doomed", method="RANDOM",
                                          config=la.SamplingConfig())
        fake.fail_job(task.job_id, "out of memory")
        with pytest.raises(la.JobFailedError, match="out of memory"):
            await session.jobs.wait(task.job_id)


async def test_jobs_wait_times_out_when_the_job_never_finishes(
        fake: FakeLightly, dataset_id: str) -> None:
    embedding_id = fake.add_embedding(dataset_id)
    fake.job_steps = ("RUNNING",) * 10_000
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        task = await ds.samplings.trigger(embedding_id, new_tag_name="slow", method="RANDOM",
                                          config=la.SamplingConfig())
        with pytest.raises(la.APITimeoutError, match="did not finish"):
            await session.jobs.wait(task.job_id, timeout=0.2, min_poll_interval=0.01)


async def test_rate_limit_pauses_every_worker_when_the_server_sends_429(
        fake: FakeLightly, dataset_id: str) -> None:
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    policy = la.RetryPolicy(max_retries=3, sleep=record)
    async with fake.session(retry=policy) as session:
        ds = session.dataset(dataset_id)
        ids = await sample_ids(session, dataset_id)
        samples = ("/v1/datasets/*/samples/*" if fake.api == "latest"
                   else "/users/datasets/*/samples/*")
        fake.faults.add(path=samples, status=429, retry_after=2, times=1)
        results = [await ds.samples.get(sid) for sid in ids[:3]]
        assert [s.id for s in results] == ids[:3]
        # the retry waited the server's 2 s, and later requests waited out the same pause
        assert sleeps[0] == 2
        assert len(sleeps) >= 2


async def test_answers_are_checked_against_the_spec_when_workflows_run(
        fake: FakeLightly, dataset_id: str, spec_checked_answers: Any) -> None:
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        await ds.tags.create_initial()
        await ds.tags.get_initial()
    checked = {(method, status) for method, _, status in spec_checked_answers.checked}
    assert {("POST", 201), ("GET", 200)} <= checked
