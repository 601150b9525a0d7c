"""Every public operation sends the exact request the spec describes and decodes its answer.

One table row per DESIGN.md operation (several for operations with optional arguments):
method, path, query string (the token included, unset optionals absent), JSON body, and the
decoded result's type and values for a spec-shaped response. Each row runs in both API
dialects (``api="latest"``, the default, and ``api="seed"``) unless it names one: the samples
and the exports moved between them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx

from lightly_async import InvalidInputError, JobFailedError, LightlySession, RetryPolicy
from lightly_async.bitmask import BitMask
from lightly_async.errors import DecodeError
from lightly_async.models import (
    AsyncTaskData,
    CreateEntityResponse,
    DatasourceConfigLOCAL,
    DatasourceConfigS3,
    DatasourceConfigVerifyData,
    DatasourceRawSamplesData,
    DatasourceRawSamplesDataRow,
    JobState,
    JobStatusData,
    LabelBoxDataRow,
    LabelBoxV4DataRow,
    LabelStudioTask,
    PredictionSingletonClassification,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    PredictionTaskSchema,
    PredictionTaskSchemaCategory,
    S3Region,
    SampleData,
    SampleDataV2,
    SampleType,
    SampleUpdateRequest,
    SamplingConfig,
    SamplingConfigStoppingCondition,
    SamplingMethod,
    TagArithmeticsOperation,
    TagBitMaskResponse,
    TagCreator,
    TagData,
    TaskType,
)
from lightly_async.resources import Dataset

BASE_URL = "https://api.test"
TOKEN = "tok-ops-0123456789"
DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
SID = "60a1b2c3d4e5f60718293a4b"
TID = "61b2c3d4e5f60718293a4b5c"
TID2 = "62c3d4e5f60718293a4b5c6d"
EID = "63d4e5f60718293a4b5c6d7e"
NEW_ID = "64e5f60718293a4b5c6d7e8f"
V1 = f"/v1/datasets/{DS}"
SAMPLES = f"/users/datasets/{DS}/samples"  # the seed era's
SAMPLES_V1 = f"{V1}/samples"  # the newest API's

SAMPLE_JSON: dict[str, Any] = {
    "_id": SID,
    "isThumbnail": False,
    "thumbName": "img_thumb.webp",
    "meta": {
        "sharpness": 1.5, "sizeInBytes": 2048, "snr": 3.25, "mean": [0.5, 0.4, 0.3],
        "shape": [32, 48, 3], "std": [0.1, 0.2, 0.3], "sumOfSquares": [1.0, 2.0, 3.0],
        "sumOfValues": [4.0, 5.0, 6.0],
    },
}
TAG_JSON: dict[str, Any] = {
    "id": TID, "datasetId": DS, "prevTagId": None, "name": "initial-tag",
    "bitMaskData": "0x59", "totSize": 7, "createdAt": 1_600_000_000_000,
}
SINGLETONS_JSON: list[dict[str, Any]] = [
    {"type": "CLASSIFICATION", "taskName": "weather", "categoryId": 1, "score": 0.9,
     "probabilities": [0.1, 0.9]},
    {"type": "OBJECT_DETECTION", "taskName": "cars", "categoryId": 0, "score": 0.75,
     "bbox": [1, 2, 30, 40]},
    {"type": "INSTANCE_SEGMENTATION", "taskName": "masks", "categoryId": 2, "score": 0.5,
     "segmentation": "b0a1"},
    {"type": "KEYPOINT_DETECTION", "taskName": "pose", "categoryId": 3, "score": 0.25,
     "keypoints": [10, 20, 2]},
]
SINGLETONS = [
    PredictionSingletonClassification(
        task_name="weather", category_id=1, score=0.9, probabilities=[0.1, 0.9]),
    PredictionSingletonObjectDetection(
        task_name="cars", category_id=0, score=0.75, bbox=[1, 2, 30, 40]),
    PredictionSingletonInstanceSegmentation(
        task_name="masks", category_id=2, score=0.5, segmentation="b0a1"),
    PredictionSingletonKeypointDetection(
        task_name="pose", category_id=3, score=0.25, keypoints=[10, 20, 2]),
]
SCHEMA_JSON = {"name": "weather", "type": "CLASSIFICATION",
               "categories": [{"id": 0, "name": "sunny"}, {"id": 1, "name": "rainy"}]}
SCHEMA = PredictionTaskSchema(
    name="weather", type=TaskType.CLASSIFICATION,
    categories=[PredictionTaskSchemaCategory(id=0, name="sunny"),
                PredictionTaskSchemaCategory(id=1, name="rainy")])
NOTHING = object()  # "no JSON body in the request" / "empty response body"


@dataclass
class Case:
    id: str
    call: Callable[[Dataset], Awaitable[Any]]
    method: str
    path: str
    params: dict[str, str]
    body: Any
    response: Any
    check: Callable[[Any], None]
    status: int = 200
    extra: dict[str, Any] = field(default_factory=dict)
    api: str = "both"  # the dialect(s) the row applies to: "latest", "seed" or "both"


def _is_created(result: Any) -> None:
    assert isinstance(result, CreateEntityResponse)
    assert result.id == NEW_ID


def _is_none(result: Any) -> None:
    assert result is None


def _check_sample(result: Any) -> None:
    assert isinstance(result, SampleData)
    assert result.id == SID
    assert result.is_thumbnail is False
    assert result.thumb_name == "img_thumb.webp"
    assert result.meta is not None
    assert result.meta.size_in_bytes == 2048
    assert result.meta.sum_of_values == [4.0, 5.0, 6.0]


def _check_samples(result: Any) -> None:
    assert isinstance(result, list)
    assert len(result) == 1
    _check_sample(result[0])


SAMPLE_V1_JSON: dict[str, Any] = {
    "id": SID, "type": "IMAGE", "datasetId": DS, "fileName": "img.png",
    "thumbName": "img_thumb.webp", "index": 3, "createdAt": 1, "lastModifiedAt": 2,
    "exif": {"Make": "cam"}, "customMetaData": {"weather": "rain"},
    "metaData": {"sharpness": 1.5, "sizeInBytes": 2048, "luminance": 40},
}


def _check_sample_v1(result: Any) -> None:
    assert isinstance(result, SampleData)
    assert (result.id, result.type, result.dataset_id) == (SID, SampleType.IMAGE, DS)
    assert (result.file_name, result.thumb_name, result.index) == ("img.png",
                                                                   "img_thumb.webp", 3)
    assert (result.created_at, result.last_modified_at) == (1, 2)
    assert result.exif == {"Make": "cam"}
    assert result.custom_meta_data == {"weather": "rain"}
    assert result.meta_data is not None
    assert (result.meta_data.size_in_bytes, result.meta_data.luminance) == (2048, 40)
    assert result.meta is None  # the seed era's fields
    assert result.is_thumbnail is None


def _check_samples_v1(result: Any) -> None:
    assert isinstance(result, list)
    assert len(result) == 1
    _check_sample_v1(result[0])


def _check_id_only_samples(result: Any) -> None:
    assert result == [SampleData(id=SID), SampleData(id=TID)]
    assert result[0].meta is None


def _check_tag(result: Any) -> None:
    assert isinstance(result, TagData)
    assert result.id == TID
    assert result.bit_mask_data == BitMask.from_indices([0, 3, 4, 6])
    assert result.tot_size == 7
    assert result.prev_tag_id is None
    assert result.created_at == 1_600_000_000_000


def _check_tags(result: Any) -> None:
    assert isinstance(result, list)
    assert [t.name for t in result] == ["initial-tag", "subset"]
    _check_tag(result[0])
    assert result[1].prev_tag_id == TID


def _check_singletons(result: Any) -> None:
    assert result == SINGLETONS
    assert [type(s) for s in result] == [type(s) for s in SINGLETONS]


def _check_per_sample_singletons(result: Any) -> None:
    assert result == [SINGLETONS[:2], [], SINGLETONS[2:]]


def _check_schema(result: Any) -> None:
    assert isinstance(result, PredictionTaskSchema)
    assert result == SCHEMA
    assert result.type is TaskType.CLASSIFICATION


def _check_s3(result: Any) -> None:
    assert isinstance(result, DatasourceConfigS3)
    assert result.full_path == "bucket/images"
    assert result.s3_region is S3Region.EU_CENTRAL_1
    assert result.s3_access_key_id == "AKIA"
    assert result.s3_secret_access_key == "shh"
    assert result.thumb_suffix == ".lightly/thumbnails/[filename]_thumb.[extension]"


def _check_local(result: Any) -> None:
    assert result == DatasourceConfigLOCAL(full_path="/data/images")


def _check_verify(result: Any) -> None:
    assert result == DatasourceConfigVerifyData(can_read=True, can_write=False, can_list=True)


def _check_label_box(result: Any) -> None:
    assert result == [LabelBoxDataRow(external_id="a.png", image_url="https://signed/a"),
                      LabelBoxDataRow(external_id="b.png", image_url="https://signed/b")]


def _check_label_box_v4(result: Any) -> None:
    assert result == [LabelBoxV4DataRow(row_data="https://signed/a", global_key="a.png",
                                        media_type="IMAGE")]


def _check_label_studio(result: Any) -> None:
    assert isinstance(result, list)
    assert len(result) == 1
    task = result[0]
    assert isinstance(task, LabelStudioTask)
    assert task.id == 7
    assert task.data.image == "https://signed/a"
    assert task.data.lightly_file_name == "a.png"
    meta = task.data.lightly_meta_info
    assert isinstance(meta, SampleDataV2)
    assert meta.id == SID
    assert meta.file_name == "a.png"
    assert meta.index == 3
    assert meta.meta_data is not None
    assert meta.meta_data.size_in_bytes == 99


def _check_bitmask_response(result: Any) -> None:
    assert isinstance(result, TagBitMaskResponse)
    assert result.bit_mask_data == BitMask.from_indices([0, 1, 2])


def _check_job_started(result: Any) -> None:
    assert result == AsyncTaskData(job_id="job-42")


def _equals(expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result == expected
        assert type(result) is type(expected)

    return check


def _check_finished_job(job: Any) -> None:
    assert isinstance(job, JobStatusData)
    assert job.status is JobState.FINISHED
    assert job.finished_at == 2
    assert job.result is not None
    assert job.result.data == NEW_ID


CASES = [
    # -- samples: the newest API -------------------------------------------------------------
    Case("samples.get", lambda ds: ds.samples.get(SID), "GET", f"{SAMPLES_V1}/{SID}", {},
         NOTHING, SAMPLE_V1_JSON, _check_sample_v1, api="latest"),
    Case("samples.read_url default", lambda ds: ds.samples.read_url(SID), "GET",
         f"{SAMPLES_V1}/{SID}/readurl", {"type": "full"}, NOTHING, "https://signed/read",
         _equals("https://signed/read"), api="latest"),
    Case("samples.read_url thumbnail", lambda ds: ds.samples.read_url(SID, type="thumbnail"),
         "GET", f"{SAMPLES_V1}/{SID}/readurl", {"type": "thumbnail"}, NOTHING,
         "https://signed/thumb", _equals("https://signed/thumb"), api="latest"),
    Case("samples.write_url", lambda ds: ds.samples.write_url(SID), "GET",
         f"{SAMPLES_V1}/{SID}/writeurl", {"isThumbnail": "false"}, NOTHING,
         "https://signed/write", _equals("https://signed/write"), api="latest"),
    Case("samples.write_url thumbnail name",
         lambda ds: ds.samples.write_url(SID, "img_thumb.webp"), "GET",
         f"{SAMPLES_V1}/{SID}/writeurl", {"isThumbnail": "true"}, NOTHING,
         "https://signed/write", _equals("https://signed/write"), api="latest"),
    Case("samples.write_url thumbnail flag",
         lambda ds: ds.samples.write_url(SID, thumbnail=True), "GET",
         f"{SAMPLES_V1}/{SID}/writeurl", {"isThumbnail": "true"}, NOTHING,
         "https://signed/write", _equals("https://signed/write"), api="latest"),
    Case("samples.list default", lambda ds: ds.samples.list(), "GET", SAMPLES_V1,
         {}, NOTHING, [SAMPLE_V1_JSON], _check_samples_v1, api="latest"),
    Case("samples.list sorted one page",
         lambda ds: ds.samples.list(sort_by="index", page_size=5, page_offset=10), "GET",
         SAMPLES_V1, {"sortBy": "index", "pageSize": "5", "pageOffset": "10"}, NOTHING,
         [SAMPLE_V1_JSON], _check_samples_v1, api="latest"),
    Case("samples.list ids filtered", lambda ds: ds.samples.list(mode="ids", filename="a.png"),
         "GET", f"{SAMPLES_V1}/partial", {"mode": "ids", "fileName": "a.png"}, NOTHING,
         [{"id": SID}, {"id": TID}], _check_id_only_samples, api="latest"),
    # -- samples: the seed era ---------------------------------------------------------------
    Case("samples.get", lambda ds: ds.samples.get(SID), "GET", f"{SAMPLES}/{SID}", {},
         NOTHING, SAMPLE_JSON, _check_sample, api="seed"),
    Case("samples.read_url default", lambda ds: ds.samples.read_url(SID), "GET",
         f"{SAMPLES}/{SID}/readurl", {"type": "full"}, NOTHING, "https://signed/read",
         _equals("https://signed/read"), api="seed"),
    Case("samples.read_url thumbnail", lambda ds: ds.samples.read_url(SID, type="thumbnail"),
         "GET", f"{SAMPLES}/{SID}/readurl", {"type": "thumbnail"}, NOTHING,
         "https://signed/thumb", _equals("https://signed/thumb"), api="seed"),
    Case("samples.write_url", lambda ds: ds.samples.write_url(SID, "img_thumb.webp"), "GET",
         f"{SAMPLES}/{SID}/writeurl", {"fileName": "img_thumb.webp"}, NOTHING,
         {"signedWriteUrl": "https://signed/write"}, _equals("https://signed/write"),
         api="seed"),
    Case("samples.list default", lambda ds: ds.samples.list(), "GET", SAMPLES,
         {"mode": "full"}, NOTHING, [SAMPLE_JSON], _check_samples, api="seed"),
    Case("samples.list ids filtered", lambda ds: ds.samples.list(mode="ids", filename="a.png"),
         "GET", SAMPLES, {"mode": "ids", "filename": "a.png"}, NOTHING,
         [{"_id": SID}, {"_id": TID}], _check_id_only_samples, api="seed"),
    Case("samples.update",
         lambda ds: ds.samples.update(SID, SampleData(id=SID, thumb_name="new_thumb.webp")),
         "PUT", f"{SAMPLES}/{SID}", {}, {"sample": {"_id": SID, "thumbName": "new_thumb.webp"}},
         SAMPLE_JSON, _check_sample, api="seed"),
    # -- samplings ---------------------------------------------------------------------------
    Case("samplings.trigger minimal",
         lambda ds: ds.samplings.trigger(EID, new_tag_name="sampled-1", method="CORESET"),
         "POST", f"{V1}/embeddings/{EID}/sampling", {},
         {"newTagName": "sampled-1", "method": "CORESET", "config": {}},
         {"jobId": "job-42"}, _check_job_started),
    Case("samplings.trigger full",
         lambda ds: ds.samplings.trigger(
             EID, new_tag_name="al-round 2", method=SamplingMethod.ACTIVE_LEARNING,
             config=SamplingConfig(stopping_condition=SamplingConfigStoppingCondition(
                 n_samples=0.25, min_distance=-1)),
             preselected_tag_id=TID, query_tag_id=TID2, score_type="uncertainty_margin",
             row_count=100),
         "POST", f"{V1}/embeddings/{EID}/sampling", {},
         {"newTagName": "al-round 2", "method": "ACTIVE_LEARNING",
          "config": {"stoppingCondition": {"nSamples": 0.25, "minDistance": -1}},
          "preselectedTagId": TID, "queryTagId": TID2, "scoreType": "uncertainty_margin",
          "rowCount": 100},
         {"jobId": "job-42"}, _check_job_started),
    # -- datasource --------------------------------------------------------------------------
    Case("datasource.get S3", lambda ds: ds.datasource.get(), "GET", f"{V1}/datasource", {},
         NOTHING,
         {"type": "S3", "fullPath": "bucket/images", "s3Region": "eu-central-1",
          "s3AccessKeyId": "AKIA", "s3SecretAccessKey": "shh",
          "thumbSuffix": ".lightly/thumbnails/[filename]_thumb.[extension]"},
         _check_s3),
    Case("datasource.get LOCAL", lambda ds: ds.datasource.get(), "GET", f"{V1}/datasource", {},
         NOTHING, {"type": "LOCAL", "fullPath": "/data/images"}, _check_local),
    Case("datasource.update LOCAL",
         lambda ds: ds.datasource.update(DatasourceConfigLOCAL(full_path="/data/images")),
         "PUT", f"{V1}/datasource", {}, {"type": "LOCAL", "fullPath": "/data/images"},
         NOTHING, _is_none),
    Case("datasource.update S3",
         lambda ds: ds.datasource.update(DatasourceConfigS3(
             full_path="bucket/images", s3_region=S3Region.US_EAST_1, s3_access_key_id="AKIA",
             s3_secret_access_key="shh", thumb_suffix="[filename]_t.[extension]")),
         "PUT", f"{V1}/datasource", {},
         {"type": "S3", "fullPath": "bucket/images", "s3Region": "us-east-1",
          "s3AccessKeyId": "AKIA", "s3SecretAccessKey": "shh",
          "thumbSuffix": "[filename]_t.[extension]"},
         NOTHING, _is_none),
    Case("datasource.verify", lambda ds: ds.datasource.verify(), "GET",
         f"{V1}/datasource/verify", {}, NOTHING,
         {"canRead": True, "canWrite": False, "canList": True}, _check_verify),
    Case("datasource.get_processed_until", lambda ds: ds.datasource.get_processed_until(),
         "GET", f"{V1}/datasource/processedUntilTimestamp", {}, NOTHING,
         {"processedUntilTimestamp": 1_700_000_000}, _equals(1_700_000_000)),
    Case("datasource.set_processed_until",
         lambda ds: ds.datasource.set_processed_until(1_700_000_001), "PUT",
         f"{V1}/datasource/processedUntilTimestamp", {},
         {"processedUntilTimestamp": 1_700_000_001}, NOTHING, _is_none),
    # -- predictions -------------------------------------------------------------------------
    Case("predictions.upsert",
         lambda ds: ds.predictions.upsert(SID, SINGLETONS, prediction_uuid_timestamp=1000),
         "POST", f"{V1}/predictions/samples/{SID}", {"predictionUUIDTimestamp": "1000"},
         SINGLETONS_JSON, {"id": NEW_ID}, _is_created, status=201),
    Case("predictions.get",
         lambda ds: ds.predictions.get(SID, prediction_uuid_timestamp=1000), "GET",
         f"{V1}/predictions/samples/{SID}", {"predictionUUIDTimestamp": "1000"}, NOTHING,
         SINGLETONS_JSON, _check_singletons),
    Case("predictions.list",
         lambda ds: ds.predictions.list(prediction_uuid_timestamp=0), "GET",
         f"{V1}/predictions/samples", {"predictionUUIDTimestamp": "0"}, NOTHING,
         [SINGLETONS_JSON[:2], [], SINGLETONS_JSON[2:]], _check_per_sample_singletons),
    Case("predictions.list by task",
         lambda ds: ds.predictions.list(prediction_uuid_timestamp=1000, task_name="weather"),
         "GET", f"{V1}/predictions/samples",
         {"predictionUUIDTimestamp": "1000", "taskName": "weather"}, NOTHING,
         [SINGLETONS_JSON[:2], [], SINGLETONS_JSON[2:]], _check_per_sample_singletons),
    Case("predictions.upsert_task_schema",
         lambda ds: ds.predictions.upsert_task_schema(SCHEMA, prediction_uuid_timestamp=1000),
         "POST", f"{V1}/predictions/tasks", {"predictionUUIDTimestamp": "1000"}, SCHEMA_JSON,
         {"id": NEW_ID}, _is_created, status=201),
    Case("predictions.get_task_schema",
         lambda ds: ds.predictions.get_task_schema("weather", prediction_uuid_timestamp=1000),
         "GET", f"{V1}/predictions/tasks/weather", {"predictionUUIDTimestamp": "1000"},
         NOTHING, SCHEMA_JSON, _check_schema),
    Case("predictions.list_task_schemas newest",
         lambda ds: ds.predictions.list_task_schemas(), "GET", f"{V1}/predictions/tasks", {},
         NOTHING, [SCHEMA_JSON], _equals([SCHEMA])),
    Case("predictions.list_task_schemas version",
         lambda ds: ds.predictions.list_task_schemas(prediction_uuid_timestamp=5), "GET",
         f"{V1}/predictions/tasks", {"predictionUUIDTimestamp": "5"}, NOTHING, [],
         _equals([])),
    # -- tags --------------------------------------------------------------------------------
    Case("tags.create_initial default", lambda ds: ds.tags.create_initial(), "POST",
         f"{V1}/tags/initial", {}, {"imgType": "full"}, {"id": NEW_ID}, _is_created,
         status=201),
    Case("tags.create_initial full",
         lambda ds: ds.tags.create_initial(img_type="thumbnail", name="initial-tag",
                                           creator=TagCreator.USER_PIP),
         "POST", f"{V1}/tags/initial", {},
         {"imgType": "thumbnail", "name": "initial-tag", "creator": "USER_PIP"},
         {"id": NEW_ID}, _is_created, status=201),
    Case("tags.create minimal",
         lambda ds: ds.tags.create(name="subset", prev_tag_id=TID, bit_mask_data="0x5",
                                   tot_size=3),
         "POST", f"{V1}/tags", {},
         {"name": "subset", "prevTagId": TID, "bitMaskData": "0x5", "totSize": 3},
         {"id": NEW_ID}, _is_created, status=201),
    Case("tags.create full",
         lambda ds: ds.tags.create(
             name="subset v2", prev_tag_id=TID, bit_mask_data=BitMask.from_indices([1, 9]),
             tot_size=10, query_tag_id=TID2, preselected_tag_id=TID, creator="USER_WEBAPP",
             changes={"note": "hand-picked"}),
         "POST", f"{V1}/tags", {},
         {"name": "subset v2", "prevTagId": TID, "bitMaskData": "0x202", "totSize": 10,
          "queryTagId": TID2, "preselectedTagId": TID, "creator": "USER_WEBAPP",
          "changes": {"note": "hand-picked"}},
         {"id": NEW_ID}, _is_created, status=201),
    Case("tags.delete", lambda ds: ds.tags.delete(TID), "DELETE", f"{V1}/tags/{TID}", {},
         NOTHING, NOTHING, _is_none),
    Case("tags.export_label_box default", lambda ds: ds.tags.export_label_box(TID), "GET",
         f"{V1}/tags/{TID}/export/LabelBoxDataRows", {}, NOTHING,
         [{"externalId": "a.png", "imageUrl": "https://signed/a"},
          {"externalId": "b.png", "imageUrl": "https://signed/b"}], _check_label_box, api="seed"),
    Case("tags.export_label_box all params",
         lambda ds: ds.tags.export_label_box(TID, expires_in=3600, preview_example=True,
                                             access_control="default"),
         "GET", f"{V1}/tags/{TID}/export/LabelBoxDataRows",
         {"expiresIn": "3600", "previewExample": "true", "accessControl": "default"}, NOTHING,
         [{"externalId": "a.png", "imageUrl": "https://signed/a"},
          {"externalId": "b.png", "imageUrl": "https://signed/b"}], _check_label_box, api="seed"),
    Case("tags.export_label_studio",
         lambda ds: ds.tags.export_label_studio(TID, preview_example=False), "GET",
         f"{V1}/tags/{TID}/export/LabelStudioTasks", {"previewExample": "false"}, NOTHING,
         [{"id": 7, "data": {"image": "https://signed/a", "lightlyFileName": "a.png",
                             "lightlyMetaInfo": {"id": SID, "type": "IMAGE", "fileName": "a.png",
                                                 "index": 3, "metaData": {"sizeInBytes": 99}}}}],
         _check_label_studio, api="seed"),
    # the newest API pages its exports (one short page here: the pager stops after it)
    Case("tags.export_label_box default", lambda ds: ds.tags.export_label_box(TID), "GET",
         f"{V1}/tags/{TID}/export/LabelBox/datarows", {"pageSize": "2500", "pageOffset": "0"},
         NOTHING,
         [{"externalId": "a.png", "imageUrl": "https://signed/a"},
          {"externalId": "b.png", "imageUrl": "https://signed/b"}], _check_label_box,
         api="latest"),
    Case("tags.export_label_box all params",
         lambda ds: ds.tags.export_label_box(TID, expires_in=3600, preview_example=True,
                                             access_control="default", page_size=10),
         "GET", f"{V1}/tags/{TID}/export/LabelBox/datarows",
         {"expiresIn": "3600", "previewExample": "true", "accessControl": "default",
          "pageSize": "10", "pageOffset": "0"}, NOTHING,
         [{"externalId": "a.png", "imageUrl": "https://signed/a"},
          {"externalId": "b.png", "imageUrl": "https://signed/b"}], _check_label_box,
         api="latest"),
    Case("tags.export_label_box_v4", lambda ds: ds.tags.export_label_box_v4(TID, expires_in=60),
         "GET", f"{V1}/tags/{TID}/export/LabelBoxV4/datarows",
         {"expiresIn": "60", "pageSize": "2500", "pageOffset": "0"}, NOTHING,
         [{"row_data": "https://signed/a", "global_key": "a.png", "media_type": "IMAGE"}],
         _check_label_box_v4, api="latest"),
    Case("tags.export_label_studio",
         lambda ds: ds.tags.export_label_studio(TID, preview_example=False), "GET",
         f"{V1}/tags/{TID}/export/LabelStudio/tasks",
         {"previewExample": "false", "pageSize": "2500", "pageOffset": "0"}, NOTHING,
         [{"id": 7, "data": {"image": "https://signed/a", "lightlyFileName": "a.png",
                             "lightlyMetaInfo": {"id": SID, "type": "IMAGE", "fileName": "a.png",
                                                 "index": 3, "metaData": {"sizeInBytes": 99}}}}],
         _check_label_studio, api="latest"),
    Case("tags.filenames", lambda ds: ds.tags.filenames(TID), "GET",
         f"{V1}/tags/{TID}/filenames", {}, NOTHING, ["a.png", "dir/b.png"],
         _equals(["a.png", "dir/b.png"])),
    Case("tags.get", lambda ds: ds.tags.get(TID), "GET", f"{V1}/tags/{TID}", {}, NOTHING,
         TAG_JSON, _check_tag),
    Case("tags.list", lambda ds: ds.tags.list(), "GET", f"{V1}/tags", {}, NOTHING,
         [TAG_JSON, {**TAG_JSON, "id": TID2, "name": "subset", "prevTagId": TID,
                     "bitMaskData": "0x1", "lastModifiedAt": 5}], _check_tags),
    Case("tags.arithmetics bitmask answer",
         lambda ds: ds.tags.arithmetics(TID, TID2, "UNION"), "POST",
         f"{V1}/tags/arithmetics", {}, {"tagId1": TID, "tagId2": TID2, "operation": "UNION"},
         {"bitMaskData": "0x7"}, _check_bitmask_response),
    Case("tags.arithmetics new tag",
         lambda ds: ds.tags.arithmetics(TID, TID2, TagArithmeticsOperation.DIFFERENCE,
                                        new_tag_name="only-new", creator="USER_PIP"),
         "POST", f"{V1}/tags/arithmetics", {},
         {"tagId1": TID, "tagId2": TID2, "operation": "DIFFERENCE", "newTagName": "only-new",
          "creator": "USER_PIP"},
         {"id": NEW_ID}, _is_created),
    Case("tags.arithmetics_bitmask",
         lambda ds: ds.tags.arithmetics_bitmask(TID, TID2, "INTERSECTION"), "POST",
         f"{V1}/tags/arithmetics/bitmask", {},
         {"tagId1": TID, "tagId2": TID2, "operation": "INTERSECTION"},
         {"bitMaskData": "0x7"}, _check_bitmask_response),
    Case("tags.update", lambda ds: ds.tags.update(TID, name="renamed"), "PUT",
         f"{V1}/tags/{TID}", {}, {"name": "renamed"}, NOTHING, _is_none),
    Case("tags.upsize default creator",
         lambda ds: ds.tags.upsize(upsize_tag_name="20240101_12h00m00s"), "POST",
         f"{V1}/tags/upsize", {},
         {"upsizeTagName": "20240101_12h00m00s", "upsizeTagCreator": "USER_PIP"},
         {"id": NEW_ID}, _is_created, status=201),
    Case("tags.upsize explicit creator",
         lambda ds: ds.tags.upsize(upsize_tag_name="grown", upsize_tag_creator="USER_WEBAPP"),
         "POST", f"{V1}/tags/upsize", {},
         {"upsizeTagName": "grown", "upsizeTagCreator": "USER_WEBAPP"},
         {"id": NEW_ID}, _is_created, status=201),
    # -- jobs (outside the 30, used by the sampling flow) ------------------------------------
    Case("jobs.get", lambda ds: ds.session.jobs.get("job-42"), "GET", "/v1/jobs/job-42", {},
         NOTHING,
         {"id": "job-42", "status": "FINISHED", "createdAt": 1, "finishedAt": 2,
          "waitTimeTillNextPoll": 0, "result": {"type": "SAMPLING", "data": NEW_ID}},
         _check_finished_job),
]

OPERATIONS = {c.id.split(" ")[0] for c in CASES}
DIALECTS = ("latest", "seed")
RUNS = [(case, api) for case in CASES for api in DIALECTS if case.api in (api, "both")]


def test_table_covers_every_operation_of_the_design_table_when_collected() -> None:
    design = {
        "samples.get", "samples.read_url", "samples.write_url", "samples.list",
        "samples.update", "samplings.trigger", "datasource.get", "datasource.update",
        "datasource.verify", "datasource.get_processed_until", "datasource.set_processed_until",
        "predictions.upsert", "predictions.get", "predictions.list",
        "predictions.upsert_task_schema", "predictions.get_task_schema",
        "predictions.list_task_schemas", "tags.create_initial", "tags.create", "tags.delete",
        "tags.export_label_box", "tags.export_label_studio", "tags.filenames", "tags.get",
        "tags.list", "tags.arithmetics", "tags.arithmetics_bitmask", "tags.update",
        "tags.upsize",
    }  # + datasource.list_raw_samples, covered by the pager tests below
    assert len(design) == 29
    # the newest API's samples.update is two requests (PUT, then GET): tested on its own below
    separate = {"latest": {"samples.update"}, "seed": set()}
    for api in DIALECTS:
        tabled = {case.id.split(" ")[0] for case, dialect in RUNS if dialect == api}
        assert design <= tabled | separate[api]


@pytest.mark.asyncio
async def test_samples_update_puts_the_update_request_then_reads_the_sample_in_latest() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        put = router.put(f"{SAMPLES_V1}/{SID}").respond(200)
        get = router.get(f"{SAMPLES_V1}/{SID}").respond(200, json=SAMPLE_V1_JSON)
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            result = await session.dataset(DS).samples.update(SID, SampleData(
                id=SID, file_name="img.png", custom_meta_data={"weather": "rain"},
                is_thumbnail=True))  # a seed-era field: not in the newest API's update

    request = put.calls.last.request
    assert json.loads(request.content) == {"fileName": "img.png",
                                           "customMetaData": {"weather": "rain"}}
    assert dict(request.url.params) == {"token": TOKEN}
    assert put.call_count == get.call_count == 1
    _check_sample_v1(result)


@pytest.mark.asyncio
@pytest.mark.parametrize(("api", "call", "field"), [
    ("seed", lambda ds: ds.samples.list(sort_by="index"), "sort_by"),
    ("seed", lambda ds: ds.samples.list(page_size=10), "page_size"),
    ("seed", lambda ds: ds.samples.list(mode="fileNames"), "mode"),
    ("seed", lambda ds: ds.samples.write_url(SID), "file_name"),
    ("seed", lambda ds: ds.samples.update(SID, SampleUpdateRequest(exif={})), "sample"),
    ("seed", lambda ds: ds.tags.export_label_box_v4(TID), "export_label_box_v4"),
    ("latest", lambda ds: ds.samples.list(mode="ids", sort_by="index"), "sort_by"),
    ("latest", lambda ds: ds.samples.list(page_size=0), "page_size"),
    ("latest", lambda ds: ds.samples.update(SID, SampleData(id=TID)), "sample.id"),
    ("latest", lambda ds: ds.tags.export_label_studio(TID, page_size=0), "page_size"),
])
async def test_what_a_dialect_lacks_is_refused_before_sending_when_asked_for(
    api: str, call: Callable[[Dataset], Any], field: str
) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        catch_all = router.route().respond(500)
        async with LightlySession(token=TOKEN, base_url=BASE_URL, api=api) as session:
            with pytest.raises(InvalidInputError) as info:
                await _invoked(call, session.dataset(DS))

    assert info.value.field == field
    assert catch_all.call_count == 0


async def _invoked(call: Callable[[Dataset], Any], ds: Dataset) -> Any:
    """Call, and await what is awaitable (a pager is checked at call time)."""
    result = call(ds)
    return await result if inspect.isawaitable(result) else result


@pytest.mark.asyncio
async def test_latest_samples_list_follows_pages_until_a_short_one_when_paged() -> None:
    rows = [{**SAMPLE_V1_JSON, "id": f"{i:024x}", "index": i} for i in range(5)]
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(SAMPLES_V1).mock(side_effect=[
            httpx.Response(200, json=rows[0:2]), httpx.Response(200, json=rows[2:4]),
            httpx.Response(200, json=rows[4:])])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            samples = await session.dataset(DS).samples.list(page_size=2)

    assert [s.index for s in samples] == [0, 1, 2, 3, 4]
    asked = [dict(c.request.url.params) for c in route.calls]
    assert [(q["pageSize"], q["pageOffset"]) for q in asked] == [("2", "0"), ("2", "2"),
                                                                ("2", "4")]


@pytest.mark.asyncio
async def test_latest_export_follows_pages_and_warns_for_label_box_v3_when_iterated() -> None:
    row = {"externalId": "a.png", "imageUrl": "https://signed/a"}
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(f"{V1}/tags/{TID}/export/LabelBox/datarows").mock(side_effect=[
            httpx.Response(200, json=[row, row]), httpx.Response(200, json=[row, row]),
            httpx.Response(200, json=[])])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.warns(DeprecationWarning, match="export_label_box_v4"):
                pager = session.dataset(DS).tags.export_label_box(TID, page_size=2)
            rows = [r async for r in pager]

    assert len(rows) == 4
    offsets = [c.request.url.params["pageOffset"] for c in route.calls]
    assert offsets == ["0", "2", "4"]  # a full last page asks once more, and gets nothing


@pytest.mark.asyncio
@pytest.mark.parametrize(("case", "api"), RUNS, ids=[f"{c.id} [{api}]" for c, api in RUNS])
@pytest.mark.filterwarnings("ignore:the LabelBox v3 export is deprecated:DeprecationWarning")
async def test_operation_sends_spec_request_and_decodes_answer_when_called(
    case: Case, api: str
) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        if case.response is NOTHING:
            answer = httpx.Response(case.status)
        else:
            answer = httpx.Response(case.status, json=case.response)
        route = router.route(method=case.method, path=case.path).mock(return_value=answer)
        async with LightlySession(token=TOKEN, base_url=BASE_URL, api=api) as session:
            result = await case.call(session.dataset(DS))

    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == case.method
    assert request.url.path == case.path
    query = request.url.params
    assert sorted(query.keys()) == sorted({**case.params, "token": TOKEN})  # no extra keys
    assert len(query.multi_items()) == len(case.params) + 1  # nothing repeated
    assert dict(query.items()) == {**case.params, "token": TOKEN}
    if case.body is NOTHING:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == case.body
    case.check(result)


@pytest.mark.asyncio
async def test_task_name_is_percent_encoded_in_path_when_it_holds_a_space() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(f"{V1}/predictions/tasks/my%20task").respond(
            200, json={**SCHEMA_JSON, "name": "my task"})
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            schema = await session.dataset(DS).predictions.get_task_schema(
                "my task", prediction_uuid_timestamp=1)

    assert route.calls.last.request.url.raw_path.startswith(
        f"{V1}/predictions/tasks/my%20task?".encode())
    assert schema.name == "my task"


# -- jobs.wait -----------------------------------------------------------------------------------
def _job(status: str, wait: int = 3, **extra: Any) -> dict[str, Any]:
    return {"id": "job-42", "status": status, "createdAt": 1, "waitTimeTillNextPoll": wait,
            **extra}


@pytest.mark.asyncio
async def test_jobs_wait_polls_with_server_interval_until_finished_when_job_runs() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get("/v1/jobs/job-42").mock(side_effect=[
            httpx.Response(200, json=_job("WAITING", wait=2)),
            httpx.Response(200, json=_job("RUNNING", wait=5)),
            httpx.Response(200, json=_job("FINISHED", result={"type": "SAMPLING",
                                                              "data": NEW_ID})),
        ])
        async with LightlySession(token=TOKEN, base_url=BASE_URL,
                                  retry=RetryPolicy(sleep=sleep)) as session:
            job = await session.jobs.wait("job-42", max_poll_interval=4)

    assert route.call_count == 3
    assert waits == [2.0, 4.0]  # the server's interval, capped at max_poll_interval
    assert job.status is JobState.FINISHED
    assert job.result is not None
    assert job.result.data == NEW_ID


@pytest.mark.asyncio
async def test_jobs_wait_raises_job_failed_error_when_job_fails() -> None:
    async def sleep(seconds: float) -> None:
        return None

    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get("/v1/jobs/job-42").mock(side_effect=[
            httpx.Response(200, json=_job("RUNNING")),
            httpx.Response(200, json=_job("FAILED", error="embedding missing")),
        ])
        async with LightlySession(token=TOKEN, base_url=BASE_URL,
                                  retry=RetryPolicy(sleep=sleep)) as session:
            with pytest.raises(JobFailedError, match="embedding missing") as info:
                await session.jobs.wait("job-42")

    assert info.value.job.status is JobState.FAILED


# -- the raw-samples pager -------------------------------------------------------------------------
LIST = f"{V1}/datasource/list"


def _page(names: list[str], *, has_more: bool, cursor: str) -> httpx.Response:
    return httpx.Response(200, json={
        "hasMore": has_more, "cursor": cursor,
        "data": [{"fileName": n, "readUrl": f"https://signed/{n}"} for n in names]})


async def _collect_names(pager: Any, into: list[str]) -> None:
    async for row in pager:
        into.append(row.file_name)


def _queries(route: respx.Route) -> list[dict[str, str]]:
    return [dict(call.request.url.params.items()) for call in route.calls]


@pytest.mark.asyncio
async def test_pager_sends_filters_first_then_only_cursor_when_iterating_rows() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(side_effect=[
            _page(["a.png", "b.png"], has_more=True, cursor="c1"),
            _page(["c.png"], has_more=True, cursor="c2"),
            _page([], has_more=False, cursor="c3"),
        ])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            pager = session.dataset(DS).datasource.list_raw_samples(from_=10, to=20)
            rows = [row async for row in pager]

    assert rows == [DatasourceRawSamplesDataRow(file_name=n, read_url=f"https://signed/{n}")
                    for n in ("a.png", "b.png", "c.png")]
    assert _queries(route) == [
        {"from": "10", "to": "20", "token": TOKEN},
        {"cursor": "c1", "token": TOKEN},
        {"cursor": "c2", "token": TOKEN},
    ]


@pytest.mark.asyncio
async def test_pager_sends_no_filters_when_none_are_given() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(return_value=_page(["a.png"], has_more=False, cursor="x"))
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            names = [r.file_name async for r in session.dataset(DS).datasource.list_raw_samples()]

    assert names == ["a.png"]
    assert _queries(route) == [{"token": TOKEN}]


@pytest.mark.asyncio
async def test_pager_resumes_from_given_cursor_without_filters_when_cursor_passed() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(return_value=_page(["z.png"], has_more=False, cursor="e"))
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            pager = session.dataset(DS).datasource.list_raw_samples(cursor="resume-here")
            names = [r.file_name async for r in pager]

    assert names == ["z.png"]
    assert _queries(route) == [{"cursor": "resume-here", "token": TOKEN}]


@pytest.mark.asyncio
async def test_pager_pages_yields_whole_pages_when_iterated() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(side_effect=[
            _page(["a.png", "b.png"], has_more=True, cursor="c1"),
            _page(["c.png"], has_more=False, cursor="c2"),
        ])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            pages = [p async for p in session.dataset(DS).datasource.list_raw_samples(to=5).pages()]

    assert all(isinstance(p, DatasourceRawSamplesData) for p in pages)
    assert [[r.file_name for r in p.data] for p in pages] == [["a.png", "b.png"], ["c.png"]]
    assert [p.has_more for p in pages] == [True, False]
    assert _queries(route) == [{"to": "5", "token": TOKEN}, {"cursor": "c1", "token": TOKEN}]


@pytest.mark.asyncio
async def test_pager_requests_nothing_when_created_but_not_iterated() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.get(LIST).mock(return_value=_page([], has_more=False, cursor="x"))
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            pager = session.dataset(DS).datasource.list_raw_samples(from_=1)
            pager.pages()
            pager.__aiter__()

    assert route.call_count == 0


@pytest.mark.asyncio
async def test_pager_makes_no_further_request_when_loop_breaks_early() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(side_effect=[
            _page(["a.png", "b.png"], has_more=True, cursor="c1"),
            _page(["c.png"], has_more=False, cursor="c2"),
        ])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            seen = []
            async for row in session.dataset(DS).datasource.list_raw_samples():
                seen.append(row.file_name)
                break

    assert seen == ["a.png"]
    assert route.call_count == 1


@pytest.mark.asyncio
async def test_pager_skips_empty_intermediate_page_when_has_more_is_true() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(side_effect=[
            _page([], has_more=True, cursor="c1"),
            _page(["a.png"], has_more=False, cursor="c2"),
        ])
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            names = [r.file_name async for r in session.dataset(DS).datasource.list_raw_samples()]

    assert names == ["a.png"]
    assert route.call_count == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first_cursor", "second_cursor", "rows_before_error"),
    [("", None, []), ("c1", "c1", ["a.png"])],
    ids=["empty cursor", "repeated cursor"])
async def test_pager_raises_decode_error_when_has_more_comes_without_new_cursor(
    first_cursor: str, second_cursor: str | None, rows_before_error: list[str],
) -> None:
    pages = [_page(["a.png"], has_more=True, cursor=first_cursor)]
    if second_cursor is not None:
        pages.append(_page(["b.png"], has_more=True, cursor=second_cursor))
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        route = router.get(LIST).mock(side_effect=pages)
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            seen: list[str] = []
            with pytest.raises(DecodeError, match="cursor"):
                await _collect_names(session.dataset(DS).datasource.list_raw_samples(), seen)

    assert route.call_count == len(pages)  # it stops instead of looping on the same cursor
    assert seen == rows_before_error


@pytest.mark.asyncio
async def test_pager_raises_decode_error_when_page_has_no_cursor_key() -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=True) as router:
        router.get(LIST).respond(200, json={"hasMore": True, "data": []})
        async with LightlySession(token=TOKEN, base_url=BASE_URL) as session:
            with pytest.raises(DecodeError):
                await _collect_names(session.dataset(DS).datasource.list_raw_samples(), [])
