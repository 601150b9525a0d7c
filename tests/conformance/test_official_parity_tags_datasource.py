"""The official ``lightly==1.5.20`` client's tag exports and datasource-file methods against
``FakeLightly(api="latest")``, each result checked against the fake's state (issue 21).

Tags: ``export_filenames_by_tag_id/_name``, ``export_filenames_and_read_urls_by_tag_id/_name``
(the paged text export, one listing per ``fileNameFormat``), ``export_label_box_v4_data_rows
_by_tag_id/_name``, the generated ``export_tag_to_sama_tasks``, ``delete_tag_by_name`` and
``get_filenames_in_tag(exclude_parent_tag=True)``.

Datasource files: ``download_raw_predictions(_iter)``, ``download_raw_metadata(_iter)`` (the
listings, paged by cursor, with ``from_``/``to`` inclusive and a relevant-filenames file),
``get_prediction_read_url``, ``get_metadata_read_url``, ``get_custom_embedding_read_url`` (each
URL read back), ``list_datasource_permissions`` and the generated
``get_datasources_by_dataset_id`` (all datasources).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from lightly_async.models import DatasourceConfigS3
from lightly_async.testing import FakeLightly

pytest.importorskip("lightly.api", reason="the conformance suite needs lightly==1.5.20 "
                    "(`nox -s tests` installs it)")

from lightly.openapi_generated.swagger_client import models as m

Official = Callable[..., Any]
FILES = [f"img_{i}.jpg" for i in range(12)]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _dataset(fake: FakeLightly) -> str:
    dataset_id = fake.create_dataset("parity", FILES, img_type="full")
    fake.set_datasource(dataset_id, DatasourceConfigS3(
        full_path="bucket/data", s3_region="eu-central-1", s3_access_key_id="id",
        s3_secret_access_key="secret"))
    return dataset_id


def _tags(client: Any) -> tuple[str, str]:
    """The initial tag and a child holding every other file; their ids."""
    initial = client._tags_api.create_initial_tag_by_dataset_id(
        dataset_id=client.dataset_id,
        initial_tag_create_request=m.InitialTagCreateRequest(
            img_type=m.ImageType.FULL, creator=m.TagCreator.USER_PIP)).id
    child = client.create_tag_from_filenames(FILES[::2], "even", parent_tag_id=initial)
    return str(initial), str(child.id)


def test_filename_exports_list_every_file_of_the_tag_in_order(
    fake: FakeLightly, official: Official
) -> None:
    client = official(_dataset(fake))
    initial, _ = _tags(client)
    assert client.export_filenames_by_tag_id(initial) == "\n".join(FILES)
    assert client.export_filenames_by_tag_name("even") == "\n".join(FILES[::2])
    # the official client pages by 5000 and reads until an empty page
    pages = [c for c in fake.calls if c.path.endswith("/export/basic/filenames")]
    assert pages
    assert all(c.status == 200 for c in pages)
    assert {c.query["pageSize"] for c in pages} == {"5000"}


def test_filenames_and_read_urls_join_three_listings(fake: FakeLightly, official: Official):
    client = official(_dataset(fake))
    _, child = _tags(client)
    rows = client.export_filenames_and_read_urls_by_tag_id(child)
    assert [r["fileName"] for r in rows] == FILES[::2]
    assert [r["datasourceUrl"] for r in rows] == [f"s3://bucket/data/{n}" for n in FILES[::2]]
    assert client.export_filenames_and_read_urls_by_tag_name("even") == rows
    formats = {c.query.get("fileNameFormat") for c in fake.calls
               if c.path.endswith("/export/basic/filenames")}
    assert formats == {"NAME", "REDIRECTED_READ_URL", "DATASOURCE_FULL"}
    # each read URL reads the sample's stored bytes
    sample_id = fake.sample_ids(client.dataset_id)[0]
    fake.store.blobs[f"{client.dataset_id}/samples/{sample_id}/{FILES[0]}"] = b"pixels"
    with urllib.request.urlopen(rows[0]["readUrl"], timeout=10) as answer:
        assert answer.read() == b"pixels"


def test_label_box_v4_and_sama_exports_page_over_the_tag(fake: FakeLightly, official: Official):
    client = official(_dataset(fake))
    initial, child = _tags(client)
    rows = client.export_label_box_v4_data_rows_by_tag_id(child)
    assert [r["global_key"] for r in rows] == FILES[::2]
    assert {r["media_type"] for r in rows} == {"IMAGE"}
    assert client.export_label_box_v4_data_rows_by_tag_name("even") == rows
    tasks = client._tags_api.export_tag_to_sama_tasks(
        dataset_id=client.dataset_id, tag_id=initial, page_size=5, page_offset=10)
    assert [(t.data.id, t.data.lightly_file_name) for t in tasks] == [
        (10, FILES[10]), (11, FILES[11])]


def test_delete_tag_by_name_removes_exactly_that_tag(fake: FakeLightly, official: Official):
    client = official(_dataset(fake))
    _tags(client)
    client.delete_tag_by_name("even")
    assert [t.name for t in fake.tags(client.dataset_id)] == ["initial-tag"]


def test_filenames_in_tag_excluding_the_parent(fake: FakeLightly, official: Official):
    client = official(_dataset(fake))
    _, child = _tags(client)
    grand = client.create_tag_from_filenames(["img_0.jpg", "img_1.jpg"], "grand",
                                             parent_tag_id=child)
    tag = client.get_tag_by_id(grand.id)
    assert client.get_filenames_in_tag(tag) == ["img_0.jpg", "img_1.jpg"]
    assert client.get_filenames_in_tag(tag, exclude_parent_tag=True) == ["img_1.jpg"]


# -- datasource files -----------------------------------------------------------------------
RAW = [
    ("img/a.jpg", 100, b"A"), ("img/b.jpg", 101, b"B"), ("relevant.txt", 50, b"img/b.jpg\n"),
    (".lightly/predictions/tasks.json", 1, b'["det"]'),
    (".lightly/predictions/det/schema.json", 1, b"{}"),
    (".lightly/predictions/det/img/a.json", 100, b'{"p": "a"}'),
    (".lightly/predictions/det/img/b.json", 101, b'{"p": "b"}'),
    (".lightly/metadata/img/a.json", 100, b'{"m": "a"}'),
    (".lightly/metadata/img/b.json", 102, b'{"m": "b"}'),
    (".lightly/embeddings/custom.csv", 100, b"filenames,embedding_0\nimg/a.jpg,1.0\n"),
]


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        data: bytes = answer.read()
        return data


def _files_dataset(fake: FakeLightly) -> str:
    dataset_id = fake.create_dataset("files", [])
    fake.add_raw_files(dataset_id, RAW)
    fake.page_size = 1  # every listing pages by cursor
    return dataset_id


def test_raw_predictions_and_metadata_list_the_lightly_folder(fake: FakeLightly,
                                                              official: Official) -> None:
    client = official(_files_dataset(fake))
    predictions = client.download_raw_predictions(task_name="det")
    assert [name for name, _ in predictions] == [".lightly/predictions/det/img/a.json",
                                                 ".lightly/predictions/det/img/b.json"]
    assert [_read(url) for _, url in predictions] == [b'{"p": "a"}', b'{"p": "b"}']
    assert list(client.download_raw_predictions_iter(task_name="det", from_=101, to=101)) == \
        predictions[1:]
    relevant = client.download_raw_predictions(task_name="det",
                                               relevant_filenames_file_name="relevant.txt")
    assert [name for name, _ in relevant] == [".lightly/predictions/det/img/b.json"]
    metadata = client.download_raw_metadata(to=101)
    assert [name for name, _ in metadata] == [".lightly/metadata/img/a.json"]
    assert [name for name, _ in client.download_raw_metadata_iter(from_=101)] == [
        ".lightly/metadata/img/b.json"]
    # the raw listing leaves Lightly's own files out
    assert [name for name, _ in client.download_raw_samples()] == [
        "relevant.txt", "img/a.jpg", "img/b.jpg"]
    listed = [c for c in fake.calls if c.path.endswith("/predictions/list")]
    assert listed[0].query["taskName"] == "det"
    assert any("cursor" in c.query for c in listed)


def test_read_urls_of_prediction_metadata_and_embedding_files(fake: FakeLightly,
                                                              official: Official) -> None:
    client = official(_files_dataset(fake))
    assert _read(client.get_prediction_read_url("det/img/b.json")) == b'{"p": "b"}'
    assert _read(client.get_metadata_read_url("img/a.json")) == b'{"m": "a"}'
    assert _read(client.get_custom_embedding_read_url("custom.csv")).startswith(b"filenames,")


def test_permissions_and_all_datasources(fake: FakeLightly, official: Official) -> None:
    dataset_id = _files_dataset(fake)
    fake.set_verify(dataset_id, can_list=False)
    client = official(dataset_id)
    permissions = client.list_datasource_permissions()
    assert permissions["can_read"] is True
    assert permissions["can_list"] is False
    configs = client._datasources_api.get_datasources_by_dataset_id(dataset_id=dataset_id)
    assert [c.actual_instance.type for c in configs] == ["LIGHTLY"]
