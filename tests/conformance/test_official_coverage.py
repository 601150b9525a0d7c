"""The official ``lightly==1.5.20`` client's remaining ``ApiWorkflowClient`` methods against the
fake, and the tally of which methods the conformance suite drives.

The first part drives the methods ``test_official_client.py`` and ``test_official_worker.py``
leave out and today's fake serves: dataset creation, lookups, listings and deletion, the
exports by tag name and Labelbox v4, uploads through a signed URL, the delegated-access and OBS
datasource configs, raw-sample listings with their options, embeddings by name and the newest,
and the worker-runs iterator. Each result is checked against the fake's own state.

``test_every_method_is_driven_or_has_a_reason`` computes, from the source of every
``tests/conformance/test_*.py``, the ``ApiWorkflowClient`` methods some test function calls
(``client.<method>(…)``, or the method's name as a string a test resolves with ``getattr``),
and fails on a public method that is neither driven nor listed in ``NOT_DRIVEN`` with a reason.
In this module the count is checked as the tests run: each test calls exactly the methods the
tally credits it with (``_called_as_tallied``).
"""

from __future__ import annotations

import ast
import functools
import inspect
import io
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lightly_async.testing import FakeLightly

pytest.importorskip("lightly.api", reason="the conformance suite needs lightly==1.5.20 "
                    "(`nox -s tests` installs it)")

from lightly.api import ApiWorkflowClient
from lightly.api import api_workflow_compute_worker as official_worker
from lightly.openapi_generated.swagger_client import models as m

Official = Callable[..., Any]
FILES = ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
ARN = "arn:aws:iam::123456789012:role/lightly"
UNKNOWN_ID = "5f0c1c6e2a9b4c1d8e7f6a5b"  # well-formed, never handed out by the fake

# 1.5.20 marks some of the operations and methods driven here deprecated, and says so
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _names(datasets: list[Any]) -> list[str]:
    return [d.name for d in datasets]


def _initial(client: Any) -> str:
    response = client._tags_api.create_initial_tag_by_dataset_id(
        dataset_id=client.dataset_id,
        initial_tag_create_request=m.InitialTagCreateRequest(
            img_type=m.ImageType.FULL, creator=m.TagCreator.USER_PIP))
    return str(response.id)


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:  # the fake's signed URL, on 127.0.0.1
        body: bytes = response.read()
    return body


