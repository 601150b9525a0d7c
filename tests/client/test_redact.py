"""The token (or bearer JWT) never shows: not in logs at DEBUG, not in any exception, chain,
traceback or repr. Calls run through the real httpx/httpcore stack against a loopback socket
wherever possible, so their own log lines are checked too."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import httpx
import pytest

from lightly_async import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    DecodeError,
    LightlySession,
    RetryPolicy,
    _http,
    _redact,
)
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAGS = f"/v1/datasets/{DS}/tags"
TOKEN = "tokSECRETa1b2c3d4e5f6"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTRUNSRVQifQ.SECRETsig-_x"
SECRETS = (TOKEN, BEARER, "SECRET")


@pytest.fixture(autouse=True)
def _httpx2_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx2's own pool: these checks read the debug records of its loggers (httpx, httpcore)."""
    monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx2")


def _http_response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    head = (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


@asynccontextmanager
async def loopback(answer: Callable[[bytes], bytes | None]) -> AsyncIterator[str]:
    """A tiny HTTP/1.1 server on 127.0.0.1: ``answer(request_head)`` gives the raw reply
    (``None``: never reply)."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    data += await stream.receive()
                head, _, body = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += await stream.receive()
                reply = answer(head)
                if reply is None:
                    await anyio.sleep_forever()
                else:
                    await stream.send(reply)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                pass

    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            tg.cancel_scope.cancel()
    await listener.aclose()


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "lightly_async"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _assert_clean_text(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret leaked in {where}: {text[:500]}"


def _assert_clean_error(exc: BaseException) -> None:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        _assert_clean_text(str(current), "str(exception)")
        _assert_clean_text(repr(current), "repr(exception)")
        _assert_clean_text(repr(current.args), "exception args")
        if isinstance(current, APIError):
            _assert_clean_text(f"{current.url} {current.message}", "error attributes")
        current = current.__cause__ or current.__context__
    _assert_clean_text("".join(traceback.format_exception(exc)), "traceback")


def _assert_records_seen(caplog: pytest.LogCaptureFixture, logger: str) -> None:
    # Proves the check above looked at real log output, not an empty capture.
    assert any(r.name.startswith(logger) for r in caplog.records), logger


SUCCESS = _http_response(200, b"[]")
# Error bodies that echo the secret back ("{secret}" is the session's token or JWT).
ERROR_BODIES: list[tuple[int, str, str]] = [
    (400, json.dumps({"code": "BAD_REQUEST",
                      "message": f"bad request GET {TAGS}?token={{secret}}"}), "json"),
    (401, json.dumps({"code": "UNAUTHORIZED", "error": "credential {secret} is invalid",
                      "requestId": "r1"}), "json"),
    (403, f"<html>forbidden: {TAGS}?token={{secret}}</html>", "html"),
    (404, "", "empty"),
    (409, json.dumps({"code": "TAG_NAME_EXISTS", "message": "exists"}), "json"),
    (422, json.dumps({"code": "X", "message": "url was /x?a=1&token={secret}"}), "json"),
    (429, json.dumps({"code": "X", "message": "slow down, Bearer {secret}"}), "json"),
    (500, "Internal error for token={secret}", "text"),
    (502, "x" * 190 + " {secret}", "text"),  # the secret straddles the 200-char cut
    (503, json.dumps({"code": "X", "message": "unavailable"}), "json"),
]


def _secret_of(session: LightlySession) -> str:
    return TOKEN if session._token else BEARER


def _token_session(base_url: str, **kwargs: Any) -> LightlySession:
    return LightlySession(token=TOKEN, base_url=base_url, **kwargs)


def _bearer_session(base_url: str, **kwargs: Any) -> LightlySession:
    return LightlySession(bearer_token=BEARER, base_url=base_url, **kwargs)


SESSIONS = pytest.mark.parametrize("make_session", [_token_session, _bearer_session],
                                   ids=["token", "bearer"])


@pytest.mark.asyncio
@SESSIONS
async def test_secret_is_absent_from_debug_logs_when_calls_succeed(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
) -> None:
    async with loopback(lambda head: SUCCESS) as url, make_session(url) as session:
        assert await session.dataset(DS).tags.list() == []
        assert await session.dataset(DS).tags.list() == []
        _assert_clean_text(repr(session), "repr(session)")

    _assert_records_seen(debug_logs, "httpx")
    _assert_records_seen(debug_logs, "lightly_async")
    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
@SESSIONS
@pytest.mark.parametrize(("status", "body", "kind"), ERROR_BODIES,
                         ids=[f"{s}-{k}" for s, _, k in ERROR_BODIES])
async def test_secret_is_absent_from_logs_and_errors_when_server_answers_error(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
    status: int, body: str, kind: str,
) -> None:
    content_type = "application/json" if kind == "json" else "text/html"

    async def no_wait(seconds: float) -> None:
        return None

    session = make_session("http://127.0.0.1", retry=RetryPolicy(max_retries=1, sleep=no_wait))
    await session.aclose()
    reply = _http_response(status, body.replace("{secret}", _secret_of(session)).encode(),
                           content_type)
    async with loopback(lambda head: reply) as url:
        session = make_session(url, retry=RetryPolicy(max_retries=1, sleep=no_wait))
        async with session:
            with pytest.raises(APIStatusError) as info:
                await session.dataset(DS).tags.list()

    assert info.value.status_code == status
    _assert_clean_error(info.value)
    _assert_records_seen(debug_logs, "httpx")
    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
@SESSIONS
async def test_secret_is_absent_when_body_does_not_decode(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
) -> None:
    replies = iter([
        _http_response(200, json.dumps([{"id": f"token={TOKEN}"}]).encode()),
        _http_response(200, f"not json ?token={TOKEN}".encode(), "text/plain"),
    ])
    async with loopback(lambda head: next(replies)) as url, make_session(url) as session:
        for _ in range(2):
            with pytest.raises(DecodeError) as info:
                await session.dataset(DS).tags.list()
            _assert_clean_error(info.value)

    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
@SESSIONS
async def test_secret_is_absent_when_connection_is_refused(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
) -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()  # nothing listens there any more

    async def no_wait(seconds: float) -> None:
        return None

    async with make_session(f"http://127.0.0.1:{port}",
                            retry=RetryPolicy(max_retries=1, sleep=no_wait)) as session:
        with pytest.raises(APIConnectionError) as info:
            await session.dataset(DS).tags.list()

    assert info.value.may_have_been_sent is False
    _assert_clean_error(info.value)
    _assert_records_seen(debug_logs, "lightly_async")  # the retry line
    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
@SESSIONS
async def test_secret_is_absent_when_read_times_out(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
) -> None:
    async with loopback(lambda head: None) as url:
        session = make_session(url, timeout=0.05, max_retries=0)
        async with session:
            with pytest.raises(APITimeoutError) as info:
                await session.dataset(DS).tags.list()

    _assert_clean_error(info.value)
    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
@SESSIONS
async def test_secret_is_absent_when_deadline_expires(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
) -> None:
    async with loopback(lambda head: None) as url, make_session(url, deadline=0.05) as session:
        with pytest.raises(APITimeoutError, match="deadline") as info:
            await session.dataset(DS).tags.list()

    _assert_clean_error(info.value)
    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
@SESSIONS
@pytest.mark.parametrize("error", [
    httpx.ConnectError(f"cannot reach https://api.test{TAGS}?token={TOKEN}"),
    httpx.ReadError(f"reset while reading https://api.test{TAGS}?limit=1&token={TOKEN}"),
    httpx.ReadTimeout(f"timed out on https://api.test{TAGS}?token={TOKEN}"),
    httpx.RemoteProtocolError(f"bad reply; Authorization: Bearer {BEARER}"),
], ids=["ConnectError", "ReadError", "ReadTimeout", "RemoteProtocolError"])
async def test_secret_is_absent_when_transport_error_message_contains_it(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
    error: Exception,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async with make_session("https://api.test", transport=mock_transport(fail),
                            max_retries=0) as session:
        with pytest.raises(APIConnectionError) as info:
            await session.dataset(DS).tags.list()

    _assert_clean_error(info.value)
    _assert_clean_text(debug_logs.text, "logs")


@pytest.mark.asyncio
async def test_secret_is_absent_from_httpx_log_when_caller_passes_own_client(
    debug_logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Start as if no session had ever built its own client in this process.
    for name in ("httpx", "httpx2"):  # the caller's client logs under its own family's name
        monkeypatch.setattr(logging.getLogger(name), "filters", [])
    async with loopback(lambda head: SUCCESS) as url, httpx.AsyncClient() as client:
        session = LightlySession(token=TOKEN, base_url=url, http_client=client)
        async with session:
            await session.dataset(DS).tags.list()

    assert any(r.name in ("httpx", "httpx2") for r in debug_logs.records)
    _assert_clean_text(debug_logs.text, "logs")


def test_log_filter_redacts_httpx_record_when_message_has_token(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    _http.install_log_redaction()
    logging.getLogger("httpx").info('HTTP Request: %s %s "%s"', "GET",
                                    f"https://api.test{TAGS}?token={TOKEN}", "HTTP/1.1 200 OK")

    assert f"https://api.test{TAGS}?token=[REDACTED]" in debug_logs.text
    _assert_clean_text(debug_logs.text, "logs")


# -- _http.redact ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("https://a.test/x?token=abc", "https://a.test/x?token=[REDACTED]"),
    ("https://a.test/x?token=abc&mode=1", "https://a.test/x?token=[REDACTED]&mode=1"),
    ("https://a.test/x?to=1&token=abc#frag", "https://a.test/x?to=1&token=[REDACTED]#frag"),
    ("https://a.test/x?from=1;token=abc", "https://a.test/x?from=1;token=[REDACTED]"),
    ("token=abc", "token=[REDACTED]"),
    ("TOKEN=abc in text", "TOKEN=[REDACTED] in text"),
    ("https://a.test/x?token=ab%2Fcd+e", "https://a.test/x?token=[REDACTED]"),
    ("GET https://a.test/x?token=abc -> 200", "GET https://a.test/x?token=[REDACTED] -> 200"),
    ("'https://a.test/x?token=abc'", "'https://a.test/x?token=[REDACTED]'"),
    ("two ?token=a and &token=b", "two ?token=[REDACTED] and &token=[REDACTED]"),
    ("Authorization: Bearer eyJ.abc.def", "Authorization: Bearer [REDACTED]"),
    ("authorization: bearer abc-DEF_1=", "authorization: bearer [REDACTED]"),
    ("free text mytoken=abc", "free text mytoken=abc"),
    ("free text tokens=1", "free text tokens=1"),
    # any URL whose query holds a parameter the API does not define: the query goes whole
    ("https://a.test/x?mytoken=abc", "https://a.test/x?[REDACTED]"),
    ("https://a.test/x?TOKEN=abc", "https://a.test/x?[REDACTED]"),
    ("https://b.s3.amazonaws.com/k.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK"
     "%2F2026&X-Amz-Signature=f00d", "https://b.s3.amazonaws.com/k.jpg?[REDACTED]"),
    ("PUT https://storage.googleapis.com/b/k.jpg?X-Goog-Signature=ab12&X-Goog-Expires=60 ok",
     "PUT https://storage.googleapis.com/b/k.jpg?[REDACTED] ok"),
    ("https://storage.googleapis.com/b/k?GoogleAccessId=sa&Expires=1&Signature=c2ln",
     "https://storage.googleapis.com/b/k?[REDACTED]"),
    ("'https://acct.blob.core.windows.net/c/k.jpg?sv=2021-08-06&se=2026&sp=rw&sig=c2%3D'",
     "'https://acct.blob.core.windows.net/c/k.jpg?[REDACTED]'"),
    ("http://127.0.0.1:9/_fake/blobs/k?expires=0&sig=beef#f", "http://127.0.0.1:9/_fake/blobs/k?[REDACTED]#f"),
    ("https://a.test/v1/x?mode=ids&type=full&cursor=c1", "https://a.test/v1/x?mode=ids&type=full&cursor=c1"),
    ("<Message>bad sig=beef X-Amz-Signature=f00d</Message>",
     "<Message>bad sig=[REDACTED] X-Amz-Signature=[REDACTED]</Message>"),
    ("nothing secret here", "nothing secret here"),
    # issue 23.4: values are masked, the word "token" is not
    ("Bearer token required", "Bearer token required"),
    ("invalid token: please log in", "invalid token: please log in"),
    ("the token= parameter is missing", "the token= parameter is missing"),
    ('bad token="abc123"', 'bad token="[REDACTED]"'),
    ("bad token='abc123'", "bad token='[REDACTED]'"),
    ('{"token": "abc123", "error": "bad token"}', '{"token": "[REDACTED]", "error": "bad token"}'),
    ("Bearer abcdefghijklmnopq", "Bearer [REDACTED]"),
], ids=lambda value: value[:40])
def test_redact_masks_token_and_bearer_when_present(text: str, expected: str) -> None:
    assert _http.redact(text) == expected


def test_redact_is_idempotent_when_applied_twice() -> None:
    once = _http.redact(f"https://a.test/x?token={TOKEN} Bearer {BEARER}")

    assert _http.redact(once) == once
    _assert_clean_text(once, "redacted text")


def test_redact_url_masks_token_when_given_httpx_url() -> None:
    url = httpx.URL("https://a.test/x", params={"mode": "1", "token": TOKEN})

    assert _http.redact_url(url) == "https://a.test/x?mode=1&token=[REDACTED]"


@pytest.mark.asyncio
@SESSIONS
async def test_secret_is_absent_from_every_printable_object_when_a_bulk_run_fails(
    debug_logs: pytest.LogCaptureFixture, make_session: Callable[..., LightlySession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from lightly_async import BulkError, PredictionSingletonClassification

    sids = [f"{i:024x}" for i in range(1, 4)]

    def answer(head: bytes) -> bytes:
        if sids[1].encode() in head:
            return _http_response(500, f"boom at ?token={_secret_of(session)}".encode())
        return _http_response(200, b'{"id": "5f0c1c6e2a9b4c1d8e7f6a5b"}')

    async with loopback(answer) as url, make_session(
            url, retry=RetryPolicy(max_retries=0)) as session:
        view = session.with_options(timeout=5.0)
        ds = view.dataset(DS)
        result = await ds.predictions.upsert_many(
            {sid: [PredictionSingletonClassification(task_name="cls", category_id=0, score=0.5)]
             for sid in sids},
            prediction_uuid_timestamp=1, progress=True)
        assert list(result.failed) == [sids[1]]
        with pytest.raises(BulkError) as caught:
            result.raise_for_failures()
        printable = [session, view, ds, ds.tags, ds.samples, ds.predictions, ds.datasource,
                     ds.samplings, session.jobs, session.stats, result, result.failed,
                     RetryPolicy(max_retries=0)]
        for obj in printable:
            _assert_clean_text(repr(obj), f"repr({type(obj).__name__})")
            _assert_clean_text(str(obj), f"str({type(obj).__name__})")
            print(obj)  # what a user's print() or logger shows, captured below
        _assert_clean_error(caught.value)

    captured = capsys.readouterr()
    _assert_clean_text(captured.out + captured.err, "stdout/stderr")
    assert sids[1] in captured.out  # the failed item is named: the capture is real
    _assert_records_seen(debug_logs, "httpx")
    _assert_clean_text(debug_logs.text, "logs")


# -- signed URLs: every logger, every model repr ---------------------------------------------------
SIGNED = ("https://bucket.s3.eu-west-1.amazonaws.com/img.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256"
          "&X-Amz-Credential=AKIASECRET%2F20260101&X-Amz-Signature=SECRETsig0123")


@pytest.mark.parametrize("logger", [
    "httpx", "httpx2", "httpcore", "httpcore.http11", "httpcore.connection", "httpcore2.http11",
    "aiohttp", "aiohttp.client", "aiohttp.internal", "httpx_aiohttp", "lightly_async",
])
def test_signed_query_is_masked_when_any_transport_logger_logs_the_url(
    debug_logs: pytest.LogCaptureFixture, logger: str,
) -> None:
    _http.install_log_redaction()
    logging.getLogger(logger).debug("request to %s failed", SIGNED)

    assert any(r.name == logger for r in debug_logs.records)
    assert "https://bucket.s3.eu-west-1.amazonaws.com/img.jpg?[REDACTED]" in debug_logs.text
    _assert_clean_text(debug_logs.text, f"the {logger} log")


def test_log_filter_reaches_a_child_logger_created_after_the_first_install(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    _http.install_log_redaction()
    late = logging.getLogger("aiohttp.a_module_imported_later")
    _http.install_log_redaction()  # what building a client or an aiohttp pool does
    late.warning("GET %s", SIGNED)

    assert "?[REDACTED]" in debug_logs.text
    _assert_clean_text(debug_logs.text, "the late logger's record")


def _url_models() -> list[tuple[Any, Callable[[Any], str]]]:
    from lightly_async.models import (
        DatasourceRawSamplesData,
        DatasourceRawSamplesDataRow,
        InlineResponse200,
        LabelBoxDataRow,
        LabelStudioTask,
    )
    from lightly_async.models.tags import LabelStudioTaskData

    row = DatasourceRawSamplesDataRow(file_name="img.jpg", read_url=SIGNED)
    return [
        (row, lambda m: m.read_url),
        (DatasourceRawSamplesData(has_more=False, cursor="c", data=[row]),
         lambda m: m.data[0].read_url),
        (LabelBoxDataRow(external_id="img.jpg", image_url=SIGNED), lambda m: m.image_url),
        (LabelStudioTask(id=1, data=LabelStudioTaskData(image=SIGNED)), lambda m: m.data.image),
        (InlineResponse200(signed_write_url=SIGNED), lambda m: m.signed_write_url),
    ]


@pytest.mark.parametrize(("model", "url_of"), _url_models(),
                         ids=lambda v: type(v).__name__)
def test_repr_masks_the_signed_query_when_a_model_holds_a_url(
    model: object, url_of: Callable[[Any], str],
) -> None:
    shown = f"{model!r} {model!s}"

    assert "https://bucket.s3.eu-west-1.amazonaws.com/img.jpg?[REDACTED]" in shown
    assert "SECRET" not in shown
    assert url_of(model) == SIGNED  # the value itself stays whole, ready for use


@pytest.mark.parametrize(("url", "shown"), [
    (SIGNED, "https://bucket.s3.eu-west-1.amazonaws.com/img.jpg"),
    ("https://user:pw@acct.blob.core.windows.net:8443/c/k.jpg?sv=1&sig=x#f",
     "https://acct.blob.core.windows.net:8443/c/k.jpg"),
    ("http://[::1]:9/blob?sig=x", "http://[::1]:9/blob"),
    ("not a url ?sig=x", "[REDACTED]"),
    ("http://host:notaport/x?sig=1", "[REDACTED]"),
])
def test_signed_url_display_keeps_scheme_host_and_path_only(url: str, shown: str) -> None:
    assert _redact.signed_url_display(url) == shown


def test_redaction_module_imports_no_http_library_when_scanned() -> None:
    import ast
    import pathlib

    source = pathlib.Path(_redact.__file__).read_text()
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.ImportFrom)}

    assert imported.isdisjoint({"httpx", "httpx2", "httpcore", "httpcore2", "aiohttp",
                                "httpx_aiohttp", "lightly_async"})
    assert _http.redact is _redact.redact


def test_a_short_session_token_is_masked_as_a_word_not_inside_other_words() -> None:
    from lightly_async import LightlySession

    session = LightlySession(token="t", base_url="https://api.test")
    shown = session._redact("expected t as a token: t")
    assert shown == "expected [REDACTED] as a token: [REDACTED]"
    session = LightlySession(token="tok-9f2c41", base_url="https://api.test")
    # a real-length token is masked wherever it shows, even glued to other text
    assert session._redact("echo xtok-9f2c41 tok-9f2c41.") == "echo x[REDACTED] [REDACTED]."
