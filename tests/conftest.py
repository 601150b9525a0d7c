"""Suite-wide: which HTTP stack the tests run on.

The library runs on httpx2. respx (request-shape mocks) patches whichever module is imported as
``httpx``, so unless ``LIGHTLY_ASYNC_TEST_HTTPX=real`` is set, ``httpx2.alias_httpx()`` runs here,
before anything imports httpx: for this run ``import httpx`` *is* httpx2, and respx, the tests'
``httpx.MockTransport`` and ``httpx.Response`` all speak httpx2 (respx's own plugin is loaded
here, after the alias). The real httpx family (a
caller's ``httpx.AsyncClient`` or transport) is covered by ``tests/httpx_family/``, which
``tests/unit/test_httpx_family.py`` runs in a subprocess with that variable set.

Sessions on asyncio would run on aiohttp's pool by default. Most tests inspect httpx2's own
pool (pool-drain checks, mocks), so the suite pins ``LIGHTLY_ASYNC_TRANSPORT=httpx2`` unless
the environment already chose; the tests that run on both pools (the fault soak, the
transport choice, the hostile servers, the demo and examples in subprocesses, whose
environment drops every ``LIGHTLY_*`` variable) say so themselves.
"""

from __future__ import annotations

import os

import httpx2

if os.environ.get("LIGHTLY_ASYNC_TEST_HTTPX") != "real":
    httpx2.alias_httpx()

# respx's plugin imports httpx, so pyproject's addopts disable its automatic loading
# (`-p no:respx`) and it is registered here, after the alias.
pytest_plugins = ["respx.plugin"]

import pytest  # noqa: E402

from lightly_async import _http  # noqa: E402


@pytest.fixture(autouse=True)
def _pin_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    if _http.TRANSPORT_ENV not in os.environ:
        monkeypatch.setenv(_http.TRANSPORT_ENV, "httpx2")
