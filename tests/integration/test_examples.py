"""The examples and the demo, run as a user would run them, against the fake server.

Scripts run in a subprocess with ``LIGHTLY_TOKEN`` / ``LIGHTLY_SERVER_LOCATION`` pointing at the
fake on loopback; their effect is then read back from the fake, not from their output alone.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

import lightly_async as la
from lightly_async.testing import DEFAULT_TOKEN, FakeLightly

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VERSION = 1_700_000_000_000
SCHEMA = la.PredictionTaskSchema(
    name="det", type=la.TaskType.OBJECT_DETECTION,
    categories=[la.PredictionTaskSchemaCategory(id=0, name="car"),
                la.PredictionTaskSchemaCategory(id=1, name="bus")])


def _env(base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LIGHTLY_") or k == "LIGHTLY_API"}  # the dialect of the test
    return env | {"LIGHTLY_TOKEN": DEFAULT_TOKEN, "LIGHTLY_SERVER_LOCATION": base_url} | extra


async def _run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    done = await anyio.run_process([sys.executable, *args], env=env, check=False, cwd=ROOT)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _with_schema(fake: FakeLightly, n: int) -> tuple[str, list[str]]:
    dataset_id = fake.create_dataset("examples", [f"img_{i:03d}.jpg" for i in range(n)])
    async with fake.session() as session:
        await session.dataset(dataset_id).predictions.upsert_task_schema(
            SCHEMA, prediction_uuid_timestamp=VERSION)
    return dataset_id, fake.sample_ids(dataset_id)


def _write_csv(path: Path, rows: list[tuple[str, int]]) -> None:
    lines = ["sample_id,task,category_id,score,x,y,w,h"]
    lines += [f"{sid},det,{cat},0.75,{i},{i + 1},10,20" for i, (sid, cat) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n")


# -- examples/bulk_upload.py ------------------------------------------------------------------
async def test_bulk_upload_script_stores_every_detection_when_run_against_the_fake(
        tmp_path: Path) -> None:
    fake = FakeLightly()
    dataset_id, ids = await _with_schema(fake, 40)
    rows = [(sid, i % 2) for i, sid in enumerate(ids)] + [(ids[0], 1)]  # two on the first
    _write_csv(tmp_path / "det.csv", rows)
    async with fake.serve() as base_url:
        code, out, err = await _run(
            ["examples/bulk_upload.py", dataset_id, str(tmp_path / "det.csv"), str(VERSION)],
            _env(base_url))
    assert code == 0, err
    assert "40 samples uploaded, 0 failed" in out
    async with fake.session() as session:
        stored = await session.dataset(dataset_id).predictions.list(
            prediction_uuid_timestamp=VERSION)
    assert [len(s) for s in stored] == [2] + [1] * 39
    first = stored[0]
    assert all(isinstance(s, la.PredictionSingletonObjectDetection) for s in first)
    assert sorted(s.category_id for s in first) == [0, 1]


async def test_bulk_upload_script_names_the_failed_sample_and_exits_1_when_one_is_refused(
        tmp_path: Path) -> None:
    fake = FakeLightly()
    dataset_id, ids = await _with_schema(fake, 10)
    _write_csv(tmp_path / "det.csv", [(sid, 0) for sid in ids])
    fake.faults.add(method="POST", path=f"/v1/datasets/*/predictions/samples/{ids[3]}",
                    status=400)
    async with fake.serve() as base_url:
        code, out, err = await _run(
            ["examples/bulk_upload.py", dataset_id, str(tmp_path / "det.csv"), str(VERSION)],
            _env(base_url))
    assert code == 1
    assert "9 samples uploaded, 1 failed" in out
    assert ids[3] in err
    assert DEFAULT_TOKEN not in out + err


async def test_bulk_upload_script_prints_its_usage_when_arguments_are_missing() -> None:
    code, _, err = await _run(["examples/bulk_upload.py", "only-one"], _env("http://127.0.0.1:9"))
    assert code == 2
    assert "detections.csv VERSION" in err


# -- examples/service.py ----------------------------------------------------------------------
async def test_service_processes_each_new_file_once_when_batches_repeat() -> None:
    service = _load("service")
    fake = FakeLightly()
    dataset_id = fake.create_dataset("service", ["a.jpg"])
    fake.add_raw_files(dataset_id, [(f"raw/{i}.jpg", 1_600_000_000 + i) for i in range(25)])
    fake.page_size = 10
    async with fake.session() as session:
        assert await service.serve(session, dataset_id, interval=0, once=True) == 25
        assert await service.serve(session, dataset_id, interval=0, once=True) == 0
        bookmark = await session.dataset(dataset_id).datasource.get_processed_until()
    assert bookmark > 1_600_000_024


async def test_service_script_runs_one_batch_when_started_with_once() -> None:
    fake = FakeLightly()
    dataset_id = fake.create_dataset("service", ["a.jpg"])
    fake.add_raw_files(dataset_id, [(f"raw/{i}.jpg", 1_600_000_000 + i) for i in range(7)])
    async with fake.serve() as base_url:
        code, _, err = await _run(["examples/service.py", dataset_id, "--once"], _env(base_url))
    assert code == 0, err
    assert "processed 7 new files" in err
    assert DEFAULT_TOKEN not in err


# -- examples/notebook.py ---------------------------------------------------------------------
def _cells() -> list[str]:
    cells: list[list[str]] = []
    for line in (EXAMPLES / "notebook.py").read_text().splitlines():
        if line.strip() == "# %%":
            cells.append([])
        elif cells:
            cells[-1].append(line)
    return ["\n".join(cell) for cell in cells]


async def test_notebook_cells_build_a_tag_when_run_in_order(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeLightly()
    dataset_id = fake.create_dataset("nb", [f"img_{i:02d}.jpg" for i in range(30)])
    async with fake.session() as session:
        await session.dataset(dataset_id).tags.create_initial()
    namespace: dict[str, Any] = {}
    async with fake.serve() as base_url:
        for key, value in _env(base_url, LIGHTLY_DATASET_ID=dataset_id).items():
            if key.startswith("LIGHTLY_"):
                monkeypatch.setenv(key, value)
        for cell in _cells():
            code = compile(cell, str(EXAMPLES / "notebook.py"), "exec",
                           flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(code, namespace)  # running our own example's cells
            if result is not None:
                await result
    out = capsys.readouterr().out
    assert "first-ten [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" in out
    assert "the rest: 20 samples" in out
    assert "BulkResult(ok=True, succeeded=30, failed=0, not_attempted=0)" in out
    assert "tags: ['first-ten', 'initial-tag']" in out
    names = {t.name for t in fake.tags(dataset_id)}
    assert names == {"initial-tag", "first-ten"}
    assert namespace["session"].is_closed


# -- examples/end_to_end.py ------------------------------------------------------------------
def _street_scenes(fake: FakeLightly) -> str:
    fake.job_steps = ("RUNNING",)
    dataset_id = fake.create_dataset("street scenes", [f"img_{i:02d}.jpg" for i in range(30)])
    fake.add_embedding(dataset_id, name="simclr-old")
    fake.add_embedding(dataset_id, name="simclr")
    return dataset_id


async def test_end_to_end_script_samples_and_exports_a_tag_when_given_names(
        tmp_path: Path) -> None:
    fake = FakeLightly()
    dataset_id = _street_scenes(fake)
    out = tmp_path / "tasks.json"
    async with fake.serve() as base_url:
        code, stdout, err = await _run(
            ["examples/end_to_end.py", "street scenes", "simclr", "to-label", "--samples", "6",
             "--out", str(out)], _env(base_url))
    assert code == 0, err
    tag = next(t for t in fake.tags(dataset_id) if t.name == "to-label")
    assert tag.bit_mask_data.count() == 6
    with fake.store.lock:
        files = [s.file_name for s in fake.store.datasets[dataset_id].samples]
    picked = [files[i] for i in tag.bit_mask_data.indices()]
    tasks = json.loads(out.read_text())
    assert [t["data"]["lightly_file_name"] for t in tasks] == picked
    assert all(t["data"]["image"].startswith(base_url) for t in tasks)
    assert "tag 'to-label': 6 of 30 samples" in stdout
    assert all(name in stdout for name in picked)
    assert "sig=" not in stdout + err  # signed URLs only go to the file
    assert DEFAULT_TOKEN not in stdout + err
    embedding = next(e for e in fake.store.datasets[dataset_id].embeddings.values()
                     if e.name == "simclr")
    assert any(c.path.endswith(f"/embeddings/{embedding.id}/sampling") for c in fake.calls)


async def test_end_to_end_script_creates_the_dataset_and_exits_1_when_the_name_is_new() -> None:
    fake = FakeLightly()
    async with fake.serve() as base_url:
        code, _, err = await _run(
            ["examples/end_to_end.py", "brand new", "simclr", "to-label"], _env(base_url))
    assert code == 1
    assert "created dataset 'brand new'" in err
    with fake.store.lock:
        assert [d.name for d in fake.store.datasets.values()] == ["brand new"]


async def test_end_to_end_script_names_the_missing_embedding_when_it_is_not_there() -> None:
    fake = FakeLightly()
    dataset_id = _street_scenes(fake)
    async with fake.serve() as base_url:
        code, _, err = await _run(
            ["examples/end_to_end.py", "street scenes", "dino", "to-label"], _env(base_url))
    assert code == 1
    assert "no embedding named 'dino'" in err
    assert [t.name for t in fake.tags(dataset_id)] == []  # nothing was sampled


# -- python -m lightly_async demo -------------------------------------------------------------
@pytest.mark.parametrize("mode", [[], ["--in-process"]], ids=["loopback", "in-process"])
async def test_demo_checks_pass_when_run_as_the_readme_says(mode: list[str]) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LIGHTLY_") or k == "LIGHTLY_API"}  # the dialect of the test
    code, out, err = await _run(["-m", "lightly_async", "demo", "--samples", "300", *mode], env)
    assert code == 0, out[-2000:] + err[-2000:]
    assert "Summary" in out
    assert "raw files:          300 in the first batch, 5 in the second" in out
    assert "FAILED" not in out


# -- examples/worker_run.py -------------------------------------------------------------------
async def test_worker_run_script_schedules_watches_and_downloads_the_selection(
        tmp_path: Path) -> None:
    from lightly_async.cli import _fake

    fake = FakeLightly()
    dataset_id = await anyio.to_thread.run_sync(_fake.seed, fake, 12)  # with a simulated worker
    async with fake.serve() as base_url:
        code, out, err = await _run(
            ["examples/worker_run.py", dataset_id, str(tmp_path), "--samples", "4",
             "--poll-interval", "0"], _env(base_url))
    assert code == 0, err
    assert "  COMPLETED: the run completed" in out
    selected = fake.tags(dataset_id)[-1]
    assert selected.bit_mask_data.count() == 4
    names = sorted(p.name for p in (tmp_path / "images").iterdir())
    all_names = [f"img_{i:05d}.jpg" for i in range(12)]
    assert names == sorted(all_names[i] for i in selected.bit_mask_data.indices())
    assert json.loads((tmp_path / "report_v2.json").read_text())["selection"]["nSelected"] == 4
    assert "sig=" not in out  # the signed URLs' credentials are not printed


async def test_worker_run_script_exits_1_when_the_run_fails(tmp_path: Path) -> None:
    from lightly_async.cli import _fake

    fake = FakeLightly()
    dataset_id = await anyio.to_thread.run_sync(_fake.seed, fake, 6)
    fake.add_worker("fake-worker", fail_at="EMBEDDING")
    async with fake.serve() as base_url:
        code, _, err = await _run(["examples/worker_run.py", dataset_id, str(tmp_path),
                                   "--poll-interval", "0"], _env(base_url))
    assert code == 1
    assert "the run failed" in err
    assert "FAILED" in err
