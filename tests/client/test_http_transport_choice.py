"""Which pool runs under httpx2: aiohttp's (the default on asyncio) or httpx2's own.

The rule: a session's own client runs on our aiohttp transport when aiohttp is importable
(a core dependency), ``LIGHTLY_ASYNC_TRANSPORT`` does not pin ``httpx2`` and the first request
is made on asyncio; otherwise (trio, pinned, no loop) httpx2's pool. A caller's
``transport=`` or ``http_client=`` is never replaced. aiohttp's errors are mapped to the
httpx2 errors that keep "was the request sent?" right, because the retry logic replays on
that answer. (In this suite ``httpx`` is httpx2, aliased by tests/conftest.py.)
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lightly_async import _http
from lightly_async._http import choice
from lightly_async._session import LightlySession
from lightly_async.errors import APIConnectionError, APITimeoutError
from lightly_async.testing import FakeLightly

BASE_URL = "https://api.test"


@pytest.fixture
def with_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp available and nothing pinned: the default install."""
    monkeypatch.setattr(choice, "aiohttp_installed", lambda: True)
    monkeypatch.delenv(_http.TRANSPORT_ENV, raising=False)


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "aiohttp_installed", lambda: False)
    monkeypatch.delenv(_http.TRANSPORT_ENV, raising=False)


def _transport(session: LightlySession) -> Any:
    return session._client._transport


def _aiohttp_chosen(transport: Any) -> bool:
    return isinstance(transport, _http.AiohttpTransport)


# -- what build_client wires in ---------------------------------------------------------------
@pytest.mark.usefixtures("without_extra")
@pytest.mark.asyncio
async def test_session_uses_httpx2_pool_when_aiohttp_is_missing() -> None:
    session = LightlySession(token="t", base_url=BASE_URL)
    assert type(_transport(session)) is httpx.AsyncHTTPTransport
    assert session.transport_name == "httpx2"


@pytest.mark.usefixtures("with_extra")
def test_session_defers_choice_to_first_request_when_aiohttp_is_installed() -> None:
    session = LightlySession(token="t", base_url=BASE_URL)
    transport = _transport(session)
    assert isinstance(transport, _http.AutoTransport)
    assert transport.chosen is None
    assert "chosen on the first request" in repr(session)


@pytest.mark.usefixtures("with_extra")
@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["httpx2", "HTTPX2", " httpx2 ", "httpx"])
async def test_session_keeps_httpx2_pool_when_env_pins_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(_http.TRANSPORT_ENV, value)
    assert type(_http.choose_transport()) is httpx.AsyncHTTPTransport
    session = LightlySession(token="t", base_url=BASE_URL)
    assert type(_transport(session)) is httpx.AsyncHTTPTransport


@pytest.mark.usefixtures("with_extra")
def test_session_uses_injected_transport_as_is_when_aiohttp_is_installed() -> None:
    injected = httpx.MockTransport(lambda request: httpx.Response(200))
    session = LightlySession(token="t", base_url=BASE_URL, transport=injected)
    assert _transport(session) is injected
    assert "transport='httpx2.MockTransport'" in repr(session)


@pytest.mark.usefixtures("with_extra")
@pytest.mark.asyncio
async def test_session_leaves_injected_http_client_alone_when_aiohttp_is_installed() -> None:
    async with httpx.AsyncClient() as client:
        before = client._transport
        session = LightlySession(token="t", base_url=BASE_URL, http_client=client)
        assert session._client is client
        assert client._transport is before
        assert "caller's httpx2.AsyncClient" in repr(session)


# -- the choice on the first request ------------------------------------------------------------
@pytest.mark.usefixtures("with_extra")
def test_choice_is_httpx_pool_when_no_event_loop_runs() -> None:
    assert type(_http.choose_transport()) is httpx.AsyncHTTPTransport


@pytest.mark.usefixtures("with_extra")
@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_choice_is_httpx_pool_when_running_under_trio(anyio_backend: str) -> None:
    assert type(_http.choose_transport()) is httpx.AsyncHTTPTransport


@pytest.mark.usefixtures("without_extra")
@pytest.mark.asyncio
async def test_choice_is_httpx_pool_on_asyncio_when_aiohttp_is_missing() -> None:
    assert type(_http.choose_transport()) is httpx.AsyncHTTPTransport


@pytest.mark.asyncio
async def test_choice_is_aiohttp_pool_on_asyncio_when_aiohttp_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(_http.TRANSPORT_ENV, raising=False)
    transport = _http.choose_transport()
    try:
        assert _aiohttp_chosen(transport)
    finally:
        await transport.aclose()


@pytest.mark.asyncio
async def test_auto_transport_chooses_once_and_closes_its_choice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[_Closing] = []

    def choose(limits: httpx.Limits, network: Any = None) -> httpx.AsyncBaseTransport:
        made.append(_Closing())
        return made[-1]

    monkeypatch.setattr(choice, "choose_transport", choose)
    auto = _http.AutoTransport()
    async with httpx.AsyncClient(transport=auto, base_url=BASE_URL) as client:
        assert (await client.get("/a")).status_code == 204
        assert (await client.get("/b")).status_code == 204
    assert len(made) == 1
    assert auto.chosen is made[0]
    assert made[0].closed


