"""The converter: wire names, unions by `type`, tolerance of unknown keys and enum values."""

import json
from typing import Any

import pytest

from lightly_async._convert import get_converter, make_converter
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    CreateEntityResponse,
    DatasourceConfig,
    DatasourceConfigAzure,
    DatasourceConfigGCS,
    DatasourceConfigLIGHTLY,
    DatasourceConfigLOCAL,
    DatasourceConfigS3,
    InitialTagCreateRequest,
    JobState,
    JobStatusData,
    PredictionSingleton,
    PredictionSingletonClassification,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    S3Region,
    SampleData,
    SampleMetaData,
    TagArithmeticsOperation,
    TagArithmeticsRequest,
    TagArithmeticsResponse,
    TagBitMaskResponse,
    TagCreator,
    TagData,
)

conv = get_converter()
ID = "5f0c1c6e2a9b4c1d8e7f6a5b"


def roundtrip(obj: Any, tp: Any) -> Any:
    wire = json.loads(json.dumps(conv.unstructure(obj, unstructure_as=tp)))
    return conv.structure(wire, tp), wire


def test_tag_data_decodes_camel_case_and_bitmask() -> None:
    tag = conv.structure(
        {"id": ID, "datasetId": ID, "prevTagId": None, "name": "initial-tag",
         "bitMaskData": "0x59", "totSize": 7, "createdAt": 1}, TagData)
    assert tag.bit_mask_data == BitMask.from_indices([0, 3, 4, 6])
    assert tag.prev_tag_id is None
    assert tag.tot_size == 7


def test_unknown_keys_are_ignored_and_unknown_enum_values_stay_str() -> None:
    job = conv.structure(
        {"id": "j", "status": "PAUSED", "createdAt": 0, "waitTimeTillNextPoll": 1, "new": 1},
        JobStatusData)
    assert job.status == "PAUSED"
    assert not isinstance(job.status, JobState)
    known = conv.structure(
        {"id": "j", "status": "RUNNING", "createdAt": 0, "waitTimeTillNextPoll": 1}, JobStatusData)
    assert known.status is JobState.RUNNING


def test_strict_converter_refuses_unknown_keys() -> None:
    strict = make_converter(strict=True)
    with pytest.raises(Exception, match="While structuring"):
        strict.structure({"imgType": "full", "bogus": 1}, InitialTagCreateRequest)


def test_sample_id_uses_the_2021_underscore_key() -> None:
    sample = conv.structure({"_id": ID}, SampleData)
    assert sample.id == ID
    assert conv.unstructure(sample) == {"_id": ID}


def test_unset_optionals_are_omitted_not_null() -> None:
    body = conv.unstructure(InitialTagCreateRequest(img_type="full"))
    assert body == {"imgType": "full"}
    body = conv.unstructure(
        TagArithmeticsRequest(tag_id1=ID, tag_id2=ID, operation=TagArithmeticsOperation.UNION))
    assert json.loads(json.dumps(body)) == {"tagId1": ID, "tagId2": ID, "operation": "UNION"}


def test_prev_tag_id_null_is_kept_because_it_is_required() -> None:
    tag = TagData(id=ID, dataset_id=ID, prev_tag_id=None, name="abc",
                  bit_mask_data=BitMask(1), tot_size=1, created_at=0)
    assert conv.unstructure(tag)["prevTagId"] is None


DATASOURCES = [
    DatasourceConfigS3(full_path="b/p", s3_region=S3Region.EU_WEST_1, s3_access_key_id="k",
                       s3_secret_access_key="s"),
    DatasourceConfigGCS(full_path="b/p", gcs_project_id="p", gcs_credentials="{}"),
    DatasourceConfigAzure(full_path="b/p", account_name="a", account_key="k"),
    DatasourceConfigLOCAL(full_path="/data", thumb_suffix=".lightly/[filename]_thumb.[extension]"),
    DatasourceConfigLIGHTLY(full_path="lightly"),
]


@pytest.mark.parametrize("config", DATASOURCES, ids=lambda c: c.type)
def test_datasource_union_round_trips_by_type(config: Any) -> None:
    back, wire = roundtrip(config, DatasourceConfig)
    assert back == config
    assert wire["type"] == config.type
    assert type(back) is type(config)


SINGLETONS = [
    PredictionSingletonClassification(task_name="cls", category_id=0, score=0.9,
                                      probabilities=[0.9, 0.1]),
    PredictionSingletonObjectDetection(task_name="det", category_id=1, score=0.5,
                                       bbox=[1, 2, 3, 4]),
    PredictionSingletonInstanceSegmentation(task_name="seg", category_id=2, score=0.4,
                                            segmentation="abc"),
    PredictionSingletonKeypointDetection(task_name="kp", category_id=3, score=0.3,
                                         keypoints=[1, 2, 2]),
]


@pytest.mark.parametrize("singleton", SINGLETONS, ids=lambda s: s.type)
def test_prediction_union_round_trips_by_type(singleton: Any) -> None:
    back, wire = roundtrip(singleton, PredictionSingleton)
    assert back == singleton
    assert wire["type"] == singleton.type


def test_variant_unstructured_by_its_own_class_keeps_its_type() -> None:
    assert conv.unstructure(SINGLETONS[0])["type"] == "CLASSIFICATION"


def test_arithmetics_response_is_chosen_by_shape() -> None:
    assert conv.structure({"id": ID}, TagArithmeticsResponse) == CreateEntityResponse(id=ID)
    assert conv.structure({"bitMaskData": "0x3"}, TagArithmeticsResponse) == TagBitMaskResponse(
        bit_mask_data=BitMask(3))


def test_sample_meta_round_trips() -> None:
    sample = SampleData(id=ID, is_thumbnail=False, thumb_name="a_thumb.webp",
                        meta=SampleMetaData(sharpness=1.0, size_in_bytes=10, snr=2.0,
                                            mean=[0.1], shape=[3, 4, 4], std=[0.2],
                                            sum_of_squares=[1.0], sum_of_values=[2.0]))
    back, wire = roundtrip(sample, SampleData)
    assert back == sample
    assert wire["meta"]["sizeInBytes"] == 10


def test_enum_members_serialize_to_their_wire_strings() -> None:
    body = conv.unstructure(InitialTagCreateRequest(img_type="full", creator=TagCreator.USER_PIP))
    assert json.dumps(body) == '{"imgType": "full", "creator": "USER_PIP"}'
