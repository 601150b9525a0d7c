"""The official ``lightly==1.5.20`` client drives the 30 shared operations against the fake.

Every test calls the generated ``*Api`` methods or the ``ApiWorkflowClient`` helpers exactly as
a user of 1.5.20 would, over loopback, against ``FakeLightly(api="latest")``, and checks the
result against the fake's own state (``fake.tags``, ``fake.calls``, the store). The 30
operations (the seed's, at their 1.5.20 paths) are listed in ``SHARED_OPERATIONS``;
``test_every_shared_operation_was_driven`` proves each of them was called by this module and
answered 2xx.

Known bugs of 1.5.20 are worked around where they bite, each with a comment saying which.
"""

from __future__ import annotations

import io
import json
import os
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from lightly_async.testing import FakeLightly

pytest.importorskip("lightly.api", reason="the conformance suite needs lightly==1.5.20 "
                    "(`nox -s tests` installs it)")

from lightly.api.bitmask import BitMask as OfficialBitMask
from lightly.openapi_generated.swagger_client import models as m
from lightly.openapi_generated.swagger_client.rest import ApiException

Official = Callable[..., Any]
VERSION = 1_700_000_000_000
FILES = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"]

# (method, path template) of the 30 seed operations at the paths 1.5.20 calls them on
SHARED_OPERATIONS = [
    ("GET", "/v1/datasets/{d}/samples/{s}"),
    ("GET", "/v1/datasets/{d}/samples"),
    ("PUT", "/v1/datasets/{d}/samples/{s}"),
    ("GET", "/v1/datasets/{d}/samples/{s}/readurl"),
    ("GET", "/v1/datasets/{d}/samples/{s}/writeurl"),
    ("GET", "/v1/datasets/{d}/tags/{t}/export/LabelStudio/tasks"),
    ("GET", "/v1/datasets/{d}/tags/{t}/export/LabelBox/datarows"),
    ("POST", "/v1/datasets/{d}/embeddings/{e}/sampling"),
    ("GET", "/v1/datasets/{d}/datasource"),
    ("PUT", "/v1/datasets/{d}/datasource"),
    ("GET", "/v1/datasets/{d}/datasource/verify"),
    ("GET", "/v1/datasets/{d}/datasource/processedUntilTimestamp"),
    ("PUT", "/v1/datasets/{d}/datasource/processedUntilTimestamp"),
    ("GET", "/v1/datasets/{d}/datasource/list"),
    ("POST", "/v1/datasets/{d}/predictions/samples/{s}"),
    ("GET", "/v1/datasets/{d}/predictions/samples/{s}"),
    ("GET", "/v1/datasets/{d}/predictions/samples"),
    ("POST", "/v1/datasets/{d}/predictions/tasks"),
    ("GET", "/v1/datasets/{d}/predictions/tasks/{t}"),
    ("GET", "/v1/datasets/{d}/predictions/tasks"),
    ("POST", "/v1/datasets/{d}/tags/initial"),
    ("POST", "/v1/datasets/{d}/tags"),
    ("DELETE", "/v1/datasets/{d}/tags/{t}"),
    ("GET", "/v1/datasets/{d}/tags/{t}/filenames"),
    ("GET", "/v1/datasets/{d}/tags/{t}"),
    ("GET", "/v1/datasets/{d}/tags"),
    ("POST", "/v1/datasets/{d}/tags/arithmetics"),
    ("POST", "/v1/datasets/{d}/tags/arithmetics/bitmask"),
    ("PUT", "/v1/datasets/{d}/tags/{t}"),
    ("POST", "/v1/datasets/{d}/tags/upsize"),
]
_DRIVEN: set[tuple[str, str]] = set()

# 1.5.20 marks several of these operations deprecated and says so on every call.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _record_driven(fake: FakeLightly) -> Any:
    """After each test, note which shared operations it drove with a 2xx answer."""
    yield
    for call in fake.calls:
        if call.status is not None and 200 <= call.status < 300:
            key = _template(call.method, call.path)
            if key is not None:
                _DRIVEN.add(key)


