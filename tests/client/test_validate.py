"""Bad arguments raise a ValueError naming the field, before any request is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lightly_async import InvalidInputError, LightlySession
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    DatasourceConfigLOCAL,
    DatasourceConfigS3,
    PredictionSingletonClassification,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    PredictionTaskSchema,
    PredictionTaskSchemaCategory,
    SampleData,
    SamplingConfig,
    SamplingConfigStoppingCondition,
)
from lightly_async.resources import Dataset

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
SID = "60a1b2c3d4e5f60718293a4b"
TID = "61b2c3d4e5f60718293a4b5c"
TID2 = "62c3d4e5f60718293a4b5c6d"
EID = "63d4e5f60718293a4b5c6d7e"
TS = 1000

Call = Callable[[Dataset], Awaitable[Any]]


def _cls(**overrides: Any) -> PredictionSingletonClassification:
    kwargs: dict[str, Any] = {"task_name": "weather", "category_id": 0, "score": 0.5}
    return PredictionSingletonClassification(**{**kwargs, **overrides})


def _upsert(*singletons: Any) -> Call:
    return lambda ds: ds.predictions.upsert(SID, list(singletons), prediction_uuid_timestamp=TS)


def _schema(**overrides: Any) -> Call:
    kwargs: dict[str, Any] = {
        "name": "weather", "type": "CLASSIFICATION",
        "categories": [PredictionTaskSchemaCategory(id=0, name="sunny")]}
    schema = PredictionTaskSchema(**{**kwargs, **overrides})
    return lambda ds: ds.predictions.upsert_task_schema(schema, prediction_uuid_timestamp=TS)


def _create_tag(**overrides: Any) -> Call:
    kwargs: dict[str, Any] = {
        "name": "subset", "prev_tag_id": TID, "bit_mask_data": "0x5", "tot_size": 3}
    return lambda ds: ds.tags.create(**{**kwargs, **overrides})


def _trigger(embedding_id: str = EID, **overrides: Any) -> Call:
    kwargs: dict[str, Any] = {"new_tag_name": "sampled", "method": "RANDOM"}
    return lambda ds: ds.samplings.trigger(embedding_id, **{**kwargs, **overrides})


def _stop(**condition: Any) -> SamplingConfig:
    return SamplingConfig(stopping_condition=SamplingConfigStoppingCondition(**condition))


def _s3(**overrides: Any) -> DatasourceConfigS3:
    kwargs: dict[str, Any] = {"full_path": "bucket/p", "s3_region": "eu-central-1",
                              "s3_access_key_id": "AKIA", "s3_secret_access_key": "shh"}
    return DatasourceConfigS3(**{**kwargs, **overrides})


async def _list_raw(ds: Dataset, **kwargs: Any) -> None:
    async for _ in ds.datasource.list_raw_samples(**kwargs):
        pass  # pragma: no cover - the call above must raise first


# (test id, call, the field the error must name)
def _bulk(call: Callable[[Dataset, Any], Awaitable[Any]], bad: Any) -> Call:
    return lambda ds: call(ds, bad)


INVALID: list[tuple[str, Call, str]] = [
    # ids
    ("sample_id too short", lambda ds: ds.samples.get("abc"), "sample_id"),
    ("sample_id upper case", lambda ds: ds.samples.get(SID.upper()), "sample_id"),
    ("sample_id int", lambda ds: ds.samples.get(12345), "sample_id"),
    ("sample_id None", lambda ds: ds.samples.read_url(None), "sample_id"),
    ("sample_id path traversal", lambda ds: ds.samples.get("../../v1/datasets"), "sample_id"),
    ("sample_id 25 chars", lambda ds: ds.samples.write_url(SID + "a", "a.png"), "sample_id"),
    ("sample_id with newline", lambda ds: ds.samples.update(SID + "\n", SampleData(id=SID)),
     "sample_id"),
    ("tag_id not hex", lambda ds: ds.tags.get("z" * 24), "tag_id"),
    ("tag_id delete", lambda ds: ds.tags.delete("initial-tag"), "tag_id"),
    ("tag_id filenames", lambda ds: ds.tags.filenames(""), "tag_id"),
    ("tag_id update", lambda ds: ds.tags.update(b"61b2c3d4e5f60718293a4b5c", name="ok-name"),
     "tag_id"),
    ("tag_id export", lambda ds: ds.tags.export_label_box("x"), "tag_id"),
    ("tag_id1 arithmetics", lambda ds: ds.tags.arithmetics("bad", TID2, "UNION"), "tag_id1"),
    ("tag_id2 arithmetics_bitmask",
     lambda ds: ds.tags.arithmetics_bitmask(TID, "bad", "UNION"), "tag_id2"),
    ("prev_tag_id", _create_tag(prev_tag_id="nope"), "prev_tag_id"),
    ("prev_tag_id None", _create_tag(prev_tag_id=None), "prev_tag_id"),
    ("query_tag_id", _create_tag(query_tag_id="nope"), "query_tag_id"),
    ("preselected_tag_id", _create_tag(preselected_tag_id="nope"), "preselected_tag_id"),
    ("embedding_id", _trigger("embedding-1"), "embedding_id"),
    ("sampling query_tag_id", _trigger(query_tag_id="q"), "query_tag_id"),
    ("sampling preselected_tag_id", _trigger(preselected_tag_id=123), "preselected_tag_id"),
    ("crop_sample_id", _upsert(_cls(crop_sample_id="crop")), "singletons[0].crop_sample_id"),
    ("job_id empty", lambda ds: ds.session.jobs.get(""), "job_id"),
    ("job_id with slash", lambda ds: ds.session.jobs.get("../tags"), "job_id"),
    ("job_id dot dot", lambda ds: ds.session.jobs.get(".."), "job_id"),
    ("job_id with query", lambda ds: ds.session.jobs.get("job?token=x"), "job_id"),
    ("job_id with fragment", lambda ds: ds.session.jobs.get("job#1"), "job_id"),
    ("job_id int", lambda ds: ds.session.jobs.wait(42), "job_id"),
    # tag names
    ("tag name too short", _create_tag(name="ab"), "name"),
    ("tag name leading dash", _create_tag(name="-subset"), "name"),
    ("tag name slash", _create_tag(name="a/b/c"), "name"),
    ("tag name not str", _create_tag(name=123), "name"),
    ("rename empty", lambda ds: ds.tags.update(TID, name=""), "name"),
    ("initial tag name", lambda ds: ds.tags.create_initial(name="#1"), "name"),
    ("new_tag_name arithmetics",
     lambda ds: ds.tags.arithmetics(TID, TID2, "UNION", new_tag_name="x"), "new_tag_name"),
    ("new_tag_name sampling", _trigger(new_tag_name=""), "new_tag_name"),
    ("upsize_tag_name", lambda ds: ds.tags.upsize(upsize_tag_name="new/tag"), "upsize_tag_name"),
    # task names
    ("task_name traversal",
     lambda ds: ds.predictions.get_task_schema("../x", prediction_uuid_timestamp=TS),
     "task_name"),
    ("task_name too short",
     lambda ds: ds.predictions.get_task_schema("a", prediction_uuid_timestamp=TS), "task_name"),
    ("task_name filter empty",
     lambda ds: ds.predictions.list(prediction_uuid_timestamp=TS, task_name=""), "task_name"),
    ("singleton task_name", _upsert(_cls(task_name="a/b")), "singletons[0].task_name"),
    ("schema name", _schema(name="with/slash"), "schema.name"),
    # enum strings
    ("read_url type", lambda ds: ds.samples.read_url(SID, type="medium"), "type"),
    ("samples.list mode", lambda ds: ds.samples.list(mode="all"), "mode"),
    ("img_type", lambda ds: ds.tags.create_initial(img_type="png"), "img_type"),
    ("img_type wrong case", lambda ds: ds.tags.create_initial(img_type="FULL"), "img_type"),
    ("creator", _create_tag(creator="ROBOT"), "creator"),
    ("initial creator", lambda ds: ds.tags.create_initial(creator="user_pip"), "creator"),
    ("operation", lambda ds: ds.tags.arithmetics(TID, TID2, "XOR"), "operation"),
    ("operation lower", lambda ds: ds.tags.arithmetics_bitmask(TID, TID2, "union"),
     "operation"),
    ("upsize creator",
     lambda ds: ds.tags.upsize(upsize_tag_name="grown", upsize_tag_creator="ME"),
     "upsize_tag_creator"),
    ("sampling method", _trigger(method="RANDOMLY"), "method"),
    ("schema type", _schema(type="SEGMENTATION"), "schema.type"),
    ("s3_region", lambda ds: ds.datasource.update(_s3(s3_region="mars-1")),
     "config.s3_region"),
    # bitmasks
    ("bit beyond tot_size", _create_tag(bit_mask_data="0x8", tot_size=3), "bit_mask_data"),
    ("BitMask beyond tot_size",
     _create_tag(bit_mask_data=BitMask.from_indices([10]), tot_size=10), "bit_mask_data"),
    ("bitmask upper hex", _create_tag(bit_mask_data="0xAB", tot_size=8), "bit_mask_data"),
    ("bitmask no prefix", _create_tag(bit_mask_data="5"), "bit_mask_data"),
    ("bitmask not hex", _create_tag(bit_mask_data="0xzz"), "bit_mask_data"),
    ("bitmask int", _create_tag(bit_mask_data=5), "bit_mask_data"),
    ("tot_size negative", _create_tag(tot_size=-1), "tot_size"),
    ("tot_size bool", _create_tag(tot_size=True), "tot_size"),
    ("tot_size str", _create_tag(tot_size="3"), "tot_size"),
    # timestamps
    ("processed_until negative", lambda ds: ds.datasource.set_processed_until(-1), "timestamp"),
    ("processed_until float", lambda ds: ds.datasource.set_processed_until(1.5), "timestamp"),
    ("processed_until bool", lambda ds: ds.datasource.set_processed_until(True), "timestamp"),
    ("processed_until str", lambda ds: ds.datasource.set_processed_until("10"), "timestamp"),
    ("prediction ts negative",
     lambda ds: ds.predictions.get(SID, prediction_uuid_timestamp=-5),
     "prediction_uuid_timestamp"),
    ("prediction ts bool",
     lambda ds: ds.predictions.list_task_schemas(prediction_uuid_timestamp=False),
     "prediction_uuid_timestamp"),
    ("prediction ts float",
     lambda ds: ds.predictions.list(prediction_uuid_timestamp=1.0),
     "prediction_uuid_timestamp"),
    ("upsert ts str",
     lambda ds: ds.predictions.upsert(SID, [], prediction_uuid_timestamp="1"),
     "prediction_uuid_timestamp"),
    ("raw from_ negative", lambda ds: _list_raw(ds, from_=-1), "from_"),
    ("raw to bool", lambda ds: _list_raw(ds, to=True), "to"),
    ("raw from_ after to", lambda ds: _list_raw(ds, from_=20, to=10), "from_"),
    ("raw empty cursor", lambda ds: _list_raw(ds, cursor=""), "cursor"),
    # singletons and schemas
    ("singletons not a list", lambda ds: ds.predictions.upsert(
        SID, "CLASSIFICATION", prediction_uuid_timestamp=TS), "singletons"),
    ("singleton is dict", _upsert({"type": "CLASSIFICATION"}), "singletons[0]"),
    ("score above 1", _upsert(_cls(score=1.5)), "singletons[0].score"),
    ("score bool", _upsert(_cls(), _cls(score=True)), "singletons[1].score"),
    ("category_id negative", _upsert(_cls(category_id=-1)), "singletons[0].category_id"),
    ("probability above 1", _upsert(_cls(probabilities=[0.5, 1.5])),
     "singletons[0].probabilities[1]"),
    ("bbox three values", _upsert(PredictionSingletonObjectDetection(
        task_name="cars", category_id=0, score=0.5, bbox=[1, 2, 3])), "singletons[0].bbox"),
    ("bbox negative", _upsert(PredictionSingletonObjectDetection(
        task_name="cars", category_id=0, score=0.5, bbox=[1, -2, 3, 4])),
     "singletons[0].bbox[1]"),
    ("keypoints too few", _upsert(PredictionSingletonKeypointDetection(
        task_name="pose", category_id=0, score=0.5, keypoints=[1, 2])),
     "singletons[0].keypoints"),
    ("segmentation empty", _upsert(PredictionSingletonInstanceSegmentation(
        task_name="masks", category_id=0, score=0.5, segmentation="")),
     "singletons[0].segmentation"),
    ("schema is a dict",
     lambda ds: ds.predictions.upsert_task_schema({"name": "weather"},
                                                  prediction_uuid_timestamp=TS), "schema"),
    ("schema duplicate category ids", _schema(categories=[
        PredictionTaskSchemaCategory(id=1, name="cat"),
        PredictionTaskSchemaCategory(id=1, name="dog")]),
     "schema.categories[1].id"),
    ("schema negative category id", _schema(categories=[PredictionTaskSchemaCategory(id=-1)]),
     "schema.categories[0].id"),
    # samples
    ("file_name empty", lambda ds: ds.samples.write_url(SID, ""), "file_name"),
    ("file_name 5", lambda ds: ds.samples.write_url(SID, 5), "file_name"),
    ("thumbnail str", lambda ds: ds.samples.write_url(SID, thumbnail="yes"), "thumbnail"),
    ("sort_by unknown", lambda ds: ds.samples.list(sort_by="name"), "sort_by"),
    ("page_size bool", lambda ds: ds.samples.list(page_size=True), "page_size"),
    ("page_offset negative", lambda ds: ds.samples.list(page_offset=-1), "page_offset"),
    ("purpose unknown", lambda ds: ds.datasource.get(purpose="OUTPUT"), "purpose"),
    ("redirected str", lambda ds: ds.datasource.list_raw_samples(use_redirected_read_url="y"),
     "use_redirected_read_url"),
    ("relevant too short", lambda ds: ds.datasource.list_raw_samples(
        relevant_filenames_file_name="a.t"), "relevant_filenames_file_name"),
    ("shared str", lambda ds: ds.session.datasets.list(shared="yes"), "shared"),
    ("filename int", lambda ds: ds.samples.list(filename=7), "filename"),
    ("sample not SampleData", lambda ds: ds.samples.update(SID, {"_id": SID}), "sample"),
    ("sample body id", lambda ds: ds.samples.update(SID, SampleData(id="not-an-id")),
     "sample.id"),
    # samplings
    ("score_type", _trigger(score_type="bad type!"), "score_type"),
    ("row_count bool", _trigger(row_count=True), "row_count"),
    ("row_count negative", _trigger(row_count=-3), "row_count"),
    ("config dict", _trigger(config={"stoppingCondition": {}}), "config"),
    ("n_samples negative", _trigger(config=_stop(n_samples=-2)),
     "config.stopping_condition.n_samples"),
    ("min_distance str", _trigger(config=_stop(min_distance="far")),
     "config.stopping_condition.min_distance"),
    # tags exports and changes
    ("expires_in zero", lambda ds: ds.tags.export_label_box(TID, expires_in=0), "expires_in"),
    ("expires_in bool", lambda ds: ds.tags.export_label_studio(TID, expires_in=True),
     "expires_in"),
    ("preview_example str", lambda ds: ds.tags.export_label_box(TID, preview_example="yes"),
     "preview_example"),
    ("access_control empty", lambda ds: ds.tags.export_label_studio(TID, access_control=""),
     "access_control"),
    ("changes list", _create_tag(changes=[1, 2]), "changes"),
    # datasource
    ("datasource config str", lambda ds: ds.datasource.update("S3"), "config"),
    ("datasource config dict",
     lambda ds: ds.datasource.update({"type": "LOCAL", "fullPath": "/x"}), "config"),
    ("datasource type mismatch",
     lambda ds: ds.datasource.update(DatasourceConfigLOCAL(full_path="/x", type="S3")),
     "config.type"),
    # progress= takes only a ProgressArg: None, a bool, or an object with the three methods
    *[(f"progress {label} {name}", call, "progress")
      for label, bad in (("str", "yes"), ("function", lambda n: None), ("int", 1),
                         ("class", type("Bar", (), {"start": lambda *a: None,
                                                     "advance": lambda *a: None,
                                                     "close": lambda *a: None})),
                         ("half", type("Half", (), {"advance": lambda *a: None})()))
      for name, call in (
          ("update_many", _bulk(lambda ds, p: ds.samples.update_many({}, progress=p), bad)),
          ("upsert_many", _bulk(lambda ds, p: ds.predictions.upsert_many(
              {SID: [_cls()]}, prediction_uuid_timestamp=TS, progress=p), bad)),
          ("upload_images", _bulk(lambda ds, p: ds.samples.upload_images({}, progress=p), bad)),
          ("download", _bulk(lambda ds, p: ds.samples.download([SID], ".", progress=p), bad)))],
    ("max_file_size negative", lambda ds: ds.samples.download([SID], ".", max_file_size=-1),
     "max_file_size"),
    ("max_file_size str", lambda ds: ds.samples.download([SID], ".", max_file_size="1M"),
     "max_file_size"),
    # jobs
    ("jobs.wait timeout zero", lambda ds: ds.session.jobs.wait("job-1", timeout=0), "timeout"),
]


def test_table_holds_at_least_fifty_cases_when_collected() -> None:
    assert len(INVALID) >= 50
    assert len({case_id for case_id, _, _ in INVALID}) == len(INVALID)


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "field"), [(c, f) for _, c, f in INVALID],
                         ids=[i for i, _, _ in INVALID])
async def test_invalid_argument_raises_value_error_naming_field_when_called(
    recorder: Any, call: Call, field: str,
) -> None:
    async with recorder.session() as session:
        with pytest.raises(ValueError, match=r"\S") as info:
            await call(session.dataset(DS))

    assert isinstance(info.value, InvalidInputError)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert recorder.requests == []


@pytest.mark.parametrize(
    "dataset_id", ["bad", "", None, 42, DS.upper(), DS + "0", DS[:-1], f" {DS}", f"{DS}\n"])
def test_session_dataset_raises_value_error_when_id_is_not_an_object_id(
    recorder: Any, dataset_id: Any,
) -> None:
    session = recorder.session()
    with pytest.raises(InvalidInputError, match=r"^dataset_id: ") as info:
        session.dataset(dataset_id)

    assert isinstance(info.value, ValueError)
    assert info.value.field == "dataset_id"
    assert recorder.requests == []


def test_session_raises_value_error_when_options_are_invalid() -> None:
    for kwargs, field in [
        ({"deadline": 0}, "deadline"),
        ({"deadline": -1.0}, "deadline"),
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
        ({"token": ""}, "token"),
        ({"token": "   "}, "token"),
        ({"token": "tok-9f2c41\n"}, "token"),
        ({"token": " tok-9f2c41"}, "token"),
        ({"token": "tok-9f2c41\r\n"}, "token"),
        ({"token": "tok 9f2c41"}, "token"),
        ({"bearer_token": "eyJ.x.y\n", "token": None}, "bearer_token"),
        ({"base_url": "ftp://api.test"}, "base_url"),
        ({"base_url": "https://api.test?token=leak"}, "base_url"),
    ]:
        with pytest.raises(InvalidInputError) as info:
            LightlySession(**{"token": "t", "base_url": "https://api.test", **kwargs})
        assert info.value.field == field, kwargs


def test_a_token_with_whitespace_is_refused_before_sending_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_TOKEN", "tok-9f2c41\n")
    with pytest.raises(InvalidInputError) as info:
        LightlySession(base_url="https://api.test")
    assert "whitespace" in str(info.value)
    assert "LIGHTLY_TOKEN" in str(info.value)
    assert "9f2c41" not in str(info.value)
