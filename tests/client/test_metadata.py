"""``ds.metadata``: ``upload`` (lightly 1.5.20's ``upload_custom_metadata``) and
``configs.create``/``list`` (``create_custom_metadata_config``): requests and results."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lightly_async import InvalidInputError, LightlySession, NameNotFoundError
from lightly_async.models import ConfigurationEntry, ConfigurationValueDataType
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
CFG = "63d4e5f60718293a4b5c6d7e"
SAMPLES = {"a.jpg": "a" * 24, "b.jpg": "b" * 24, "c.jpg": "c" * 24}


class Api:
    """A mock API answering with ``handler``, recording every request."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self._handler = handler

    def session(self, **kwargs: Any) -> LightlySession:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self._handler(request)

        return LightlySession(token="tok", base_url="https://api.test",
                              transport=mock_transport(handle), max_retries=0, **kwargs)


def _samples_api(request: httpx.Request) -> httpx.Response:
    if request.method == "GET" and request.url.path.endswith("/samples/partial"):
        return httpx.Response(200, json=[{"id": i, "fileName": n} for n, i in SAMPLES.items()])
    if request.method == "PUT":
        return httpx.Response(200)
    return pytest.fail(f"unexpected {request.method} {request.url.path}")


COCO = {
    "images": [{"file_name": "a.jpg", "id": 0}, {"file_name": "b.jpg", "id": 1},
               {"file_name": "gone.jpg", "id": 2}],
    "metadata": [{"image_id": 0, "weather": {"scenario": "cloudy", "temperature": 20.3}},
                 {"image_id": 1, "number_of_people": 3},
                 {"image_id": 2, "number_of_people": 1}],
}


@pytest.mark.asyncio
async def test_upload_puts_each_entry_on_its_sample_and_reports_unknown_file_names() -> None:
    api = Api(_samples_api)
    async with api.session() as session:
        result = await session.dataset(DS).metadata.upload(COCO, concurrency=2)
    listing = api.requests[0]
    assert listing.url.path == f"/v1/datasets/{DS}/samples/partial"
    assert {k: v for k, v in listing.url.params.items() if k != "token"} == {
        "mode": "fileNames", "pageSize": "25000", "pageOffset": "0"}
    puts = {r.url.path.rsplit("/", 1)[-1]: json.loads(r.content)
            for r in api.requests if r.method == "PUT"}
    assert puts == {
        SAMPLES["a.jpg"]: {"customMetaData": COCO["metadata"][0]},
        SAMPLES["b.jpg"]: {"customMetaData": COCO["metadata"][1]},
    }
    assert sorted(result.succeeded) == ["a.jpg", "b.jpg"]
    assert result.results == {"a.jpg": SAMPLES["a.jpg"], "b.jpg": SAMPLES["b.jpg"]}
    assert list(result.failed) == ["gone.jpg"]
    assert isinstance(result.failed["gone.jpg"], NameNotFoundError)
    assert "gone.jpg" in str(result.failed["gone.jpg"])


@pytest.mark.asyncio
@pytest.mark.parametrize(("custom", "field"), [
    ([], "custom_metadata"),
    ({"images": []}, "custom_metadata['metadata']"),
    ({"metadata": []}, "custom_metadata['images']"),
    ({"images": [{"id": 0}], "metadata": []}, "custom_metadata['images'][0]"),
    ({"images": [{"file_name": "", "id": 0}], "metadata": []},
     "custom_metadata['images'][0]['file_name']"),
    ({"images": [{"file_name": "a.jpg", "id": 0}, {"file_name": "b.jpg", "id": 0}],
      "metadata": []}, "custom_metadata['images'][1]['id']"),
    ({"images": [{"file_name": "a.jpg", "id": 0}], "metadata": [{"image_id": 7}]},
     "custom_metadata['metadata'][0]['image_id']"),
    ({"images": [{"file_name": "a.jpg", "id": 0}], "metadata": [{"x": 1}]},
     "custom_metadata['metadata'][0]"),
    ({"images": [{"file_name": "a.jpg", "id": 0}],
      "metadata": [{"image_id": 0}, {"image_id": 0}]},
     "custom_metadata['metadata'][1]['image_id']"),
])
async def test_upload_refuses_a_malformed_dict_before_any_request(
        custom: Any, field: str) -> None:
    api = Api(lambda r: pytest.fail("no request expected"))
    async with api.session() as session:
        with pytest.raises(InvalidInputError) as caught:
            await session.dataset(DS).metadata.upload(custom)
    assert caught.value.field == field
    assert api.requests == []


