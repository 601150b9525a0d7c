"""The official ``lightly==1.5.20`` client's tag exports and datasource-file methods against
``FakeLightly(api="latest")``, each result checked against the fake's state (issue 21).

Tags: ``export_filenames_by_tag_id/_name``, ``export_filenames_and_read_urls_by_tag_id/_name``
(the paged text export, one listing per ``fileNameFormat``), ``export_label_box_v4_data_rows
_by_tag_id/_name``, the generated ``export_tag_to_sama_tasks``, ``delete_tag_by_name`` and
``get_filenames_in_tag(exclude_parent_tag=True)``.
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