@pytest.fixture(autouse=True)
def _called_as_tallied(request: pytest.FixtureRequest,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test here calls exactly the methods the tally below credits it with: the
    ``ApiWorkflowClient`` methods called from this file's code are recorded as they run."""
    if request.node.name in TALLY_TESTS:
        yield
        return
    called: set[str] = set()
    for name in _methods():
        original = getattr(ApiWorkflowClient, name)

        @functools.wraps(original)
        def recording(*args: Any, __name: str = name, __original: Any = original,
                      **kwargs: Any) -> Any:
            if sys._getframe(1).f_code.co_filename == __file__:
                called.add(__name)
            return __original(*args, **kwargs)

        monkeypatch.setattr(ApiWorkflowClient, name, recording)
    yield
    where = f"{Path(__file__).name}::{request.node.name}"
    credited = {name for name, tests in driven_methods().items() if where in tests}
    assert called == credited


# -- datasets ------------------------------------------------------------------------------------
def test_create_dataset_sets_the_current_dataset_and_refuses_a_taken_name(
    fake: FakeLightly, official: Official,
) -> None:
    client = official(None)
    client.create_dataset("created", dataset_type=m.DatasetType.VIDEOS)
    stored = fake.store.datasets[client.dataset_id]
    assert (stored.name, stored.type) == ("created", "Videos")
    assert client.dataset_type == "Videos"  # read back through GET /v1/datasets/{id}
    assert client.get_dataset_by_id(client.dataset_id).name == "created"
    with pytest.raises(ValueError, match="already exists"):
        client.create_dataset("created")
    assert [d.name for d in fake.store.datasets.values()] == ["created"]


def test_existence_checks_answer_from_the_fake(fake: FakeLightly, official: Official) -> None:
    ds = fake.create_dataset("mine", FILES)
    fake.add_user("another-token")
    fake.create_dataset("theirs", FILES, owner_token="another-token")
    client = official(ds)
    assert client.dataset_exists(ds) is True
    assert client.dataset_exists(UNKNOWN_ID) is False  # the fake's 404
    assert client.dataset_name_exists("mine") is True
    assert client.dataset_name_exists("theirs") is False  # another user's
    assert client.dataset_name_exists("mine", shared=True) is False  # nothing is shared
    assert client.dataset_name_exists("mine", shared=None) is True


def test_unique_names_count_up_from_the_datasets_the_fake_has(
    fake: FakeLightly, official: Official,
) -> None:
    client = official(None)
    client.create_new_dataset_with_unique_name("run")
    assert fake.store.datasets[client.dataset_id].name == "run"
    client.create_new_dataset_with_unique_name("run")
    assert fake.store.datasets[client.dataset_id].name == "run_1"
    fake.create_dataset("run_2")
    client.create_new_dataset_with_unique_name("run")
    assert fake.store.datasets[client.dataset_id].name == "run_3"
    assert sorted(d.name for d in fake.store.datasets.values()) == [
        "run", "run_1", "run_2", "run_3"]


def test_lookups_by_name_pick_the_fake_datasets_of_that_name(
    fake: FakeLightly, official: Official,
) -> None:
    first = fake.create_dataset("twin", FILES)
    second = fake.create_dataset("twin", FILES)  # the fake allows duplicates on purpose
    single = fake.create_dataset("single", FILES)
    client = official(None)
    assert [d.id for d in client.get_datasets_by_name("twin")] == [first, second]
    assert client.get_datasets_by_name("twin", shared=True) == []
    assert [d.id for d in client.get_datasets_by_name("twin", shared=None)] == [first, second]
    assert client.get_datasets_by_name("tw") == []  # exact names only
    client.set_dataset_id_by_name("single")
    assert client.dataset_id == single
    with pytest.warns(UserWarning, match="Found 2 datasets"):
        client.set_dataset_id_by_name("twin")
    assert client.dataset_id == first
    with pytest.raises(ValueError, match="does not exist"):
        client.set_dataset_id_by_name("nobody")


def test_listings_follow_the_fake_pages_and_sharing(
    fake: FakeLightly, official: Official,
) -> None:
    mine = [fake.create_dataset(f"ds-{i}", FILES) for i in range(5)]
    fake.add_user("another-token")
    fake.create_dataset("theirs", FILES, owner_token="another-token")
    fake.page_size = 2  # the listing spans three pages of the fake
    client = official(None)
    expected = [fake.store.datasets[d].name for d in mine]
    assert _names(client.get_datasets()) == expected
    assert [d.id for d in client.get_datasets()] == mine
    assert client.get_datasets(shared=True) == []
    assert _names(client.get_datasets(shared=None)) == expected
    assert _names(client.get_datasets_iter()) == expected
    with pytest.warns(DeprecationWarning, match="get_all_datasets"):
        assert _names(client.get_all_datasets()) == expected


def test_delete_dataset_by_id_removes_it_from_the_fake(
    fake: FakeLightly, official: Official,
) -> None:
    keep = fake.create_dataset("keep", FILES)
    drop = fake.create_dataset("drop", FILES)
    client = official(drop)
    client.delete_dataset_by_id(drop)
    assert list(fake.store.datasets) == [keep]
    assert client.dataset_exists(drop) is False
    assert not client.dataset_name_exists("drop")


# -- exports by tag name, Labelbox v4 ------------------------------------------------------------
def test_exports_by_tag_name_and_label_box_v4_list_every_file_with_its_bytes(
    fake: FakeLightly, official: Official,
) -> None:
    ds = fake.create_dataset("exports", FILES, img_type="full")
    client = official(ds)
    initial = _initial(client)
    images = {}
    for sid, name in zip(fake.sample_ids(ds), FILES, strict=True):
        images[name] = f"image {name}".encode()
        write = client._samples_api.get_sample_image_write_url_by_id(
            dataset_id=ds, sample_id=sid, is_thumbnail=False)
        client.upload_file_with_signed_url(io.BytesIO(images[name]), write)
    picked = client.create_tag_from_filenames(["b.jpg", "d.jpg"], "picked", initial)

    v4_by_id = client.export_label_box_v4_data_rows_by_tag_id(initial)
    assert [r["global_key"] for r in v4_by_id] == FILES
    assert {r["global_key"]: _read(r["row_data"]) for r in v4_by_id} == images
    v4 = client.export_label_box_v4_data_rows_by_tag_name("picked")
    assert [r["global_key"] for r in v4] == ["b.jpg", "d.jpg"]
    assert [r["media_type"] for r in v4] == ["IMAGE", "IMAGE"]

    tasks = client.export_label_studio_tasks_by_tag_name("picked")
    assert [t.to_dict(by_alias=True)["data"]["lightlyFileName"] for t in tasks] == [
        "b.jpg", "d.jpg"]
    rows = client.export_label_box_data_rows_by_tag_name("picked")
    assert [r["externalId"] for r in rows] == ["b.jpg", "d.jpg"]
    assert [_read(r["imageUrl"]) for r in rows] == [images["b.jpg"], images["d.jpg"]]
    by_name = [c.path for c in fake.calls if "/export/" in c.path][1:]
    assert len(by_name) == 3
    assert all(f"/tags/{picked.id}/export/" in path for path in by_name)


def test_upload_file_with_signed_url_stores_the_bytes_in_the_fake(
    fake: FakeLightly, official: Official, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ds = fake.create_dataset("uploads", ["x.png"])
    client = official(ds)
    [sid] = fake.sample_ids(ds)
    write = client._samples_api.get_sample_image_write_url_by_id(
        dataset_id=ds, sample_id=sid, is_thumbnail=False)
    # SSE headers are for S3 URLs only: the fake's URL takes the upload without them
    monkeypatch.setenv("LIGHTLY_S3_SSE_KMS_KEY", "true")
    response = client.upload_file_with_signed_url(io.BytesIO(b"\x89PNG one"), write)
    assert response.status_code == 200
    assert fake.blob(f"{ds}/samples/{sid}/x.png") == b"\x89PNG one"
    read = client._samples_api.get_sample_image_read_url_by_id(
        dataset_id=ds, sample_id=sid, type="full")
    assert _read(read) == b"\x89PNG one"


# -- datasource configs and listings -------------------------------------------------------------
def test_delegated_access_and_obs_configs_are_stored_and_echoed(
    fake: FakeLightly, official: Official,
) -> None:
    ds = fake.create_dataset("configs", FILES)
    client = official(ds)

    client.set_s3_delegated_access_config(
        "s3://bucket/delegated", "us-west-2", ARN, "external-1",
        purpose=m.DatasourcePurpose.LIGHTLY)
    delegated = client.get_datasource().actual_instance
    assert (delegated.type, delegated.full_path, delegated.s3_region, delegated.s3_arn,
            delegated.s3_external_id, delegated.purpose) == (
        "S3DelegatedAccess", "s3://bucket/delegated", "us-west-2", ARN, "external-1", "LIGHTLY")
    stored = fake.store.datasets[ds].datasource
    assert (stored.s3_arn, stored.s3_external_id) == (ARN, "external-1")

    client.set_obs_config("obs://bucket/images", "https://obs.example", "AK", "SK",
                          thumbnail_suffix=None)
    obs = client.get_datasource().actual_instance
    assert (obs.type, obs.full_path, obs.obs_endpoint, obs.obs_access_key_id, obs.purpose) == (
        "OBS", "obs://bucket/images", "https://obs.example", "AK", "INPUT_OUTPUT")
    assert fake.store.datasets[ds].datasource.obs_secret_access_key == "SK"


def test_raw_sample_listing_options_reach_the_fake(
    fake: FakeLightly, official: Official,
) -> None:
    ds = fake.create_dataset("raw", FILES)
    files = [(f"raw/{i}.jpg", 10 * i, f"raw bytes {i}".encode()) for i in range(6)]
    fake.add_raw_files(ds, [*files, ("wanted.txt", 1, b"raw/1.jpg\nraw/4.jpg\n")])
    fake.page_size = 2
    client = official(ds)

    rows = client.download_raw_samples(from_=10, to=40, use_redirected_read_url=True)
    assert [name for name, _ in rows] == ["raw/1.jpg", "raw/2.jpg", "raw/3.jpg", "raw/4.jpg"]
    assert [_read(url) for _, url in rows] == [files[i][2] for i in range(1, 5)]
    only = client.download_raw_samples(relevant_filenames_file_name="wanted.txt")
    assert [name for name, _ in only] == ["raw/1.jpg", "raw/4.jpg"]
    listed = [c.query for c in fake.calls if c.path.endswith("/datasource/list")]
    # 1.5.20 sends Python's spelling of a bool query value
    assert [q.get("useRedirectedReadUrl") for q in listed] == ["True", "True", "False"]
    assert any(q.get("relevantFilenamesFileName") == "wanted.txt" for q in listed)


# -- embeddings ----------------------------------------------------------------------------------
def test_embeddings_by_name_and_the_newest_match_the_fake(
    fake: FakeLightly, official: Official,
) -> None:
    ds = fake.create_dataset("embedded", FILES)
    older = fake.add_embedding(ds, name="default_20230101_10h00m00s")
    newer = fake.add_embedding(ds, name="custom")
    client = official(ds)

    everything = client.get_all_embedding_data()
    assert [(e.id, e.name) for e in everything] == [
        (newer, "custom"), (older, "default_20230101_10h00m00s")]  # newest first, as the API
    assert client.get_embedding_data_by_name("custom").id == newer
    with pytest.raises(ValueError, match="no-such"):
        client.get_embedding_data_by_name("no-such")
    assert client.get_embedding_by_name("default").id == older  # the prefix, suffix ignored
    assert client.get_embedding_by_name("custom", ignore_suffix=False).id == newer
    with pytest.raises(Exception, match="does not exist"):
        client.get_embedding_by_name("default", ignore_suffix=False)
    client.set_embedding_id_to_latest()
    assert client.embedding_id == newer


# -- the Lightly Worker's run iterator -----------------------------------------------------------
def test_worker_runs_iterator_lists_the_fake_runs(
    fake: FakeLightly, official: Official, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(official_worker.time, "sleep", lambda _: None)
    fake.add_worker("gpu-1")
    ds = fake.create_dataset("worker", [f"img-{i}.jpg" for i in range(6)])
    fake.add_embedding(ds)
    client = official(ds)
    selection = {"n_samples": 2, "strategies": [
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]}
    scheduled = [client.schedule_compute_worker_run(selection_config=selection)
                 for _ in range(2)]
    for scheduled_id in scheduled:
        for _ in client.compute_worker_run_info_generator(scheduled_run_id=scheduled_id):
            pass
    runs = list(client.get_compute_worker_runs_iter(dataset_id=ds))
    assert sorted(r.scheduled_id for r in runs) == sorted(scheduled)
    assert sorted(r.id for r in runs) == sorted(fake.store.docker.runs)


# -- the tally -----------------------------------------------------------------------------------
NOT_DRIVEN: dict[str, str] = {
    # no request to the API at all
    "verify_custom_metadata_format": "a local check of a dict: sends no request",
    "index_custom_metadata_by_filename": "a local helper over a dict: sends no request",
    "upload_scores": "calls the scores operation the API deprecates (POST …/tags/{tagId}/scores),"
                     " which lightly_async does not offer (docs/migrating.md)",
}
"""Every public ``ApiWorkflowClient`` method the conformance suite does not drive, and why."""

CONFORMANCE = Path(__file__).resolve().parent
TALLY_TESTS = {"test_every_method_is_driven_or_has_a_reason",
               "test_the_tally_sees_this_module_and_its_siblings"}
"""This module's tests that name methods without driving them: not counted."""


def _methods() -> list[str]:
    return sorted(name for name in dir(ApiWorkflowClient) if not name.startswith("_")
                  and not isinstance(inspect.getattr_static(ApiWorkflowClient, name), property))


def _deprecated(methods: list[str]) -> set[str]:
    return {name for name in methods
            if "DeprecationWarning" in inspect.getsource(getattr(ApiWorkflowClient, name))}


def driven_methods() -> dict[str, set[str]]:
    """``{method: {"file::test", …}}``: the test functions of the conformance suite that call
    an ``ApiWorkflowClient`` method (``x.<method>(…)`` on anything but the fake) or name it in
    a string (resolved with ``getattr``)."""
    methods = set(_methods())
    driven: dict[str, set[str]] = {}
    for path in sorted(CONFORMANCE.glob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in tree.body:
            if not (isinstance(function, ast.FunctionDef) and function.name.startswith("test_")
                    and function.name not in TALLY_TESTS):
                continue
            where = f"{path.name}::{function.name}"
            for node in ast.walk(function):
                name = None
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and not ast.unparse(node.func.value).startswith("fake")):
                    name = node.func.attr
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    name = node.value
                if name in methods:
                    driven.setdefault(name, set()).add(where)
    return driven


def test_every_method_is_driven_or_has_a_reason() -> None:
    methods = _methods()
    assert len(methods) == 92
    driven = driven_methods()
    deprecated = _deprecated(methods)
    unknown = sorted(set(NOT_DRIVEN) - set(methods))
    assert not unknown, f"NOT_DRIVEN names no method of ApiWorkflowClient: {unknown}"
    for name, reason in NOT_DRIVEN.items():
        assert len(reason) > 20, f"{name}: give a reason"
    stale = sorted(set(NOT_DRIVEN) & set(driven))
    assert not stale, f"driven now, drop their reasons from NOT_DRIVEN: {stale}"
    uncovered = sorted(set(methods) - set(driven) - set(NOT_DRIVEN) - deprecated)
    assert not uncovered, f"neither driven by tests/conformance nor given a reason: {uncovered}"
    # the tally (seen with -rA or on failure): what is driven, what is not and why
    covered = sorted(set(methods) & set(driven))
    print(f"driven: {len(covered)}/{len(methods)}; with a reason: "
          f"{len(set(NOT_DRIVEN) - set(driven))}; deprecated and not driven: "
          f"{len(deprecated - set(driven) - set(NOT_DRIVEN))}")
    for name in sorted(set(methods) - set(driven)):
        print(f"  {name}: {NOT_DRIVEN.get(name, 'deprecated in 1.5.20')}")


def test_the_tally_sees_this_module_and_its_siblings() -> None:
    driven = driven_methods()
    assert "test_official_coverage.py::test_delete_dataset_by_id_removes_it_from_the_fake" in (
        driven["delete_dataset_by_id"])
    assert any(w.startswith("test_official_worker.py::")
               for w in driven["download_compute_worker_run_log"])  # named in a string there
    assert "create_dataset" in driven  # this module's client call, not only fake.create_dataset
    assert "test_official_client.py::test_tag_from_filenames_and_its_filenames_match_the_fake" \
        not in driven.get("create_dataset", set())
