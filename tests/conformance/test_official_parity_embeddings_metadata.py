"""The official ``lightly==1.5.20`` client's embedding, custom metadata, collaboration and
dataset helpers against the fake, side by side with lightly_async's equivalents.

Each test drives an ``ApiWorkflowClient`` method over loopback against
``FakeLightly(api="latest")`` and checks what it did in the fake's state (the CSV stored byte
for byte, the samples' ``customMetaData``, the sharing, the datasets), and that
lightly_async's call reads back what 1.5.20 wrote or writes what 1.5.20 reads: an embedding
CSV uploaded by one client downloads identically through the other, an append by either
stores the same rows, metadata uploaded by either is stored the same.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lightly_async import sync
from lightly_async.testing import DEFAULT_TOKEN, FakeLightly

pytest.importorskip("lightly.api", reason="the conformance suite needs lightly==1.5.20 "
                    "(`nox -s tests` installs it)")

from lightly.openapi_generated.swagger_client import models as m

Official = Callable[..., Any]
FILES = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"]
HEADER = ["filenames", "embedding_0", "embedding_1", "labels"]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def ours(fake: FakeLightly) -> Iterator[sync.LightlySession]:
    """lightly_async's sync facade on the same served fake."""
    with sync.LightlySession(DEFAULT_TOKEN, base_url=os.environ["LIGHTLY_SERVER_LOCATION"],
                             allow_insecure_http=True) as session:
        yield session


def _dataset(fake: FakeLightly, name: str = "conformance") -> str:
    return fake.create_dataset(name, FILES, img_type="full")


