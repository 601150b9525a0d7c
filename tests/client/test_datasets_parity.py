"""``session.datasets.create_unique``, ``exists`` and ``name_exists``: the requests they send
(lightly 1.5.20's ``create_new_dataset_with_unique_name``, ``dataset_exists`` and
``dataset_name_exists``) and how they read the answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lightly_async import (
    ConflictError,
    InvalidInputError,
    LightlySession,
    PermissionDeniedError,
)
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
NEW = "63d4e5f60718293a4b5c6d7e"


def _dataset(name: str, dataset_id: str = DS) -> dict[str, Any]:
    return {"id": dataset_id, "name": name, "userId": "u", "type": "Images", "nSamples": 0,
            "sizeInBytes": 0, "createdAt": 1, "lastModifiedAt": 1}


class Api:
    """A mock API answering with ``handler``, recording every request."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self._handler = handler

    def session(self) -> LightlySession:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self._handler(request)

        return LightlySession(token="tok", base_url="https://api.test",
                              transport=mock_transport(handle), max_retries=0)

    def sent(self) -> list[tuple[str, str, dict[str, str]]]:
        return [(r.method, r.url.path, {k: v for k, v in r.url.params.items() if k != "token"})
                for r in self.requests]


def _no_request(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"unexpected request {request.method} {request.url}")


@pytest.mark.asyncio
@pytest.mark.parametrize(("shared", "scopes"), [
    (False, [{"shared": "false"}]),
    (True, [{"shared": "true"}, {"getAssetsOfTeam": "true"}]),
    (None, [{"shared": "false"}, {"shared": "true"}, {"getAssetsOfTeam": "true"}]),
])
async def test_name_exists_queries_each_scope_of_shared_when_nothing_is_found(
        shared: bool | None, scopes: list[dict[str, str]]) -> None:
    api = Api(lambda r: httpx.Response(200, json=[]))
    async with api.session() as session:
        assert await session.datasets.name_exists("street", shared=shared) is False
    assert [(m, p) for m, p, _ in api.sent()] == [
        ("GET", "/v1/datasets/query/name/street")] * len(scopes)
    for (_, _, query), scope in zip(api.sent(), scopes, strict=True):
        assert query["exact"] == "true"
        assert {k: v for k, v in query.items() if k in ("shared", "getAssetsOfTeam")} == scope


@pytest.mark.asyncio
async def test_name_exists_is_true_only_for_the_exact_name_when_the_server_is_loose() -> None:
    rows = {"street": [_dataset("street")], "stree": [_dataset("street")]}
    api = Api(lambda r: httpx.Response(200, json=rows[r.url.path.rsplit("/", 1)[-1]]))
    async with api.session() as session:
        assert await session.datasets.name_exists("street", shared=False) is True
        assert await session.datasets.name_exists("stree", shared=False) is False


@pytest.mark.asyncio
async def test_name_exists_defaults_to_every_dataset_the_user_can_access_when_shared_is_left_out(
        ) -> None:
    api = Api(lambda r: httpx.Response(
        200, json=[_dataset("street")] if r.url.params.get("shared") == "true" else []))
    async with api.session() as session:
        assert await session.datasets.name_exists("street") is True
    assert api.sent()[1][2]["shared"] == "true"


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "expected"), [(200, True), (404, False)])
async def test_exists_reads_a_404_as_false_when_the_dataset_is_gone(
        status: int, expected: bool) -> None:
    api = Api(lambda r: httpx.Response(status, json=_dataset("street") if status == 200 else {
        "code": "DATASET_UNKNOWN", "error": "no"}))
    async with api.session() as session:
        assert await session.datasets.exists(DS) is expected
    assert api.sent() == [("GET", f"/v1/datasets/{DS}", {})]


@pytest.mark.asyncio
async def test_exists_raises_when_the_answer_is_another_error() -> None:
    api = Api(lambda r: httpx.Response(403, json={"code": "FORBIDDEN", "error": "not yours"}))
    async with api.session() as session:
        with pytest.raises(PermissionDeniedError):
            await session.datasets.exists(DS)


