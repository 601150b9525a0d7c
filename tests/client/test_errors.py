"""Error mapping: status -> typed exception with its attributes; bad 2xx bodies -> DecodeError."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from lightly_async import (
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    LightlyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from lightly_async.models import DatasourceConfigS3, JobState, S3Region, TagData

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
TID = "61b2c3d4e5f60718293a4b5c"
SID = "60a1b2c3d4e5f60718293a4b"
TAGS_URL = f"https://api.test/v1/datasets/{DS}/tags"
TAG_JSON: dict[str, Any] = {
    "id": TID, "datasetId": DS, "prevTagId": None, "name": "initial-tag",
    "bitMaskData": "0x1", "totSize": 1, "createdAt": 5,
}


async def _tags_list_error(recorder: Any, response: httpx.Response) -> APIStatusError:
    recorder.script(response)
    async with recorder.session(max_retries=0) as session:
        with pytest.raises(APIStatusError) as info:
            await session.dataset(DS).tags.list()
    assert len(recorder.requests) == 1
    return info.value


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "cls"), [
    (400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError),
    (404, NotFoundError), (409, ConflictError), (422, UnprocessableEntityError),
    (429, RateLimitError), (500, ServerError), (501, ServerError), (502, ServerError),
    (503, ServerError), (504, ServerError), (599, ServerError),
    (402, APIStatusError), (405, APIStatusError), (410, APIStatusError), (418, APIStatusError),
])
async def test_status_maps_to_typed_error_when_server_answers_with_it(
    recorder: Any, status: int, cls: type[APIStatusError],
) -> None:
    error = await _tags_list_error(
        recorder, httpx.Response(status, json={"code": "SOME_CODE", "message": "went wrong"}))

    assert type(error) is cls
    assert isinstance(error, APIError)
    assert isinstance(error, LightlyError)
    assert error.status_code == status
    assert error.code == "SOME_CODE"
    assert error.message == "went wrong"


@pytest.mark.asyncio
async def test_error_carries_seed_era_fields_when_body_has_code_and_message(
    recorder: Any,
) -> None:
    error = await _tags_list_error(recorder, httpx.Response(
        404, json={"code": "TAG_UNKNOWN", "message": "no such tag"}))

    assert isinstance(error, NotFoundError)
    assert error.method == "GET"
    assert error.url == TAGS_URL
    assert error.status_code == 404
    assert error.code == "TAG_UNKNOWN"
    assert error.message == "no such tag"
    assert error.request_id is None
    assert error.body == {"code": "TAG_UNKNOWN", "message": "no such tag"}
    assert str(error) == f"GET {TAGS_URL} -> 404 [TAG_UNKNOWN]: no such tag"


@pytest.mark.asyncio
async def test_error_carries_newer_fields_when_body_has_code_error_and_request_id(
    recorder: Any,
) -> None:
    error = await _tags_list_error(recorder, httpx.Response(
        409, json={"code": "TAG_NAME_EXISTS", "error": "name taken", "requestId": "req-77",
                   "errorLabels": ["x"]}))

    assert isinstance(error, ConflictError)
    assert error.code == "TAG_NAME_EXISTS"
    assert error.message == "name taken"
    assert error.request_id == "req-77"
    assert str(error).endswith("name taken (request id req-77)")
    assert "req-77" in repr(error)


@pytest.mark.asyncio
async def test_request_id_comes_from_header_when_body_has_none(recorder: Any) -> None:
    error = await _tags_list_error(recorder, httpx.Response(
        400, json={"code": "BAD_REQUEST", "message": "nope"},
        headers={"X-Request-Id": "hdr-1"}))

    assert error.request_id == "hdr-1"


@pytest.mark.asyncio
async def test_typed_error_keeps_body_text_when_body_is_not_json(recorder: Any) -> None:
    error = await _tags_list_error(recorder, httpx.Response(
        502, text="<html>Bad gateway from the proxy</html>",
        headers={"Content-Type": "text/html"}))

    assert isinstance(error, ServerError)
    assert error.status_code == 502
    assert error.message == "<html>Bad gateway from the proxy</html>"
    assert error.code is None
    assert error.body is None


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "cls", "reason"), [
    (404, NotFoundError, "Not Found"), (503, ServerError, "Service Unavailable"),
    (401, AuthenticationError, "Unauthorized")])
async def test_typed_error_uses_reason_phrase_when_body_is_empty(
    recorder: Any, status: int, cls: type[APIStatusError], reason: str,
) -> None:
    error = await _tags_list_error(recorder, httpx.Response(status))

    assert type(error) is cls
    assert error.message == reason
    assert error.code is None
    assert str(error) == f"GET {TAGS_URL} -> {status}: {reason}"


@pytest.mark.asyncio
@pytest.mark.parametrize("body", [
    ["a", "list"], {"code": 5, "message": ["not", "a", "string"]}, "just a string", 12,
    {"unexpected": "shape"}])
async def test_typed_error_still_raised_when_error_body_has_odd_shape(
    recorder: Any, body: Any,
) -> None:
    error = await _tags_list_error(recorder, httpx.Response(403, json=body))

    assert isinstance(error, PermissionDeniedError)
    assert error.code is None
    assert isinstance(error.message, str)
    assert error.message != ""


@pytest.mark.asyncio
async def test_error_url_has_no_query_string_when_request_carried_token(recorder: Any) -> None:
    error = await _tags_list_error(recorder, httpx.Response(500, json={"code": "X"}))

    assert error.url == TAGS_URL
    assert "token" not in str(error)


# -- decoding 2xx bodies --------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(("body", "hint"), [
    ([{"id": TID}], "@ $[0].datasetId"),                        # required keys missing
    ([{**TAG_JSON, "totSize": "many"}], "@ $[0].totSize"),      # wrong type
    ([{**TAG_JSON, "bitMaskData": "0xZZ"}], "@ $[0].bitMaskData"),  # bad hex
    ({"not": "a list"}, "list[TagData]"),                       # object instead of array
    ([None], "expected an object (TagData)"),                   # null item
    (None, "list[TagData]"),                                    # JSON null
    ([5], "expected an object (TagData)"),                      # scalar item
], ids=["missing keys", "wrong type", "bad hex", "object for list", "null item", "null",
        "scalar item"])
async def test_decode_error_is_raised_when_2xx_body_does_not_match_schema(
    recorder: Any, body: Any, hint: str,
) -> None:
    recorder.script(httpx.Response(200, content=json.dumps(body).encode()))
    async with recorder.session() as session:
        with pytest.raises(DecodeError) as info:
            await session.dataset(DS).tags.list()

    error = info.value
    assert type(error) is DecodeError
    assert error.status_code == 200
    assert error.method == "GET"
    assert error.url == TAGS_URL
    assert error.message.startswith("response does not match list[TagData]: ")
    assert hint in error.message
    assert error.__cause__ is None
    assert len(recorder.requests) == 1  # a bad body is not retried


@pytest.mark.asyncio
async def test_decode_error_names_the_bad_field_when_a_value_has_wrong_type(
    recorder: Any,
) -> None:
    recorder.script(httpx.Response(200, json={**TAG_JSON, "totSize": "many"}))
    async with recorder.session() as session:
        with pytest.raises(DecodeError, match=r"tot_size|totSize"):
            await session.dataset(DS).tags.get(TID)


@pytest.mark.asyncio
@pytest.mark.parametrize("content", [b"not json", b"", b"{\"id\": ", b"<html></html>"],
                         ids=["text", "empty", "truncated", "html"])
async def test_decode_error_is_raised_when_2xx_body_is_not_json(
    recorder: Any, content: bytes,
) -> None:
    recorder.script(httpx.Response(200, content=content))
    async with recorder.session() as session:
        with pytest.raises(DecodeError, match="not JSON") as info:
            await session.dataset(DS).tags.get(TID)

    assert info.value.status_code == 200


@pytest.mark.asyncio
async def test_decode_error_is_raised_when_union_tag_is_unknown(recorder: Any) -> None:
    recorder.script(httpx.Response(200, json={"type": "OBS", "fullPath": "b/p"}))
    async with recorder.session() as session:
        with pytest.raises(DecodeError):
            await session.dataset(DS).datasource.get()


@pytest.mark.asyncio
async def test_decode_error_is_raised_when_write_url_answer_has_no_url(recorder: Any) -> None:
    recorder.script(httpx.Response(200, json={}), httpx.Response(200, json={}))
    async with recorder.session(api="seed") as session:
        with pytest.raises(DecodeError, match="signedWriteUrl"):
            await session.dataset(DS).samples.write_url(SID, "a.png")
    async with recorder.session() as session:  # the newest API answers a plain string
        with pytest.raises(DecodeError, match="expected a string, got object"):
            await session.dataset(DS).samples.write_url(SID)


@pytest.mark.asyncio
async def test_unknown_response_keys_are_ignored_when_decoding(recorder: Any) -> None:
    recorder.script(httpx.Response(200, json={**TAG_JSON, "newField": {"x": 1}}))
    async with recorder.session() as session:
        tag = await session.dataset(DS).tags.get(TID)

    assert isinstance(tag, TagData)
    assert tag.id == TID
    assert not hasattr(tag, "new_field")


@pytest.mark.asyncio
async def test_unknown_enum_values_stay_plain_strings_when_decoding(recorder: Any) -> None:
    recorder.script(
        httpx.Response(200, json={"id": "job-1", "status": "PAUSED", "createdAt": 1,
                                  "waitTimeTillNextPoll": 2,
                                  "result": {"type": "NEW_KIND", "data": None}}),
        httpx.Response(200, json={"type": "S3", "fullPath": "b/p", "s3Region": "mars-1",
                                  "s3AccessKeyId": "AKIA", "s3SecretAccessKey": "x"}),
    )
    async with recorder.session() as session:
        job = await session.jobs.get("job-1")
        config = await session.dataset(DS).datasource.get()

    assert job.status == "PAUSED"
    assert not isinstance(job.status, JobState)
    assert job.result is not None
    assert job.result.type == "NEW_KIND"
    assert isinstance(config, DatasourceConfigS3)
    assert config.s3_region == "mars-1"
    assert not isinstance(config.s3_region, S3Region)
