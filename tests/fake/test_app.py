"""Routing: 405 with a complete ``Allow``, and literal paths beside templated ones."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Route

from fake.api import assert_error, initial_tag
from lightly_async.testing import FakeLightly


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("tail", "allowed"),
    [
        ("/tags", {"GET", "HEAD", "POST"}),
        ("/datasource", {"GET", "HEAD", "PUT"}),
        ("/predictions/tasks", {"GET", "HEAD", "POST"}),
        ("/tags/initial", {"POST"}),
    ],
)
async def test_405_lists_every_method_of_the_path_when_the_method_is_not_one_of_them(
    client: httpx.AsyncClient, ds: str, tail: str, allowed: set[str]
):
    r = await client.request("PATCH", f"/v1/datasets/{ds}{tail}")
    assert_error(r, 405, "BAD_REQUEST")
    assert set(r.headers["allow"].split(", ")) == allowed


@pytest.mark.asyncio
async def test_405_lists_get_put_and_delete_when_a_tag_is_asked_with_options(
    client: httpx.AsyncClient, ds: str
):
    tag = await initial_tag(client, ds)
    r = await client.options(f"/v1/datasets/{ds}/tags/{tag}")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT", "DELETE"}


@pytest.mark.asyncio
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("literal", ["initial", "upsize", "arithmetics"])
async def test_literal_tag_path_is_405_when_asked_with_a_method_of_tags_by_id(
    client: httpx.AsyncClient, ds: str, method: str, literal: str
):
    # not GET/PUT/DELETE .../tags/{tagId} with tagId "initial" (a malformed id, 400)
    r = await client.request(method, f"/v1/datasets/{ds}/tags/{literal}", json={"name": "abc"})
    assert_error(r, 405, "BAD_REQUEST")
    assert r.headers["allow"] == "POST"


@pytest.mark.asyncio
async def test_unusual_method_is_405_with_the_paths_methods_when_no_route_has_it(
    client: httpx.AsyncClient, ds: str
):
    r = await client.request("TRACE", f"/v1/datasets/{ds}/tags/initial")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"



@pytest.mark.parametrize("api", ["seed", "latest"])
def test_no_templated_path_comes_before_a_literal_path_it_would_match(api: str):
    # Starlette takes the first route whose path matches: ``/tags/{tagId}`` before
    # ``/tags/initial`` would answer ``POST .../tags/initial`` as a 405 of a tag id
    routes = [r for r in FakeLightly(api=api).app.routes if isinstance(r, Route)]
    paths = list(dict.fromkeys(r.path for r in routes))  # in routing order
    pattern = {r.path: r.path_regex for r in routes}
    matching = [(template, literal) for template in paths for literal in paths
                if template != literal and pattern[template].match(literal)]
    assert any(t.endswith("/tags/{tagId}") and p.endswith("/tags/initial") for t, p in matching)
    shadowed = [(t, p) for t, p in matching if paths.index(t) < paths.index(p)]
    assert shadowed == []