def _creating(taken: list[str], conflicts: int = 0) -> Callable[[httpx.Request], httpx.Response]:
    state = {"conflicts": conflicts, "created": ""}

    def handler(request: httpx.Request) -> httpx.Response:
        path, query = request.url.path, request.url.params
        if path.startswith("/v1/datasets/query/name/"):
            name = path.rsplit("/", 1)[-1]
            if query.get("shared") == "true" or query.get("getAssetsOfTeam") == "true":
                return httpx.Response(200, json=[])
            exact = query["exact"] == "true"
            return httpx.Response(200, json=[
                _dataset(n, f"{i:024x}") for i, n in enumerate(taken)
                if (n == name if exact else n.startswith(name))])
        if request.method == "POST" and path == "/v1/datasets":
            if state["conflicts"]:
                state["conflicts"] -= 1
                taken.append(json.loads(request.content)["name"])
                return httpx.Response(409, json={"code": "DATASET_NAME_EXISTS", "error": "x"})
            state["created"] = json.loads(request.content)["name"]
            return httpx.Response(201, json={"id": NEW})
        if path == f"/v1/datasets/{NEW}":
            return httpx.Response(200, json=_dataset(state["created"], NEW))
        return _no_request(request)

    return handler


@pytest.mark.asyncio
async def test_create_unique_uses_the_name_itself_when_the_user_has_no_dataset_called_so() -> None:
    api = Api(_creating(["other"]))
    async with api.session() as session:
        created = await session.datasets.create_unique("street")
    assert created.name == "street"
    posts = [json.loads(r.content) for r in api.requests if r.method == "POST"]
    assert posts == [{"name": "street", "type": "Images", "creator": "USER_PIP"}]


@pytest.mark.asyncio
async def test_create_unique_takes_the_first_free_counter_when_the_name_is_taken() -> None:
    api = Api(_creating(["street", "street_1", "street_3", "streets"]))
    async with api.session() as session:
        created = await session.datasets.create_unique("street", type="Videos")
    assert created.name == "street_2"
    prefix = [q for m, p, q in api.sent() if p.endswith("/street") and q["exact"] == "false"]
    assert prefix == [{"exact": "false", "shared": "false", "pageSize": "5000",
                       "pageOffset": "0"}]
    assert json.loads(api.requests[-2].content)["type"] == "Videos"


@pytest.mark.asyncio
async def test_create_unique_looks_again_when_another_client_takes_the_name_first() -> None:
    api = Api(_creating(["street"], conflicts=1))
    async with api.session() as session:
        created = await session.datasets.create_unique("street")
    assert created.name == "street_2"
    names = [json.loads(r.content)["name"] for r in api.requests if r.method == "POST"]
    assert names == ["street_1", "street_2"]


@pytest.mark.asyncio
async def test_create_unique_gives_up_with_the_conflict_when_every_attempt_collides() -> None:
    api = Api(_creating(["street"], conflicts=99))
    async with api.session() as session:
        with pytest.raises(ConflictError):
            await session.datasets.create_unique("street")
    assert sum(r.method == "POST" for r in api.requests) == 5


@pytest.mark.asyncio
@pytest.mark.parametrize(("call", "field"), [
    (lambda s: s.datasets.create_unique("ab"), "name"),
    (lambda s: s.datasets.create_unique("street", type="Pictures"), "type"),
    (lambda s: s.datasets.exists("nope"), "dataset_id"),
    (lambda s: s.datasets.name_exists("a/b"), "name"),
    (lambda s: s.datasets.name_exists("street", shared="yes"), "shared"),
])
async def test_bad_arguments_raise_before_any_request_when_given(call: Any, field: str) -> None:
    api = Api(_no_request)
    async with api.session() as session:
        with pytest.raises(InvalidInputError) as caught:
            await call(session)
    assert caught.value.field == field
    assert api.requests == []