class _Closing(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(204)

    async def aclose(self) -> None:
        self.closed = True


# -- aiohttp errors, mapped by meaning ------------------------------------------------------------
def _aiohttp_cases() -> list[Any]:
    try:
        import aiohttp
        from aiohttp.client_reqrep import ConnectionKey
    except ImportError:
        return []
    key = ConnectionKey("h", 443, True, True, None, None, None)
    return [
        pytest.param(aiohttp.ServerDisconnectedError(), httpx.ReadError, id="disconnected"),
        pytest.param(aiohttp.ClientOSError(104, "reset"), httpx.ReadError, id="reset"),
        pytest.param(aiohttp.ClientPayloadError("cut"), httpx.ReadError, id="payload"),
        pytest.param(aiohttp.ClientConnectorError(key, OSError(111, "refused")),
                     httpx.ConnectError, id="refused"),
        pytest.param(aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout, id="connect-timeout"),
        pytest.param(aiohttp.SocketTimeoutError(), httpx.ReadTimeout, id="read-timeout"),
        pytest.param(TimeoutError(), httpx.ReadTimeout, id="bare-timeout"),
    ]


@pytest.mark.parametrize(("raised", "expected"), _aiohttp_cases())
def test_aiohttp_error_maps_to_httpx2_error_of_same_meaning_when_raised(
    raised: BaseException, expected: type[httpx.TransportError]
) -> None:
    import aiohttp

    assert type(_http.aiohttp_error(aiohttp, raised)) is expected


# -- over loopback, on aiohttp's pool -------------------------------------------------------------
@pytest.mark.asyncio
async def test_dropped_answer_counts_as_maybe_sent_when_on_aiohttp_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(_http.TRANSPORT_ENV, raising=False)
    fake = FakeLightly()
    dataset_id = fake.create_dataset("d", ["a.jpg"])
    fake.faults.add(method="POST", path="*/tags/initial", drop=True)
    async with fake.serve() as base_url, LightlySession(
        token=fake.token, base_url=base_url, max_retries=3
    ) as session:
        ds = session.dataset(dataset_id)
        assert len(await ds.tags.list()) == 0
        assert _aiohttp_chosen(_transport(session).chosen)
        assert session.transport_name == "aiohttp"
        with pytest.raises(APIConnectionError) as caught:
            await ds.tags.create_initial()
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.may_have_been_sent
    posts = [c for c in fake.calls if c.method == "POST"]
    assert len(posts) == 1  # a plain POST that may have been sent is never replayed


# -- a test's httpx2 mock sees a default session's requests; production is unchanged -----------
@pytest.mark.asyncio
@pytest.mark.parametrize("using", ["httpcore", "httpx"])
async def test_respx_mock_answers_default_session_and_aiohttp_returns_after_it(
    monkeypatch: pytest.MonkeyPatch, using: str
) -> None:
    import respx

    monkeypatch.delenv(_http.TRANSPORT_ENV, raising=False)
    fake = FakeLightly()
    dataset_id = fake.create_dataset("d", ["a.jpg"])
    async with fake.serve() as base_url, LightlySession(
        token=fake.token, base_url=base_url
    ) as session:
        tags = session.dataset(dataset_id).tags
        assert await tags.list() == []
        assert session._pipeline.channel.direct  # aiohttp's pool, straight
        assert not _http.mock_active()
        served = len(fake.calls)
        with respx.mock(using=using) as mock:
            route = mock.get(url__startswith=f"{base_url}/v1/datasets/{dataset_id}/tags").respond(
                json=[{"id": "5f0c1c6e2a9b4c1d8e7f6a5c", "datasetId": dataset_id,
                       "prevTagId": None, "name": "mocked", "bitMaskData": "0x1",
                       "totSize": 1, "createdAt": 1}])
            assert _http.mock_active()
            assert [t.name for t in await tags.list()] == ["mocked"]
            assert route.call_count == 1
        assert len(fake.calls) == served  # the mock answered: nothing reached the server
        assert not _http.mock_active()
        assert await tags.list() == []
        assert len(fake.calls) == served + 1
        assert _aiohttp_chosen(session._client._transport.chosen)


@pytest.mark.asyncio
async def test_a_wrapped_httpx2_transport_sees_the_default_sessions_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An instrumentation that wraps httpx2's transport (keeping its name) sees every call."""
    import functools

    monkeypatch.delenv(_http.TRANSPORT_ENV, raising=False)
    monkeypatch.setattr(choice, "_ORIGINALS", {})  # as if first seen now, already wrapped
    original = httpx.AsyncHTTPTransport.handle_async_request
    seen: list[str] = []

    @functools.wraps(original)
    async def traced(self: Any, request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", traced)
    fake = FakeLightly()
    dataset_id = fake.create_dataset("d", ["a.jpg"])
    async with fake.serve() as base_url, LightlySession(
        token=fake.token, base_url=base_url
    ) as session:
        assert await session.dataset(dataset_id).tags.list() == []
    assert seen == [f"/v1/datasets/{dataset_id}/tags"]
