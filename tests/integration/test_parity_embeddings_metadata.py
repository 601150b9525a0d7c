"""Embeddings CSVs, custom metadata, collaboration, dataset lookups and ``samplings.run``'s
defaults end to end against the fake, through the async API and ``lightly_async.sync``, in
both dialects (``conftest.py`` runs every test against ``api="seed"`` and ``"latest"`` and
checks every answer against the dialect's description of the API).

One scenario serves both facades: each call is passed through ``aw``, which awaits what the
async API returns and passes the sync facade's results through, so both facades must give
the same results and the scenario asserts what they mean.
"""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

import lightly_async as la
from lightly_async import sync
from lightly_async.testing import FAKE_BASE_URL, FakeLightly

FILES = [f"img_{i:02d}.jpg" for i in range(8)]
Aw = Callable[[Any], Awaitable[Any]]


async def _async_aw(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _write_csv(path: Path, rows: list[tuple[str, float, float]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["filenames", "embedding_0", "embedding_1", "labels"])
        writer.writerows([(name, a, b, 0) for name, a, b in rows])


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


async def _scenario(session: Any, aw: Aw, fake: FakeLightly, dataset_id: str,
                    tmp: Path) -> None:
    ds = session.dataset(dataset_id)

    # datasets
    assert await aw(session.datasets.name_exists("parity-ds")) is True
    assert await aw(session.datasets.name_exists("parity-ds", shared=True)) is False
    assert await aw(session.datasets.name_exists("parity")) is False
    assert await aw(session.datasets.exists(dataset_id)) is True
    assert await aw(session.datasets.exists("0" * 24)) is False
    first = await aw(session.datasets.create_unique("parity-ds"))
    second = await aw(session.datasets.create_unique("parity-ds", type="Videos"))
    assert (first.name, second.name, second.type) == ("parity-ds_1", "parity-ds_2",
                                                      la.DatasetType.VIDEOS)
    assert await aw(session.datasets.exists(second.id)) is True

    # collaboration
    await aw(ds.collaboration.share_only_with(["ann@lab.org", "bob@lab.org"]))
    assert await aw(ds.collaboration.shared_users()) == ["ann@lab.org", "bob@lab.org"]
    await aw(ds.collaboration.share_only_with([]))
    assert await aw(ds.collaboration.shared_users()) == []
    assert len(await aw(ds.collaboration.access_configs())) == 1

    # custom metadata and its configurations
    config = await aw(ds.metadata.configs.create("weather", [
        {"name": "Weather", "path": "weather", "defaultValue": "unknown",
         "valueDataType": "CATEGORICAL_STRING"}]))
    assert [c.id for c in await aw(ds.metadata.configs.list())] == [config.id]
    assert config.configs[0].path == "weather"
    coco = {"images": [{"file_name": FILES[1], "id": 10}, {"file_name": FILES[2], "id": 11},
                       {"file_name": "elsewhere.jpg", "id": 12}],
            "metadata": [{"image_id": 10, "weather": "rain"}, {"image_id": 11, "weather": "sun"},
                         {"image_id": 12, "weather": "fog"}]}
    if session.api == "seed":
        with pytest.raises(la.InvalidInputError, match="seed"):
            await aw(ds.metadata.upload(coco))
    else:
        result = await aw(ds.metadata.upload(coco, concurrency=2))
        assert sorted(result.succeeded) == FILES[1:3]
        assert isinstance(result.failed["elsewhere.jpg"], la.NameNotFoundError)
        stored = {s.file_name: s.custom_meta_data for s in fake.store.datasets[dataset_id].samples}
        assert stored[FILES[1]] == {"image_id": 10, "weather": "rain"}
        assert stored[FILES[2]] == {"image_id": 11, "weather": "sun"}
        assert stored[FILES[0]] is None

    # embeddings: upload (reordered), download byte-identical, latest, append
    with pytest.raises(LookupError):
        await aw(ds.embeddings.latest())
    local = tmp / "mine.csv"
    _write_csv(local, [(name, i, -i) for i, name in reversed(list(enumerate(FILES)))])
    uploaded = await aw(ds.embeddings.upload_csv(local, "mine"))
    assert uploaded.name == "mine"
    blob = fake.blob(f"{dataset_id}/embeddings/{uploaded.id}.csv")
    assert blob is not None
    assert [row[0] for row in _rows(blob)[1:]] == FILES  # in sample order
    out = tmp / "down" / "mine.csv"
    out.parent.mkdir()
    assert await aw(ds.embeddings.download_csv(uploaded, out)) == out
    assert out.read_bytes() == blob
    assert (await aw(ds.embeddings.latest())).id == uploaded.id

    patch = tmp / "patch.csv"
    _write_csv(patch, [(FILES[3], 100, 100)])
    appended = await aw(ds.embeddings.upload_csv(patch, "mine", append=True))
    assert appended.name.startswith("mine_")
    merged = tmp / "merged.csv"
    await aw(ds.embeddings.download_csv(appended.id, merged))
    rows = _rows(merged.read_bytes())
    assert rows[4] == [FILES[3], "100", "100", "0"]
    assert rows[1:4] + rows[5:] == _rows(blob)[1:4] + _rows(blob)[5:]
    assert (await aw(ds.embeddings.latest())).id == appended.id

    # a sampling on the defaults: the newest embedding, the dataset's size as rowCount
    await aw(ds.tags.create_initial())
    tag = await aw(ds.samplings.run(new_tag_name="picked", method="CORESET",
                                    config=la.SamplingConfig(
                                        stopping_condition=la.SamplingConfigStoppingCondition(
                                            n_samples=3))))
    assert tag.bit_mask_data.count() == 3
    [sampling] = [c for c in fake.calls if c.path.endswith("/sampling")]
    assert sampling.path == f"/v1/datasets/{dataset_id}/embeddings/{appended.id}/sampling"


def _fake() -> tuple[FakeLightly, str]:
    fake = FakeLightly(seed=4)
    fake.job_steps = ("RUNNING",)
    return fake, fake.create_dataset("parity-ds", FILES)


@pytest.mark.anyio
async def test_async_facade_runs_the_parity_calls_when_served_by_the_fake(
        tmp_path: Path) -> None:
    fake, dataset_id = _fake()
    async with fake.session() as session:
        await _scenario(session, _async_aw, fake, dataset_id, tmp_path)


def test_sync_facade_runs_the_parity_calls_when_served_by_the_fake(tmp_path: Path) -> None:
    fake, dataset_id = _fake()

    async def passthrough(value: Any) -> Any:
        assert not inspect.isawaitable(value)  # the sync facade answers, never a coroutine
        return value

    with sync.LightlySession(fake.token, base_url=FAKE_BASE_URL, transport=fake.transport(),
                             allow_insecure_http=True) as session:
        anyio.run(_scenario, session, passthrough, fake, dataset_id, tmp_path)
