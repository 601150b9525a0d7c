"""Text that is no Unicode (a lone UTF-16 surrogate) and bugs inside a bulk run (issue 23.8).

A server value holding a lone surrogate is refused where it arrives (``DecodeError`` naming its
path), so it can never crash a later request; a caller's value that holds one is an
``InvalidInputError`` naming it, raised before it is sent; and a bulk helper always returns its
``BulkResult``: an unexpected exception on one item is that item's failure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from lightly_async import (
    DecodeError,
    InvalidInputError,
    LightlySession,
    _http,
)
from lightly_async.bulk import run_bulk
from lightly_async.models import PredictionSingletonUnknown
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
SID = "60a1b2c3d4e5f60718293a4b"
SID2 = "60a1b2c3d4e5f60718293a4c"


def _session(handler: Callable[[Any], Any]) -> LightlySession:
    return LightlySession(token="tok-9f2c41", base_url="https://api.test", max_retries=0,
                          transport=mock_transport(handler))


def _json(value: Any, raw: str | None = None) -> Callable[[Any], Any]:
    body = (raw if raw is not None else json.dumps(value)).encode()
    return lambda request: _http.Response(200, content=body,
                                          headers={"content-type": "application/json"})


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\uDBFF"])
def test_a_lone_surrogate_in_an_answer_is_a_decode_error_naming_its_path(escape: str) -> None:
    raw = ('{"hasMore": true, "cursor": "abc' + escape + '", "data": [{"fileName": "a.png", '
           '"readUrl": "https://x", "createdAt": 1}]}')

    async def main() -> None:
        async with _session(_json(None, raw)) as session:
            async for _ in session.dataset(DS).datasource.list_raw_samples():
                pass

    with pytest.raises(DecodeError) as caught:
        anyio.run(main)
    assert "lone UTF-16 surrogate" in caught.value.message
    assert caught.value.message.endswith("@ $.cursor")


def test_a_surrogate_pair_is_a_character_and_decodes() -> None:
    raw = '{"id": "' + DS + '", "name": "\\ud83d\\ude00 tag"}'  # an escaped emoji

    async def main() -> Any:
        async with _session(_json(None, raw)) as session:
            return await session.dataset(DS).tags.create_initial()

    assert anyio.run(main).id == DS


def test_a_lone_surrogate_in_a_key_is_refused_too() -> None:
    raw = '{"id": "' + DS + '", "extra": {"k\\udc80": 1}}'

    async def main() -> Any:
        async with _session(_json(None, raw)) as session:
            return await session.dataset(DS).tags.create_initial()

    with pytest.raises(DecodeError, match=r"@ \$\.extra$"):
        anyio.run(main)


def test_utf8_encoded_surrogates_are_not_utf8() -> None:
    raw = b'{"id": "' + DS.encode() + b'", "x": "\xed\xa0\x80"}'

    async def main() -> Any:
        async with _session(lambda r: _http.Response(200, content=raw)) as session:
            return await session.dataset(DS).tags.create_initial()

    with pytest.raises(DecodeError, match="not JSON"):
        anyio.run(main)


def test_a_callers_lone_surrogate_is_invalid_input_naming_it_and_nothing_is_sent() -> None:
    sent: list[Any] = []

    def handler(request: Any) -> Any:
        sent.append(request)
        return _http.Response(200, json={"id": DS})

    async def main() -> None:
        async with _session(handler) as session:
            ds = session.dataset(DS)
            with pytest.raises(InvalidInputError) as caught:
                await ds.datasource.list_raw_samples(cursor="c\udc80").pages().__anext__()
            assert caught.value.field == "cursor"
            with pytest.raises(InvalidInputError) as caught:
                await ds.tags.create(name="subset", prev_tag_id=DS, bit_mask_data="0x1",
                                     tot_size=1, changes={"note": ["ok", "bad\ud800"]})
            assert caught.value.field == "$.changes.note[1]"
            assert "lone UTF-16 surrogate" in str(caught.value)

    anyio.run(main)
    assert sent == []


def test_upsert_many_returns_its_result_when_one_item_cannot_be_sent() -> None:
    def handler(request: Any) -> Any:
        return _http.Response(200, json={"id": DS})

    bad = PredictionSingletonUnknown(type="NEW_KIND", raw={
        "type": "NEW_KIND", "taskName": "t", "label": "caf\udce9"})  # surrogateescape'd bytes

    async def main() -> Any:
        async with _session(handler) as session:
            return await session.dataset(DS).predictions.upsert_many(
                {SID: [bad], SID2: []}, prediction_uuid_timestamp=1)

    result = anyio.run(main)
    assert result.succeeded == [SID2]
    assert isinstance(result.failed[SID], InvalidInputError)
    assert result.failed[SID].field == "$[0].label"


def test_an_unexpected_exception_on_one_item_is_its_failure_and_the_run_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def ok() -> str:
        return "fine"

    async def buggy() -> str:
        raise KeyError("a bug")

    async def main() -> Any:
        async with _session(_json({})) as session:
            return await run_bulk(session, [("a", ok), ("b", buggy), ("c", ok)],
                                  concurrency=1)

    with caplog.at_level(logging.WARNING, logger="lightly_async"):
        result = anyio.run(main)
    assert sorted(result.succeeded) == ["a", "c"]
    assert isinstance(result.failed["b"], KeyError)
    assert any("a bug: please report it" in note for note in result.failed["b"].__notes__)
    assert "unexpected KeyError" in caplog.text


def test_cancellation_still_ends_a_bulk_run() -> None:
    started = anyio.Event()

    async def hang() -> None:
        started.set()
        await anyio.sleep_forever()

    async def main() -> bool:
        async with _session(_json({})) as session, anyio.create_task_group() as tg:
            tg.start_soon(run_bulk, session, [("a", hang)])
            await started.wait()
            tg.cancel_scope.cancel()
        return True

    assert anyio.run(main)
