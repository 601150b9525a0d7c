"""The official client (``lightly==1.5.20``: ``lightly.api`` on its generated swagger client).

Everything here goes through the code paths ``ApiWorkflowClient`` itself uses: its
``LightlySwaggerApiClient`` (urllib3 pool, pydantic models) and the generated ``*Api``
classes, pointed at the fake through ``LIGHTLY_SERVER_LOCATION``.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

os.environ["LIGHTLY_DID_VERSION_CHECK"] = "True"  # no version check over the network

VERSION = "1.5.20"


def workflow_client(base_url: str, token: str, dataset_id: str) -> Any:
    """An ``ApiWorkflowClient`` talking to ``base_url``."""
    os.environ["LIGHTLY_SERVER_LOCATION"] = base_url
    from lightly.api import ApiWorkflowClient

    # Its constructor asks the server for the minimum compatible version; the fake answers
    # 404, which the client ignores by design.
    return ApiWorkflowClient(token=token, dataset_id=dataset_id)


def object_detection(score: float, bbox: list[int]) -> Any:
    """One object-detection singleton as the official models build it."""
    from lightly.openapi_generated.swagger_client.models import (
        PredictionSingleton,
        PredictionSingletonObjectDetection,
    )

    return PredictionSingleton(PredictionSingletonObjectDetection(
        type="OBJECT_DETECTION", task_name="vehicles", category_id=1, score=score, bbox=bbox))


def upsert_prediction(client: Any, sample_id: str, singletons: list[Any], ts: int) -> None:
    client._predictions_api.create_or_update_prediction_by_sample_id(
        prediction_singleton=singletons, dataset_id=client.dataset_id, sample_id=sample_id,
        prediction_uuid_timestamp=ts)


def get_tag(client: Any, tag_id: str) -> Any:
    return client._tags_api.get_tag_by_tag_id(dataset_id=client.dataset_id, tag_id=tag_id)


def raw_page(client: Any) -> Any:
    """The first page of the dataset's raw-file listing, through the generated API."""
    page = client._datasources_api.get_list_of_raw_samples_from_datasource_by_dataset_id(
        dataset_id=client.dataset_id, var_from=0)
    assert page.data
    return page


def deserializer() -> Any:
    """``body -> DatasourceRawSamplesData`` exactly as the official ``ApiClient`` decodes."""
    from lightly.openapi_generated.swagger_client.api_client import ApiClient

    api_client = ApiClient()

    def decode(body: bytes) -> Any:
        return api_client.deserialize(SimpleNamespace(data=body), "DatasourceRawSamplesData")

    return decode


def bitmask_class() -> Any:
    from lightly.api.bitmask import BitMask

    return BitMask
