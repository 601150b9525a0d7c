"""Working at scale against the fake, on both facades: sessions from a SessionConfig,
streamed bulk helpers, images read into memory, results merged and turned into rows."""

from __future__ import annotations

import pickle
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import lightly_async as la
from lightly_async import bulk, sync
from lightly_async.testing import FAKE_BASE_URL, FakeLightly

pytestmark = pytest.mark.anyio
TS = 1_700_000_000_000


@pytest.fixture
def fake() -> FakeLightly:
    return FakeLightly(seed=3)


@pytest.fixture
def dataset_id(fake: FakeLightly) -> str:
    return fake.create_dataset("scale", file_names=[f"img_{i:03d}.jpg" for i in range(12)])


def config(fake: FakeLightly, **changes: Any) -> la.SessionConfig:
    return la.SessionConfig(base_url=FAKE_BASE_URL, allow_insecure_http=True,
                            token_env="FAKE_LIGHTLY_TOKEN", api=fake.api, **changes)


async def _upload(session: la.LightlySession, dataset_id: str) -> list[str]:
    ds = session.dataset(dataset_id)
    ids = [s.id for s in await ds.samples.list(mode="ids")]

    async def images() -> AsyncIterator[tuple[str, tuple[str, bytes]]]:
        for i, sid in enumerate(ids):
            yield sid, (f"img_{i:03d}.jpg", b"image-%d" % i)

    uploaded = await ds.samples.upload_images(images(), concurrency=4)
    assert uploaded.ok, uploaded.failed
    assert len(uploaded.results) == len(ids)
    return ids


async def test_a_session_from_a_shipped_config_reads_images_into_memory(
        fake: FakeLightly, dataset_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LIGHTLY_TOKEN", fake.token)
    cfg = pickle.loads(pickle.dumps(config(fake, concurrency=8)))
    async with la.LightlySession.from_config(cfg, transport=fake.transport()) as session:
        shipped = session.config  # the options in force: timeout and retry policy filled in
        assert attrs.evolve(shipped, timeout=cfg.timeout, retry=None) == cfg
        ids = await _upload(session, dataset_id)
        ds = session.dataset(dataset_id)
        assert await ds.samples.read_image(ids[3]) == b"image-3"
        result = await ds.samples.read_bytes(ids[:6], concurrency=3)
        assert result.ok, result.failed
        assert result.results == {sid: b"image-%d" % i for i, sid in enumerate(ids[:6])}
        too_small = await ds.samples.read_bytes(ids[:2], max_file_size=4)
        assert {type(e) for e in too_small.failed.values()} == {la.ResponseTooLargeError}
        for error in too_small.failed.values():
            assert "X-Amz-Signature" not in str(error)  # a signed URL's secret is never shown
            assert fake.token not in repr(vars(error))


async def test_streamed_reads_hand_each_image_over_and_keep_only_failures(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        ids = await _upload(session, dataset_id)
        got: dict[str, bytes] = {}

        def on_result(outcome: bulk.BulkOutcome[str, bytes]) -> None:
            if outcome.ok:
                assert outcome.value is not None
                got[outcome.key] = outcome.value

        missing = "0" * 24
        result = await session.dataset(dataset_id).samples.read_bytes(
            iter([*ids, missing]), on_result=on_result)
        assert got == {sid: b"image-%d" % i for i, sid in enumerate(ids)}
        assert result.summary_only
        assert result.results == {}
        assert result.n_succeeded == len(ids)
        assert isinstance(result.failed[missing], la.NotFoundError)
        rows = result.to_rows()
        assert rows == [{"key": missing, "ok": False, "status": "failed",
                         "error_type": "NotFoundError", "message": str(result.failed[missing]),
                         "status_code": 404,
                         "request_id": result.failed[missing].request_id}]  # type: ignore[attr-defined]


async def test_a_streamed_download_checks_each_item_and_skips_what_is_there(
        fake: FakeLightly, dataset_id: str, tmp_path: Path) -> None:
    async with fake.session() as session:
        ids = await _upload(session, dataset_id)
        (tmp_path / "first.jpg").write_bytes(b"kept")

        def wanted() -> Iterator[str | tuple[str, str]]:
            yield ids[0], "first.jpg"
            yield ids[1], "../escape.jpg"
            yield from ids[2:5]

        statuses: dict[str, str] = {}
        result = await session.dataset(dataset_id).samples.download(
            wanted(), tmp_path, if_exists="skip",
            on_result=lambda o: statuses.__setitem__(o.key, o.status))
        assert statuses == {ids[0]: "skipped", ids[1]: "failed", ids[2]: "succeeded",
                            ids[3]: "succeeded", ids[4]: "succeeded"}
        assert isinstance(result.failed[ids[1]], la.InvalidInputError)
        assert result.n_skipped == 1
        assert result.n_succeeded == 3
        assert (tmp_path / "first.jpg").read_bytes() == b"kept"
        assert (tmp_path / ids[2]).read_bytes() == b"image-2"
        assert not (tmp_path.parent / "escape.jpg").exists()


async def test_shard_results_merge_into_one_table(
        fake: FakeLightly, dataset_id: str) -> None:
    async with fake.session() as session:
        ds = session.dataset(dataset_id)
        ids = [s.id for s in await ds.samples.list(mode="ids")]
        await ds.predictions.upsert_task_schema(la.PredictionTaskSchema(
            name="kinds", type=la.TaskType.CLASSIFICATION,
            categories=[la.PredictionTaskSchemaCategory(id=0, name="cat")]),
            prediction_uuid_timestamp=TS)

        def rows(part: list[str]) -> Iterator[tuple[str, list[la.PredictionSingleton]]]:
            for sid in part:
                yield sid, [la.PredictionSingletonClassification(
                    task_name="kinds", category_id=0, score=0.9)]

        fake.faults.add(method="POST", path=f"*/predictions/samples/{ids[7]}", status=404)
        shards = [await ds.predictions.upsert_many(rows(ids[i::3]),
                                                   prediction_uuid_timestamp=TS)
                  for i in range(3)]
        merged = la.BulkResult.merge(*pickle.loads(pickle.dumps(shards)))
        assert merged.total == len(ids)
        assert sorted(merged.succeeded) == sorted(set(ids) - {ids[7]})
        assert list(merged.failed) == [ids[7]]
        table = merged.to_rows()
        assert sum(row["ok"] for row in table) == len(ids) - 1
        assert next(r for r in table if not r["ok"])["status_code"] == 404
        stored = await ds.predictions.get(ids[0], prediction_uuid_timestamp=TS)
        assert stored[0].task_name == "kinds"


def test_the_sync_facade_streams_and_reads_bytes_too(
        fake: FakeLightly, dataset_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LIGHTLY_TOKEN", fake.token)
    with sync.LightlySession.from_config(config(fake), transport=fake.transport()) as session:
        ds = session.dataset(dataset_id)
        ids = [s.id for s in ds.samples.list(mode="ids")]
        uploaded = ds.samples.upload_images(
            (sid, (f"img_{i:03d}.jpg", b"sync-%d" % i)) for i, sid in enumerate(ids))
        assert uploaded.ok, uploaded.failed
        seen: list[str] = []
        result = ds.samples.read_bytes((sid for sid in ids[:4]),
                                       on_result=lambda o: seen.append(o.key))
        assert sorted(seen) == sorted(ids[:4])
        assert result.n_succeeded == 4
        assert ds.samples.read_image(ids[1]) == b"sync-1"
        assert session.config.token_env == "FAKE_LIGHTLY_TOKEN"
