"""Loopback serving: serve() under asyncio, serve_in_thread() from sync code, signed URLs."""

from __future__ import annotations

import httpx
import pytest

from lightly_async.testing import FakeLightly


@pytest.mark.asyncio
async def test_serve_answers_over_loopback_with_urls_on_that_base_when_started(
    fake: FakeLightly, ds: str
):
    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as c:
        assert base_url.startswith("http://127.0.0.1:")
        sid = fake.sample_ids(ds)[0]
        r = await c.get(f"/users/datasets/{ds}/samples/{sid}/readurl", params={"token": fake.token})
        assert r.json().startswith(base_url + "/_fake/blobs/")
        r = await c.get(
            f"/users/datasets/{ds}/samples/{sid}/writeurl",
            params={"fileName": "a.jpg", "token": fake.token},
        )
        put = await c.put(r.json()["signedWriteUrl"], content=b"over the wire")
        assert put.status_code == 200
    assert fake.blob(f"{ds}/samples/{sid}/a.jpg") == b"over the wire"


def test_serve_in_thread_answers_sync_clients_until_the_block_ends(fake: FakeLightly, ds: str):
    with fake.serve_in_thread() as base_url:
        r = httpx.get(f"{base_url}/v1/datasets/{ds}/tags", params={"token": fake.token})
        assert (r.status_code, r.json()) == (200, [])
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/v1/datasets/{ds}/tags", params={"token": fake.token})


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_serve_works_under_trio_when_the_test_runs_on_trio(
    fake: FakeLightly, ds: str, anyio_backend: str
):
    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as c:
        r = await c.get(
            f"/users/datasets/{ds}/samples", params={"token": fake.token, "mode": "ids"}
        )
        assert len(r.json()) == 5


def test_importing_lightly_async_does_not_import_the_fake_when_only_the_client_is_used():
    import subprocess
    import sys

    code = (
        "import sys, lightly_async\n"
        "print('lightly_async.testing' in sys.modules, 'starlette' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
