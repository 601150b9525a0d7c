"""The fake's sharing (``collaboration/access``) and custom metadata configurations."""

from __future__ import annotations

import httpx
import pytest

from fake.api import FILES, assert_error
from lightly_async.testing import FakeLightly

pytestmark = pytest.mark.asyncio


async def test_sharing_again_replaces_the_users_of_the_same_sharing(
        fake: FakeLightly, client: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    path = f"/v1/datasets/{ds}/collaboration/access"
    first = await client.post(path, json={"accessType": "WRITE", "users": ["a@x.io", "a@x.io"]})
    second = await client.post(path, json={"accessType": "WRITE", "users": ["b@x.io"]})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    [config] = (await client.get(path)).json()
    assert (config["users"], config["teams"]) == (["b@x.io"], [])

    assert (await client.delete(f"{path}/{config['id']}")).status_code == 200
    assert (await client.get(path)).json() == []
    assert_error(await client.delete(f"{path}/{config['id']}"), 404, "ACCESS_CONFIG_UNKNOWN")


async def test_sharing_refuses_what_is_not_an_email(
        fake: FakeLightly, client: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    r = await client.post(f"/v1/datasets/{ds}/collaboration/access",
                          json={"accessType": "WRITE", "users": ["nobody"]})
    assert_error(r, 400, "MALFORMED_REQUEST")


ENTRY = {"name": "Weather", "path": "weather", "defaultValue": None,
         "valueDataType": "CATEGORICAL_STRING"}


async def test_configurations_are_created_listed_read_and_replaced(
        fake: FakeLightly, client: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    path = f"/v1/datasets/{ds}/configuration/metadata"
    r = await client.post(path, json={"name": "cfg", "configs": [ENTRY]})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    stored = (await client.get(f"{path}/{cid}")).json()
    assert (stored["name"], stored["configs"]) == ("cfg", [ENTRY])
    assert [c["id"] for c in (await client.get(path)).json()] == [cid]

    r = await client.put(f"{path}/{cid}", json={"name": "renamed", "configs": []})
    assert r.status_code == 200, r.text
    assert (await client.get(f"{path}/{cid}")).json()["name"] == "renamed"


@pytest.mark.parametrize("configs", [
    [ENTRY, ENTRY],
    [{**ENTRY, "valueDataType": "TEXT"}],
    [{**ENTRY, "path": ""}],
])
async def test_configurations_refuse_bad_entries(
        fake: FakeLightly, client: httpx.AsyncClient, configs: list[dict[str, object]]) -> None:
    ds = fake.create_dataset("d", FILES)
    r = await client.post(f"/v1/datasets/{ds}/configuration/metadata",
                          json={"name": "cfg", "configs": configs})
    assert_error(r, 400, "MALFORMED_REQUEST")


async def test_an_unknown_configuration_is_not_found(
        fake: FakeLightly, client: httpx.AsyncClient) -> None:
    ds = fake.create_dataset("d", FILES)
    assert_error(await client.get(f"/v1/datasets/{ds}/configuration/metadata/{'0' * 24}"),
                 404, "METADATA_CONFIGURATION_UNKNOWN")
