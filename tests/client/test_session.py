"""Session configuration: token and URL sources, auth, headers, transport safety, timeouts,
lifecycle, and an import that does no I/O and pulls in no server packages."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from typing import Any

import httpx
import pytest

from lightly_async import InvalidInputError, LightlySession, _http

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAGS = f"/v1/datasets/{DS}/tags"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIGHTLY_TOKEN", raising=False)
    monkeypatch.delenv("LIGHTLY_SERVER_LOCATION", raising=False)


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[])


# -- token and base URL ---------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_token_argument_is_sent_as_query_parameter_when_given(recorder: Any) -> None:
    recorder.answer(_ok)
    async with recorder.session(token="arg-token") as session:
        await session.dataset(DS).tags.list()

    request = recorder.requests[0]
    assert request.url.params.get_list("token") == ["arg-token"]
    assert "authorization" not in request.headers


@pytest.mark.asyncio
async def test_token_comes_from_environment_when_argument_is_missing(
    recorder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_TOKEN", "env-token")
    recorder.answer(_ok)
    async with LightlySession(base_url="https://api.test",
                              transport=recorder.transport()) as session:
        await session.dataset(DS).tags.list()

    assert recorder.requests[0].url.params["token"] == "env-token"


@pytest.mark.asyncio
async def test_token_argument_wins_when_environment_also_has_one(
    recorder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_TOKEN", "env-token")
    recorder.answer(_ok)
    async with recorder.session(token="arg-token") as session:
        await session.dataset(DS).tags.list()

    assert recorder.requests[0].url.params.get_list("token") == ["arg-token"]


@pytest.mark.parametrize("env_value", [None, ""])
def test_missing_token_raises_invalid_input_error_when_neither_arg_nor_env(
    monkeypatch: pytest.MonkeyPatch, env_value: str | None,
) -> None:
    if env_value is not None:
        monkeypatch.setenv("LIGHTLY_TOKEN", env_value)
    with pytest.raises(InvalidInputError, match="LIGHTLY_TOKEN") as info:
        LightlySession(base_url="https://api.test")

    assert info.value.field == "token"


@pytest.mark.asyncio
async def test_base_url_argument_is_used_when_given(recorder: Any) -> None:
    recorder.answer(_ok)
    async with recorder.session(base_url="https://eu.api.test/") as session:
        await session.dataset(DS).tags.list()

    assert session.base_url == "https://eu.api.test"
    assert str(recorder.requests[0].url).startswith(f"https://eu.api.test{TAGS}?")


@pytest.mark.asyncio
async def test_base_url_comes_from_environment_when_argument_is_missing(
    recorder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", "https://onprem.example.com/api")
    recorder.answer(_ok)
    async with LightlySession(token="t", transport=recorder.transport()) as session:
        await session.dataset(DS).tags.list()

    assert session.base_url == "https://onprem.example.com/api"
    assert recorder.requests[0].url.host == "onprem.example.com"
    assert recorder.requests[0].url.path == f"/api{TAGS}"


@pytest.mark.asyncio
async def test_base_url_defaults_to_lightly_cloud_when_unset(recorder: Any) -> None:
    recorder.answer(_ok)
    async with LightlySession(token="t", transport=recorder.transport()) as session:
        await session.dataset(DS).tags.list()

    assert session.base_url == "https://api.lightly.ai"
    assert str(recorder.requests[0].url).startswith(f"https://api.lightly.ai{TAGS}?")


# -- auth and headers ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_bearer_token_sends_authorization_header_and_no_token_param_when_used(
    recorder: Any,
) -> None:
    recorder.answer(_ok)
    async with LightlySession(bearer_token="jwt.abc.def", base_url="https://api.test",
                              transport=recorder.transport()) as session:
        await session.dataset(DS).tags.list()

    request = recorder.requests[0]
    assert request.headers["authorization"] == "Bearer jwt.abc.def"
    assert "token" not in request.url.params


@pytest.mark.asyncio
async def test_user_agent_names_library_and_version_when_sending(recorder: Any) -> None:
    recorder.answer(_ok)
    async with recorder.session() as session:
        await session.dataset(DS).tags.list()

    assert recorder.requests[0].headers["user-agent"] == f"lightly-async/{version('lightly-async')}"
    assert recorder.requests[0].headers["accept"] == "application/json"


@pytest.mark.asyncio
async def test_session_headers_and_base_url_apply_when_caller_passes_http_client(
    recorder: Any,
) -> None:
    recorder.answer(_ok)
    client = httpx.AsyncClient(transport=recorder.transport())  # no base_url, no headers
    async with client:
        session = LightlySession(bearer_token="jwt.abc.def", base_url="https://api.test",
                                 http_client=client)
        async with session:
            await session.dataset(DS).tags.list()
        assert not client.is_closed  # its owner closes it

    request = recorder.requests[0]
    assert str(request.url) == f"https://api.test{TAGS}"
    assert request.headers["authorization"] == "Bearer jwt.abc.def"
    assert request.headers["user-agent"].startswith("lightly-async/")


def test_session_refuses_transport_when_http_client_is_also_given(recorder: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        LightlySession(token="t", http_client=httpx.AsyncClient(),
                       transport=recorder.transport())

    assert info.value.field == "transport"


# -- plain http ------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://api.lightly.ai", "http://10.0.0.5:8080",
                                 "http://example.com/api"])
def test_plain_http_is_refused_when_host_is_not_loopback(url: str) -> None:
    with pytest.raises(InvalidInputError, match="allow_insecure_http") as info:
        LightlySession(token="t", base_url=url)

    assert info.value.field == "base_url"


@pytest.mark.asyncio
@pytest.mark.parametrize("url", ["http://localhost:8000", "http://127.0.0.1:9000",
                                 "http://[::1]:8080", "http://api.localhost"])
async def test_plain_http_is_allowed_when_host_is_loopback(url: str) -> None:
    async with LightlySession(token="t", base_url=url) as session:
        assert session.base_url == url


@pytest.mark.asyncio
async def test_plain_http_is_allowed_when_caller_opts_in() -> None:
    async with LightlySession(token="t", base_url="http://api.internal",
                              allow_insecure_http=True) as session:
        assert session.base_url == "http://api.internal"


# -- timeouts ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_timeouts_are_on_when_none_is_configured(recorder: Any) -> None:
    recorder.answer(_ok)
    async with recorder.session() as session:
        await session.dataset(DS).tags.list()

    assert recorder.requests[0].extensions["timeout"] == {
        "connect": 5.0, "read": 30.0, "write": 30.0, "pool": 30.0}


@pytest.mark.asyncio
@pytest.mark.parametrize(("timeout", "expected"), [
    (2.0, {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}),
    (60.0, {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}),
    (None, {"connect": None, "read": None, "write": None, "pool": None}),
    (httpx.Timeout(3.0, read=9.0), {"connect": 3.0, "read": 9.0, "write": 3.0, "pool": 3.0}),
], ids=["short", "long", "disabled", "httpx.Timeout"])
async def test_session_timeout_reaches_request_when_configured(
    recorder: Any, timeout: Any, expected: dict[str, float | None],
) -> None:
    recorder.answer(_ok)
    async with recorder.session(timeout=timeout) as session:
        await session.dataset(DS).tags.list()

    assert recorder.requests[0].extensions["timeout"] == expected


@pytest.mark.asyncio
async def test_per_call_timeout_overrides_session_default_when_passed(recorder: Any) -> None:
    recorder.answer(_ok)
    async with recorder.session(timeout=30.0) as session:
        await session._request("GET", TAGS, cast=list, timeout=1)
        await session._request("GET", TAGS, cast=list, timeout=None)
        await session._request("GET", TAGS, cast=list)

    assert [r.extensions["timeout"]["read"] for r in recorder.requests] == [1.0, None, 30.0]


@pytest.mark.asyncio
async def test_with_options_timeout_applies_to_view_only_when_derived(recorder: Any) -> None:
    recorder.answer(_ok)
    async with recorder.session() as session:
        view = session.with_options(timeout=4.0)
        await view.dataset(DS).tags.list()
        await session.dataset(DS).tags.list()

    assert [r.extensions["timeout"]["read"] for r in recorder.requests] == [4.0, 30.0]


# -- no I/O, lifecycle -----------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_dataset_handle_does_no_io_when_created_and_resources_accessed(
    recorder: Any,
) -> None:
    async with recorder.session() as session:
        ds = session.dataset(DS)
        assert ds.id == DS
        assert ds.session is session
        for resource in (ds.tags, ds.samples, ds.predictions, ds.datasource, ds.samplings):
            assert resource.dataset_id == DS
        assert ds == session.dataset(DS)
        assert session.jobs is not None
        ds.datasource.list_raw_samples(from_=1)

    assert recorder.requests == []


@pytest.mark.asyncio
async def test_async_with_closes_own_client_when_block_exits(recorder: Any) -> None:
    async with recorder.session() as session:
        client = session._client
        assert not client.is_closed
        assert not session.is_closed

    assert client.is_closed
    assert session.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await session.dataset(DS).tags.list()
    assert recorder.requests == []


@pytest.mark.asyncio
async def test_aclose_is_idempotent_when_called_twice(recorder: Any) -> None:
    session = recorder.session()
    await session.aclose()
    await session.aclose()

    assert session._client.is_closed


def test_repr_shows_base_url_and_auth_kind_when_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIGHTLY_ASYNC_TRANSPORT", raising=False)
    session = LightlySession(token="secret-token-value", base_url="https://api.test")

    assert repr(session) == (
        "<LightlySession base_url='https://api.test' api='latest' auth=token transport='auto "
        "(aiohttp on asyncio, httpx2 on trio; chosen on the first request)'>")


def test_import_pulls_in_no_server_packages_when_library_is_imported() -> None:
    code = (
        "import sys, lightly_async\n"
        "heavy = ['starlette', 'uvicorn', 'lightly_async.testing', 'respx', 'pytest', 'torch',\n"
        "         'aiohttp', 'httpx', 'httpcore', 'opentelemetry']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)

    assert result.stdout.strip() == "[]"


def test_import_defers_models_and_converter_until_first_use_when_library_is_imported() -> None:
    code = (
        "import sys, lightly_async as la\n"
        "lazy = ['cattrs', 'lightly_async.models', 'lightly_async.resources',\n"
        "        'lightly_async.bulk', 'lightly_async._convert']\n"
        "print(sorted(m for m in lazy if m in sys.modules))\n"
        "missing = [n for n in la.__all__ if getattr(la, n, None) is None]\n"
        "print(missing, la.TagData.__module__, la.models.SampleData.__name__)\n"
        "print(set(la.__all__) <= set(dir(la)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)

    assert result.stdout.splitlines() == [
        "[]", "[] lightly_async.models.tags SampleData", "True"]


def test_import_opens_no_socket_when_library_is_imported() -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise SystemExit('socket opened at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "import lightly_async, lightly_async.models, lightly_async.resources\n"
        "s = lightly_async.LightlySession(token='t', base_url='https://api.test')\n"
        "s.dataset('5f0c1c6e2a9b4c1d8e7f6a5b').tags\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_aiohttp_loads_on_first_request_when_session_runs_on_asyncio() -> None:
    code = (
        "import asyncio, sys, lightly_async as la\n"
        "async def main():\n"
        "    s = la.LightlySession(token='t', base_url='http://127.0.0.1:9')\n"
        "    print('aiohttp' in sys.modules)\n"
        "    try:\n"
        "        await s.dataset('5f0c1c6e2a9b4c1d8e7f6a5b').tags.list()\n"
        "    except la.APIConnectionError:\n"
        "        pass\n"
        "    print('aiohttp' in sys.modules, s.transport_name)\n"
        "    await s.aclose()\n"
        "asyncio.run(main())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["False", "True aiohttp"]


def test_http_module_is_the_only_library_module_importing_httpx_when_scanned() -> None:
    import pathlib

    import lightly_async

    root = pathlib.Path(lightly_async.__file__).parent
    offenders = [
        str(p.relative_to(root)) for p in root.rglob("*.py")
        if "_http" not in p.parts and "testing" not in p.parts
        and any(line.strip().startswith(("import httpx", "from httpx", "import aiohttp",
                                         "from aiohttp"))
                for line in p.read_text().splitlines())
    ]

    assert offenders == []
    assert _http.AsyncClient is httpx.AsyncClient
