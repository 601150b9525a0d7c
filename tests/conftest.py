"""Suite-wide: which pool sits under httpx.

With the ``fast`` extra installed, sessions on asyncio would run on aiohttp's pool. Most tests
inspect httpx's own pool (respx mocks, pool-drain checks), so the suite pins
``LIGHTLY_ASYNC_TRANSPORT=httpx`` unless the environment already chose; the tests that run on
both pools (the fault soak, the transport choice, the demo and examples in subprocesses, whose
environment drops every ``LIGHTLY_*`` variable) say so themselves.
"""

from __future__ import annotations

import os

import pytest

from lightly_async import _http


@pytest.fixture(autouse=True)
def _pin_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    if _http.TRANSPORT_ENV not in os.environ:
        monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx")
