"""Hooks and OpenTelemetry spans: what a service sees of a session's API calls.

Hooks get one event per attempt (``on_request``, ``on_response``) and per retry
(``on_retry``); with a tracer provider set, each API call is one CLIENT span named by its
operation, nested under the caller's span. Neither ever carries the token.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from lightly_async import (
    APIConnectionError,
    CallEvent,
    LightlySession,
    NotFoundError,
    RetryPolicy,
    ServerError,
    _observe,
)

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TAG = "0123456789abcdef01234567"
SAMPLE = "5f0c1c6e2a9b4c1d8e7f6a5d"
TOKEN = "tokOBSERVEa1b2c3d4e5"
BASE = "https://api.test"
TAG_JSON = {"id": TAG, "datasetId": DS, "prevTagId": None, "name": "t", "bitMaskData": "0x1",
            "totSize": 1, "createdAt": 1}


async def _no_sleep(seconds: float) -> None:
    return None


def _session(answers: list[Any], **kwargs: Any) -> LightlySession:
    """A session whose answers come from ``answers`` in order (a status, or an exception)."""
    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)

    return LightlySession(token=TOKEN, base_url=BASE, transport=httpx.MockTransport(handler),
                          retry=RetryPolicy(max_retries=2, sleep=_no_sleep), **kwargs)


@pytest.mark.asyncio
async def test_hooks_see_each_attempt_and_the_retry_without_the_token() -> None:
    events: list[tuple[str, CallEvent]] = []

    async def on_retry(event: CallEvent) -> None:  # a coroutine hook is awaited
        events.append(("retry", event))

    answers = [(503, {"code": "BUSY", "message": "later"}, {}),
               (200, TAG_JSON, {"x-request-id": "req-42"})]
    async with _session(answers, on_request=lambda e: events.append(("request", e)),
                        on_response=lambda e: events.append(("response", e)),
                        on_retry=on_retry) as session:
        await session.dataset(DS).tags.get(TAG)

    assert [(kind, e.attempt, e.status) for kind, e in events] == [
        ("request", 1, None), ("response", 1, 503), ("retry", 1, 503),
        ("request", 2, None), ("response", 2, 200)]
    for _, event in events:
        assert event.method == "GET"
        assert event.operation == "tags.get"
        assert event.url == f"{BASE}/v1/datasets/{DS}/tags/{TAG}"
        assert TOKEN not in repr(event)
    retry = events[2][1]
    assert isinstance(retry.error, ServerError)
    assert retry.wait is not None
    assert retry.wait >= 0
    assert events[1][1].elapsed is not None
    assert events[1][1].elapsed >= 0
    assert events[4][1].request_id == "req-42"


@pytest.mark.asyncio
async def test_on_response_reports_a_connection_failure_as_its_error() -> None:
    seen: list[CallEvent] = []
    answers: list[Any] = [httpx.ConnectError(f"refused for token={TOKEN}")]
    async with _session(answers, on_response=seen.append, max_retries=0) as session:
        session = session.with_options(max_retries=0)
        with pytest.raises(APIConnectionError):
            await session.dataset(DS).tags.list()

    assert len(seen) == 1
    assert seen[0].status is None
    assert isinstance(seen[0].error, APIConnectionError)
    assert seen[0].operation == "tags.list"
    assert TOKEN not in str(seen[0].error)


@pytest.mark.asyncio
async def test_operation_is_named_after_the_resource_method_that_called() -> None:
    seen: list[str] = []
    answers = [(200, "https://storage.test/a.jpg?sig=1", {}),
               (200, {"data": [], "hasMore": False, "cursor": "c"}, {})]
    async with _session(answers, on_request=lambda e: seen.append(e.operation)) as session:
        ds = session.dataset(DS)
        await ds.samples.read_url(SAMPLE)
        assert [row async for row in ds.datasource.list_raw_samples()] == []

    assert seen == ["samples.read_url", "datasource.list_raw_samples"]


def test_a_hook_that_is_not_callable_is_refused() -> None:
    from lightly_async import InvalidInputError

    with pytest.raises(InvalidInputError, match="on_retry"):
        LightlySession(token=TOKEN, on_retry="print")  # type: ignore[arg-type]


# -- spans --------------------------------------------------------------------------------------
@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Any:
    """An SDK tracer provider, set for this test only, exporting to memory."""
    sdk = pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = sdk.TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    return exporter


@pytest.mark.asyncio
async def test_each_call_is_one_span_under_the_callers_span(spans: Any) -> None:
    from opentelemetry import trace

    answers = [(503, {"code": "BUSY", "message": "later"}, {}),
               (200, TAG_JSON, {"x-request-id": "req-7"}),
               (404, {"code": "NOT_FOUND", "message": "no", "requestId": "req-8"}, {})]
    tracer = trace.get_tracer("caller")
    async with _session(answers) as session:
        with tracer.start_as_current_span("handle-order") as parent:
            await session.dataset(DS).tags.get(TAG)
            with pytest.raises(NotFoundError):
                await session.dataset(DS).tags.delete(TAG)

    finished = {span.name: span for span in spans.get_finished_spans()}
    assert set(finished) == {"lightly.tags.get", "lightly.tags.delete", "handle-order"}
    get, delete = finished["lightly.tags.get"], finished["lightly.tags.delete"]
    for span in (get, delete):
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        assert span.kind is trace.SpanKind.CLIENT
        assert TOKEN not in json.dumps(dict(span.attributes), default=str)
        assert TOKEN not in str(span.status.description)
    assert get.attributes["http.response.status_code"] == 200
    assert get.attributes["lightly.retries"] == 1
    assert get.attributes["lightly.request_id"] == "req-7"
    assert get.attributes["url.full"] == f"{BASE}/v1/datasets/{DS}/tags/{TAG}"
    assert get.attributes["http.request.method"] == "GET"
    assert get.status.status_code is trace.StatusCode.UNSET
    assert delete.attributes["http.response.status_code"] == 404
    assert delete.attributes["lightly.retries"] == 0
    assert delete.attributes["lightly.request_id"] == "req-8"
    assert delete.attributes["error.type"] == "NotFoundError"
    assert delete.status.status_code is trace.StatusCode.ERROR


@pytest.mark.asyncio
async def test_no_span_and_no_watch_without_a_tracer_provider() -> None:
    pytest.importorskip("opentelemetry")
    from opentelemetry import trace

    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    assert _observe.tracer() is None
    async with _session([(200, TAG_JSON, {})]) as session:
        assert session._pipeline.watch(lambda: "x", "GET", lambda: BASE) is None
        await session.dataset(DS).tags.get(TAG)


@pytest.mark.asyncio
async def test_hooks_see_signed_url_transfers_without_their_signature(tmp_path: Any) -> None:
    events: list[tuple[str, CallEvent]] = []
    signed = "https://storage.test/img.jpg?X-Amz-Signature=SIGSECRET"
    answers = [(200, signed, {}), (503, {"code": "BUSY", "message": "later"}, {}),
               (200, "JPEG", {})]
    async with _session(answers, on_request=lambda e: events.append(("request", e)),
                        on_response=lambda e: events.append(("response", e)),
                        on_retry=lambda e: events.append(("retry", e))) as session:
        result = await session.dataset(DS).samples.download([SAMPLE], tmp_path)
        result.raise_for_failures()

    transfer = [(kind, e.attempt, e.status) for kind, e in events
                if e.operation == "transfer.download"]
    assert transfer == [("request", 1, None), ("response", 1, 503), ("retry", 1, 503),
                        ("request", 2, None), ("response", 2, 200)]
    assert [e.operation for _, e in events][:2] == ["samples.read_url", "samples.read_url"]
    for _, event in events:
        assert "SIGSECRET" not in repr(event)
        assert TOKEN not in repr(event)
    assert {e.url for _, e in events if e.operation == "transfer.download"} == {
        "https://storage.test/img.jpg"}
