"""httpx2.MockTransport through ``transport=``: no patching at all."""

import httpx2
from service import DATASET, TAG

import lightly_async as la


def handler(request: httpx2.Request) -> httpx2.Response:
    if request.url.path == f"/v1/datasets/{DATASET}/tags/{TAG}":
        return httpx2.Response(200, json={
            "id": TAG, "datasetId": DATASET, "prevTagId": None, "name": "initial-tag",
            "bitMaskData": "0x3", "totSize": 2, "createdAt": 1700000000000})
    if request.url.path.endswith("/readurl"):
        return httpx2.Response(200, json="https://storage.example.com/img.jpg?sig=1")
    if request.url.host == "storage.example.com":
        return httpx2.Response(200, content=b"JPEG")
    return httpx2.Response(404, json={"code": "NOT_FOUND", "message": "unmocked"})


async def test_session_on_a_mock_transport(tmp_path):
    async with la.LightlySession(transport=httpx2.MockTransport(handler)) as session:
        ds = session.dataset(DATASET)
        assert (await ds.tags.get(TAG)).tot_size == 2
        (await ds.samples.download([TAG], tmp_path)).raise_for_failures()
    assert (tmp_path / TAG).read_bytes() == b"JPEG"
