"""Small request builders shared by the fake's tests."""

from __future__ import annotations

from typing import Any

import httpx

FILES = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"]


async def initial_tag(client: httpx.AsyncClient, ds: str) -> str:
    r = await client.post(f"/v1/datasets/{ds}/tags/initial", json={"imgType": "full"})
    assert r.status_code == 201, r.text
    tag_id: str = r.json()["id"]
    return tag_id


async def create_tag(
    client: httpx.AsyncClient, ds: str, name: str, prev: str, mask: str, tot: int = 5, **extra: Any
) -> str:
    body = {"name": name, "prevTagId": prev, "bitMaskData": mask, "totSize": tot, **extra}
    r = await client.post(f"/v1/datasets/{ds}/tags", json=body)
    assert r.status_code == 201, r.text
    tag_id: str = r.json()["id"]
    return tag_id


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
