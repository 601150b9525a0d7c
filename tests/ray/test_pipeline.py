"""The Ray Data pipeline of docs/ray.md against the fake in its own process: list the raw
files in shards, upload predictions from a dataset of rows (map_batches and the datasink),
download the selected images (to a directory and as bytes); every row's outcome checked,
and the fake's state read back through the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from fake_process import FakeProcess, image_bytes

from lightly_async import LightlySession, NotFoundError
from lightly_async.cli._fake import PREDICTION_VERSION

ray = pytest.importorskip("ray", reason="the ray extra is not installed")
pytestmark = pytest.mark.usefixtures("ray_cluster")

TASK = "classification"  # the task schema `fake serve` seeds, at PREDICTION_VERSION


def _prediction(i: int) -> str:
    category = i % 3
    probabilities = [0.1, 0.1, 0.1]
    probabilities[category] = 0.8
    return json.dumps([{"type": "CLASSIFICATION", "categoryId": category,
                        "score": 0.8, "probabilities": probabilities}])


def _new_version(fake_server: FakeProcess, offset: int) -> int:
    """A prediction version of the test's own, with the task's schema (three classes)."""
    from lightly_async.models import (
        PredictionTaskSchema,
        PredictionTaskSchemaCategory,
        TaskType,
    )

    version = PREDICTION_VERSION + offset

    async def create() -> None:
        async with LightlySession(fake_server.token, base_url=fake_server.base_url) as session:
            await session.dataset(fake_server.dataset_id).predictions.upsert_task_schema(
                PredictionTaskSchema(name=TASK, type=TaskType.CLASSIFICATION, categories=[
                    PredictionTaskSchemaCategory(id=i, name=n)
                    for i, n in enumerate(["cat", "dog", "bird"])]),
                prediction_uuid_timestamp=version)

    anyio.run(create)
    return version


async def _stored_predictions(fake_server: FakeProcess, version: int) -> list[Any]:
    async with LightlySession(fake_server.token, base_url=fake_server.base_url) as session:
        return await session.dataset(fake_server.dataset_id).predictions.list(
            prediction_uuid_timestamp=version)


def test_read_raw_samples_lists_every_raw_file_once_across_the_shards(
    config: Any, fake_server: FakeProcess
) -> None:
    from lightly_async.ray import read_raw_samples

    rows = read_raw_samples(config, fake_server.dataset_id, shards=4).take_all()
    names = [row["file_name"] for row in rows]
    assert sorted(names) == sorted(fake_server.raw_files)  # 500, each exactly once
    assert all(row["read_url"].startswith(fake_server.base_url) for row in rows)


def test_upsert_predictions_in_map_batches_reports_every_row_and_stores_them(
    config: Any, fake_server: FakeProcess
) -> None:
    from lightly_async.ray import OUTCOME_COLUMNS, UpsertPredictions

    version = _new_version(fake_server, 1)
    rows = [{"sample_id": sid, "predictions": _prediction(i)}
            for i, sid in enumerate(fake_server.sample_ids)]
    unknown, malformed = "f" * 24, "not-a-sample-id"
    rows += [{"sample_id": unknown, "predictions": _prediction(0)},
             {"sample_id": malformed, "predictions": _prediction(0)}]
    out = ray.data.from_items(rows).map_batches(
        UpsertPredictions, fn_constructor_args=(config, fake_server.dataset_id),
        fn_constructor_kwargs={"prediction_uuid_timestamp": version, "task_name": TASK},
        compute=ray.data.ActorPoolStrategy(size=2), num_cpus=0.5, batch_size=100,
    ).take_all()
    assert len(out) == len(rows)
    assert set(OUTCOME_COLUMNS) <= set(out[0])
    by_id = {row["sample_id"]: row for row in out}
    assert all(by_id[sid]["ok"] for sid in fake_server.sample_ids)
    assert (by_id[unknown]["ok"], by_id[unknown]["error_type"],
            by_id[unknown]["status_code"]) == (False, "NotFoundError", 404)
    assert by_id[unknown]["request_id"]
    assert (by_id[malformed]["ok"], by_id[malformed]["error_type"],
            by_id[malformed]["status_code"]) == (False, "InvalidInputError", None)
    stored = anyio.run(_stored_predictions, fake_server, version)
    assert len(stored) == len(fake_server.sample_ids)
    assert [s[0].category_id for s in stored] == [i % 3 for i in range(len(stored))]
    assert {s[0].task_name for s in stored} == {TASK}


def test_predictions_datasink_merges_every_write_tasks_result_on_the_driver(
    config: Any, fake_server: FakeProcess
) -> None:
    from lightly_async.ray import PredictionsDatasink

    version = _new_version(fake_server, 2)
    rows = [{"sample_id": sid, "predictions": _prediction(i + 1)}
            for i, sid in enumerate(fake_server.sample_ids)]
    rows.append({"sample_id": "e" * 24, "predictions": _prediction(0)})
    sink = PredictionsDatasink(config, fake_server.dataset_id, TASK,
                               prediction_uuid_timestamp=version)
    ray.data.from_items(rows, override_num_blocks=4).write_datasink(sink)
    result = sink.result
    assert result is not None
    assert sorted(result.succeeded) == sorted(fake_server.sample_ids)
    assert list(result.failed) == ["e" * 24]
    error = result.failed["e" * 24]  # crossed from a write task to the driver intact
    assert isinstance(error, NotFoundError)
    assert (error.status_code, bool(error.request_id)) == (404, True)
    stored = anyio.run(_stored_predictions, fake_server, version)
    assert [s[0].category_id for s in stored] == [(i + 1) % 3 for i in range(len(stored))]


def test_download_images_to_a_directory_writes_every_selected_image(
    config: Any, fake_server: FakeProcess, tmp_path: Path
) -> None:
    from lightly_async.ray import DownloadImages

    rows = [{"sample_id": sid, "file_name": name}
            for sid, name in zip(fake_server.sample_ids, fake_server.file_names, strict=True)]
    rows.append({"sample_id": "d" * 24, "file_name": "missing.jpg"})
    out = ray.data.from_items(rows).map_batches(
        DownloadImages, fn_constructor_args=(config, fake_server.dataset_id),
        fn_constructor_kwargs={"dest_dir": str(tmp_path), "file_name_column": "file_name"},
        compute=ray.data.ActorPoolStrategy(size=2), num_cpus=0.5, batch_size=100,
    ).take_all()
    by_id = {row["sample_id"]: row for row in out}
    assert len(out) == len(rows)
    for sid, name in zip(fake_server.sample_ids, fake_server.file_names, strict=True):
        assert by_id[sid]["ok"], by_id[sid]
        assert by_id[sid]["path"] == str(tmp_path / name)
        assert (tmp_path / name).read_bytes() == image_bytes(name)
    missing = by_id["d" * 24]
    assert (missing["ok"], missing["error_type"], missing["status_code"],
            missing["path"]) == (False, "NotFoundError", 404, None)
    assert not (tmp_path / "missing.jpg").exists()
    assert len(list(tmp_path.iterdir())) == len(fake_server.sample_ids)


def test_download_images_as_bytes_fills_the_image_column(
    config: Any, fake_server: FakeProcess
) -> None:
    from lightly_async.ray import DownloadImages

    chosen = list(zip(fake_server.sample_ids, fake_server.file_names, strict=True))[::5]
    out = ray.data.from_items([{"sample_id": sid} for sid, _ in chosen]).map_batches(
        DownloadImages, fn_constructor_args=(config, fake_server.dataset_id),
        compute=ray.data.ActorPoolStrategy(size=2), num_cpus=0.5, batch_size=25,
    ).take_all()
    images = {row["sample_id"]: row["image"] for row in out if row["ok"]}
    assert images == {sid: image_bytes(name) for sid, name in chosen}


def test_a_ray_task_returns_a_bulk_result_with_its_typed_failures_to_the_driver(
    config: Any, fake_server: FakeProcess
) -> None:
    @ray.remote
    def upsert(config: Any, dataset_id: str, sample_ids: list[str]) -> Any:
        from lightly_async.models import PredictionSingletonClassification

        async def run() -> Any:
            async with LightlySession.from_config(config) as session:
                singleton = PredictionSingletonClassification(
                    task_name=TASK, category_id=0, score=0.5)
                return await session.dataset(dataset_id).predictions.upsert_many(
                    {sid: [singleton] for sid in sample_ids},
                    prediction_uuid_timestamp=PREDICTION_VERSION + 3)

        return anyio.run(run)

    unknown = "c" * 24
    _new_version(fake_server, 3)
    result = ray.get(upsert.remote(config, fake_server.dataset_id,
                                   [*fake_server.sample_ids[:3], unknown]))
    assert sorted(result.succeeded) == sorted(fake_server.sample_ids[:3])
    error = result.failed[unknown]
    assert isinstance(error, NotFoundError)
    assert (error.status_code, error.method, bool(error.request_id)) == (404, "POST", True)
    assert fake_server.token not in repr(error)
    assert fake_server.token not in str(error)
