"""pytest-httpx2's ``httpx2_mock`` fixture: nothing else to set up."""

import re

from service import DATASET, TAG, tag_size_image_and_upload

API = "https://api.lightly.ai"
SIGNED = "https://storage.example.com/img.jpg?X-Amz-Signature=secret"


async def test_service_reads_a_tag_and_moves_images(httpx2_mock, tmp_path):
    httpx2_mock.get(url__startswith=f"{API}/v1/datasets/{DATASET}/tags/{TAG}").respond(json={
        "id": TAG, "datasetId": DATASET, "prevTagId": None, "name": "initial-tag",
        "bitMaskData": "0x3", "totSize": 2, "createdAt": 1700000000000})
    httpx2_mock.get(url__regex=re.escape(API) + r"/.*/readurl").respond(json=SIGNED)
    httpx2_mock.get(url__regex=re.escape(API) + r"/.*/writeurl").respond(
        json="https://storage.example.com/up/a.jpg?sig=1")  # the newest API: a bare URL
    image = httpx2_mock.get("https://storage.example.com/img.jpg").respond(content=b"JPEG")
    upload = httpx2_mock.put("https://storage.example.com/up/a.jpg").respond(200)

    assert await tag_size_image_and_upload(tmp_path) == (2, b"JPEG")
    assert image.called
    assert upload.called
    assert upload.calls.last.request.content == b"new image"
