"""A caller's client or transport of the *httpx* family (not httpx2) keeps working.

Run by ``tests/client/test_http_httpx_family.py`` in a subprocess whose ``addopts`` leave out the
plugin that aliases httpx to httpx2: here ``import httpx`` is the real
httpx 0.28 and respx patches it. (The file name keeps it out of the aliased main run.)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import httpx
import httpx2
import pytest
import respx

from lightly_async import (
    APIConnectionError,
    DecodeError,
    LightlySession,
    NotFoundError,
    RedirectError,
    ResponseTooLargeError,
)

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAGS = f"/v1/datasets/{DS}/tags"
TOKEN = "tokFAMILYa1b2c3d4e5"
BASE = "https://api.test"

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_httpx_is_the_real_httpx_when_run_in_this_mode() -> None:
    assert httpx is not httpx2
    assert sys.modules["httpx"].__name__ == "httpx"


def _mock(handler: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_callers_httpx_client_decodes_and_maps_status_errors_when_used(
    anyio_backend: str,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json={"code": "NOT_FOUND", "message": "no tag"})
        return httpx.Response(200, json=[])

    async with _mock(handler) as client:
        session = LightlySession(token=TOKEN, base_url=BASE, http_client=client,
                                 timeout=httpx.Timeout(3.0))
        assert await session.dataset(DS).tags.list() == []
        with pytest.raises(NotFoundError, match="no tag"):
            await session._request("GET", f"{TAGS}/missing")
        assert session.transport_name == "caller's httpx.AsyncClient"
    assert seen[0].url.params["token"] == TOKEN
    assert seen[0].extensions["timeout"]["read"] == 3.0


@pytest.mark.parametrize(("raised", "maybe_sent"), [
    (httpx.ConnectError("refused"), False),
    (httpx.ReadError("reset"), True),
    (httpx.ReadTimeout("slow"), True),
    (httpx.ConnectTimeout("slow"), False),
])
async def test_callers_httpx_errors_map_to_ours_when_its_transport_fails(
    anyio_backend: str, raised: Exception, maybe_sent: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    async with _mock(handler) as client:
        session = LightlySession(token=TOKEN, base_url=BASE, http_client=client, max_retries=0)
        with pytest.raises(APIConnectionError) as caught:
            await session.dataset(DS).tags.create_initial()
    assert caught.value.may_have_been_sent is maybe_sent
    assert TOKEN not in str(caught.value)


async def test_callers_httpx_transport_gets_an_httpx_client_when_passed(
    anyio_backend: str,
) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    async with LightlySession(token=TOKEN, base_url=BASE, transport=transport) as session:
        assert await session.dataset(DS).tags.list() == []
        assert isinstance(session._client, httpx.AsyncClient)


async def test_respx_intercepts_when_the_caller_passes_an_httpx_client(anyio_backend: str) -> None:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        route = router.get(TAGS).respond(200, json=[])
        async with httpx.AsyncClient() as client:
            session = LightlySession(token=TOKEN, base_url=BASE, http_client=client)
            assert await session.dataset(DS).tags.list() == []
    assert route.call_count == 1


async def test_callers_httpx_client_answer_is_capped_when_too_large(anyio_backend: str) -> None:
    async with _mock(lambda request: httpx.Response(200, content=b"[" + b" " * 5000 + b"]")) as c:
        session = LightlySession(token=TOKEN, base_url=BASE, http_client=c,
                                 max_response_size=1000)
        with pytest.raises(ResponseTooLargeError):
            await session.dataset(DS).tags.list()


async def test_callers_httpx_client_body_that_does_not_decompress_is_a_decode_error(
    anyio_backend: str,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"\x1f\x8b not gzip",
                              headers={"Content-Encoding": "gzip"})

    async with _mock(handler) as client:
        session = LightlySession(token=TOKEN, base_url=BASE, http_client=client, max_retries=0)
        with pytest.raises(DecodeError, match="does not decompress") as caught:
            await session.dataset(DS).tags.list()
    assert TOKEN not in str(caught.value)


@asynccontextmanager
async def _server(status: int, headers: str = "") -> AsyncIterator[tuple[str, list[bytes]]]:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    heads: list[bytes] = []

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            data = b""
            while b"\r\n\r\n" not in data:
                data += await stream.receive()
            heads.append(data)
            body = b"[]" if status == 200 else b""
            await stream.send(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{headers}"
                              "Connection: close\r\n\r\n".encode() + body)

    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield f"http://127.0.0.1:{port}", heads
        finally:
            tg.cancel_scope.cancel()
    await listener.aclose()


async def test_token_never_reaches_redirect_target_when_httpx_client_follows_redirects(
    anyio_backend: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    with anyio.fail_after(20):
        async with _server(200) as (target, target_heads):
            location = f"Location: {target}{TAGS}?token={TOKEN}\r\n"
            async with _server(302, location) as (url, heads), httpx.AsyncClient(
                follow_redirects=True
            ) as client:
                session = LightlySession(token=TOKEN, base_url=url, http_client=client)
                with pytest.raises(RedirectError) as caught:
                    await session.dataset(DS).tags.list()
    assert target_heads == []
    assert len(heads) == 1
    assert caught.value.location == f"{target}{TAGS}"
    # httpx's own INFO line was written, through our redacting filter.
    assert any(r.name == "httpx" for r in caplog.records)
    assert TOKEN not in caplog.text


async def test_respx_on_httpx_refuses_a_default_session_call_before_connecting(
    anyio_backend: str,
) -> None:
    from lightly_async import MockNotSeenError

    with respx.mock:
        route = respx.get(url__regex=r".*").respond(json=[])
        async with LightlySession(token=TOKEN, base_url=BASE) as session:
            with pytest.raises(MockNotSeenError, match="httpx2_mock") as caught:
                await session.dataset(DS).tags.list()
    assert not route.called
    assert TOKEN not in str(caught.value)


async def test_respx_on_httpx_leaves_a_session_on_a_loopback_server_alone(
    anyio_backend: str,
) -> None:
    from lightly_async.testing import FakeLightly

    fake = FakeLightly()
    dataset_id = fake.create_dataset("d", ["a.jpg"])
    with respx.mock(assert_all_called=False):  # mocks some other client of the service
        async with fake.serve() as base_url, LightlySession(
                token=fake.token, base_url=base_url) as session:
            assert await session.dataset(dataset_id).tags.list() == []
    assert [call.path for call in fake.calls] == [f"/v1/datasets/{dataset_id}/tags"]
