"""respx, as its own docs show, once ``import httpx`` is httpx2 (see pytest.ini)."""

import re

import httpx
import respx
from service import DATASET, TAG, tag_size_image_and_upload

API = "https://api.lightly.ai"


def _routes(mock):
    mock.get(url__startswith=f"{API}/v1/datasets/{DATASET}/tags/{TAG}").respond(json={
        "id": TAG, "datasetId": DATASET, "prevTagId": None, "name": "initial-tag",
        "bitMaskData": "0x3", "totSize": 2, "createdAt": 1700000000000})
    mock.get(url__regex=re.escape(API) + r"/.*/readurl").respond(
        json="https://storage.example.com/img.jpg?X-Amz-Signature=secret")
    mock.get(url__regex=re.escape(API) + r"/.*/writeurl").respond(
        json="https://storage.example.com/up/a.jpg?sig=1")  # the newest API: a bare URL
    mock.get("https://storage.example.com/img.jpg").respond(content=b"JPEG")
    return mock.put("https://storage.example.com/up/a.jpg").mock(httpx.Response(200))


async def test_with_the_respx_mock_fixture(respx_mock, tmp_path):
    upload = _routes(respx_mock)
    assert await tag_size_image_and_upload(tmp_path) == (2, b"JPEG")
    assert upload.calls.last.request.content == b"new image"


@respx.mock
async def test_with_the_respx_mock_decorator(tmp_path):
    upload = _routes(respx)
    assert await tag_size_image_and_upload(tmp_path) == (2, b"JPEG")
    assert upload.called