@pytest.mark.asyncio
async def test_upload_refuses_the_seed_api_before_any_request() -> None:
    api = Api(lambda r: pytest.fail("no request expected"))
    async with api.session(api="seed") as session:
        with pytest.raises(InvalidInputError, match="seed"):
            await session.dataset(DS).metadata.upload({"images": [], "metadata": []})
    assert api.requests == []


def _configs_api(request: httpx.Request) -> httpx.Response:
    stored = {"id": CFG, "name": "My metadata", "createdAt": 1, "lastModifiedAt": 1,
              "configs": [{"name": "Weather", "path": "weather.scenario",
                           "defaultValue": "unknown", "valueDataType": "CATEGORICAL_STRING"}]}
    if request.method == "POST":
        return httpx.Response(201, json={"id": CFG})
    if request.url.path.endswith(CFG):
        return httpx.Response(200, json=stored)
    return httpx.Response(200, json=[stored])


@pytest.mark.asyncio
@pytest.mark.parametrize("entry", [
    {"name": "Weather", "path": "weather.scenario", "defaultValue": "unknown",
     "valueDataType": "CATEGORICAL_STRING"},
    {"name": "Weather", "path": "weather.scenario", "default_value": "unknown",
     "value_data_type": ConfigurationValueDataType.CATEGORICAL_STRING},
    ConfigurationEntry(name="Weather", path="weather.scenario", default_value="unknown",
                       value_data_type="CATEGORICAL_STRING"),
])
async def test_configs_create_posts_the_entries_and_reads_the_configuration_back(
        entry: Any) -> None:
    api = Api(_configs_api)
    async with api.session() as session:
        created = await session.dataset(DS).metadata.configs.create("My metadata", [entry])
    post, get = api.requests
    assert (post.method, post.url.path) == ("POST", f"/v1/datasets/{DS}/configuration/metadata")
    assert json.loads(post.content) == {"name": "My metadata", "configs": [
        {"name": "Weather", "path": "weather.scenario", "defaultValue": "unknown",
         "valueDataType": "CATEGORICAL_STRING"}]}
    assert get.url.path == f"/v1/datasets/{DS}/configuration/metadata/{CFG}"
    assert created.id == CFG
    assert created.configs[0].value_data_type is ConfigurationValueDataType.CATEGORICAL_STRING


@pytest.mark.asyncio
async def test_configs_list_reads_every_configuration() -> None:
    api = Api(_configs_api)
    async with api.session() as session:
        configs = await session.dataset(DS).metadata.configs.list()
    assert [c.name for c in configs] == ["My metadata"]
    assert api.requests[0].url.path == f"/v1/datasets/{DS}/configuration/metadata"


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "configs", "field"), [
    ("", [], "name"),
    ("n", {"name": "x"}, "configs"),
    ("n", [{"name": "W", "path": "w", "defaultValue": 0}], "configs[0]"),
    ("n", [{"name": "W", "path": "w", "defaultValue": 0, "valueDataType": "INT",
            "extra": 1}], "configs[0]"),
    ("n", [{"name": "W", "path": "w", "defaultValue": 0, "valueDataType": "INT"}],
     "configs[0].value_data_type"),
    ("n", [{"name": "", "path": "w", "defaultValue": 0, "valueDataType": "NUMERIC_INT"}],
     "configs[0].name"),
    ("n", ["W"], "configs[0]"),
])
async def test_configs_create_refuses_bad_entries_before_any_request(
        name: str, configs: Any, field: str) -> None:
    api = Api(lambda r: pytest.fail("no request expected"))
    async with api.session() as session:
        with pytest.raises(InvalidInputError) as caught:
            await session.dataset(DS).metadata.configs.create(name, configs)
    assert caught.value.field == field
