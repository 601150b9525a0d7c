"""A tiny starlette/uvicorn app on 127.0.0.1 for the transport comparison (own process).

``python benchmarks/_echo_server.py`` prints ``{"base_url": "http://127.0.0.1:<port>"}``
on its first line and serves until stdin closes. It does almost no work per request, so
the client is what is measured. It answers two of the API's paths, so a ``LightlySession``
can be measured against it too: ``POST .../predictions/samples/{sampleId}`` waits 20 ms
(query ``ms=`` to change) and answers ``{"id": ...}``; ``GET .../tags/{tagId}`` answers a
tag at once.
"""

from __future__ import annotations

import asyncio
import json

from _common import serve_until_stdin_closes
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TAG = json.dumps({
    "id": "5f0c1c6e2a9b4c1d8e7f6a5b", "datasetId": "5f0c1c6e2a9b4c1d8e7f6a5c",
    "prevTagId": None, "name": "initial-tag", "bitMaskData": "0x" + "f" * 64,
    "totSize": 256, "createdAt": 1700000000000, "changes": {},
}).encode()
PREDICTION = "/v1/datasets/{datasetId}/predictions/samples/{sampleId}"
TAG_PATH = "/v1/datasets/{datasetId}/tags/{tagId}"


async def slow(request: Request) -> Response:
    await request.body()
    await asyncio.sleep(int(request.query_params.get("ms", "20")) / 1000)
    return Response(b'{"id":"5f0c1c6e2a9b4c1d8e7f6a5b"}', media_type="application/json")


async def tag(request: Request) -> Response:
    return Response(TAG, media_type="application/json")


app = Starlette(routes=[Route(PREDICTION, slow, methods=["POST"]), Route(TAG_PATH, tag)])


def main() -> None:
    serve_until_stdin_closes(app, {})


if __name__ == "__main__":
    main()
