"""lightly_async.models.from_wire / to_wire: the client's own JSON conversion, in public."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import lightly_async as la
from lightly_async import models
from lightly_async.bitmask import BitMask
from lightly_async.models import from_wire, to_wire

DATASET = "5f0c1c6e2a9b4c1d8e7f6a5b"
SAMPLE = "5f0c1c6e2a9b4c1d8e7f6a5c"
TAG_JSON = {"id": "5f0c1c6e2a9b4c1d8e7f6a51", "datasetId": DATASET, "prevTagId": None,
            "name": "initial-tag", "bitMaskData": "0xb", "totSize": 4,
            "createdAt": 1700000000000}


def test_from_wire_builds_the_model_the_client_decodes() -> None:
    tag = from_wire(models.TagData, TAG_JSON)
    assert isinstance(tag, models.TagData)
    assert tag.bit_mask_data == BitMask(0b1011)
    assert tag.dataset_id == DATASET
    assert to_wire(tag) == TAG_JSON


def test_from_wire_takes_json_text_as_bytes() -> None:
    tags = from_wire(list[models.TagData], json.dumps([TAG_JSON]).encode())
    assert [t.name for t in tags] == ["initial-tag"]
    with pytest.raises(la.DecodeError, match="not JSON"):
        from_wire(models.TagData, b"{nope")
    with pytest.raises(la.DecodeError, match="NaN is not a JSON number"):
        from_wire(models.TagData, b'{"totSize": NaN}')


def test_from_wire_is_exact_or_a_decode_error_naming_the_path() -> None:
    with pytest.raises(la.DecodeError) as info:
        from_wire(models.TagData, {**TAG_JSON, "totSize": "4"})
    assert "$.totSize" in str(info.value)
    assert "TagData" in str(info.value)
    with pytest.raises(la.DecodeError, match=r"\$\.bitMaskData"):
        from_wire(models.TagData, {**TAG_JSON, "bitMaskData": "11"})
    with pytest.raises(la.DecodeError):
        from_wire(list[models.TagData], [TAG_JSON, 3])


def test_unknown_keys_are_ignored_unless_strict() -> None:
    extra = {**TAG_JSON, "somethingNew": 1}
    assert from_wire(models.TagData, extra) == from_wire(models.TagData, TAG_JSON)
    with pytest.raises(la.DecodeError, match="somethingNew"):
        from_wire(models.TagData, extra, strict=True)


def test_an_unknown_union_type_round_trips_as_it_came() -> None:
    raw = {"type": "FUTURE_TASK", "taskName": "t", "cropDatasetId": None, "score": 0.5}
    (singleton,) = from_wire(list[models.PredictionSingleton], [raw])
    assert isinstance(singleton, models.PredictionSingletonUnknown)
    assert to_wire([singleton], as_type=list[models.PredictionSingleton]) == [raw]
    with pytest.raises(la.DecodeError):
        from_wire(list[models.PredictionSingleton], [raw], strict=True)


def test_to_wire_is_the_body_the_client_sends() -> None:
    sent: list[Any] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"id": "5f0c1c6e2a9b4c1d8e7f6a5d"})

    singletons = [
        models.PredictionSingletonObjectDetection(
            task_name="boxes", category_id=1, score=0.75, bbox=[1, 2, 3, 4]),
        models.PredictionSingletonClassification(
            task_name="kinds", category_id=0, score=0.5, probabilities=[0.5, 0.5]),
    ]
    import anyio

    async def main() -> None:
        async with la.LightlySession("t0ken-0123456789", base_url="https://api.test",
                                     transport=httpx.MockTransport(answer)) as session:
            await session.dataset(DATASET).predictions.upsert(
                SAMPLE, singletons, prediction_uuid_timestamp=1)

    anyio.run(main)
    assert sent == [to_wire(singletons, as_type=list[models.PredictionSingleton])]
    assert sent[0][0]["bbox"] == [1, 2, 3, 4]
    assert "cropDatasetId" not in sent[0][0]  # unset optional fields are omitted
    back = from_wire(list[models.PredictionSingleton], sent[0])
    assert back == singletons


def test_every_exported_helper_is_named_in_all() -> None:
    assert {"from_wire", "to_wire"} <= set(models.__all__)
