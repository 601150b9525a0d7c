"""The converter: wire names, unions by `type`, tolerance of unknown keys and enum values."""

import json
from typing import Any

import cattrs
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


def test_sample_id_reads_the_2021_underscore_key_and_writes_the_newest_one() -> None:
    seed_era = conv.structure({"_id": ID}, SampleData)
    newest = conv.structure({"id": ID, "type": "IMAGE", "fileName": "a.png"}, SampleData)
    assert seed_era.id == newest.id == ID
    assert conv.unstructure(seed_era) == {"id": ID}  # the newest API's key, the default
    # both keys: the wire name wins, and the alias is not read
    assert conv.structure({"id": ID, "_id": "x" * 24}, SampleData).id == ID


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


# -- strict types, lenient shape ------------------------------------------------------------------
DETECTION = {"type": "OBJECT_DETECTION", "taskName": "det", "categoryId": 1, "score": 0.5,
             "bbox": [10.5, 20.25, 30.0, 40.75]}


@pytest.mark.parametrize("decoder", [get_converter(), make_converter(detailed=False)],
                         ids=["detailed", "fast"])
def test_float_bbox_and_int_list_rle_survive_decoding(decoder: Any) -> None:
    det = decoder.structure(DETECTION, PredictionSingleton)
    assert det.bbox == [10.5, 20.25, 30.0, 40.75]
    assert [type(v) for v in det.bbox] == [float] * 4
    seg = decoder.structure(
        {"type": "INSTANCE_SEGMENTATION", "taskName": "seg", "categoryId": 0, "score": 1,
         "segmentation": [0, 5, 3, 12]}, PredictionSingleton)
    assert seg.segmentation == [0, 5, 3, 12]
    assert type(seg.score) is int  # a JSON number sent as 1 stays the int 1


@pytest.mark.parametrize(("key", "value", "message"), [
    ("categoryId", True, "expected an integer, got boolean True @ $.categoryId"),
    ("categoryId", 1.0, "expected an integer, got number 1.0 @ $.categoryId"),
    ("score", "0.5", "expected a number, got string '0.5' @ $.score"),
    ("score", False, "expected a number, got boolean False @ $.score"),
    ("taskName", 7, "expected a string, got integer 7 @ $.taskName"),
    ("bbox", "[1, 2, 3, 4]", "expected an array, got string"),
    ("type", 3, "expected a string, got integer 3 @ $.type"),
], ids=lambda v: str(v)[:20])
def test_a_wrong_json_type_is_never_coerced(key: str, value: Any, message: str) -> None:
    from lightly_async._convert import explain_failure

    body = {**DETECTION, key: value}
    decoded, detail = explain_failure(body, PredictionSingleton)
    assert decoded is None
    assert detail is not None
    assert message in detail


def test_a_string_is_not_taken_for_a_list_of_chars() -> None:
    from lightly_async._convert import explain_failure

    _, detail = explain_failure({"_id": ID, "meta": {"sharpness": 1, "sizeInBytes": 1, "snr": 1,
                                 "mean": "abc", "shape": [1], "std": [1], "sumOfSquares": [1],
                                 "sumOfValues": [1]}}, SampleData)
    assert detail == "expected an array, got string 'abc' @ $.meta.mean"


def test_unknown_variants_become_fallbacks_but_the_strict_converter_refuses_them() -> None:
    from lightly_async.models import DatasourceConfigUnknown, PredictionSingletonUnknown

    body = {"type": "S4", "fullPath": "x", "new": [1]}
    value = conv.structure(body, DatasourceConfig)
    assert value == DatasourceConfigUnknown(type="S4", raw=body)
    assert conv.unstructure(value, unstructure_as=DatasourceConfig) is body
    singleton = conv.structure({"type": "MESH", "v": 1}, PredictionSingleton)
    assert isinstance(singleton, PredictionSingletonUnknown)
    with pytest.raises(cattrs.ClassValidationError):
        make_converter(strict=True).structure(body, DatasourceConfig)
