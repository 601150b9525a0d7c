"""Authentication, ownership, id validation and the error body shape."""

from __future__ import annotations

import httpx
import pytest

from fake.api import assert_error
from lightly_async.testing import DEFAULT_TOKEN, FakeLightly


@pytest.mark.asyncio
async def test_request_is_refused_with_401_when_no_token_is_sent(anon: httpx.AsyncClient, ds: str):
    r = await anon.get(f"/v1/datasets/{ds}/tags")
    assert_error(r, 401, "UNAUTHORIZED")
    assert "message" in r.json()


@pytest.mark.asyncio
async def test_request_is_refused_with_401_when_the_token_is_unknown(
    anon: httpx.AsyncClient, ds: str
):
    r = await anon.get(f"/v1/datasets/{ds}/tags", params={"token": "wrong"})
    assert_error(r, 401, "UNAUTHORIZED")


@pytest.mark.asyncio
async def test_bearer_jwt_authenticates_when_sent_instead_of_the_token(
    anon: httpx.AsyncClient, ds: str
):
    r = await anon.get(
        f"/v1/datasets/{ds}/tags", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    )
    assert r.status_code == 200
    assert r.json() == []


@pytest.mark.asyncio
async def test_dataset_is_forbidden_when_another_user_owns_it(
    fake: FakeLightly, client: httpx.AsyncClient
):
    fake.add_user("other-token")
    theirs = fake.create_dataset("theirs", ["x.jpg"], owner_token="other-token")
    r = await client.get(f"/v1/datasets/{theirs}/tags")
    assert_error(r, 403, "FORBIDDEN")


@pytest.mark.asyncio
async def test_second_user_sees_own_dataset_when_registered_with_add_user(
    fake: FakeLightly, anon: httpx.AsyncClient
):
    fake.add_user("other-token")
    theirs = fake.create_dataset("theirs", ["x.jpg"], owner_token="other-token")
    r = await anon.get(f"/users/datasets/{theirs}/samples", params={"token": "other-token"})
    assert r.status_code == 200
    assert len(r.json()) == 1


def test_create_dataset_raises_when_owner_token_is_not_registered(fake: FakeLightly):
    with pytest.raises(ValueError, match="add_user"):
        fake.create_dataset("x", owner_token="nobody")


@pytest.mark.asyncio
async def test_unknown_dataset_is_404_when_the_id_is_well_formed(client: httpx.AsyncClient):
    r = await client.get(f"/v1/datasets/{'0' * 24}/tags")
    assert_error(r, 404, "DATASET_UNKNOWN")


@pytest.mark.asyncio
async def test_dataset_id_is_400_when_not_an_object_id(client: httpx.AsyncClient):
    r = await client.get("/v1/datasets/not-an-id/tags")
    assert_error(r, 400, "MALFORMED_REQUEST")


@pytest.mark.asyncio
async def test_unknown_route_answers_an_api_error_body_when_path_is_not_in_the_spec(
    client: httpx.AsyncClient,
):
    r = await client.get("/v1/nothing/here")
    assert_error(r, 404, "NOT_FOUND")


@pytest.mark.asyncio
async def test_calls_record_method_path_query_and_status_without_the_token(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await client.get(f"/users/datasets/{ds}/samples", params={"mode": "ids"})
    await client.get(f"/v1/datasets/{'0' * 24}/tags")
    assert [(c.method, c.path, c.query, c.status) for c in fake.calls] == [
        ("GET", f"/users/datasets/{ds}/samples", {"mode": "ids"}, 200),
        ("GET", f"/v1/datasets/{'0' * 24}/tags", {}, 404),
    ]


@pytest.mark.asyncio
async def test_reset_forgets_datasets_and_calls_when_called(
    fake: FakeLightly, client: httpx.AsyncClient, ds: str
):
    await client.get(f"/v1/datasets/{ds}/tags")
    fake.reset()
    assert fake.calls == []
    r = await client.get(f"/v1/datasets/{ds}/tags")
    assert_error(r, 404, "DATASET_UNKNOWN")


def test_ids_are_deterministic_when_the_seed_is_the_same():
    a, b, c = (FakeLightly(seed=1, api="seed"), FakeLightly(seed=1, api="seed"),
               FakeLightly(seed=2, api="seed"))
    assert a.create_dataset("x", ["f.jpg"]) == b.create_dataset("x", ["f.jpg"])
    assert a.sample_ids(a.create_dataset("y", ["g"])) != c.sample_ids(c.create_dataset("y", ["g"]))


@pytest.mark.asyncio
async def test_dataset_id_is_400_when_an_object_id_has_a_trailing_newline(
    client: httpx.AsyncClient, ds: str
):
    # the spec's patterns are ECMA-262: `$` does not match before a final "\n"
    r = await client.get(f"/v1/datasets/{ds}%0A/tags")
    assert_error(r, 400, "MALFORMED_REQUEST")