def _template(method: str, path: str) -> tuple[str, str] | None:
    parts = path.split("/")
    for op_method, template in SHARED_OPERATIONS:
        t = template.split("/")
        if op_method == method and len(t) == len(parts) and all(
                a == b or a.startswith("{") for a, b in zip(t, parts, strict=True)):
            return op_method, template
    return None


def _dataset(fake: FakeLightly, files: list[str] = FILES) -> str:
    return fake.create_dataset("conformance", files, img_type="full")


def _initial(client: Any) -> str:
    response = client._tags_api.create_initial_tag_by_dataset_id(
        dataset_id=client.dataset_id,
        initial_tag_create_request=m.InitialTagCreateRequest(
            img_type=m.ImageType.FULL, creator=m.TagCreator.USER_PIP))
    return str(response.id)


def _hex(fake: FakeLightly, ds: str, name: str) -> str:
    tag = next(t for t in fake.tags(ds) if t.name == name)
    return tag.bit_mask_data.to_hex()


def _error(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    return body


# -- tags -----------------------------------------------------------------------------------------
def test_initial_tag_and_tags_by_name_and_id_match_the_fake(fake: FakeLightly, official: Official):
    ds = _dataset(fake)
    client = official(ds)
    run_id = "a" * 24
    created = client._tags_api.create_initial_tag_by_dataset_id(
        dataset_id=ds, initial_tag_create_request=m.InitialTagCreateRequest(
            img_type=m.ImageType.FULL, creator=m.TagCreator.USER_WORKER, run_id=run_id))

    [stored] = fake.tags(ds)
    assert stored.id == created.id
    assert fake.tag_creator(ds, created.id) == "USER_WORKER"  # a creator only 1.5.20 knows
    tags = client.get_all_tags()
    assert [t.id for t in tags] == [created.id]
    by_name = client.get_tag_by_name("initial-tag")
    by_id = client.get_tag_by_id(created.id)
    assert by_name == by_id == tags[0]
    assert by_id.run_id == run_id  # the newest field is stored and echoed
    assert by_id.bit_mask_data == stored.bit_mask_data.to_hex() == "0x1f"
    assert by_id.tot_size == 5
    assert by_id.changes[0].changes.initial.run_id == run_id


def test_tag_from_filenames_and_its_filenames_match_the_fake(
    fake: FakeLightly, official: Official, monkeypatch: pytest.MonkeyPatch,
):
    ds = _dataset(fake)
    client = official(ds)
    initial = _initial(client)
    # 1.5.20 reads the sample order from GET /v1/datasets/{id}/mappings; until the fake
    # serves that route, answer it with the fake's sample order.
    if not any(getattr(r, "path", "").endswith("/mappings") for r in fake.app.routes):
        monkeypatch.setattr(client, "get_filenames", lambda: list(FILES))
    assert client.get_filenames() == FILES

    created = client.create_tag_from_filenames(["b.jpg", "d.jpg"], "picked", initial)

    assert _hex(fake, ds, "picked") == "0xa"
    assert fake.tag_creator(ds, created.id) == "USER_PIP"
    tag = client.get_tag_by_name("picked")
    assert tag.prev_tag_id == initial
    assert client.get_filenames_in_tag(tag, filenames_on_server=FILES) == ["b.jpg", "d.jpg"]
    # the same through the server: GET .../tags/{id}/filenames
    assert client._tags_api.get_filenames_by_tag_id(dataset_id=ds, tag_id=tag.id) == [
        "b.jpg", "d.jpg"]
    excluded = client.get_filenames_in_tag(tag, filenames_on_server=FILES,
                                           exclude_parent_tag=True)
    assert excluded == []  # picked - initial: nothing (arithmetics/bitmask, DIFFERENCE)


def test_tag_create_with_run_id_and_update_with_bitmask_and_creator_are_stored(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    client = official(ds)
    initial = _initial(client)
    run_id = "b" * 24
    created = client._tags_api.create_tag_by_dataset_id(
        dataset_id=ds, tag_create_request=m.TagCreateRequest(
            name="first-two", prev_tag_id=initial, bit_mask_data="0x3", tot_size=5,
            creator=m.TagCreator.USER_PIP, run_id=run_id))
    assert client.get_tag_by_id(created.id).run_id == run_id

    client._tags_api.update_tag_by_tag_id(
        dataset_id=ds, tag_id=created.id, tag_update_request=m.TagUpdateRequest(
            name="last-two", update_creator=m.TagCreator.USER_WEBAPP, bit_mask_data="0x18"))

    assert _hex(fake, ds, "last-two") == "0x18"
    tag = client.get_tag_by_id(created.id)
    assert (tag.name, tag.bit_mask_data, tag.last_modified_at is not None) == (
        "last-two", "0x18", True)
    [entry] = tag.changes
    assert entry.creator == m.TagCreator.USER_WEBAPP
    assert (entry.changes.rename.var_from, entry.changes.rename.to) == ("first-two", "last-two")
    assert (entry.changes.samples.added, entry.changes.samples.removed) == (2, 2)


def test_tag_arithmetics_and_bitmask_match_the_fake(fake: FakeLightly, official: Official):
    ds = _dataset(fake)
    client = official(ds)
    initial = _initial(client)
    ids = [client._tags_api.create_tag_by_dataset_id(
        dataset_id=ds, tag_create_request=m.TagCreateRequest(
            name=name, prev_tag_id=initial, bit_mask_data=mask, tot_size=5)).id
        for name, mask in (("left", "0x3"), ("right", "0x6"))]

    union = client._tags_api.perform_tag_arithmetics(
        dataset_id=ds, tag_arithmetics_request=m.TagArithmeticsRequest(
            tag_id1=ids[0], tag_id2=ids[1], operation=m.TagArithmeticsOperation.UNION,
            new_tag_name="both", creator=m.TagCreator.USER_PIP, run_id="c" * 24))
    intersection = client._tags_api.perform_tag_arithmetics_bitmask(
        dataset_id=ds, tag_arithmetics_request=m.TagArithmeticsRequest(
            tag_id1=ids[0], tag_id2=ids[1], operation=m.TagArithmeticsOperation.INTERSECTION))

    assert union.actual_instance.id == client.get_tag_by_name("both").id
    assert _hex(fake, ds, "both") == "0x7"
    assert intersection.bit_mask_data == "0x2"
    assert OfficialBitMask.from_hex(intersection.bit_mask_data).to_indices() == [1]
    assert client.get_tag_by_name("both").changes[0].changes.arithmetics.operation == "UNION"


def test_upsize_keeps_every_tag_decodable_when_samples_were_added(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake, FILES[:3])
    client = official(ds)
    _initial(client)
    fake.add_samples(ds, ["d.jpg", "e.jpg"])

    created = client._tags_api.upsize_tags_by_dataset_id(
        dataset_id=ds, tag_upsize_request=m.TagUpsizeRequest(
            upsize_tag_name="added", upsize_tag_creator=m.TagCreator.USER_PIP, run_id="d" * 24))

    assert _hex(fake, ds, "added") == "0x18"
    tags = client.get_all_tags()  # 1.5.20 decodes `changes` as a list of change entries
    assert {t.name: t.tot_size for t in tags} == {"initial-tag": 5, "added": 5}
    upsize = client.get_tag_by_id(created.id).changes[0].changes.upsize
    assert (upsize.var_from, upsize.to, upsize.run_id) == (3, 5, "d" * 24)


def test_delete_by_name_and_id_and_error_bodies_match_the_fake(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    client = official(ds)
    initial = _initial(client)
    for name, mask in (("parent", "0x3"), ("leaf", "0x1")):
        prev = initial if name == "parent" else client.get_tag_by_name("parent").id
        client._tags_api.create_tag_by_dataset_id(
            dataset_id=ds, tag_create_request=m.TagCreateRequest(
                name=name, prev_tag_id=prev, bit_mask_data=mask, tot_size=5))

    with pytest.raises(ApiException) as refused:
        client.delete_tag_by_name("parent")  # not a leaf
    body = _error(refused.value)
    assert refused.value.status == 400
    assert m.ApiErrorResponse.from_dict(body).code == m.ApiErrorCode.TAG_UNDELETABLE_NOT_A_LEAF
    assert set(body) == {"code", "error", "requestId"}

    client.delete_tag_by_name("leaf")
    client.delete_tag_by_id(client.get_tag_by_name("parent").id)
    assert [t.name for t in fake.tags(ds)] == ["initial-tag"]


def test_bearer_token_reaches_the_fake_when_access_token_is_set_after_construction(
    fake: FakeLightly,
):
    from lightly.api.swagger_api_client import LightlySwaggerApiClient
    from lightly.openapi_generated.swagger_client.api import TagsApi
    from lightly.openapi_generated.swagger_client.configuration import Configuration

    jwt = "header.payload.signature"
    fake.add_user(jwt)
    ds = fake.create_dataset("jwt", FILES, owner_token=jwt)
    configuration = Configuration(host=os.environ["LIGHTLY_SERVER_LOCATION"], access_token=jwt)
    # 1.5.20's Configuration.__init__ assigns access_token and then resets it to None two
    # lines later; set it again so the bearer header is sent.
    configuration.access_token = jwt
    tags = TagsApi(LightlySwaggerApiClient(configuration=configuration))

    # the dataset belongs to the JWT's user: without the bearer header this is a 401
    assert tags.get_tags_by_dataset_id(dataset_id=ds) == []
    assert fake.calls[-1].status == 200


# -- datasources ----------------------------------------------------------------------------------
def test_set_config_helpers_store_the_newest_fields_and_get_echoes_them(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    client = official(ds)

    client.set_s3_config("s3://bucket/images", "eu-central-1", "AKIA", "secret",
                         purpose=m.DatasourcePurpose.INPUT)
    s3 = client.get_datasource().actual_instance
    assert (s3.type, s3.full_path, s3.s3_region, s3.purpose) == (
        "S3", "s3://bucket/images", "eu-central-1", "INPUT")
    assert fake.store.datasets[ds].datasource.s3_secret_access_key == "secret"

    client.set_local_config("data/images", web_server_location="http://localhost:3456")
    local = client.get_datasource().actual_instance
    assert (local.type, local.web_server_location, local.purpose) == (
        "LOCAL", "http://localhost:3456", "INPUT_OUTPUT")

    client.set_gcs_config("gs://bucket", "project", '{"k": 1}')
    assert client.get_datasource().actual_instance.gcs_project_id == "project"
    client.set_azure_config("container", "account", "sas-token")
    azure = client.get_datasource().actual_instance
    assert (azure.account_name, fake.store.datasets[ds].datasource.account_key) == (
        "account", "sas-token")


def test_datasource_permissions_report_can_overwrite_and_errors(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    fake.set_datasource(ds)
    client = official(ds)
    assert client.list_datasource_permissions() == {
        "can_read": True, "can_write": True, "can_list": True, "can_overwrite": True}

    fake.set_verify(ds, can_list=False, can_overwrite=False)
    permissions = client.list_datasource_permissions()
    assert (permissions["can_list"], permissions["can_overwrite"]) == (False, False)
    assert set(permissions["errors"]) == {"can_list", "can_overwrite"}


def test_raw_sample_downloads_and_the_bookmark_follow_the_fake(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    fake.add_raw_files(ds, [(f"raw/{i}.jpg", 100 * i, f"bytes {i}".encode())
                            for i in range(1, 6)])
    fake.page_size = 2  # three pages: the client follows the cursor
    client = official(ds)

    rows = client.download_raw_samples(from_=200, to=400)
    assert [name for name, _ in rows] == ["raw/2.jpg", "raw/3.jpg", "raw/4.jpg"]
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with no_proxy.open(rows[0][1], timeout=10) as answer:  # a signed read URL, no token
        assert answer.read() == b"bytes 2"

    assert client.get_processed_until_timestamp() == 0
    first = client.download_new_raw_samples()  # everything so far; moves the bookmark to now
    assert len(first) == 5
    bookmark = client.get_processed_until_timestamp()
    assert bookmark == fake.store.datasets[ds].processed_until > 500
    client.update_processed_until_timestamp(250)
    assert [name for name, _ in client.download_new_raw_samples()] == [
        "raw/3.jpg", "raw/4.jpg", "raw/5.jpg"]


# -- predictions ----------------------------------------------------------------------------------
def _schema() -> Any:
    return m.PredictionTaskSchema(m.PredictionTaskSchemaSimple(
        name="vehicles", type="OBJECT_DETECTION", categories=[
            m.PredictionTaskSchemaCategory(id=0, name="car"),
            m.PredictionTaskSchemaCategory(id=1, name="bus")]))


def _detection(score: float, bbox: list[float]) -> Any:
    return m.PredictionSingleton(m.PredictionSingletonObjectDetection(
        type="OBJECT_DETECTION", task_name="vehicles", category_id=1, score=score, bbox=bbox))


def test_schema_and_prediction_uploads_are_stored_and_read_back(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    client = official(ds)
    sample_ids = fake.sample_ids(ds)

    # 1.5.20's helpers default prediction_version_id=-1, which fails the client's own
    # `ge=0` validation before any request: pass a version explicitly.
    client.create_or_update_prediction_task_schema(_schema(), prediction_version_id=VERSION)
    client.create_or_update_prediction(
        sample_ids[1], [_detection(0.9, [1.5, 2.25, 30.0, 40.5])],
        prediction_version_id=VERSION)

    stored = fake.store.datasets[ds].predictions[VERSION][sample_ids[1]][1]
    assert [s.bbox for s in stored] == [[1.5, 2.25, 30.0, 40.5]]  # float bbox accepted
    api = client._predictions_api
    [singleton] = api.get_predictions_by_sample_id(
        dataset_id=ds, sample_id=sample_ids[1], prediction_uuid_timestamp=VERSION)
    assert singleton.actual_instance.bbox == [1.5, 2.25, 30.0, 40.5]
    # predictionUUIDTimestamp is optional in 1.5.20: without it, the newest version
    [newest] = api.get_predictions_by_sample_id(dataset_id=ds, sample_id=sample_ids[1])
    assert newest == singleton

    schema = api.get_prediction_task_schema_by_task_name(
        dataset_id=ds, task_name="vehicles", prediction_uuid_timestamp=VERSION)
    assert schema.actual_instance.categories[1].name == "bus"
    assert api.get_prediction_task_schema_by_task_name(
        dataset_id=ds, task_name="vehicles") == schema
    schemas = api.get_prediction_task_schemas_by_dataset_id(dataset_id=ds)
    assert schemas.prediction_uuid_timestamp == VERSION
    assert [s.actual_instance.name for s in schemas.schemas] == ["vehicles"]


def test_predictions_of_the_dataset_list_one_entry_per_sample(
    fake: FakeLightly, official: Official,
):
    ds = _dataset(fake)
    client = official(ds)
    sample_ids = fake.sample_ids(ds)
    api = client._predictions_api
    api.create_or_update_prediction_task_schema_by_dataset_id(
        dataset_id=ds, prediction_task_schema=_schema(), prediction_uuid_timestamp=VERSION)
    api.create_or_update_prediction_by_sample_id(
        dataset_id=ds, sample_id=sample_ids[0], prediction_uuid_timestamp=VERSION,
        prediction_singleton=[_detection(0.5, [0, 0, 10, 10]), _detection(0.25, [5, 5, 1, 1])])

    # 1.5.20 declares the answer as `List[List]` and cannot deserialize that type: read the
    # raw body and decode each singleton with its own model.
    raw = api.get_predictions_by_dataset_id_with_http_info(
        dataset_id=ds, prediction_uuid_timestamp=VERSION, task_name="vehicles",
        _preload_content=False).raw_data
    rows = [[m.PredictionSingleton.from_dict(s) for s in row] for row in json.loads(raw)]
    assert [len(row) for row in rows] == [2, 0, 0, 0, 0]
    assert [s.actual_instance.score for s in rows[0]] == [0.5, 0.25]
    page = api.get_predictions_by_dataset_id_with_http_info(
        dataset_id=ds, page_offset=0, page_size=2, _preload_content=False).raw_data
    assert [len(row) for row in json.loads(page)] == [2, 0]  # paged, newest version


# -- samplings ------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
def test_selection_creates_the_tag_the_fake_reports(fake: FakeLightly, official: Official):
    from lightly.active_learning.config.selection_config import SelectionConfig

    ds = _dataset(fake)
    embedding = fake.add_embedding(ds)
    client = official(ds, embedding_id=embedding)
    _initial(client)

    tag = client.selection(SelectionConfig(
        method=m.SamplingMethod.RANDOM, n_samples=2, name="selected"))

    [stored] = [t for t in fake.tags(ds) if t.name == "selected"]
    assert tag.id == stored.id
    indices = OfficialBitMask.from_hex(tag.bit_mask_data).to_indices()
    assert indices == stored.bit_mask_data.indices()
    assert len(stored.bit_mask_data.indices()) == 2
    assert fake.tag_creator(ds, tag.id) == "SAMPLER_RANDOM"
    assert tag.changes[0].changes.sampler.method == "RANDOM"


# -- samples --------------------------------------------------------------------------------------
def _png(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (6, 4), color).save(out, format="PNG")
    return out.getvalue()


def _put(url: str, data: bytes) -> None:
    request = urllib.request.Request(url, data=data, method="PUT")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def test_samples_get_list_pages_and_update_match_the_fake(fake: FakeLightly, official: Official):
    ds = _dataset(fake)
    client = official(ds)
    ids = fake.sample_ids(ds)

    one = client._samples_api.get_sample_by_id(dataset_id=ds, sample_id=ids[1])
    assert (one.id, one.file_name, one.index, one.type) == (ids[1], "b.jpg", 1, m.SampleType.IMAGE)
    assert one.dataset_id == ds
    every = client._samples_api.get_samples_by_dataset_id(dataset_id=ds)
    assert [s.file_name for s in every] == FILES
    pages = [client._samples_api.get_samples_by_dataset_id(
        dataset_id=ds, page_size=2, page_offset=offset) for offset in (0, 2, 4)]
    assert [[s.id for s in page] for page in pages] == [ids[0:2], ids[2:4], ids[4:]]
    by_id = client._samples_api.get_samples_by_dataset_id(
        dataset_id=ds, sort_by=m.SampleSortBy.ID)
    assert [s.id for s in by_id] == sorted(ids)
    partial = client._samples_api.get_samples_partial_by_dataset_id(
        dataset_id=ds, mode=m.SamplePartialMode.FILENAMES)
    assert [(s.id, s.file_name) for s in partial] == list(zip(ids, FILES, strict=True))

    client._samples_api.update_sample_by_id(
        dataset_id=ds, sample_id=ids[1], sample_update_request=m.SampleUpdateRequest(
            custom_meta_data={"weather": "rain"}, exif={"Make": "cam"}))

    again = client._samples_api.get_sample_by_id(dataset_id=ds, sample_id=ids[1])
    assert again.custom_meta_data == {"weather": "rain"}
    assert again.exif == {"Make": "cam"}
    assert again.last_modified_at is not None


def test_write_and_read_urls_carry_the_image_bytes(fake: FakeLightly, official: Official):
    ds = _dataset(fake, ["a.png"])
    client = official(ds)
    [sid] = fake.sample_ids(ds)
    image = _png((10, 200, 30))

    write = client._samples_api.get_sample_image_write_url_by_id(
        dataset_id=ds, sample_id=sid, is_thumbnail=False)
    _put(write, image)
    read = client._samples_api.get_sample_image_read_url_by_id(
        dataset_id=ds, sample_id=sid, type="full")

    assert "token=" not in read
    assert "token=" not in write
    with urllib.request.urlopen(read) as response:
        assert response.read() == image
    assert fake.blob(f"{ds}/samples/{sid}/a.png") == image


def test_download_dataset_writes_the_images_the_fake_stores(
    fake: FakeLightly, official: Official, tmp_path: Any,
):
    names = ["x.png", "sub/y.png", "z.png"]
    ds = _dataset(fake, names)
    client = official(ds)
    _initial(client)
    images = {}
    for i, (sid, name) in enumerate(zip(fake.sample_ids(ds), names, strict=True)):
        images[name] = _png((40 * i, 255 - 40 * i, 7))
        _put(client._samples_api.get_sample_image_write_url_by_id(
            dataset_id=ds, sample_id=sid, is_thumbnail=False), images[name])

    client.download_dataset(str(tmp_path), verbose=False)

    written = {p.relative_to(tmp_path).as_posix(): p.read_bytes()
               for p in tmp_path.rglob("*") if p.is_file()}
    assert written == images  # byte-identical to what the fake stores
    assert written == {n: fake.blob(f"{ds}/samples/{s}/{n}")
                       for s, n in zip(fake.sample_ids(ds), names, strict=True)}


# -- exports --------------------------------------------------------------------------------------
EXPORT_SAMPLES = 2600  # more than 1.5.20's export page (2,500): two pages


def test_label_studio_and_label_box_exports_follow_their_pages(
    fake: FakeLightly, official: Official,
):
    names = [f"img_{i:05d}.jpg" for i in range(EXPORT_SAMPLES)]
    ds = _dataset(fake, names)
    client = official(ds)
    initial = _initial(client)

    # 1.5.20 defines export_label_studio_tasks_by_tag_id twice; the one it uses returns models
    tasks = [t.to_dict(by_alias=True) for t in client.export_label_studio_tasks_by_tag_id(initial)]
    rows = client.export_label_box_data_rows_by_tag_id(initial)

    assert [t["data"]["lightlyFileName"] for t in tasks] == names
    assert [t["id"] for t in tasks] == list(range(EXPORT_SAMPLES))
    assert [r["externalId"] for r in rows] == names
    assert all("/_fake/blobs/" in r["imageUrl"] for r in rows)
    asked = [(c.path.rsplit("/", 2)[-2], c.query.get("pageOffset")) for c in fake.calls
             if "/export/" in c.path]
    assert asked.count(("LabelStudio", "0")) == 1
    assert asked.count(("LabelStudio", "2500")) == 1
    assert asked.count(("LabelBox", "2500")) == 1
    # a page of two, through the generated API: the third page has the fifth file
    page = client._tags_api.export_tag_to_label_studio_tasks(
        dataset_id=ds, tag_id=initial, page_size=2, page_offset=4)
    assert [t.data.lightly_file_name for t in page] == names[4:6]


# -- the tally ------------------------------------------------------------------------------------
def test_every_shared_operation_was_driven_with_a_2xx_answer():
    """Runs last in this module (pytest keeps file order): every operation above was seen."""
    missing = [op for op in SHARED_OPERATIONS if op not in _DRIVEN]
    assert len(SHARED_OPERATIONS) == 30
    assert missing == []
