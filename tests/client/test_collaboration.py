"""``ds.collaboration``: the requests ``share_only_with`` and ``shared_users`` send (lightly
1.5.20's ``share_dataset_only_with`` and ``get_shared_users``) and how answers are read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lightly_async import InvalidInputError, LightlySession
from lightly_async.testing._transports import mock_transport

DS = "5f0c1c6e2a9b4c1d8e7f6a5b"
ACCESS = f"/v1/datasets/{DS}/collaboration/access"


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


def _config(access_type: str, users: list[str]) -> dict[str, Any]:
    return {"id": "63d4e5f60718293a4b5c6d7e", "owner": "u", "accessType": access_type,
            "users": users, "teams": [], "createdAt": 1, "lastModifiedAt": 2}


@pytest.mark.asyncio
@pytest.mark.parametrize("emails", [["a@x.io", "b@y.org"], []])
async def test_share_only_with_posts_the_write_sharing_when_given_emails(
        emails: list[str]) -> None:
    api = Api(lambda r: httpx.Response(201, json={"id": "63d4e5f60718293a4b5c6d7e"}))
    async with api.session() as session:
        assert await session.dataset(DS).collaboration.share_only_with(iter(emails)) is None
    [request] = api.requests
    assert (request.method, request.url.path) == ("POST", ACCESS)
    assert json.loads(request.content) == {"accessType": "WRITE", "users": emails,
                                           "creator": "USER_PIP"}


@pytest.mark.asyncio
async def test_shared_users_reads_the_first_write_sharing_when_there_are_several() -> None:
    configs = [_config("READ", ["r@x.io"]), _config("WRITE", ["a@x.io", "b@x.io"]),
               _config("WRITE", ["late@x.io"])]
    api = Api(lambda r: httpx.Response(200, json=configs))
    async with api.session() as session:
        users = await session.dataset(DS).collaboration.shared_users()
    assert users == ["a@x.io", "b@x.io"]
    assert [(r.method, r.url.path) for r in api.requests] == [("GET", ACCESS)]


@pytest.mark.asyncio
async def test_shared_users_is_empty_when_the_dataset_is_not_shared() -> None:
    api = Api(lambda r: httpx.Response(200, json=[]))
    async with api.session() as session:
        assert await session.dataset(DS).collaboration.shared_users() == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("emails", "field"), [
    ("a@x.io", "emails"),
    (None, "emails"),
    (["a@x.io", "nobody"], "emails[1]"),
    ([" a@x.io"], "emails[0]"),
    ([42], "emails[0]"),
])
async def test_share_only_with_refuses_what_is_not_a_list_of_emails_before_any_request(
        emails: Any, field: str) -> None:
    api = Api(lambda r: pytest.fail("no request expected"))
    async with api.session() as session:
        with pytest.raises(InvalidInputError) as caught:
            await session.dataset(DS).collaboration.share_only_with(emails)
    assert caught.value.field == field
    assert api.requests == []
