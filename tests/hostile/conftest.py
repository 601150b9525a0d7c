"""Fixtures of the hostile-server suites: a test runs on each (backend, pool) pair that exists.

aiohttp's pool (the ``fast`` extra, chosen on asyncio) and httpx's own pool on asyncio, and
httpx's own pool on trio (aiohttp is asyncio-only). ``pool_in_use`` lets a test prove which
pool carried its requests. A module that runs on asyncio and trio on the default pool only
imports ``server.anyio_backend`` instead. ``fake`` is a fresh fake server with faults to inject.
"""

from __future__ import annotations

import pytest

from lightly_async import LightlySession, _http
from lightly_async.testing import FakeLightly

from .server import TOKEN

COMBOS = [("asyncio", "httpx"), ("asyncio", "aiohttp"), ("trio", "httpx")]


@pytest.fixture(params=COMBOS, ids=[f"{b}-{p}" for b, p in COMBOS])
def combo(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    backend, pool = request.param
    if pool == "aiohttp":
        monkeypatch.setenv(_http.TRANSPORT_ENV, "auto")
    else:
        monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx2")
    return backend, pool


@pytest.fixture
def anyio_backend(combo: tuple[str, str]) -> str:
    return combo[0]


@pytest.fixture
def pool(combo: tuple[str, str]) -> str:
    return combo[1]


def pool_in_use(session: LightlySession) -> str:
    """Which pool the session's requests ran on ("aiohttp" or "httpx")."""
    transport = session._client._transport  # type: ignore[attr-defined]
    chosen = getattr(transport, "chosen", transport)
    return "aiohttp" if type(chosen).__name__ == "AiohttpTransport" else "httpx"


@pytest.fixture
def fake() -> FakeLightly:
    return FakeLightly(token=TOKEN, seed=6)
