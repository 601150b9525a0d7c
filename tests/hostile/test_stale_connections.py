"""A server that closes each connection right after answering, without saying so (issue 23.6).

The client pools the connection; the next request must not be sent on it (the server has
closed it and would never read it). On every pool all calls succeed, each reaching the server
exactly once, with retries off: nothing was lost, nothing was sent twice.
"""

from __future__ import annotations

import json

import anyio
import pytest

from lightly_async import LightlySession, RetryPolicy

from .conftest import pool_in_use
from .server import DS, TOKEN, close_after_answer_server

pytestmark = pytest.mark.anyio

CALLS = 30
ID = "0123456789abcdef01234567"


async def test_back_to_back_creates_all_succeed_against_a_close_after_answer_server(
    pool: str,
) -> None:
    with anyio.fail_after(30):
        with close_after_answer_server(201, json.dumps({"id": ID}).encode()) as server:
            async with LightlySession(token=TOKEN, base_url=server.url,
                                      retry=RetryPolicy(max_retries=0)) as session:
                tags = session.dataset(DS).tags
                for i in range(CALLS):  # one after another: each may pick a pooled connection
                    created = await tags.create(name=f"tag-{i}", prev_tag_id=ID,
                                                bit_mask_data="0x1", tot_size=1)
                    assert created.id == ID

    assert pool_in_use(session) == pool
    posts = [r for r in server.received if r.method == "POST"]
    assert [json.loads(r.body)["name"] for r in posts] == [f"tag-{i}" for i in range(CALLS)]
    assert session.stats.requests == CALLS
    assert session.stats.retries == 0
    if pool == "aiohttp":  # the stale connections were seen and dropped, not sent on
        assert session.stats.stale_connections > 0


# the resend is the aiohttp transport's (httpx2's pool checks a connection at reuse)
@pytest.mark.parametrize("combo", [("asyncio", "aiohttp")], indirect=True,
                         ids=["asyncio-aiohttp"])
async def test_a_request_that_meets_a_connection_closing_unread_is_resent_once_on_aiohttp(
    pool: str,
) -> None:
    assert pool == "aiohttp"
    with anyio.fail_after(30):
        with close_after_answer_server(201, json.dumps({"id": ID}).encode(),
                                       close="on-next-request") as server:
            async with LightlySession(token=TOKEN, base_url=server.url,
                                      retry=RetryPolicy(max_retries=0)) as session:
                tags = session.dataset(DS).tags
                for i in range(10):
                    created = await tags.create(name=f"tag-{i}", prev_tag_id=ID,
                                                bit_mask_data="0x1", tot_size=1)
                    assert created.id == ID

    posts = [r for r in server.received if r.method == "POST"]
    assert [json.loads(r.body)["name"] for r in posts] == [f"tag-{i}" for i in range(10)]
    assert session.stats.requests == 10
    assert session.stats.retries == 0
    assert session.stats.stale_connections == 9  # every call after the first met one


async def test_a_post_on_a_fresh_connection_that_is_dropped_is_not_resent(pool: str) -> None:
    """The resend is for a pooled connection only: a fresh one that fails may have been read."""
    from lightly_async import APIConnectionError

    from .server import Received, Reply, hostile_server

    async def drop(request: Received, reply: Reply) -> None:
        return  # read the request whole, then close without answering

    with anyio.fail_after(30):
        async with hostile_server(drop) as server, LightlySession(
                token=TOKEN, base_url=server.url, retry=RetryPolicy(max_retries=0)) as session:
            with pytest.raises(APIConnectionError):
                await session.dataset(DS).tags.create(
                    name="t-0", prev_tag_id=ID, bit_mask_data="0x1", tot_size=1)

    assert len(server.received) == 1
    assert session.stats.stale_connections == 0