def _write(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def _csv_blob(fake: FakeLightly, ds: str, embedding_id: str) -> bytes:
    blob = fake.blob(f"{ds}/embeddings/{embedding_id}.csv")
    assert blob is not None
    return blob


# -- embeddings -----------------------------------------------------------------------------------
def test_upload_embeddings_stores_the_csv_ours_downloads_byte_for_byte(
    fake: FakeLightly, official: Official, ours: sync.LightlySession, tmp_path: Path,
):
    ds = _dataset(fake)
    client = official(ds)
    local = _write(tmp_path / "e.csv",
                   [[name, i, -i, i % 2] for i, name in reversed(list(enumerate(FILES)))])

    client.upload_embeddings(str(local), name="mine")

    embedding = ours.dataset(ds).embeddings.get_by_name("mine")
    assert embedding.id == client.embedding_id
    stored = _csv_blob(fake, ds, embedding.id)
    assert [row[0] for row in _rows(stored)[1:]] == FILES  # ordered as the server's samples
    assert fake.store.datasets[ds].embeddings[embedding.id].views_2d == ["PCA", "TSNE", "UMAP"]
    out = ours.dataset(ds).embeddings.download_csv(embedding, tmp_path / "ours.csv")
    assert out.read_bytes() == stored


def test_download_embeddings_csv_reads_what_ours_uploaded_byte_for_byte(
    fake: FakeLightly, official: Official, ours: sync.LightlySession, tmp_path: Path,
):
    ds = _dataset(fake)
    local = _write(tmp_path / "e.csv", [[name, i, 0.5, 0] for i, name in enumerate(FILES)])
    uploaded = ours.dataset(ds).embeddings.upload_csv(local, "default")
    client = official(ds)

    client.download_embeddings_csv_by_id(uploaded.id, str(tmp_path / "by_id.csv"))
    client.download_embeddings_csv(str(tmp_path / "latest.csv"))

    assert (tmp_path / "by_id.csv").read_bytes() == local.read_bytes()
    assert (tmp_path / "latest.csv").read_bytes() == local.read_bytes()
    assert _csv_blob(fake, ds, uploaded.id) == local.read_bytes()
    latest_default = ours.dataset(ds).embeddings.latest(prefix="default")
    assert latest_default.id == uploaded.id


def test_append_stores_the_same_rows_through_both_clients(
    fake: FakeLightly, official: Official, ours: sync.LightlySession, tmp_path: Path,
):
    base_rows = [[name, i, i, 0] for i, name in enumerate(FILES)]
    patch_rows = [["c.jpg", 100, 100, 1]]
    stored: dict[str, list[list[str]]] = {}
    for who in ("official", "ours"):
        ds = _dataset(fake, f"append-{who}")
        ours.dataset(ds).embeddings.upload_csv(_write(tmp_path / f"{who}-base.csv", base_rows),
                                               "default")
        patch = _write(tmp_path / f"{who}-patch.csv", patch_rows)
        if who == "official":
            official(ds).upload_embeddings(str(patch), name="default")
        else:
            ours.dataset(ds).embeddings.upload_csv(patch, "default", append=True)
        newest = ours.dataset(ds).embeddings.latest()
        assert re.fullmatch(r"default_\d{8}_\d\dh\d\dm\d\ds", newest.name)
        stored[who] = _rows(_csv_blob(fake, ds, newest.id))
    assert stored["ours"] == stored["official"]
    assert stored["ours"][3] == ["c.jpg", "100", "100", "1"]
    assert stored["ours"][1] == ["a.jpg", "0", "0", "0"]


def test_append_embeddings_merges_the_server_rows_into_the_local_file_as_ours_does(
    fake: FakeLightly, official: Official, ours: sync.LightlySession, tmp_path: Path,
):
    ds = _dataset(fake)
    base = ours.dataset(ds).embeddings.upload_csv(
        _write(tmp_path / "base.csv", [[name, i, i, 0] for i, name in enumerate(FILES)]), "emb")
    local = _write(tmp_path / "local.csv", [["b.jpg", 7, 7, 1]])

    official(ds).append_embeddings(str(local), base.id)  # rewrites the local file

    merged = _rows(local.read_bytes().replace(b"\r\n", b"\n"))
    appended = ours.dataset(ds).embeddings.upload_csv(
        _write(tmp_path / "ours-patch.csv", [["b.jpg", 7, 7, 1]]), "emb", append=True)
    assert _rows(_csv_blob(fake, ds, appended.id)) == merged


def test_set_embedding_id_to_latest_picks_the_embedding_ours_calls_latest(
    fake: FakeLightly, official: Official, ours: sync.LightlySession,
):
    ds = _dataset(fake)
    fake.add_embedding(ds, name="first")
    newest = fake.add_embedding(ds, name="second")
    client = official(ds)

    client.set_embedding_id_to_latest()

    assert client.embedding_id == newest
    assert ours.dataset(ds).embeddings.latest().id == newest


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_selection_defaults_match_samplings_run_when_embedding_and_row_count_are_left_out(
    fake: FakeLightly, official: Official, ours: sync.LightlySession,
):
    from lightly.active_learning.config.selection_config import SelectionConfig

    ds = _dataset(fake)
    fake.add_embedding(ds, name="old")
    newest = fake.add_embedding(ds, name="new")
    ours.dataset(ds).tags.create_initial()
    client = official(ds)

    client.selection(SelectionConfig(method=m.SamplingMethod.RANDOM, n_samples=2, name="theirs"))
    tag = ours.dataset(ds).samplings.run(new_tag_name="ours", method="RANDOM")

    sampled = [c.path for c in fake.calls if c.path.endswith("/sampling")]
    assert sampled == [f"/v1/datasets/{ds}/embeddings/{newest}/sampling"] * 2
    assert tag.name == "ours"


# -- custom metadata ------------------------------------------------------------------------------
COCO = {
    "images": [{"file_name": "a.jpg", "id": 0}, {"file_name": "c.jpg", "id": 1},
               {"file_name": "missing.jpg", "id": 2}],
    "metadata": [{"image_id": 0, "weather": {"scenario": "cloudy", "temperature": 20.3}},
                 {"image_id": 1, "number_of_people": 3},
                 {"image_id": 2, "number_of_people": 1}],
}


def test_upload_custom_metadata_stores_what_ours_stores(
    fake: FakeLightly, official: Official, ours: sync.LightlySession,
):
    from lightly.api.api_workflow_upload_metadata import InvalidCustomMetadataWarning

    theirs, mine = _dataset(fake, "meta-official"), _dataset(fake, "meta-ours")
    with pytest.warns(InvalidCustomMetadataWarning, match="missing.jpg"):
        official(theirs).upload_custom_metadata(COCO, max_workers=2)
    result = ours.dataset(mine).metadata.upload(COCO)

    def stored(ds: str) -> dict[str, Any]:
        return {s.file_name: s.custom_meta_data for s in fake.store.datasets[ds].samples}

    assert stored(theirs) == stored(mine)
    assert stored(mine)["a.jpg"] == COCO["metadata"][0]
    assert stored(mine)["b.jpg"] is None
    assert list(result.failed) == ["missing.jpg"]
    samples = {s.file_name: s for s in ours.dataset(theirs).samples.list()}
    assert samples["c.jpg"].custom_meta_data == {"image_id": 1, "number_of_people": 3}


def test_create_custom_metadata_config_is_listed_by_ours(
    fake: FakeLightly, official: Official, ours: sync.LightlySession,
):
    ds = _dataset(fake)
    entry = m.ConfigurationEntry(name="Weather", path="weather.scenario",
                                 default_value="unknown",
                                 value_data_type=m.ConfigurationValueDataType.CATEGORICAL_STRING)

    response = official(ds).create_custom_metadata_config("My config", [entry])

    [config] = ours.dataset(ds).metadata.configs.list()
    assert config.id == response.id
    assert config.name == "My config"
    assert (config.configs[0].name, config.configs[0].path, config.configs[0].default_value,
            config.configs[0].value_data_type) == ("Weather", "weather.scenario", "unknown",
                                                   "CATEGORICAL_STRING")
    created = ours.dataset(ds).metadata.configs.create("Second", [
        {"name": "People", "path": "number_of_people", "defaultValue": 0,
         "valueDataType": "NUMERIC_INT"}])
    listed = official(ds)._metadata_configurations_api.get_meta_data_configurations(
        dataset_id=ds)
    assert [c.id for c in listed] == [config.id, created.id]


# -- collaboration --------------------------------------------------------------------------------
def test_sharing_set_by_either_client_is_read_by_the_other(
    fake: FakeLightly, official: Official, ours: sync.LightlySession,
):
    ds = _dataset(fake)
    client = official(ds)

    client.share_dataset_only_with(ds, ["ann@lab.org", "bob@lab.org"])
    assert ours.dataset(ds).collaboration.shared_users() == ["ann@lab.org", "bob@lab.org"]

    ours.dataset(ds).collaboration.share_only_with(["cid@lab.org"])
    assert client.get_shared_users(ds) == ["cid@lab.org"]

    client.share_dataset_only_with(ds, [])
    assert ours.dataset(ds).collaboration.shared_users() == []
    assert len(fake.store.datasets[ds].access_configs) == 1


# -- datasets -------------------------------------------------------------------------------------
def test_unique_names_and_existence_agree_between_the_clients(
    fake: FakeLightly, official: Official, ours: sync.LightlySession,
):
    client = official(None)

    client.create_new_dataset_with_unique_name("survey")
    first = client.dataset_id
    client.create_new_dataset_with_unique_name("survey")
    created = ours.datasets.create_unique("survey")

    names = {d.name: d.id for d in ours.datasets.list()}
    assert names["survey"] == first
    assert set(names) == {"survey", "survey_1", "survey_2"}
    assert created.name == "survey_2"
    for dataset_id in names.values():
        assert client.dataset_exists(dataset_id) is ours.datasets.exists(dataset_id) is True
    assert client.dataset_exists("0" * 24) is ours.datasets.exists("0" * 24) is False
    for name, shared in (("survey_2", False), ("survey_3", False), ("survey", True)):
        assert client.dataset_name_exists(name, shared=shared) is ours.datasets.name_exists(
            name, shared=shared)
    assert client.dataset_name_exists("survey_1", shared=None) is True
    assert ours.datasets.name_exists("survey_1") is True
